//! `fastregisterweapp`: create an enterprise mini program for a merchant,
//! and ask after the task (details §7).

use super::ComponentClient;
use crate::Secret;
use crate::error::WechatError;
use crate::fast_register::{CreateRequest, SearchAnswer, SearchRequest};
use crate::wire::ErrorBody;

impl ComponentClient {
    /// `fastregisterweapp?action=create`: WeChat sends the legal
    /// representative a message to confirm; the result comes later as a
    /// `notify_third_fasteregister` push. Refusals are [`WechatError::Api`]
    /// (see [`crate::fast_register::CreateRefusal::from_errcode`]).
    pub async fn fastregisterweapp_create(
        &self,
        component_access_token: &Secret,
        body: &CreateRequest,
    ) -> Result<(), WechatError> {
        let _: ErrorBody = self
            .post_to(
                "fastregisterweapp_create",
                "cgi-bin/component/fastregisterweapp?action=create",
                Some(("component_access_token", component_access_token)),
                body,
            )
            .await?;
        Ok(())
    }

    /// `fastregisterweapp?action=search`: the state of an entity's task, as
    /// far as WeChat says (the doc advises not to rely on it). The task
    /// states 89250–89252 are answers here, not errors.
    pub async fn fastregisterweapp_search(
        &self,
        component_access_token: &Secret,
        body: &SearchRequest,
    ) -> Result<SearchAnswer, WechatError> {
        let answer: Result<ErrorBody, WechatError> = self
            .post_to(
                "fastregisterweapp_search",
                "cgi-bin/component/fastregisterweapp?action=search",
                Some(("component_access_token", component_access_token)),
                body,
            )
            .await;
        match answer {
            Ok(_) => Ok(SearchAnswer::Found),
            Err(err) => match err.errcode().and_then(SearchAnswer::from_errcode) {
                Some(state) => Ok(state),
                None => Err(err),
            },
        }
    }
}
