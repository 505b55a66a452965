use super::*;
use crate::testing::{company, store};

fn entity(code: &str) -> RegistrationEntity {
    RegistrationEntity {
        name: "深圳快注科技有限公司".into(),
        code: code.into(),
        code_type: 1,
        legal_persona_wechat: "zhang_san88".into(),
        legal_persona_name: "张三".into(),
        component_phone: None,
    }
}

#[tokio::test]
async fn one_request_per_entity_is_pending_at_a_time() {
    let (_dir, store) = store().await;
    let company_id = company(&store, "A").await;
    let repo = store.fast_registrations();
    let e = entity("91440300MA5D8KXY4A");
    let new = |now| NewFastRegistration {
        company_id,
        invite_id: None,
        started_by: Some("admin"),
        entity: &e,
        now,
    };
    let first = repo.insert_pending(new(10)).await.unwrap();
    assert!(matches!(
        repo.insert_pending(new(11)).await,
        Err(StoreError::Conflict { .. })
    ));
    // Another entity is not held up.
    let other = entity("91440300MA5D8KXY4B");
    repo.insert_pending(NewFastRegistration {
        entity: &other,
        ..new(12)
    })
    .await
    .unwrap();
    assert!(
        repo.finish(
            first,
            FastRegistrationState::Refused,
            Some(86004),
            Some("bad id"),
            None,
            13
        )
        .await
        .unwrap()
    );
    let second = repo.insert_pending(new(14)).await.unwrap();
    let rows = repo.for_company(company_id).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].id, second, "newest first");
    let refused = repo.by_id(first).await.unwrap().unwrap();
    assert_eq!(refused.state, FastRegistrationState::Refused);
    assert_eq!(refused.wechat_code, Some(86004));
    assert_eq!(refused.company_name.as_deref(), Some("A"));
}

#[tokio::test]
async fn a_result_matches_the_pending_request_first_and_a_repeat_changes_nothing() {
    let (_dir, store) = store().await;
    let company_id = company(&store, "A").await;
    let repo = store.fast_registrations();
    let e = entity("91440300MA5D8KXY4A");
    let new = NewFastRegistration {
        company_id,
        invite_id: None,
        started_by: None,
        entity: &e,
        now: 1,
    };
    let old = repo.insert_pending(new.clone()).await.unwrap();
    repo.finish(old, FastRegistrationState::Expired, None, None, None, 2)
        .await
        .unwrap();
    let pending = repo.insert_pending(new.clone()).await.unwrap();
    let found = |code: Option<&'static str>, wx: Option<&'static str>| {
        let repo = store.fast_registrations();
        async move {
            repo.matching("深圳快注科技有限公司", code, wx, None)
                .await
                .unwrap()
                .map(|r| r.id)
        }
    };
    assert_eq!(
        found(Some("91440300MA5D8KXY4A"), Some("zhang_san88")).await,
        Some(pending)
    );
    // A failure push may carry the name alone.
    assert_eq!(found(None, None).await, Some(pending));
    assert_eq!(found(Some("OTHER"), None).await, None);
    assert_eq!(found(None, Some("someone_else")).await, None);
    assert!(
        repo.finish(
            pending,
            FastRegistrationState::Registered,
            Some(0),
            None,
            Some("wxnew"),
            3
        )
        .await
        .unwrap()
    );
    // The same result again: nothing changes.
    assert!(
        !repo
            .finish(
                pending,
                FastRegistrationState::Registered,
                Some(0),
                None,
                Some("wxnew"),
                4
            )
            .await
            .unwrap()
    );
    // Without a pending one, the newest matching request.
    assert_eq!(found(None, None).await, Some(pending));
    let row = repo.for_authorizer("wxnew").await.unwrap().unwrap();
    assert_eq!((row.id, row.updated_at), (pending, 3));
}

#[tokio::test]
async fn an_unmatched_result_is_kept_apart_from_every_company() {
    let (_dir, store) = store().await;
    let repo = store.fast_registrations();
    let e = entity("91440300MA5D8KXY4A");
    let id = repo
        .insert_unmatched(UnmatchedResult {
            entity: &e,
            state: FastRegistrationState::Failed,
            status: 103,
            msg: Some("mismatch"),
            authorizer_appid: None,
            now: 5,
        })
        .await
        .unwrap();
    // Never taken for a request's result.
    assert_eq!(
        repo.matching(&e.name, None, None, None).await.unwrap(),
        None
    );
    let rows = repo.recent(10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].company_id), (id, None));
    assert_eq!(rows[0].wechat_code, Some(103));
}

#[tokio::test]
async fn pending_requests_expire_and_invites_count_theirs() {
    let (_dir, store) = store().await;
    let company_id = company(&store, "A").await;
    let repo = store.fast_registrations();
    let (a, b) = (entity("91440300MA5D8KXY4A"), entity("91440300MA5D8KXY4B"));
    for (e, now) in [(&a, 100), (&b, 200)] {
        repo.insert_pending(NewFastRegistration {
            company_id,
            invite_id: None,
            started_by: None,
            entity: e,
            now,
        })
        .await
        .unwrap();
    }
    assert_eq!(repo.expire_pending(150, 300).await.unwrap(), 1);
    let states: Vec<_> = repo
        .for_company(company_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(
        states,
        [
            FastRegistrationState::Pending,
            FastRegistrationState::Expired
        ]
    );
    assert_eq!(repo.expire_pending(150, 301).await.unwrap(), 0);
    assert_eq!(repo.count_for_invite_since(1, 0).await.unwrap(), 0);
}
