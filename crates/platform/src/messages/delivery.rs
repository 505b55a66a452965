//! Delivering recorded messages to webhook endpoints: at least once, from
//! the durable queue in `deliveries`. A worker claims due deliveries under a
//! lease, sends each (at most `max_in_flight` at once per endpoint), and
//! writes the results in batches; a crash leaves leases that run out, and
//! the deliveries go out again. Failures are retried with exponential
//! backoff for 24 h, then the delivery is dead until an admin replays it.
//! A synchronous endpoint is called while WeChat waits ([`synchronous`]).

mod synchronous;

pub(crate) use synchronous::deliver_synchronously;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use store::{ClaimedDelivery, DeliveryEnd, DeliveryNext};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use wechat::message::Message;

use super::endpoints::Endpoint;
use super::signing::{SIGNATURE_HEADER, sign};
use super::{MessageGateway, PAYLOAD_CONTEXT};

/// One attempt's limit (a synchronous endpoint has its own, shorter budget).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is ours by default; a crashed worker's run
/// out after it ([`super::GatewaySettings::delivery_lease_secs`]).
pub const LEASE_SECS: i64 = 60;
/// Deliveries in flight at once, all endpoints together.
const CAPACITY: usize = 512;
const BASE_BACKOFF_SECS: i64 = 5;
const MAX_BACKOFF_SECS: i64 = 3600;
/// Most of an endpoint's answer read (a synchronous reply is small).
const MAX_ANSWER_LEN: usize = 64 * 1024;

/// After a failed attempt (the `attempts_before`-th before it): when to try
/// again (5 s doubling to an hour), or dead once that passes `give_up_at`.
pub fn after_failure(attempts_before: i64, now: i64, give_up_at: i64) -> DeliveryNext {
    let delay = BASE_BACKOFF_SECS
        .saturating_mul(1 << attempts_before.clamp(0, 20))
        .min(MAX_BACKOFF_SECS);
    let at = now + delay;
    if at > give_up_at {
        DeliveryNext::Dead
    } else {
        DeliveryNext::RetryAt(at)
    }
}

/// The JSON an endpoint receives: `event_id` is the message's id (the same
/// for every endpoint and every retry: receivers deduplicate by it).
pub fn body(
    message_id: i64,
    (appid, company_id, received_at): (&str, Option<i64>, i64),
    message: &Message,
    raw_xml: &str,
) -> Vec<u8> {
    json!({
        "event_id": message_id.to_string(),
        "appid": appid,
        "company_id": company_id,
        "received_at": received_at,
        "message": message,
        "raw_xml": raw_xml,
    })
    .to_string()
    .into_bytes()
}

/// One POST: the status if the endpoint answered, its body, how long it took.
struct Sent {
    status: Option<u16>,
    answer: Vec<u8>,
    error: Option<String>,
    duration_ms: i64,
}

async fn post(
    gateway: &MessageGateway,
    endpoint: &Endpoint,
    body: Vec<u8>,
    timeout: Duration,
) -> Sent {
    let started = Instant::now();
    let signature = sign(&endpoint.secret, gateway.clock.now(), &body);
    let sent = gateway
        .http
        .post(&endpoint.url)
        .timeout(timeout)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await;
    let (status, answer, error) = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let answer = response
                .bytes()
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            let error = (!(200..300).contains(&status)).then(|| format!("HTTP {status}"));
            (Some(status), answer, error)
        }
        Err(err) if err.is_timeout() => (None, Vec::new(), Some("timed out".to_owned())),
        Err(err) if err.is_connect() => (None, Vec::new(), Some("could not connect".to_owned())),
        Err(_) => (None, Vec::new(), Some("request failed".to_owned())),
    };
    Sent {
        status,
        answer,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    }
}

fn end_of(delivery: &ClaimedDelivery, sent: &Sent, now: i64) -> DeliveryEnd {
    let next = if sent.error.is_none() {
        DeliveryNext::Delivered
    } else {
        after_failure(delivery.attempts, now, delivery.give_up_at)
    };
    DeliveryEnd {
        id: delivery.id,
        at: now,
        status: sent.status.map(i64::from),
        duration_ms: sent.duration_ms,
        error: sent.error.clone(),
        next,
    }
}

