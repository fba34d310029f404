//! Crash durability: the server is killed with SIGKILL at random moments while clients post
//! comments with an `Idempotency-Key` and retry until acknowledged. Afterwards every
//! acknowledged comment must exist exactly once, with the id that was acknowledged, and a
//! retry of its key must answer that comment again (another body: 422).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use tokio::sync::Mutex;

use crate::client::{self, Answer, Post};
use crate::report::{Report, Tally, ms};
use crate::server::{self, Kiosque};

pub struct Options {
    pub cycles: usize,
    pub clients: usize,
    /// Longest time before a server must be ready again after a kill.
    pub ready_within: Duration,
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Acknowledged posts and the id they were answered with.
    acked: Vec<(Post, String)>,
    /// Answers to every attempt (during kills: `transport` and 503 are expected).
    attempts: Tally,
    /// Immediate retries of an acknowledged key that did not answer the same comment.
    replay_mismatches: u64,
    replays: u64,
    /// Concurrent posts of one key that answered 409.
    concurrent_409: u64,
    /// Concurrent posts of one key that answered different comments.
    concurrent_split: u64,
    /// Answers that no fault explains (a 500, a 422 on a fresh key, …).
    unexpected: Vec<String>,
}

pub async fn run(
    report: &mut Report,
    engine: &str,
    server: &mut Kiosque,
    options: &Options,
) -> anyhow::Result<()> {
    report.section(format!("crash durability ({engine})"));
    server.seed(20).await?;
    server.start().await?;
    let base = server.base();
    let http = client::client(Duration::from_secs(10));
    let slugs = Arc::new(server::slugs(&http, &base, 20).await?);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for writer in 0..options.clients {
        let (base, slugs, seen, stop) = (base.clone(), slugs.clone(), seen.clone(), stop.clone());
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let post = Post {
                    slug: slugs[fastrand::usize(..slugs.len())].clone(),
                    key: format!("crash-{writer}-{n}"),
                    email: format!("lecteur{writer}@example.fr"),
                    body: format!("Crash {writer}/{n} : un commentaire qui doit survivre."),
                };
                write_until_acknowledged(&http, &base, &post, &seen).await;
            }
        }));
    }

    let mut ready_times = Vec::new();
    for _ in 0..options.cycles {
        tokio::time::sleep(Duration::from_millis(fastrand::u64(300..1500))).await;
        server.kill9().await?;
        ready_times.push(server.start().await?);
    }
    // Let the clients write after the last restart, then finish their current comment.
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await?;
    }

    let seen = std::mem::take(&mut *seen.lock().await);
    let stored = stored_comments(&server.database_url).await?;
    let mut lost = 0u64;
    let mut wrong_id = 0u64;
    for (post, id) in &seen.acked {
        match stored.get(&post.body).map(Vec::as_slice) {
            None | Some([]) => lost += 1,
            Some([one]) if client::comment_gid(*one) == *id => {}
            Some([_]) => wrong_id += 1,
            Some(_) => {}
        }
    }
    let duplicates: u64 = stored
        .values()
        .map(|ids| ids.len().saturating_sub(1) as u64)
        .sum();

    // After all the kills, every acknowledged key still answers its comment.
    let mut late_mismatches = 0u64;
    let mut other_body_not_422 = 0u64;
    for (i, (post, id)) in seen.acked.iter().enumerate() {
        let (answer, _) = client::post_comment(&http, &base, post, None).await;
        if !matches!(&answer, Answer::Ok { status: 201, id: Some(again) } if again == id) {
            late_mismatches += 1;
        }
        if i % 10 == 0 {
            let (answer, _) =
                client::post_comment(&http, &base, post, Some("Un tout autre texte.")).await;
            if !matches!(answer, Answer::Error { status: 422, .. }) {
                other_body_not_422 += 1;
            }
        }
    }

    let max_ready = ready_times.iter().max().copied().unwrap_or_default();
    let mean_ready = ready_times.iter().sum::<Duration>() / ready_times.len().max(1) as u32;
    report.figure("kill -9 cycles", ready_times.len());
    report.figure("clients", options.clients);
    report.figure("acknowledged writes", seen.acked.len());
    report.figure("lost writes", lost);
    report.figure("acknowledged under another id", wrong_id);
    report.figure("duplicates", duplicates);
    report.figure("attempts by answer", &seen.attempts);
    report.figure(
        "immediate replays (mismatched)",
        format!("{} ({})", seen.replays, seen.replay_mismatches),
    );
    report.figure(
        "replays after the kills (mismatched)",
        format!("{} ({late_mismatches})", seen.acked.len()),
    );
    report.figure(
        "concurrent same-key posts answered 409",
        seen.concurrent_409,
    );
    report.figure(
        "ready after restart (mean / max ms)",
        format!("{} / {}", ms(mean_ready), ms(max_ready)),
    );
    report.check(!seen.acked.is_empty(), "comments were acknowledged");
    report.check(lost == 0, "no acknowledged comment is lost");
    report.check(
        wrong_id == 0,
        "each comment is stored under the id it was acknowledged with",
    );
    report.check(duplicates == 0, "no comment is stored twice");
    report.check(
        seen.replay_mismatches == 0 && late_mismatches == 0,
        "a retried key answers the original comment (201, same id)",
    );
    report.check(
        other_body_not_422 == 0,
        "a key reused for another comment is a 422",
    );
    report.check(
        seen.concurrent_split == 0,
        "concurrent posts of one key never store two comments",
    );
    report.check(
        seen.unexpected.is_empty(),
        format!(
            "no unexpected answer {:?}",
            seen.unexpected.iter().take(5).collect::<Vec<_>>()
        ),
    );
    report.check(
        max_ready <= options.ready_within,
        format!(
            "ready again within {} s after each kill",
            options.ready_within.as_secs()
        ),
    );
    Ok(())
}

