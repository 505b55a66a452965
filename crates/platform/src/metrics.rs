//! The counters the platform keeps for monitoring, through the `metrics`
//! facade (the server installs the Prometheus recorder; without one they
//! cost nothing). Values read from the database at scrape time (ticket age,
//! accounts by status) are not kept here: the server's `/metrics` reads them.

/// Successful authorizer token refreshes.
pub const REFRESHES: &str = "weiqiao_authorizer_refreshes_total";
/// Failed authorizer token refreshes, by `errcode` (WeChat's, `none` for a
/// network or HTTP failure, `component_token` when ours was unavailable).
pub const REFRESH_FAILURES: &str = "weiqiao_authorizer_refresh_failures_total";

pub(crate) fn refresh_succeeded() {
    metrics::counter!(REFRESHES).increment(1);
}

pub(crate) fn refresh_failed(errcode: FailureCode) {
    let label = match errcode {
        FailureCode::Wechat(Some(code)) => code.to_string(),
        FailureCode::Wechat(None) => "none".to_owned(),
        FailureCode::ComponentToken => "component_token".to_owned(),
    };
    metrics::counter!(REFRESH_FAILURES, "errcode" => label).increment(1);
}

/// Why a refresh failed, for the label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FailureCode {
    /// WeChat answered with this errcode (`None`: no usable answer).
    Wechat(Option<i64>),
    /// Our component token was not available.
    ComponentToken,
}
