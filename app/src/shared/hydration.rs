//! A marker that the browser side is running, so end-to-end tests click only
//! once the page's islands are interactive instead of sleeping.

/// Sets `data-hydrated="true"` on `<body>`; called once the islands are hydrated.
#[cfg(feature = "hydrate")]
pub fn mark_body_hydrated() {
    if let Some(body) = leptos::prelude::document().body() {
        // Failing to set an attribute only costs tests their marker.
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
