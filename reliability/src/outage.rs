//! Database outage: the throwaway PostgreSQL is stopped abruptly, several times, under read
//! and write load, and Kiosque is not restarted. Nothing may answer 500; database-bound
//! requests answer 503 with `Retry-After` quickly; `/healthz` stays 200 while `/readyz`
//! turns 503; and once the database is back the errors stop within a few seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::client::{self, Answer, Post};
use crate::pg::Cluster;
use crate::report::{Percentiles, Report, Tally, ms};
use crate::server::{self, Kiosque};

pub struct Options {
    pub cycles: usize,
    pub outage: Duration,
    pub readers: usize,
    pub writers: usize,
    /// Longest time a database-bound request may take to answer 503.
    pub unavailable_within: Duration,
    /// Longest time after the database returns before the errors stop.
    pub recover_within: Duration,
}

/// One request: when it started (since the scenario began), what it was, what came back.
struct Sample {
    at: Duration,
    took: Duration,
    kind: &'static str,
    answer: Answer,
}

/// One probe of `/healthz` and `/readyz`.
struct Probe {
    at: Duration,
    healthz: Option<u16>,
    readyz: Option<u16>,
}

pub async fn run(
    report: &mut Report,
    cluster: &Cluster,
    server: &mut Kiosque,
    options: &Options,
) -> anyhow::Result<()> {
    report.section("database outage (PostgreSQL)");
    server.seed(200).await?;
    server.start().await?;
    let base = server.base();
    let http = client::client(Duration::from_secs(10));
    let slugs = Arc::new(server::slugs(&http, &base, 200).await?);
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let probes = Arc::new(Mutex::new(Vec::<Probe>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let origin = Instant::now();
    let mut tasks = Vec::new();
    for reader in 0..options.readers {
        let (http, base, slugs, samples, stop) = (
            http.clone(),
            base.clone(),
            slugs.clone(),
            samples.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let at = origin.elapsed();
                let slug = &slugs[fastrand::usize(..slugs.len())];
                let (kind, (answer, took)) = match (reader + i) % 3 {
                    0 => (
                        "rest article",
                        client::read_article(&http, &base, slug, false).await,
                    ),
                    1 => (
                        "graphql article",
                        client::read_article(&http, &base, slug, true).await,
                    ),
                    _ => ("rest list", client::read_list(&http, &base).await),
                };
                samples.lock().await.push(Sample {
                    at,
                    took,
                    kind,
                    answer,
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    for writer in 0..options.writers {
        let (http, base, slugs, samples, stop) = (
            http.clone(),
            base.clone(),
            slugs.clone(),
            samples.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            let mut post: Option<Post> = None;
            while !stop.load(Ordering::Relaxed) {
                // A failed post is retried with its key; an acknowledged one makes room.
                let current = post.get_or_insert_with(|| {
                    n += 1;
                    Post {
                        slug: slugs[fastrand::usize(..slugs.len())].clone(),
                        key: format!("outage-{writer}-{n}"),
                        email: format!("panne{writer}@example.fr"),
                        body: format!("Panne {writer}/{n} : écrit pendant une coupure."),
                    }
                });
                let at = origin.elapsed();
                let (answer, took) = client::post_comment(&http, &base, current, None).await;
                if answer.is_ok() {
                    post = None;
                }
                samples.lock().await.push(Sample {
                    at,
                    took,
                    kind: "comment post",
                    answer,
                });
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    {
        let (http, base, probes, stop) = (http.clone(), base.clone(), probes.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let at = origin.elapsed();
                let status = |path: &'static str| {
                    let request = http.get(format!("{base}{path}")).send();
                    async move { request.await.ok().map(|r| r.status().as_u16()) }
                };
                let (healthz, readyz) = tokio::join!(status("/healthz"), status("/readyz"));
                probes.lock().await.push(Probe {
                    at,
                    healthz,
                    readyz,
                });
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }

    // (down, back) of each outage, since the start.
    let mut outages = Vec::new();
    tokio::time::sleep(Duration::from_secs(3)).await;
    for _ in 0..options.cycles {
        let down = origin.elapsed();
        cluster.stop_abruptly()?;
        tokio::time::sleep(options.outage).await;
        cluster.start()?;
        let back = origin.elapsed();
        outages.push((down, back));
        tokio::time::sleep(options.recover_within + Duration::from_secs(3)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await?;
    }

    let samples = std::mem::take(&mut *samples.lock().await);
    let probes = std::mem::take(&mut *probes.lock().await);
    let mut by_answer = Tally::default();
    let mut unavailable_took = Vec::new();
    let mut without_retry_after = 0u64;
    let mut server_errors = Vec::new();
    for sample in &samples {
        by_answer.add(format!("{} {}", sample.kind, sample.answer.label()));
        match &sample.answer {
            Answer::Unavailable { retry_after, .. } => {
                unavailable_took.push(sample.took);
                if !retry_after {
                    without_retry_after += 1;
                }
            }
            Answer::Ok { .. } => {}
            other => server_errors.push(format!("{} {other:?}", sample.kind)),
        }
    }
    let slow = Percentiles::of(&mut unavailable_took);
    // Per outage: how long after the database came back the last failure started, and
    // whether any failure started after the allowed recovery time.
    let mut recoveries = Vec::new();
    let mut late_failures = 0u64;
    let mut readyz_turned = 0usize;
    let mut healthz_failures = 0u64;
    for (i, (down, back)) in outages.iter().enumerate() {
        // Requests still running when the next outage began are that outage's.
        let until = outages.get(i + 1).map(|o| o.0).unwrap_or(Duration::MAX);
        let before_next = |s: &&Sample| s.at + s.took < until;
        let last_failure = samples
            .iter()
            .filter(|s| s.at >= *back && !s.answer.is_ok())
            .filter(before_next)
            .map(|s| s.at)
            .max();
        recoveries.push(last_failure.map(|t| t - *back).unwrap_or_default());
        late_failures += samples
            .iter()
            .filter(|s| s.at >= *back + options.recover_within && !s.answer.is_ok())
            .filter(before_next)
            .count() as u64;
        if probes
            .iter()
            .any(|p| p.at > *down && p.at < *back && p.readyz == Some(503))
        {
            readyz_turned += 1;
        }
    }
    for probe in &probes {
        if probe.healthz != Some(200) {
            healthz_failures += 1;
        }
    }
    let ready_again = probes.last().and_then(|p| p.readyz) == Some(200);
    let max_recovery = recoveries.iter().max().copied().unwrap_or_default();

    report.figure(
        "outages",
        format!("{} × {} s", outages.len(), options.outage.as_secs()),
    );
    report.figure(
        "readers / writers",
        format!("{} / {}", options.readers, options.writers),
    );
    report.figure("requests", samples.len());
    report.figure("answers", &by_answer);
    report.figure("503 answered in", slow.to_string());
    report.figure("/healthz, /readyz probes", probes.len());
    report.figure(
        "errors stop after the database returns (ms)",
        recoveries
            .iter()
            .map(|d| ms(*d))
            .collect::<Vec<_>>()
            .join(", "),
    );
    report.check(
        server_errors.is_empty(),
        format!(
            "no 500, no other error, no cut connection {:?}",
            server_errors.iter().take(5).collect::<Vec<_>>()
        ),
    );
    report.check(
        !unavailable_took.is_empty(),
        "the outage was seen (some answers were 503)",
    );
    report.check(without_retry_after == 0, "every 503 carries Retry-After");
    report.check(
        slow.max <= options.unavailable_within,
        format!(
            "every 503 answered within {} s",
            options.unavailable_within.as_secs()
        ),
    );
    report.check(healthz_failures == 0, "/healthz stays 200");
    report.check(
        readyz_turned == outages.len(),
        "/readyz turns 503 during each outage",
    );
    report.check(ready_again, "/readyz is 200 again at the end");
    report.check(
        late_failures == 0 && max_recovery <= options.recover_within,
        format!(
            "0 errors {} s after the database returns, without restarting Kiosque",
            options.recover_within.as_secs()
        ),
    );
    Ok(())
}
