//! The component token: fetched as soon as a ticket arrives, kept sealed.
//! (`spawn_app` returns once the start-up ticket has produced a fresh token.)

use platform::component::RefreshOutcome;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_emulators_ticket_push_leads_to_a_component_token_fetched_once() {
    let app = spawn_app().await;
    let token = app.platform.component().component_token().await.unwrap();
    assert!(!token.expose().is_empty());
    assert_eq!(app.sim.calls().list(Some("api_component_token")).len(), 1);

    // Not due again: a second pass calls nothing.
    let again = app
        .platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
    assert_eq!(again, RefreshOutcome::NotDue);
    assert_eq!(app.sim.calls().list(Some("api_component_token")).len(), 1);
}

#[tokio::test]
async fn the_token_is_refreshed_ahead_of_expiry_not_after() {
    let app = spawn_app().await;
    let component = app.platform.component();
    let first = component.component_token().await.unwrap();
    let expires_at = component
        .component_token_status()
        .await
        .unwrap()
        .expires_at
        .unwrap();

    // 25 minutes before expiry: outside the 20-minute refresh margin. In sandbox
    // mode Weiqiao's clock follows the emulator's, so one advance moves both.
    let now = component.clock().now();
    app.sim.clock().advance(std::time::Duration::from_secs(
        (expires_at - now - 25 * 60) as u64,
    ));
    assert!(matches!(
        component.refresh_component_token_if_due().await.unwrap(),
        RefreshOutcome::NotDue
    ));
    // 19 minutes before expiry: inside the margin.
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(6 * 60));
    // The background loop may get there first (the emulator pushes a ticket as
    // its clock moves); either way exactly one refresh happens.
    let outcome = component.refresh_component_token_if_due().await.unwrap();
    assert!(
        matches!(
            outcome,
            RefreshOutcome::Refreshed { .. } | RefreshOutcome::NotDue
        ),
        "{outcome:?}"
    );
    let second = component.component_token().await.unwrap();
    assert_ne!(first.expose(), second.expose());
    assert_eq!(app.sim.calls().list(Some("api_component_token")).len(), 2);
}

#[tokio::test]
async fn the_database_file_contains_no_plaintext_ticket_or_token() {
    let app = spawn_app().await;
    let token = app.platform.component().component_token().await.unwrap();
    let ticket = app
        .sim
        .read_state(|state| state.tickets.last().map(|t| t.value.clone()))
        .unwrap();
    app.assert_not_stored_in_clear(&[token.expose(), ticket.as_str()])
        .await;
}
