//! One `api_query_auth` per auth_code across instances. The callback (on one
//! instance) and the `authorized` push (perhaps on another) both want to
//! exchange the same code; the in-process single flight covers one
//! instance, and a claim in the database (`auth_code_claims`) covers the
//! rest. Instances poll for it (every 100 ms while a claim is held): claims
//! are rare and short, so waking through the database is not needed.

use std::time::Duration;

use rand::RngCore as _;

use super::{Onboarding, OnboardingError};

/// How long a claim holds before another instance may take it over (a
/// crashed holder); an exchange takes a second or two.
const CLAIM_SECS: i64 = 30;
/// How long a second instance waits for the holder before giving up
/// (retried: the push later, the merchant by reloading).
const WAIT: Duration = Duration::from_secs(35);

/// This instance's claim on an auth_code.
#[derive(Debug)]
pub(crate) struct ExchangeClaim {
    code_hash: String,
    holder: String,
}

impl Onboarding<'_> {
    /// Claims the exchange of `code_hash` for this instance. `None`: the code
    /// was exchanged meanwhile (by another instance, or the push): the caller
    /// reads the stored result instead. Call [`Self::release_exchange`] after.
    pub(crate) async fn claim_exchange(
        &self,
        code_hash: &str,
    ) -> Result<Option<ExchangeClaim>, OnboardingError> {
        let mut raw = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut raw);
        let holder: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let started = tokio::time::Instant::now();
        loop {
            if self
                .store
                .authorizers()
                .code_used(code_hash)
                .await?
                .is_some()
            {
                return Ok(None);
            }
            let now = self.component.clock().now();
            if self
                .store
                .auth_code_claims()
                .claim(code_hash, &holder, now, now + CLAIM_SECS)
                .await?
            {
                return Ok(Some(ExchangeClaim {
                    code_hash: code_hash.to_owned(),
                    holder,
                }));
            }
            if started.elapsed() > WAIT {
                return Err(OnboardingError::ExchangeInProgress);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Gives the claim back once the exchange is stored (or failed): a failed
    /// exchange may be tried again at once.
    pub(crate) async fn release_exchange(&self, claim: ExchangeClaim) {
        if let Err(err) = self
            .store
            .auth_code_claims()
            .release(&claim.code_hash, &claim.holder)
            .await
        {
            // The claim then runs out by itself.
            tracing::warn!(error = %err, "releasing an auth_code claim failed");
        }
    }
}

impl Onboarding<'_> {
    /// Exchanges `code` for `company_id` once across instances (claim,
    /// exchange, release). `false`: it was exchanged meanwhile.
    pub(crate) async fn exchange_once(
        &self,
        code: &str,
        company_id: i64,
        invite_id: Option<i64>,
    ) -> Result<bool, OnboardingError> {
        let Some(claim) = self.claim_exchange(&super::sha256_hex(code)).await? else {
            return Ok(false);
        };
        let exchanged = self.exchange_code(code, company_id, invite_id).await;
        self.release_exchange(claim).await;
        exchanged.map(|_| true)
    }

    /// Exchanges `code` for an account no company is known for: its refresh
    /// token is kept with the accounts waiting for a company (as reconcile
    /// keeps those it finds), so an admin can attach it. Returns its appid.
    pub(crate) async fn exchange_unassigned(&self, code: &str) -> Result<String, OnboardingError> {
        let client = self.component.client();
        let answer = self
            .component
            .with_component_token(|token| async move {
                client
                    .api_query_auth(&token, &wechat::Secret::new(code))
                    .await
            })
            .await
            .map_err(OnboardingError::from_call)?;
        let info = answer.authorization_info;
        let appid = info.authorizer_appid;
        let sealed = info
            .authorizer_refresh_token
            .as_ref()
            .filter(|token| !token.expose().is_empty())
            .map(|token| {
                self.vault
                    .seal(&crate::authorizers::refresh_context(&appid), token.expose())
            });
        let now = self.component.clock().now();
        self.store
            .unassigned()
            .found(&appid, sealed.as_deref(), now)
            .await?;
        Ok(appid)
    }
}
