//! A scheduler pass: claiming due authorizers batch after batch (so
//! instances sharing a database work on disjoint batches) and refreshing
//! them `concurrency` at a time.

use futures::{StreamExt as _, stream};

use super::{AuthorizerTokenError, AuthorizerTokens, Refreshed, When};

/// Claimed authorizers with the expiry seen, and whether more may be due.
type Claim = (Vec<(String, Option<i64>)>, bool);

/// What finished in a scheduler pass: a refresh, or the claim of a batch.
enum Step {
    Refreshed(Result<Refreshed, AuthorizerTokenError>),
    Claimed(Result<Claim, AuthorizerTokenError>),
}

impl AuthorizerTokens<'_> {
    /// One scheduler pass: refreshes every due authorizer this instance can
    /// claim, `concurrency` at a time. Returns how many were refreshed.
    ///
    /// Claims come in small batches (at most `batch`, and four rounds of
    /// `concurrency`), the next claimed while the last one's refreshes still
    /// run: a pass never waits for a batch's slowest refresh, and a claim's
    /// lease does not run out while its authorizers wait their turn.
    pub async fn refresh_due(&self) -> Result<usize, AuthorizerTokenError> {
        let engine = self.engine;
        // Read once for the pass: it outlives the pass by far (the component
        // token is refreshed well ahead of expiry). Without one no refresh can
        // go ahead: nothing is claimed and no authorizer is charged a failure
        // (a whole fleet backing off for our own missing token); the overview
        // and the component token's status say why, and the next tick tries again.
        let component_token = match self.component.component_token().await {
            Ok(token) => token,
            Err(err) => {
                tracing::warn!(error = %err, "refresh pass waits: no component token");
                return Ok(0);
            }
        };
        let component_token = &component_token;
        let concurrency = engine.config.concurrency.max(1);
        let mut queue: std::collections::VecDeque<(String, Option<i64>)> = Default::default();
        // Refreshes and the next claim, polled together: a claim awaited on
        // its own would stall the refreshes holding the pool's connections.
        let mut work: stream::FuturesUnordered<
            std::pin::Pin<Box<dyn std::future::Future<Output = Step> + Send + '_>>,
        > = stream::FuturesUnordered::new();
        let (mut refreshing, mut claiming, mut more, mut done) = (0, false, true, 0);
        loop {
            if engine.stopping.is_cancelled() {
                more = false;
                queue.clear();
            }
            if more && !claiming && queue.len() < concurrency {
                claiming = true;
                work.push(Box::pin(async move {
                    Step::Claimed(self.claim_batch(concurrency).await)
                }));
            }
            while refreshing < concurrency {
                let Some((appid, observed)) = queue.pop_front() else {
                    break;
                };
                refreshing += 1;
                work.push(Box::pin(async move {
                    Step::Refreshed(
                        self.refresh(&appid, When::Scheduled(observed), Some(component_token))
                            .await,
                    )
                }));
            }
            match work.next().await {
                Some(Step::Refreshed(result)) => {
                    refreshing -= 1;
                    match result {
                        Ok(Refreshed::Done) => done += 1,
                        Ok(_) | Err(AuthorizerTokenError::NeedsReauthorization) => {}
                        Err(err) => {
                            tracing::warn!(error = %err, "refresh pass: an authorizer failed")
                        }
                    }
                }
                Some(Step::Claimed(Ok((claimed, full)))) => {
                    claiming = false;
                    more = full && !claimed.is_empty();
                    queue.extend(claimed);
                }
                Some(Step::Claimed(Err(err))) => {
                    // The refreshes under way finish; the next pass claims again.
                    tracing::error!(error = %err, "refresh pass: claiming failed");
                    claiming = false;
                    more = false;
                }
                None => return Ok(done),
            }
        }
    }

    /// Claims the soonest-due authorizers this instance can take, at most
    /// `batch` and four rounds of `concurrency`; also whether the due query
    /// came back full (more may be waiting).
    async fn claim_batch(&self, concurrency: usize) -> Result<Claim, AuthorizerTokenError> {
        let engine = self.engine;
        let now = self.component.clock().now();
        let horizon = now + engine.config.margin_secs + engine.config.jitter_secs;
        let size = engine
            .config
            .batch
            .min(i64::try_from(concurrency.saturating_mul(4)).unwrap_or(i64::MAX))
            .max(1);
        let candidates = self
            .store
            .authorizer_refresh()
            .due(now, horizon, size)
            .await?;
        let full = i64::try_from(candidates.len()).is_ok_and(|n| n >= size);
        let due: Vec<(String, Option<i64>)> = candidates
            .into_iter()
            .filter(|c| {
                c.access_token_expires_at.is_none_or(|at| {
                    at <= now + engine.config.margin_secs + engine.jitter(&c.authorizer_appid)
                })
            })
            .map(|c| (c.authorizer_appid, c.access_token_expires_at))
            .collect();
        let appids: Vec<String> = due.iter().map(|(appid, _)| appid.clone()).collect();
        let claimed = self
            .store
            .authorizer_refresh()
            .claim_due(
                &appids,
                &engine.instance_id,
                (now, horizon, now + engine.config.lease_secs),
            )
            .await?;
        let claimed: std::collections::HashSet<String> = claimed.into_iter().collect();
        // Soonest first, as `due` read them.
        Ok((
            due.into_iter()
                .filter(|(appid, _)| claimed.contains(appid))
                .collect(),
            full,
        ))
    }
}
