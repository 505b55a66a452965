//! The message gateway under load: distinct encrypted user messages across
//! 1,000 authorized accounts, fired at the message URL by the load
//! generator, with one asynchronous webhook endpoint on a local sink (a
//! hand-written HTTP/1.1 server in this process, answering 204). Measures
//! the WeChat-facing answers (rate, p99), the deliveries reaching the sink
//! (rate), and each message's time from its push to its delivery (p99).

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::load::{self, Plan, Sends};
use crate::server::Running;

/// Accounts the messages are spread over.
const ACCOUNTS: usize = 1000;

/// Arrival instants by message index, and how many arrived in all.
type Arrivals = Arc<Mutex<(Vec<Option<Instant>>, usize)>>;

pub async fn measure(
    running: &Running,
    pushes: usize,
    connections: usize,
    deadline: Duration,
) -> anyhow::Result<String> {
    let appids = running.seed_accounts(ACCOUNTS).await?;
    let arrivals: Arrivals = Arc::new(Mutex::new((vec![None; pushes + 1000], 0)));
    let sink = start_sink(arrivals.clone()).await?;
    running.seed_endpoint(&sink, 64).await?;
    // A running server rereads its endpoints every 5 s.
    tokio::time::sleep(Duration::from_secs(6)).await;

    eprintln!("building {} encrypted user messages…", 2 * pushes + 1000);
    let requests = running.message_pushes(2 * pushes + 1000, &appids)?;
    let (warm, rest) = requests.split_at(1000);
    let (timed, alone) = rest.split_at(pushes);
    crate::run_quiet(running, warm.to_vec(), 1000, connections).await?;
    wait_for(&arrivals, 1000, Duration::from_secs(30)).await;
    eprintln!("message ingestion and delivery…");
    // Indices in `arrivals` are the messages' own (`m{i}`); the timed ones start at 1000.
    let sends: Sends = Arc::new(Mutex::new(vec![None; pushes]));
    let started = Instant::now();
    let stats = load::run_recording(
        &[running.address],
        Plan {
            requests: Arc::new(timed.to_vec()),
            total: pushes,
            connections,
            deadline,
        },
        Some(sends.clone()),
    )
    .await?;
    let all_delivered = wait_for(&arrivals, 1000 + stats.ok, Duration::from_secs(120)).await;
    let sends = sends.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let arrived = arrivals.lock().unwrap_or_else(|e| e.into_inner()).0.clone();
    let mut end_to_end: Vec<Duration> = sends
        .iter()
        .enumerate()
        .filter_map(|(i, sent)| Some(arrived.get(1000 + i)?.as_ref()?.duration_since((*sent)?)))
        .collect();
    end_to_end.sort_unstable();
    let delivered = end_to_end.len();
    let last = arrived[1000..]
        .iter()
        .flatten()
        .max()
        .copied()
        .unwrap_or(started);
    let delivery_rate = delivered as f64 / last.duration_since(started).as_secs_f64().max(0.001);
    let p = |q: f64| {
        end_to_end
            .get(((end_to_end.len().saturating_sub(1)) as f64 * q).round() as usize)
            .map_or_else(
                || "—".to_owned(),
                |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0),
            )
    };
    // The same without any endpoint: what recording alone sustains here.
    running.disable_endpoints().await?;
    tokio::time::sleep(Duration::from_secs(6)).await;
    eprintln!("message ingestion without deliveries…");
    let ingestion = load::run_recording(
        &[running.address],
        Plan {
            requests: Arc::new(alone.to_vec()),
            total: pushes,
            connections,
            deadline,
        },
        None,
    )
    .await?;
    let mut report = String::new();
    writeln!(
        report,
        "\n## Message gateway\n\nDistinct encrypted user messages (text) across {ACCOUNTS} authorized accounts at \
         `POST /wechat/authorizers/{{appid}}/events`, {connections} connections; one asynchronous webhook endpoint \
         (at most 64 deliveries in flight) on a local sink answering 204. Each answer `success` means the message \
         was verified, decrypted, parsed, sealed and committed with its delivery. The second row is the same count \
         of new messages once the endpoint is turned off: recording alone, the ceiling deliveries share the CPU with.\n"
    )?;
    writeln!(report, "| measure | value | target |")?;
    writeln!(report, "|---|---|---|")?;
    writeln!(
        report,
        "| WeChat-facing answers | {} ok, {} failed, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms | ≥ 25,000/s, p99 < 5 ms |",
        stats.ok,
        stats.failed,
        stats.per_second(),
        stats.percentile(0.5).as_secs_f64() * 1000.0,
        stats.percentile(0.99).as_secs_f64() * 1000.0
    )?;
    writeln!(
        report,
        "| WeChat-facing answers, no endpoint (recording alone) | {} ok, {} failed, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms | — |",
        ingestion.ok,
        ingestion.failed,
        ingestion.per_second(),
        ingestion.percentile(0.5).as_secs_f64() * 1000.0,
        ingestion.percentile(0.99).as_secs_f64() * 1000.0
    )?;
    writeln!(
        report,
        "| deliveries to the sink | {delivered} of {}, {delivery_rate:.0}/s{} | ≥ 10,000/s |",
        stats.ok,
        if all_delivered {
            ""
        } else {
            " (not all within 2 minutes)"
        }
    )?;
    writeln!(
        report,
        "| push to delivery | p50 {}, p99 {} | — |",
        p(0.5),
        p(0.99)
    )?;
    Ok(report)
}

async fn wait_for(arrivals: &Arrivals, count: usize, within: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if arrivals.lock().unwrap_or_else(|e| e.into_inner()).1 >= count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// A sink on 127.0.0.1: reads each request (head and Content-Length body),
/// notes when message `m{i}` arrived, answers 204 and keeps the connection.
async fn start_sink(arrivals: Arrivals) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let arrivals = arrivals.clone();
            tokio::spawn(async move {
                let mut buf: Vec<u8> = Vec::with_capacity(8192);
                loop {
                    let Some(head_end) = read_until_head(&mut stream, &mut buf).await else {
                        return;
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + 4 + length {
                        let mut chunk = [0u8; 8192];
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = &buf[head_end + 4..head_end + 4 + length];
                    if let Some(i) = message_index(body) {
                        let mut arrivals = arrivals.lock().unwrap_or_else(|e| e.into_inner());
                        if let Some(slot) = arrivals.0.get_mut(i)
                            && slot.is_none()
                        {
                            *slot = Some(Instant::now());
                            arrivals.1 += 1;
                        }
                    }
                    buf.drain(..head_end + 4 + length);
                    if stream
                        .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

async fn read_until_head(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(at);
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The `i` of a delivered message whose content is `m{i}`.
fn message_index(body: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(body).ok()?;
    let at = text.find("\"content\":\"m")? + "\"content\":\"m".len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sink_reads_the_message_index_from_the_delivery() {
        assert_eq!(
            super::message_index(br#"{"message":{"content":"m1234","x":1}}"#),
            Some(1234)
        );
        assert_eq!(
            super::message_index(br#"{"message":{"content":"hello"}}"#),
            None
        );
    }
}
