//! The admin use cases against a real database: accounts, sign-in limits, sessions.

use super::*;
use crate::audit::AuditAction;

const PASSWORD: &str = "correct horse battery";

async fn service() -> (tempfile::TempDir, AdminService) {
    let dir = tempfile::tempdir().unwrap();
    let url = store::testing::database_url(dir.path()).await;
    let store = Store::connect(&url).await.unwrap();
    (
        dir,
        AdminService::new(store, Clock::default(), SessionPolicy::default()),
    )
}

async fn actions(admins: &AdminService) -> Vec<AuditAction> {
    let entries = admins.audit().latest(100).await.unwrap();
    entries.into_iter().rev().filter_map(|e| e.action).collect()
}

#[tokio::test]
async fn a_created_admin_signs_in_and_the_session_finds_them() {
    let (_dir, admins) = service().await;
    admins
        .create(" alice ", PASSWORD, &Actor::command_line())
        .await
        .unwrap();
    let signed_in = admins
        .sign_in("alice", PASSWORD, "203.0.113.1")
        .await
        .unwrap();
    assert_eq!(signed_in.admin.login, "alice");
    let id = signed_in.session_id.expose().to_owned();
    assert_eq!(id.len(), 43, "256 bits, base64url");
    assert_eq!(admins.session(&id).await.unwrap(), Some(signed_in.admin));
    // Every sign-in starts a new session with a new id.
    let again = admins
        .sign_in("ALICE", PASSWORD, "203.0.113.1")
        .await
        .unwrap();
    assert_ne!(again.session_id.expose(), id);
    assert!(!format!("{:?}", again.session_id).contains(again.session_id.expose()));
    assert_eq!(
        actions(&admins).await,
        [
            AuditAction::AdminCreated,
            AuditAction::SignedIn,
            AuditAction::SignedIn
        ]
    );
}

#[tokio::test]
async fn bad_logins_and_passwords_are_refused_when_created() {
    let (_dir, admins) = service().await;
    let cli = Actor::command_line();
    for login in ["", "a b", "名字", &"a".repeat(65)] {
        assert!(
            matches!(
                admins.create(login, PASSWORD, &cli).await,
                Err(AdminError::InvalidLogin)
            ),
            "{login:?}"
        );
    }
    assert!(matches!(
        admins.create("bob", "short", &cli).await,
        Err(AdminError::InvalidPassword(_))
    ));
    admins.create("bob", PASSWORD, &cli).await.unwrap();
    assert!(matches!(
        admins.create("BOB", PASSWORD, &cli).await,
        Err(AdminError::DuplicateLogin)
    ));
    assert!(!admins.ensure("bob", PASSWORD).await.unwrap());
    assert!(admins.ensure("carol", PASSWORD).await.unwrap());
}

#[tokio::test]
async fn five_failures_lock_the_login_with_the_wait_and_every_failure_is_audited() {
    let (_dir, admins) = service().await;
    admins
        .create("alice", PASSWORD, &Actor::command_line())
        .await
        .unwrap();
    for _ in 0..limits::LOGIN_LIMIT - 1 {
        let err = admins
            .sign_in("alice", "wrong password!", "10.0.0.1")
            .await
            .unwrap_err();
        assert!(matches!(err, SignInError::WrongCredentials), "{err:?}");
    }
    // The fifth failure already says how long to wait.
    let err = admins
        .sign_in("alice", "wrong password!", "10.0.0.1")
        .await
        .unwrap_err();
    // (Hashing takes a moment, so the first failure may be a second or two old.)
    assert!(
        matches!(err, SignInError::Locked { retry_after_secs } if (limits::WINDOW_SECS - 30..=limits::WINDOW_SECS).contains(&retry_after_secs)),
        "{err:?}"
    );
    // Locked: even the right password from another address is not checked.
    let err = admins
        .sign_in("alice", PASSWORD, "10.0.0.2")
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::Locked { .. }), "{err:?}");
    let failed = actions(&admins)
        .await
        .into_iter()
        .filter(|a| *a == AuditAction::SignInFailed)
        .count();
    assert_eq!(failed, limits::LOGIN_LIMIT);
    assert_eq!(
        actions(&admins).await.last(),
        Some(&AuditAction::SignInLocked)
    );

    admins.clock.advance(limits::WINDOW_SECS);
    admins.sign_in("alice", PASSWORD, "10.0.0.2").await.unwrap();
}

