use super::*;

async fn service() -> (tempfile::TempDir, ApiKeyService) {
    let dir = tempfile::tempdir().unwrap();
    let url = store::testing::database_url(dir.path()).await;
    let store = Store::connect(&url).await.unwrap();
    (dir, ApiKeyService::new(store, Clock::default()))
}

/// A key that reads everything, as the token service sees it.
async fn billing_key(keys: &ApiKeyService) -> ApiKey {
    let created = keys
        .create("billing", &KeyScope::everything(), None)
        .await
        .unwrap();
    keys.authenticate(created.key.expose()).await.unwrap()
}

#[tokio::test]
async fn a_created_key_authenticates_until_it_is_revoked() {
    let (_dir, keys) = service().await;
    let created = keys
        .create(" billing ", &KeyScope::everything(), None)
        .await
        .unwrap();
    assert!(created.key.expose().starts_with("wq_"));
    assert_eq!(created.key.expose().len(), 3 + 43);
    assert_eq!(created.info.name, "billing");
    assert!(created.key.expose().starts_with(&created.info.prefix));
    let key = keys.authenticate(created.key.expose()).await.unwrap();
    assert_eq!(key.id, created.info.id);
    assert!(key.may_read_component() && key.may_read_company(7));

    keys.revoke(key.id).await.unwrap();
    assert!(matches!(
        keys.authenticate(created.key.expose()).await,
        Err(ApiKeyError::Unauthorized)
    ));
    assert!(matches!(
        keys.revoke(key.id).await,
        Err(ApiKeyError::NotFound)
    ));
}

#[tokio::test]
async fn a_wrong_or_malformed_key_is_unauthorized() {
    let (_dir, keys) = service().await;
    let created = keys
        .create("billing", &KeyScope::everything(), None)
        .await
        .unwrap();
    let mut wrong = created.key.expose().to_owned();
    wrong.pop();
    wrong.push('x');
    for bearer in [wrong.as_str(), "", "Bearer", "not-a-key"] {
        assert!(
            matches!(
                keys.authenticate(bearer).await,
                Err(ApiKeyError::Unauthorized)
            ),
            "{bearer}"
        );
    }
}

#[tokio::test]
async fn issuances_are_counted_and_written_by_a_flush() {
    let (_dir, keys) = service().await;
    let key = billing_key(&keys).await;
    for _ in 0..3 {
        keys.record_issuance(&key);
    }
    let listed = keys.list().await.unwrap();
    assert_eq!(listed[0].issued_count, 3);
    assert!(listed[0].last_used_at.is_some());
    keys.record_issuance(&key);
    assert_eq!(keys.list().await.unwrap()[0].issued_count, 4);
}

#[tokio::test]
async fn an_empty_name_or_an_unknown_company_is_refused() {
    let (_dir, keys) = service().await;
    assert!(matches!(
        keys.create("  ", &KeyScope::everything(), None).await,
        Err(ApiKeyError::InvalidName)
    ));
    assert!(matches!(
        keys.create("billing", &KeyScope::companies(&[99]), None)
            .await,
        Err(ApiKeyError::UnknownCompany)
    ));
}

#[tokio::test]
async fn a_scope_must_say_all_companies_or_some_never_neither_nor_both() {
    let (_dir, keys) = service().await;
    for scope in [
        KeyScope::default(),
        KeyScope {
            component: true,
            ..KeyScope::default()
        },
        KeyScope {
            all_companies: true,
            company_ids: vec![1],
            ..KeyScope::default()
        },
    ] {
        assert!(
            matches!(
                keys.create("crm", &scope, None).await,
                Err(ApiKeyError::InvalidScope)
            ),
            "{scope:?}"
        );
    }
}

#[test]
fn a_scoped_key_reads_only_its_companies_and_the_component_token_only_when_allowed() {
    let mut key = ApiKey {
        id: 1,
        name: "crm".into(),
        scope: KeyScope::companies(&[2, 3]),
        expires_at: None,
    };
    assert!(key.may_read_company(2) && key.may_read_company(3));
    assert!(!key.may_read_company(4) && !key.reads_all_companies());
    assert!(!key.may_read_component());
    key.scope.component = true;
    assert!(key.may_read_component());
    key.scope = KeyScope::everything();
    assert!(key.may_read_company(4) && key.reads_all_companies());
}

#[tokio::test]
async fn a_key_with_an_expiry_works_until_then_and_an_expiry_in_the_past_is_refused() {
    let (_dir, keys) = service().await;
    let now = keys.clock.now();
    assert!(matches!(
        keys.create("crm", &KeyScope::everything(), Some(now)).await,
        Err(ApiKeyError::InvalidExpiry)
    ));
    let created = keys
        .create("crm", &KeyScope::everything(), Some(now + 60))
        .await
        .unwrap();
    assert_eq!(created.info.expires_at, Some(now + 60));
    let key = keys.authenticate(created.key.expose()).await.unwrap();
    assert_eq!(key.expires_at, Some(now + 60));
    keys.clock.advance(59);
    assert!(keys.authenticate(created.key.expose()).await.is_ok());
    // Expired: refused at once, also from the cache.
    keys.clock.advance(1);
    assert!(matches!(
        keys.authenticate(created.key.expose()).await,
        Err(ApiKeyError::Unauthorized)
    ));
}

#[tokio::test]
async fn reads_are_counted_per_minute() {
    let (_dir, keys) = service().await;
    let key = billing_key(&keys).await;
    let start = usage::minute_of(keys.clock.now());
    keys.record_issuance(&key);
    keys.record_issuance(&key);
    keys.clock.advance(60);
    keys.record_issuance(&key);
    assert_eq!(
        keys.reads_per_minute(key.id, start).await.unwrap(),
        [(start, 2), (start + 60, 1)]
    );
    assert_eq!(keys.list().await.unwrap()[0].issued_count, 3);
    keys.record_issuance(&key);
    assert_eq!(
        keys.reads_per_minute(key.id, start + 60).await.unwrap(),
        [(start + 60, 2)],
        "flushed first"
    );
}

#[tokio::test]
async fn reads_are_summed_per_china_day_with_today_last() {
    let (_dir, keys) = service().await;
    let key = billing_key(&keys).await;
    // To 23:59 China time (15:59 UTC) of some day: one read then, two a minute later.
    let now = keys.clock.now();
    let china_day_end = ((now + 8 * 3600) / 86_400 + 1) * 86_400 - 8 * 3600;
    keys.clock.advance(china_day_end - 60 - now);
    keys.record_issuance(&key);
    keys.clock.advance(60);
    keys.record_issuance(&key);
    keys.record_issuance(&key);
    let days = keys.reads_per_day(3).await.unwrap();
    assert_eq!(days[&key.id], [0, 1, 2]);
    // A day on, the two reads of the day before are the middle of three days.
    keys.clock.advance(86_400);
    assert_eq!(keys.reads_per_day(3).await.unwrap()[&key.id], [1, 2, 0]);
}

#[test]
fn invalidating_is_a_permission_of_its_own() {
    let mut key = ApiKey {
        id: 1,
        name: "crm".into(),
        scope: KeyScope::companies(&[2]),
        expires_at: None,
    };
    assert!(!key.may_invalidate());
    key.scope.invalidate = true;
    assert!(key.may_invalidate());
    assert!(KeyScope::everything().invalidate);
    assert!(!key.expired(i64::MAX), "no expiry: never expires");
    key.expires_at = Some(10);
    assert!(!key.expired(9) && key.expired(10));
}