/// Delivers until `stopping`: claims due deliveries while there is room,
/// sends each on its own task, and writes results in batches.
pub async fn run_delivery_worker(gateway: MessageGateway, stopping: CancellationToken) {
    let capacity = Arc::new(Semaphore::new(CAPACITY));
    let (results, mut finished) = mpsc::channel::<DeliveryEnd>(CAPACITY);
    let writer = {
        let gateway = gateway.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(CAPACITY);
            while finished.recv_many(&mut batch, CAPACITY).await > 0 {
                if let Err(err) = gateway
                    .store
                    .deliveries()
                    .finish(&gateway.instance_id, &batch)
                    .await
                {
                    // Their leases run out; they are delivered again.
                    tracing::error!(error = %err, size = batch.len(), "delivery results not stored");
                }
                batch.clear();
            }
        })
    };
    let mut per_endpoint: HashMap<i64, Arc<Semaphore>> = HashMap::new();
    let mut endpoints_read = Instant::now() - Duration::from_secs(60);
    while !stopping.is_cancelled() {
        if endpoints_read.elapsed() > Duration::from_secs(5) {
            if let Err(err) = gateway.endpoints.reload().await {
                tracing::error!(error = %err, "webhook endpoints not read");
            }
            endpoints_read = Instant::now();
        }
        let room = capacity.available_permits().min(256);
        let claimed = if room == 0 {
            Vec::new()
        } else {
            let now = gateway.clock.now();
            match gateway
                .store
                .deliveries()
                .claim_due(
                    &gateway.instance_id,
                    now,
                    now + gateway.settings.delivery_lease_secs,
                    room as i64,
                )
                .await
            {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::error!(error = %err, "deliveries not claimed");
                    Vec::new()
                }
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = gateway.queued.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                () = stopping.cancelled() => {}
            }
            continue;
        }
        let endpoints = gateway.endpoints.cached();
        for delivery in claimed {
            let Ok(permit) = capacity.clone().acquire_owned().await else {
                break;
            };
            let endpoint = endpoints
                .iter()
                .find(|e| e.id == delivery.endpoint_id)
                .cloned();
            let limit = per_endpoint
                .entry(delivery.endpoint_id)
                .or_insert_with(|| {
                    let n = endpoint.as_ref().map_or(1, |e| e.max_in_flight);
                    Arc::new(Semaphore::new(usize::try_from(n).unwrap_or(1).max(1)))
                })
                .clone();
            let (gateway, results) = (gateway.clone(), results.clone());
            tokio::spawn(async move {
                let _permit = permit;
                let Ok(_slot) = limit.acquire_owned().await else {
                    return;
                };
                let end = send_one(&gateway, endpoint.as_ref(), &delivery).await;
                let _ = results.send(end).await;
            });
        }
    }
    drop(results);
    // In-flight deliveries finish (their tasks hold the last senders).
    let _ = writer.await;
}

async fn send_one(
    gateway: &MessageGateway,
    endpoint: Option<&Endpoint>,
    delivery: &ClaimedDelivery,
) -> DeliveryEnd {
    let now = gateway.clock.now();
    let failed = |error: &str| DeliveryEnd {
        id: delivery.id,
        at: now,
        status: None,
        duration_ms: 0,
        error: Some(error.to_owned()),
        next: after_failure(delivery.attempts, now, delivery.give_up_at),
    };
    let Some(endpoint) = endpoint else {
        return failed("the endpoint is disabled or gone");
    };
    if endpoint.state != store::EndpointState::Active {
        return failed("the endpoint is disabled");
    }
    let Ok(raw_xml) = gateway
        .vault
        .open(PAYLOAD_CONTEXT, &delivery.payload_sealed)
    else {
        return failed("the stored message cannot be opened (WEIQIAO_SECRET_KEY changed?)");
    };
    let Ok(message) = Message::parse(&raw_xml) else {
        return failed("the stored message no longer parses");
    };
    let body = body(
        delivery.message_id,
        (
            &delivery.authorizer_appid,
            delivery.company_id,
            delivery.received_at,
        ),
        &message,
        &raw_xml,
    );
    let sent = post(gateway, endpoint, body, REQUEST_TIMEOUT).await;
    end_of(delivery, &sent, gateway.clock.now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_doubling_to_an_hour_and_die_after_the_window() {
        assert_eq!(after_failure(0, 100, 10_000), DeliveryNext::RetryAt(105));
        assert_eq!(after_failure(1, 100, 10_000), DeliveryNext::RetryAt(110));
        assert_eq!(after_failure(3, 100, 10_000), DeliveryNext::RetryAt(140));
        assert_eq!(after_failure(10, 0, 100_000), DeliveryNext::RetryAt(3600));
        assert_eq!(after_failure(60, 0, 100_000), DeliveryNext::RetryAt(3600));
        // Exactly at the end of the window is still a try; past it is dead.
        assert_eq!(after_failure(0, 100, 105), DeliveryNext::RetryAt(105));
        assert_eq!(after_failure(0, 100, 104), DeliveryNext::Dead);
    }
}
