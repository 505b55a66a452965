//! The load generator: keep-alive HTTP/1.1 connections on 127.0.0.1, each
//! sending its next request as soon as the previous answer is read (closed
//! loop), bounded by a request count and a deadline. A hand-written client,
//! because a full HTTP client would spend more of the shared two cores than
//! the server under test.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// What one run measured.
#[derive(Debug)]
pub struct Stats {
    pub ok: usize,
    pub failed: usize,
    pub elapsed: Duration,
    /// Latency of every successful request, sorted.
    pub latencies: Vec<Duration>,
}

impl Stats {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)]
    }
}

/// A fixed plan: `total` requests taken round-robin from `requests` (raw
/// HTTP/1.1 bytes), over `connections` connections, stopping at `deadline`.
pub struct Plan {
    pub requests: Arc<Vec<Vec<u8>>>,
    pub total: usize,
    pub connections: usize,
    pub deadline: Duration,
}

/// Runs `plan` against `addr`.
pub async fn run(addr: SocketAddr, plan: Plan) -> anyhow::Result<Stats> {
    run_on(&[addr], plan).await
}

/// Runs `plan` against several instances, as a load balancer without sticky
/// sessions would: connection `i` goes to `addrs[i % addrs.len()]`.
pub async fn run_on(addrs: &[SocketAddr], plan: Plan) -> anyhow::Result<Stats> {
    run_recording(addrs, plan, None).await
}

/// When each request was sent, by its index in the plan.
pub type Sends = Arc<std::sync::Mutex<Vec<Option<Instant>>>>;

/// [`run_on`], noting in `sends` when each request went out.
pub async fn run_recording(
    addrs: &[SocketAddr],
    plan: Plan,
    sends: Option<Sends>,
) -> anyhow::Result<Stats> {
    anyhow::ensure!(!addrs.is_empty(), "no address to load");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let stop_at = started + plan.deadline;
    let mut tasks = Vec::new();
    for i in 0..plan.connections {
        let addr = addrs[i % addrs.len()];
        let requests = plan.requests.clone();
        let next = next.clone();
        let total = plan.total;
        let sends = sends.clone();
        tasks.push(tokio::spawn(async move {
            connection(addr, requests, next, total, stop_at, sends).await
        }));
    }
    let mut stats = Stats {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(plan.total),
    };
    for task in tasks {
        let (latencies, failed) = task.await.context("load task")??;
        stats.ok += latencies.len();
        stats.failed += failed;
        stats.latencies.extend(latencies);
    }
    stats.elapsed = started.elapsed();
    stats.latencies.sort_unstable();
    Ok(stats)
}

async fn connection(
    addr: SocketAddr,
    requests: Arc<Vec<Vec<u8>>>,
    next: Arc<AtomicUsize>,
    total: usize,
    stop_at: Instant,
    sends: Option<Sends>,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let mut stream = TcpStream::connect(addr).await.context("connecting")?;
    stream.set_nodelay(true)?;
    let mut latencies = Vec::new();
    let mut failed = 0;
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= total || Instant::now() >= stop_at {
            break;
        }
        let request = &requests[i % requests.len()];
        let sent = Instant::now();
        if let Some(sends) = &sends
            && let Some(slot) = sends.lock().unwrap_or_else(|e| e.into_inner()).get_mut(i)
        {
            *slot = Some(sent);
        }
        stream.write_all(request).await.context("sending")?;
        let status = read_response(&mut stream, &mut buf).await?;
        if status == 200 {
            latencies.push(sent.elapsed());
        } else {
            failed += 1;
            if failed == 1 {
                eprintln!("  first failure: HTTP {status}");
            }
        }
    }
    Ok((latencies, failed))
}

/// Reads one response (framed by Content-Length, or chunked as rendered
/// pages are) and returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<u16> {
    buf.clear();
    let end = loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            break end;
        }
        fill(stream, buf).await?;
    };
    let head = std::str::from_utf8(&buf[..end]).context("response head")?;
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("status line")?;
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let mut at = end + 4;
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let line_end = loop {
                if let Some(i) = find(&buf[at..], b"\r\n") {
                    break at + i;
                }
                fill(stream, buf).await?;
            };
            let size_text = std::str::from_utf8(&buf[at..line_end]).context("chunk size")?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .context("chunk size")?;
            // The chunk, and the CRLF after it (after the last, empty one: the end).
            let want = line_end + 2 + size + 2;
            while buf.len() < want {
                fill(stream, buf).await?;
            }
            at = want;
            if size == 0 {
                return Ok(status);
            }
        }
    }
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < at + length {
        fill(stream, buf).await?;
    }
    Ok(status)
}

/// Reads what the server sent next onto `buf`.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<()> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        bail!("connection closed by the server");
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;

    /// A chunked page, then (after the next request, as in a closed loop) a sized answer.
    #[tokio::test]
    async fn chunked_and_sized_responses_are_read_whole() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1];
            socket.read_exact(&mut request).await.unwrap();
            // The chunked body arrives in pieces, split inside a size line.
            for piece in [
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"[..],
                b"lo\r\n7;ext=1\r\n, world\r",
                b"\n0\r\n\r\n",
            ] {
                socket.write_all(piece).await.unwrap();
                socket.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            socket.read_exact(&mut request).await.unwrap();
            socket
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!")
                .await
                .unwrap();
        });
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = Vec::new();
        stream.write_all(b"1").await.unwrap();
        assert_eq!(read_response(&mut stream, &mut buf).await.unwrap(), 200);
        assert!(buf.ends_with(b", world\r\n0\r\n\r\n"));
        stream.write_all(b"2").await.unwrap();
        assert_eq!(read_response(&mut stream, &mut buf).await.unwrap(), 404);
        assert!(buf.ends_with(b"no!"));
    }
}
