//! An account's public profile (`api_get_authorizer_info`): fetched after an
//! authorization, after an attach, and when an operator asks to refetch it.

use store::AuthorizerProfile;
use wechat::error::WechatError;

use crate::component::{ComponentCallError, ComponentService};

/// Fetches `appid`'s profile and stores it with the permission sets WeChat
/// lists there (or `func_info_json` when it lists none).
pub(crate) async fn fetch_profile(
    store: &store::Store,
    component: &ComponentService,
    appid: &str,
    func_info_json: &str,
) -> Result<(), ProfileError> {
    let client = component.client();
    let details = component
        .with_component_token(
            |token| async move { client.api_get_authorizer_info(&token, appid).await },
        )
        .await
        .map_err(|err| match err {
            ComponentCallError::Token(err) => ProfileError::Unavailable(err.to_string()),
            ComponentCallError::Wechat(err) => ProfileError::Wechat(err),
        })?;
    let listed = details.authorization_info.as_ref().map(|info| {
        let ids = wechat::permissions::permission_ids(&info.func_info);
        serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())
    });
    let a = &details.authorizer_info;
    let profile = AuthorizerProfile {
        nick_name: Some(a.nick_name.as_str()),
        head_img: Some(a.head_img.as_str()).filter(|s| !s.is_empty()),
        user_name: Some(a.user_name.as_str()),
        principal_name: Some(a.principal_name.as_str()),
        alias: Some(a.alias.as_str()).filter(|s| !s.is_empty()),
        qrcode_url: Some(a.qrcode_url.as_str()).filter(|s| !s.is_empty()),
        service_type: a.service_type_info.as_ref().map(|t| t.id),
        verify_type: a.verify_type_info.as_ref().map(|t| t.id),
        is_mini_program: a.mini_program_info.is_some(),
        func_info_json: listed
            .as_deref()
            .filter(|json| *json != "[]")
            .unwrap_or(func_info_json),
    };
    store
        .authorizers()
        .save_profile(appid, profile, component.clock().now())
        .await?;
    Ok(())
}

/// Why a profile could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("the component token is not available: {0}")]
    Unavailable(String),
    #[error("WeChat refused or could not be reached: {0}")]
    Wechat(#[source] WechatError),
    #[error(transparent)]
    Storage(#[from] store::StoreError),
}
