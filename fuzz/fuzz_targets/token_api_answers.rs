//! Fuzzes the decoding of WeChat's token API answers (api_component_token,
//! api_create_preauthcode, api_query_auth, api_authorizer_token,
//! api_get_authorizer_list): every byte of an answer is untrusted. No input may
//! panic, an error always has a class, and a decoded token answer never
//! carries an errcode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat::client::decode;
use wechat::error::WechatError;
use wechat::wire::{
    AuthorizerListResponse, AuthorizerTokenResponse, ComponentTokenResponse, PreAuthCodeResponse,
    QueryAuthResponse,
};

fn check<R: serde::de::DeserializeOwned>(endpoint: &'static str, data: &[u8]) -> Option<R> {
    match decode::<R>(endpoint, data) {
        Ok(answer) => Some(answer),
        Err(err) => {
            // Every failure is classified, and the class's advice exists.
            let class = err.class();
            let _ = class.is_transient();
            if let WechatError::Api { errcode, .. } = &err {
                assert_ne!(*errcode, 0, "errcode 0 is success");
            }
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(answer) = check::<ComponentTokenResponse>("api_component_token", data) {
        let _ = answer.expires_in;
    }
    check::<PreAuthCodeResponse>("api_create_preauthcode", data);
    check::<QueryAuthResponse>("api_query_auth", data);
    check::<AuthorizerTokenResponse>("api_authorizer_token", data);
    check::<AuthorizerListResponse>("api_get_authorizer_list", data);
});