/// Posts until the comment is acknowledged, as a careful client does (same key on every
/// retry), and probes the key's semantics on the way.
async fn write_until_acknowledged(
    http: &reqwest::Client,
    base: &str,
    post: &Post,
    seen: &Mutex<Seen>,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    // One post in eight is sent three times at once first.
    if fastrand::u8(..8) == 0 {
        let answers = futures_join3(http, base, post).await;
        let mut ids: Vec<&String> = Vec::new();
        let mut seen = seen.lock().await;
        for answer in &answers {
            seen.attempts.add(answer.label());
            match answer {
                Answer::Ok { id: Some(id), .. } => ids.push(id),
                Answer::Error { status: 409, .. } => seen.concurrent_409 += 1,
                Answer::Error { status, code, .. } => seen
                    .unexpected
                    .push(format!("{status} {code} on a concurrent post")),
                _ => {}
            }
        }
        if ids.windows(2).any(|w| w[0] != w[1]) {
            seen.concurrent_split += 1;
        }
    }
    while Instant::now() < deadline {
        let (answer, _) = client::post_comment(http, base, post, None).await;
        let mut guard = seen.lock().await;
        guard.attempts.add(answer.label());
        match answer {
            Answer::Ok {
                status: 201,
                id: Some(id),
            } => {
                guard.acked.push((post.clone(), id.clone()));
                drop(guard);
                if fastrand::u8(..4) == 0 {
                    let (again, _) = client::post_comment(http, base, post, None).await;
                    let mut guard = seen.lock().await;
                    // A kill may cut the replay itself: only a different comment is wrong.
                    match again {
                        Answer::Ok {
                            id: Some(other), ..
                        } => {
                            guard.replays += 1;
                            if other != id {
                                guard.replay_mismatches += 1;
                            }
                        }
                        Answer::Ok { .. } | Answer::Error { .. } => {
                            guard.replays += 1;
                            guard.replay_mismatches += 1;
                        }
                        Answer::Unavailable { .. } | Answer::Transport => {}
                    }
                }
                return;
            }
            // The server is down or restarting, or a twin post is in flight: retry.
            Answer::Transport | Answer::Unavailable { .. } | Answer::Error { status: 409, .. } => {
                drop(guard);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => {
                guard.unexpected.push(format!("{other:?}"));
                return;
            }
        }
    }
    seen.lock()
        .await
        .unexpected
        .push(format!("{} never acknowledged in 60 s", post.key));
}

async fn futures_join3(http: &reqwest::Client, base: &str, post: &Post) -> [Answer; 3] {
    let (a, b, c) = tokio::join!(
        client::post_comment(http, base, post, None),
        client::post_comment(http, base, post, None),
        client::post_comment(http, base, post, None),
    );
    [a.0, b.0, c.0]
}

/// The suite's comments as stored: body -> ids.
async fn stored_comments(url: &str) -> anyhow::Result<HashMap<String, Vec<i64>>> {
    let db = sea_orm::Database::connect(url.to_owned()).await?;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, body FROM comments WHERE body LIKE 'Crash %'",
        ))
        .await?;
    let mut stored: HashMap<String, Vec<i64>> = HashMap::new();
    for row in rows {
        let id: i64 = row.try_get_by_index(0)?;
        let body: String = row.try_get_by_index(1)?;
        stored.entry(body).or_default().push(id);
    }
    db.close().await?;
    Ok(stored)
}
