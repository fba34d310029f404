//! Slow-header connections ("slowloris"): many clients open a connection, send the start of a
//! request head and then one more byte every second, never finishing it. Each must be dropped
//! by the server's header-read timeout (within 10 s), an attacker whose connection is dropped
//! opens another at once, and meanwhile ordinary readers must keep a p99 under a second, on
//! kept-alive connections and on new ones alike.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use crate::client;
use crate::report::{Percentiles, Report, Tally};
use crate::server::{self, Kiosque};

pub struct Options {
    pub articles: u32,
    /// Slow connections held open at once.
    pub connections: usize,
    pub duration: Duration,
    pub readers: usize,
    /// A slow connection must be closed by the server within this time of being opened.
    pub dropped_within: Duration,
    pub p99_limit: Duration,
}

/// What the attackers saw: how long each dropped connection had lived, how many were still
/// open (and for how long) when the attack ended, and connects that failed.
#[derive(Default)]
struct Attack {
    lifetimes: Vec<Duration>,
    open_at_end: Vec<Duration>,
    connect_failures: u64,
}

pub async fn run(
    report: &mut Report,
    server: &mut Kiosque,
    options: &Options,
) -> anyhow::Result<()> {
    report.section(format!(
        "slow-header connections (SQLite, {} held open)",
        options.connections
    ));
    server.seed(options.articles).await?;
    server.start().await?;
    let base = server.base();
    let http = client::client(Duration::from_secs(10));
    let slugs = Arc::new(server::slugs(&http, &base, 500).await?);
    let address = base.trim_start_matches("http://").to_owned();

    let end = Instant::now() + options.duration;
    let opened = Arc::new(AtomicU64::new(0));
    let mut attackers = Vec::with_capacity(options.connections);
    for _ in 0..options.connections {
        let (address, opened) = (address.clone(), opened.clone());
        attackers.push(tokio::spawn(attacker(address, end, opened)));
    }
    // Let the slow connections pile up before the readers start.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (tally, mut kept_alive, mut fresh) = readers(&base, &slugs, options, end).await?;

    let mut attack = Attack::default();
    for task in attackers {
        let one = task.await?;
        attack.lifetimes.extend(one.lifetimes);
        attack.open_at_end.extend(one.open_at_end);
        attack.connect_failures += one.connect_failures;
    }
    let lifetimes = Percentiles::of(&mut attack.lifetimes);
    let longest_open = attack.open_at_end.iter().max().copied().unwrap_or_default();
    let kept_alive = Percentiles::of(&mut kept_alive);
    let fresh = Percentiles::of(&mut fresh);
    let total = tally.total();

    report.figure(
        "slow connections × seconds",
        format!("{} × {}", options.connections, options.duration.as_secs()),
    );
    report.figure(
        "slow connections opened",
        opened.load(Ordering::Relaxed).to_string(),
    );
    report.figure(
        "dropped by the server",
        format!(
            "{} (lifetime p50 {:.1} s, max {:.1} s)",
            lifetimes.count,
            lifetimes.p50.as_secs_f64(),
            lifetimes.max.as_secs_f64()
        ),
    );
    report.figure(
        "still open at the end",
        format!(
            "{} (the oldest {:.1} s)",
            attack.open_at_end.len(),
            longest_open.as_secs_f64()
        ),
    );
    report.figure("failed connects", attack.connect_failures.to_string());
    report.figure("reads by answer", &tally);
    report.figure("reads, kept-alive connection", kept_alive.to_string());
    report.figure("reads, new connection each", fresh.to_string());
    report.check(
        lifetimes.count > 0 && lifetimes.max <= options.dropped_within,
        format!(
            "every slow connection dropped within {} s",
            options.dropped_within.as_secs()
        ),
    );
    report.check(
        longest_open <= options.dropped_within,
        "no slow connection outlived the header timeout",
    );
    report.check(total > 0 && tally.get("200") == total, "0 errors on reads");
    report.check(
        kept_alive.p99.max(fresh.p99) <= options.p99_limit,
        format!(
            "p99 of reads <= {} ms during the attack",
            options.p99_limit.as_millis()
        ),
    );
    Ok(())
}

/// One attacker: keeps one slow connection open until `end`, opening a new one each time the
/// server drops it.
async fn attacker(address: String, end: Instant, opened: Arc<AtomicU64>) -> Attack {
    let mut attack = Attack::default();
    // Spread the connects and the trickle over the first second.
    tokio::time::sleep(Duration::from_millis(fastrand::u64(0..1000))).await;
    while Instant::now() < end {
        let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(&address)).await
        else {
            attack.connect_failures += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        opened.fetch_add(1, Ordering::Relaxed);
        let since = Instant::now();
        if trickle(&stream, end).await {
            attack.lifetimes.push(since.elapsed());
        } else {
            attack.open_at_end.push(since.elapsed());
            return attack;
        }
    }
    attack
}

/// Sends the start of a request head, then one byte a second; true once the server has closed
/// the connection, false if it was still open at `end`.
async fn trickle(stream: &TcpStream, end: Instant) -> bool {
    let head = b"GET /v1/articles HTTP/1.1\r\nHost: kiosque\r\nX-Slow: ";
    if !write_all(stream, head).await {
        return true;
    }
    let mut buf = [0u8; 512];
    loop {
        let tick = tokio::time::sleep(Duration::from_secs(1));
        tokio::select! {
            ready = stream.readable() => {
                if ready.is_err() {
                    return true;
                }
                match stream.try_read(&mut buf) {
                    // EOF, or an answer (e.g. 408) that precedes the close: either way the
                    // server gave up on this connection.
                    Ok(_) => return true,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => return true,
                }
            }
            () = tick => {
                if Instant::now() >= end {
                    return false;
                }
                if !write_all(stream, b"a").await {
                    return true;
                }
            }
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        if stream.writable().await.is_err() {
            return false;
        }
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return false,
        }
    }
    true
}

/// Ordinary readers during the attack: half keep their connection alive, half open a new one
/// for every request (they must get past the slow connections to be accepted).
async fn readers(
    base: &str,
    slugs: &Arc<Vec<String>>,
    options: &Options,
    end: Instant,
) -> anyhow::Result<(Tally, Vec<Duration>, Vec<Duration>)> {
    let mut tasks = Vec::new();
    for reader in 0..options.readers {
        let fresh = reader % 2 == 1;
        let http = if fresh {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .pool_max_idle_per_host(0)
                .build()?
        } else {
            client::client(Duration::from_secs(10))
        };
        let (base, slugs) = (base.to_owned(), slugs.clone());
        tasks.push(tokio::spawn(async move {
            let (tally, took) =
                client::read_articles_until(&http, &base, &slugs, reader, end).await;
            (fresh, tally, took)
        }));
    }
    let (mut tally, mut kept_alive, mut fresh) = (Tally::default(), Vec::new(), Vec::new());
    for task in tasks {
        let (is_fresh, t, took) = task.await?;
        tally.merge(&t);
        if is_fresh {
            fresh.extend(took);
        } else {
            kept_alive.extend(took);
        }
    }
    Ok((tally, kept_alive, fresh))
}
