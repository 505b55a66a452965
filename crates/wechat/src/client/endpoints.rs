//! One method per component API endpoint, plus the authorization links
//! built from the client's configuration.

use super::ComponentClient;
use crate::Secret;
use crate::error::WechatError;
use crate::links::{AuthLink, AuthType};
use crate::wire::*;

impl ComponentClient {
    /// `api_component_token`: a component_access_token from the newest
    /// verify ticket (no token needed).
    pub async fn api_component_token(
        &self,
        component_verify_ticket: &Secret,
    ) -> Result<ComponentTokenResponse, WechatError> {
        let body = ComponentTokenRequest {
            component_appid: self.component_appid.clone(),
            component_appsecret: self.component_appsecret.clone(),
            component_verify_ticket: component_verify_ticket.clone(),
        };
        self.post("api_component_token", None, &body).await
    }

    /// `cgi-bin/message/custom/send`: a customer-service message to a user
    /// of an authorized account, with its authorizer access token. `body` is
    /// the API's JSON as documented (`touser`, `msgtype`, and the type's
    /// object). Errors a sender must handle: 45015 (outside the 48-hour
    /// window), 45047 (too many), 48001/40001 (token), 40003 (openid).
    pub async fn message_custom_send(
        &self,
        authorizer_access_token: &Secret,
        body: &serde_json::Value,
    ) -> Result<(), WechatError> {
        let _: ErrorBody = self
            .post_to(
                "message_custom_send",
                "cgi-bin/message/custom/send",
                Some(("access_token", authorizer_access_token)),
                body,
            )
            .await?;
        Ok(())
    }

    /// `api_start_push_ticket`: asks WeChat to push a ticket now (no token).
    pub async fn api_start_push_ticket(&self) -> Result<ErrorBody, WechatError> {
        let body = StartPushTicketRequest {
            component_appid: self.component_appid.clone(),
            component_secret: self.component_appsecret.clone(),
        };
        self.post("api_start_push_ticket", None, &body).await
    }

    /// `api_create_preauthcode`: a pre-auth code for an authorization link.
    pub async fn api_create_preauthcode(
        &self,
        component_access_token: &Secret,
    ) -> Result<PreAuthCodeResponse, WechatError> {
        let body = PreAuthCodeRequest {
            component_appid: self.component_appid.clone(),
        };
        self.post(
            "api_create_preauthcode",
            Some(component_access_token),
            &body,
        )
        .await
    }

    /// `api_query_auth`: exchanges an authorization code for the
    /// authorizer's tokens and granted permission sets.
    pub async fn api_query_auth(
        &self,
        component_access_token: &Secret,
        authorization_code: &Secret,
    ) -> Result<QueryAuthResponse, WechatError> {
        let body = QueryAuthRequest {
            component_appid: self.component_appid.clone(),
            authorization_code: authorization_code.clone(),
        };
        self.post("api_query_auth", Some(component_access_token), &body)
            .await
    }

    /// `api_authorizer_token`: refreshes an authorizer_access_token.
    pub async fn api_authorizer_token(
        &self,
        component_access_token: &Secret,
        authorizer_appid: &str,
        authorizer_refresh_token: &Secret,
    ) -> Result<AuthorizerTokenResponse, WechatError> {
        let body = AuthorizerTokenRequest {
            component_appid: self.component_appid.clone(),
            authorizer_appid: authorizer_appid.to_owned(),
            authorizer_refresh_token: authorizer_refresh_token.clone(),
        };
        self.post("api_authorizer_token", Some(component_access_token), &body)
            .await
    }

    /// `api_get_authorizer_info`: the account's profile and authorization.
    pub async fn api_get_authorizer_info(
        &self,
        component_access_token: &Secret,
        authorizer_appid: &str,
    ) -> Result<AuthorizerInfoResponse, WechatError> {
        let body = AuthorizerInfoRequest {
            component_appid: self.component_appid.clone(),
            authorizer_appid: authorizer_appid.to_owned(),
        };
        self.post(
            "api_get_authorizer_info",
            Some(component_access_token),
            &body,
        )
        .await
    }

    /// `api_get_authorizer_list`: one page (`count` ≤ 500) of authorizers
    /// with their refresh tokens.
    pub async fn api_get_authorizer_list(
        &self,
        component_access_token: &Secret,
        offset: u32,
        count: u32,
    ) -> Result<AuthorizerListResponse, WechatError> {
        let body = AuthorizerListRequest {
            component_appid: self.component_appid.clone(),
            offset,
            count,
        };
        self.post(
            "api_get_authorizer_list",
            Some(component_access_token),
            &body,
        )
        .await
    }

    /// `api_get_authorizer_option` (the old path, with the component token).
    pub async fn api_get_authorizer_option(
        &self,
        component_access_token: &Secret,
        authorizer_appid: &str,
        option_name: &str,
    ) -> Result<AuthorizerOptionResponse, WechatError> {
        let body = AuthorizerOptionRequest {
            component_appid: self.component_appid.clone(),
            authorizer_appid: authorizer_appid.to_owned(),
            option_name: option_name.to_owned(),
        };
        self.post(
            "api_get_authorizer_option",
            Some(component_access_token),
            &body,
        )
        .await
    }

    /// `api_set_authorizer_option` (the old path, with the component token).
    pub async fn api_set_authorizer_option(
        &self,
        component_access_token: &Secret,
        authorizer_appid: &str,
        option_name: &str,
        option_value: &str,
    ) -> Result<ErrorBody, WechatError> {
        let body = SetAuthorizerOptionRequest {
            component_appid: self.component_appid.clone(),
            authorizer_appid: authorizer_appid.to_owned(),
            option_name: option_name.to_owned(),
            option_value: option_value.to_owned(),
        };
        self.post(
            "api_set_authorizer_option",
            Some(component_access_token),
            &body,
        )
        .await
    }

    /// The PC authorization link on the configured `mp_base`.
    pub fn pc_auth_url(
        &self,
        pre_auth_code: &Secret,
        redirect_uri: &str,
        auth_type: AuthType,
        biz_appid: Option<&str>,
    ) -> String {
        self.link(pre_auth_code, redirect_uri, auth_type, biz_appid)
            .pc_url(&self.config.mp_base)
    }

    /// The mobile authorization link on the configured `open_base`.
    pub fn mobile_auth_url(
        &self,
        pre_auth_code: &Secret,
        redirect_uri: &str,
        auth_type: AuthType,
        biz_appid: Option<&str>,
    ) -> String {
        self.link(pre_auth_code, redirect_uri, auth_type, biz_appid)
            .mobile_url(&self.config.open_base)
    }

    fn link<'a>(
        &'a self,
        pre_auth_code: &'a Secret,
        redirect_uri: &'a str,
        auth_type: AuthType,
        biz_appid: Option<&'a str>,
    ) -> AuthLink<'a> {
        AuthLink {
            component_appid: &self.component_appid,
            pre_auth_code: pre_auth_code.expose(),
            redirect_uri,
            auth_type,
            biz_appid,
            category_id_list: &[],
        }
    }
}
