//! Weiqiao's user interface: the HTML shell, the router and its pages, and
//! the server functions they call. Built twice by cargo-leptos: with `ssr`
//! into the server (pages render there; forms post to server functions and
//! work without JavaScript), and with `hydrate` into wasm that holds only the
//! islands (`#[island]`), the few interactive parts, so a merchant's phone
//! loads a few dozen kilobytes, not a megabyte.
//! Server functions call `platform` use cases; this crate holds no SQL.

pub mod admin;
mod error;
pub mod i18n;
mod login;
mod not_found;
pub mod onboard;
pub mod shared;

pub use error::UiError;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::admin::{
    account::AccountPage,
    accounts::AccountsPage,
    api_keys::ApiKeysPage,
    audit::AuditPage,
    companies::CompaniesPage,
    company::CompanyPage,
    events::{EventPage, EventsPage},
    fast_registrations::FastRegistrationsPage,
    overview::OverviewPage,
    release_check::ReleaseCheckPage,
    unassigned::UnassignedPage,
    webhooks::{WebhookPage, WebhooksPage},
};
use crate::login::LoginPage;
use crate::not_found::NotFound;
use crate::onboard::{
    error::OnboardErrorPage, invite::OnboardPage, register::OnboardRegisterPage,
    result::OnboardResultPage,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: routes and the layout around them.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        // Each page brings its audience's frame: admin pages `AdminLayout`,
        // sign-in and merchant pages `PublicLayout`.
        <Router>
                // Async SSR: pages are sent whole, so they work without JavaScript
                // (out-of-order streaming would leave fallbacks for a script to fill).
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("accounts") view=AccountsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("accounts"), ParamSegment("appid")) view=AccountPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("unassigned") view=UnassignedPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("events") view=EventsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("events"), ParamSegment("id")) view=EventPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("companies") view=CompaniesPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("api-keys") view=ApiKeysPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("webhooks") view=WebhooksPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("webhooks"), ParamSegment("id")) view=WebhookPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("release-check") view=ReleaseCheckPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("fast-registrations") view=FastRegistrationsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("companies"), ParamSegment("id")) view=CompanyPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("onboard"), StaticSegment("error")) view=OnboardErrorPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("onboard"), ParamSegment("token")) view=OnboardPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("onboard"), ParamSegment("token"), StaticSegment("register"))
                        view=OnboardRegisterPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("onboard"), ParamSegment("token"), StaticSegment("result"), ParamSegment("appid"))
                        view=OnboardResultPage
                        ssr=SsrMode::Async
                    />
                </Routes>
        </Router>
    }
}

/// The wasm entry point: hydrates the page's islands (`#[island]` components);
/// everything else stays the server's HTML, so the wasm holds only them.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    shared::hydration::mark_body_hydrated();
}
