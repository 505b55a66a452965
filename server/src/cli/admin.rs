//! `server admin create | list | disable | reset-password`: the dashboard's
//! admins, managed on the server itself. Passwords are read from the terminal
//! (asked twice) or, for scripts, from one line on stdin (`--password-stdin`);
//! never from an argument, which other users could see in the process list.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Subcommand;
use platform::admins::{AdminError, AdminService, SessionPolicy};
use platform::audit::Actor;
use platform::clock::Clock;
use store::Store;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Creates an admin who can sign in at /login.
    Create {
        login: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lists every admin.
    List,
    /// Stops an admin from signing in and ends their sessions.
    Disable { login: String },
    /// Sets a new password and ends every session of that admin.
    ResetPassword {
        login: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Runs one `admin` subcommand on the configured database.
pub async fn admin(command: AdminCommand) -> ExitCode {
    admin_on(
        &super::database_url(),
        command,
        &mut std::io::stdin().lock(),
    )
    .await
}

/// Runs one `admin` subcommand on the database at `url`, reading passwords from `input`.
pub async fn admin_on(
    url: &str,
    command: AdminCommand,
    input: &mut dyn std::io::BufRead,
) -> ExitCode {
    let store = match Store::connect(url).await {
        Ok(store) => store,
        Err(err) => {
            eprintln!("weiqiao: cannot open the database: {err}");
            return ExitCode::FAILURE;
        }
    };
    let admins = AdminService::new(store.clone(), Clock::default(), SessionPolicy::default());
    let result = run(&admins, command, input).await;
    store.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("weiqiao: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    admins: &AdminService,
    command: AdminCommand,
    input: &mut dyn std::io::BufRead,
) -> Result<(), String> {
    let cli = Actor::command_line();
    match command {
        AdminCommand::Create {
            login,
            password_stdin,
        } => {
            let password = read_password(password_stdin, input)?;
            let admin = admins
                .create(&login, &password, &cli)
                .await
                .map_err(message)?;
            println!("Admin {} created; they can sign in at /login.", admin.login);
        }
        AdminCommand::List => {
            println!(
                "{:<24}  {:<9}  {:<12}  password changed",
                "login", "status", "created"
            );
            for admin in admins.list().await.map_err(message)? {
                println!(
                    "{:<24}  {:<9}  {:<12}  {}",
                    admin.login,
                    if admin.disabled { "disabled" } else { "active" },
                    admin.created_at,
                    admin.password_changed_at
                );
            }
        }
        AdminCommand::Disable { login } => {
            admins.disable(&login, &cli).await.map_err(message)?;
            println!("Admin {login} disabled; their sessions have ended.");
        }
        AdminCommand::ResetPassword {
            login,
            password_stdin,
        } => {
            let password = read_password(password_stdin, input)?;
            admins
                .reset_password(&login, &password, &cli)
                .await
                .map_err(message)?;
            println!("Password of {login} changed; their sessions have ended.");
        }
    }
    Ok(())
}

fn message(err: AdminError) -> String {
    err.to_string()
}

fn read_password(from_stdin: bool, input: &mut dyn std::io::BufRead) -> Result<String, String> {
    if from_stdin {
        let mut line = String::new();
        input
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err("no terminal to ask for the password; pipe it in with --password-stdin".into());
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Repeat it: ").map_err(|e| e.to_string())?;
    if first != second {
        return Err("the two passwords differ; nothing was changed".into());
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admins_are_created_listed_reset_and_disabled_by_the_subcommands() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("cli.db").display());
        let create = |login: &str| AdminCommand::Create {
            login: login.into(),
            password_stdin: true,
        };
        let mut good = "a long enough password\n".as_bytes();
        assert_eq!(
            admin_on(&url, create("alice"), &mut good).await,
            ExitCode::SUCCESS
        );
        let mut short = "short\n".as_bytes();
        assert_eq!(
            admin_on(&url, create("bob"), &mut short).await,
            ExitCode::FAILURE
        );
        let mut again = "a long enough password\n".as_bytes();
        assert_eq!(
            admin_on(&url, create("ALICE"), &mut again).await,
            ExitCode::FAILURE,
            "duplicate"
        );
        assert_eq!(
            admin_on(&url, AdminCommand::List, &mut "".as_bytes()).await,
            ExitCode::SUCCESS
        );
        let reset = AdminCommand::ResetPassword {
            login: "alice".into(),
            password_stdin: true,
        };
        let mut new = "another long password\n".as_bytes();
        assert_eq!(admin_on(&url, reset, &mut new).await, ExitCode::SUCCESS);
        let disable = |login: &str| AdminCommand::Disable {
            login: login.into(),
        };
        assert_eq!(
            admin_on(&url, disable("alice"), &mut "".as_bytes()).await,
            ExitCode::SUCCESS
        );
        assert_eq!(
            admin_on(&url, disable("nobody"), &mut "".as_bytes()).await,
            ExitCode::FAILURE
        );

        let store = Store::connect(&url).await.unwrap();
        let admins = AdminService::new(store, Clock::default(), SessionPolicy::default());
        let listed = admins.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].disabled);
        let err = admins
            .sign_in("alice", "another long password", "127.0.0.1")
            .await
            .unwrap_err();
        assert!(
            matches!(err, platform::admins::SignInError::WrongCredentials),
            "disabled"
        );
    }
}
