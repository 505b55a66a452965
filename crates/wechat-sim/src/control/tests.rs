//! The control API over HTTP.

use serde_json::json;

use crate::testutil::*;

#[tokio::test]
async fn the_index_lists_every_route() {
    let index = get(&sim(), "/__sim/").await;
    assert!(index["routes"]["POST /__sim/clock/advance"].is_string());
}

#[tokio::test]
async fn advancing_the_clock_moves_emulator_time() {
    let sim = sim();
    let before = get(&sim, "/__sim/clock").await["now"].as_i64().unwrap();
    let after = post(&sim, "/__sim/clock/advance", json!({"seconds": 3600})).await["now"]
        .as_i64()
        .unwrap();
    assert!((3600..=3601).contains(&(after - before)));
}

#[tokio::test]
async fn accounts_can_be_created_and_listed() {
    let sim = sim();
    let created = post(
        &sim,
        "/__sim/accounts",
        json!({"kind": "mini_program", "nick_name": "测试小店"}),
    )
    .await;
    assert!(created["appid"].as_str().unwrap().starts_with("wx"));
    let all = get(&sim, "/__sim/accounts").await;
    assert_eq!(all.as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn permissions_change_pushes_updateauthorized_and_revoke_kills_tokens() {
    let sim = sim();
    let token = component_token(&sim).await;
    let pre = pre_auth_code(&sim, &token).await;
    let oa = "wx5d3e1a2b3c4d5e6f";
    let auth = post(
        &sim,
        "/__sim/authorize",
        json!({"pre_auth_code": pre, "authorizer_appid": oa}),
    )
    .await;
    let uri = format!("/cgi-bin/component/api_query_auth?component_access_token={token}");
    let got = post(
        &sim,
        &uri,
        json!({"component_appid": APPID, "authorization_code": auth["auth_code"]}),
    )
    .await;
    let access = got["authorization_info"]["authorizer_access_token"].clone();

    let changed = post(
        &sim,
        &format!("/__sim/authorizations/{oa}/permissions"),
        json!({"func_ids": [1]}),
    )
    .await;
    assert_eq!(changed["event"]["info_type"], "updateauthorized");
    let check = post(&sim, "/__sim/tokens/check", json!({"access_token": access})).await;
    assert_eq!(check["valid"], true);

    let revoked = post(
        &sim,
        &format!("/__sim/authorizations/{oa}/revoke"),
        json!({}),
    )
    .await;
    assert_eq!(revoked["push"]["info_type"], "unauthorized");
    let check = post(&sim, "/__sim/tokens/check", json!({"access_token": access})).await;
    assert_eq!(check["valid"], false);
}

#[tokio::test]
async fn an_unseen_grant_is_listed_but_never_pushed() {
    let sim = sim();
    let token = component_token(&sim).await;
    let pushes_before = get(&sim, "/__sim/pushes").await.as_array().unwrap().len();
    let appid = post(
        &sim,
        "/__sim/accounts",
        json!({"kind": "official_account", "nick_name": "对账公众号"}),
    )
    .await["appid"]
        .as_str()
        .unwrap()
        .to_owned();
    let granted = post(
        &sim,
        "/__sim/authorizations",
        json!({"authorizer_appid": appid}),
    )
    .await;
    assert_eq!(granted["pushed"], false);
    let list = post(
        &sim,
        &format!("/cgi-bin/component/api_get_authorizer_list?component_access_token={token}"),
        json!({"component_appid": crate::testutil::APPID, "offset": 0, "count": 100}),
    )
    .await;
    let listed = list["list"].as_array().unwrap();
    assert!(listed.iter().any(|item| {
        item["authorizer_appid"] == appid.as_str()
            && item["refresh_token"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
    }));

    // Nobody exchanged its code: listed without a refresh token.
    let other = post(
        &sim,
        "/__sim/accounts",
        json!({"kind": "mini_program", "nick_name": "未换码小程序"}),
    )
    .await["appid"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        &sim,
        "/__sim/authorizations",
        json!({"authorizer_appid": other, "exchanged": false}),
    )
    .await;
    let list = post(
        &sim,
        &format!("/cgi-bin/component/api_get_authorizer_list?component_access_token={token}"),
        json!({"component_appid": crate::testutil::APPID, "offset": 0, "count": 100}),
    )
    .await;
    let item = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["authorizer_appid"] == other.as_str())
        .cloned()
        .unwrap();
    assert!(
        item.get("refresh_token").is_none_or(|t| t.is_null()),
        "{item}"
    );
    assert_eq!(
        get(&sim, "/__sim/pushes").await.as_array().unwrap().len(),
        pushes_before
    );
}
