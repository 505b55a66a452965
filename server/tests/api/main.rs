//! Integration tests: the real application on port 0 with a fresh SQLite file.

mod companies;
mod config;
mod health;
mod helpers;
