//! Sustained load on SQLite: many readers of article pages (both doors), then many comment
//! writers at once. No errors, a bounded p99 for reads, and no "database is locked".

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{self, Answer, Post};
use crate::report::{Percentiles, Report, Tally};
use crate::server::{self, Kiosque};

pub struct Options {
    pub articles: u32,
    pub readers: usize,
    pub writers: usize,
    pub duration: Duration,
    /// Highest acceptable p99 of reads; `None` reports it without judging (the short run,
    /// on machines of unknown speed).
    pub p99_limit: Option<Duration>,
}

pub async fn run(
    report: &mut Report,
    server: &mut Kiosque,
    options: &Options,
) -> anyhow::Result<()> {
    report.section(format!(
        "sustained load (SQLite, {} articles)",
        options.articles
    ));
    let seeding = Instant::now();
    server.seed(options.articles).await?;
    report.figure(
        "seeded in (s)",
        format!("{:.1}", seeding.elapsed().as_secs_f64()),
    );
    server.start().await?;
    let base = server.base();
    let http = client::client(Duration::from_secs(10));
    let slugs = Arc::new(server::slugs(&http, &base, 2000).await?);

    // Readers.
    let (tally, mut rest, mut graphql) = readers(&http, &base, &slugs, options).await?;
    let rest = Percentiles::of(&mut rest);
    let graphql = Percentiles::of(&mut graphql);
    let total = tally.total();
    let errors = total - tally.get("200");
    report.figure(
        "readers × seconds",
        format!("{} × {}", options.readers, options.duration.as_secs()),
    );
    report.figure(
        "reads",
        format!(
            "{total} ({:.0}/s)",
            total as f64 / options.duration.as_secs_f64()
        ),
    );
    report.figure("reads by answer", &tally);
    report.figure("REST article", rest.to_string());
    report.figure("GraphQL article", graphql.to_string());
    report.check(total > 0 && errors == 0, "0 errors on reads");
    let p99 = rest.p99.max(graphql.p99);
    match options.p99_limit {
        Some(limit) => report.check(
            p99 <= limit,
            format!("p99 of reads <= {} ms", limit.as_millis()),
        ),
        None => report.figure("p99 limit", "not judged in the short run"),
    }

    // Writers.
    let (tally, mut took) = writers(&http, &base, &slugs, options).await?;
    let writes = Percentiles::of(&mut took);
    let server_errors: u64 = tally
        .0
        .iter()
        .filter(|(k, _)| k.starts_with('5'))
        .map(|(_, v)| *v)
        .sum();
    let locked_answers = tally.get("locked");
    let locked_logged = server.log_lines_with("database is locked");
    report.figure(
        "writers × seconds",
        format!("{} × {}", options.writers, options.duration.as_secs()),
    );
    report.figure("comment posts by answer", &tally);
    report.figure("comment posts", writes.to_string());
    report.check(tally.get("201") > 0, "comments were written");
    report.check(server_errors == 0, "0 5xx on comment posts");
    report.check(
        locked_answers == 0 && locked_logged == 0,
        "0 \"database is locked\" (answers and server log)",
    );
    report.check(
        tally.total() == tally.get("201"),
        "every comment post answered 201",
    );
    Ok(())
}

async fn readers(
    http: &reqwest::Client,
    base: &str,
    slugs: &Arc<Vec<String>>,
    options: &Options,
) -> anyhow::Result<(Tally, Vec<Duration>, Vec<Duration>)> {
    let end = Instant::now() + options.duration;
    let mut tasks = Vec::new();
    for reader in 0..options.readers {
        let (http, base, slugs) = (http.clone(), base.to_owned(), slugs.clone());
        tasks.push(tokio::spawn(async move {
            let (mut tally, mut rest, mut graphql) = (Tally::default(), Vec::new(), Vec::new());
            let mut i = reader;
            while Instant::now() < end {
                i += 1;
                let slug = &slugs[fastrand::usize(..slugs.len())];
                let use_graphql = i % 2 == 0;
                let (answer, took) = client::read_article(&http, &base, slug, use_graphql).await;
                tally.add(answer.label());
                if use_graphql {
                    graphql.push(took)
                } else {
                    rest.push(took)
                }
            }
            (tally, rest, graphql)
        }));
    }
    let (mut tally, mut rest, mut graphql) = (Tally::default(), Vec::new(), Vec::new());
    for task in tasks {
        let (t, r, g) = task.await?;
        tally.merge(&t);
        rest.extend(r);
        graphql.extend(g);
    }
    Ok((tally, rest, graphql))
}

async fn writers(
    http: &reqwest::Client,
    base: &str,
    slugs: &Arc<Vec<String>>,
    options: &Options,
) -> anyhow::Result<(Tally, Vec<Duration>)> {
    let end = Instant::now() + options.duration;
    let mut tasks = Vec::new();
    for writer in 0..options.writers {
        let (http, base, slugs) = (http.clone(), base.to_owned(), slugs.clone());
        tasks.push(tokio::spawn(async move {
            let (mut tally, mut took) = (Tally::default(), Vec::new());
            let mut n = 0;
            while Instant::now() < end {
                n += 1;
                let post = Post {
                    slug: slugs[fastrand::usize(..slugs.len())].clone(),
                    key: format!("load-{writer}-{n}"),
                    email: format!("charge{writer}@example.fr"),
                    body: format!("Charge {writer}/{n} : beaucoup d'écritures à la fois."),
                };
                let (answer, t) = client::post_comment(&http, &base, &post, None).await;
                if let Answer::Error { locked: true, .. } = answer {
                    tally.add("locked");
                }
                tally.add(answer.label());
                took.push(t);
            }
            (tally, took)
        }));
    }
    let (mut tally, mut took) = (Tally::default(), Vec::new());
    for task in tasks {
        let (t, d) = task.await?;
        tally.merge(&t);
        took.extend(d);
    }
    Ok((tally, took))
}
