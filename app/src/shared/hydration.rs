//! A marker that hydration finished, so end-to-end tests click only once the
//! page is interactive instead of sleeping.

use leptos::prelude::*;

/// Sets `data-hydrated="true"` on `<body>` once the app runs in the browser.
/// Effects never run during server rendering, so the attribute cannot appear early.
pub fn mark_body_when_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            // Failing to set an attribute only costs tests their marker.
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