#[tokio::test]
async fn unknown_logins_and_disabled_admins_get_the_same_answer_as_a_wrong_password() {
    let (_dir, admins) = service().await;
    let cli = Actor::command_line();
    admins.create("alice", PASSWORD, &cli).await.unwrap();
    let signed_in = admins.sign_in("alice", PASSWORD, "10.0.0.1").await.unwrap();
    admins.disable("alice", &cli).await.unwrap();
    assert_eq!(
        admins.session(signed_in.session_id.expose()).await.unwrap(),
        None
    );
    for login in ["alice", "nobody"] {
        let err = admins
            .sign_in(login, PASSWORD, "10.0.0.1")
            .await
            .unwrap_err();
        assert!(
            matches!(err, SignInError::WrongCredentials),
            "{login}: {err:?}"
        );
    }
    assert!(matches!(
        admins.disable("nobody", &cli).await,
        Err(AdminError::NotFound)
    ));
    assert!(admins.list().await.unwrap()[0].disabled);
}

#[tokio::test]
async fn the_address_limit_locks_every_login_from_that_address() {
    let (_dir, admins) = service().await;
    for i in 0..limits::ADDRESS_LIMIT {
        let _ = admins.sign_in(&format!("user{i}"), "x", "10.9.9.9").await;
    }
    let err = admins.sign_in("fresh", "x", "10.9.9.9").await.unwrap_err();
    assert!(matches!(err, SignInError::Locked { .. }), "{err:?}");
    let err = admins.sign_in("fresh", "x", "10.9.9.8").await.unwrap_err();
    assert!(matches!(err, SignInError::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn sessions_end_when_idle_when_too_old_at_sign_out_and_at_a_password_reset() {
    let (_dir, admins) = service().await;
    let cli = Actor::command_line();
    admins.create("alice", PASSWORD, &cli).await.unwrap();
    let policy = *admins.policy();
    let sign_in = || admins.sign_in("alice", PASSWORD, "10.0.0.1");

    // Steps stop 10 s short of a limit: the clock adds real time (a second
    // boundary may pass between two calls), and the test must not depend on it.
    let step = policy.idle_secs - 10;
    let idle = sign_in().await.unwrap().session_id;
    admins.clock.advance(step);
    assert!(
        admins.session(idle.expose()).await.unwrap().is_some(),
        "touched before idling out"
    );
    admins.clock.advance(step);
    assert!(
        admins.session(idle.expose()).await.unwrap().is_some(),
        "activity moved the idle expiry"
    );
    admins.clock.advance(policy.idle_secs);
    assert!(admins.session(idle.expose()).await.unwrap().is_none());

    let old = sign_in().await.unwrap().session_id;
    let steps = (policy.absolute_secs - 10) / step;
    for _ in 0..steps {
        admins.clock.advance(step);
        assert!(admins.session(old.expose()).await.unwrap().is_some());
    }
    admins.clock.advance(policy.absolute_secs - steps * step);
    assert!(
        admins.session(old.expose()).await.unwrap().is_none(),
        "past the absolute lifetime"
    );

    let out = sign_in().await.unwrap().session_id;
    admins.sign_out(out.expose(), "10.0.0.1").await.unwrap();
    assert!(admins.session(out.expose()).await.unwrap().is_none());

    let reset = sign_in().await.unwrap().session_id;
    admins
        .reset_password("alice", "another good password", &cli)
        .await
        .unwrap();
    assert!(admins.session(reset.expose()).await.unwrap().is_none());
    assert!(admins.sign_in("alice", PASSWORD, "10.0.0.1").await.is_err());
    admins
        .sign_in("alice", "another good password", "10.0.0.1")
        .await
        .unwrap();
    assert!(admins.session("not a session id").await.unwrap().is_none());
}

#[test]
fn a_session_lives_strictly_inside_both_limits() {
    let policy = SessionPolicy {
        idle_secs: 10,
        absolute_secs: 100,
        touch_every_secs: 1,
    };
    assert!(policy.alive(0, 0, 9));
    assert!(!policy.alive(0, 0, 10));
    assert!(policy.alive(0, 95, 99));
    assert!(!policy.alive(0, 95, 100));
}
