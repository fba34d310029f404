//! `kiosque-reliability`: Kiosque's faults and load suite. It runs the real `kiosque serve`
//! as a child process (so that `kill -9` is a real crash) against SQLite and a throwaway
//! PostgreSQL cluster, prints its figures, and exits non-zero if any assertion failed.
//!
//! ```text
//! cargo run -p kiosque-reliability -- all --short     # CI: a few minutes, both engines
//! cargo run -p kiosque-reliability -- all             # the full numbers of the README
//! ```

mod client;
mod crash;
mod load;
mod outage;
mod pg;
mod report;
mod search;
mod server;
mod slow;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use report::Report;
use server::Kiosque;

const USAGE: &str = "\
kiosque-reliability — Kiosque's faults and load suite

USAGE: kiosque-reliability <crash|outage|load|slow|search|all> [--short] [--engine sqlite|postgres|both]

  crash    kill -9 of the server while clients post comments with an Idempotency-Key
           (10 kills, 16 clients; --short: 3 kills, 8 clients), on each engine
  outage   PostgreSQL stopped abruptly (3 × 10 s; --short: 2 × 6 s) under read and write load
  load     64 readers then 16 comment writers for 60 s each on SQLite with 10,000 articles
           (--short: 16 readers, 8 writers, 10 s, 2,000 articles; the p99 is not judged)
  slow     1,000 slow-header connections for 60 s while 8 readers read articles: each slow
           connection dropped within 10 s, reads' p99 <= 1 s (--short: 15 s, 4 readers)
  search   a GraphQL document of 1,000 aliased searches, sent again and again, and 8
           concurrent common-word searches (per-client search limit off), for 30 s against
           50,000 articles, while 4 readers read articles: every document refused, reads
           0 × 503 and p99 <= 100 ms, on each engine (--short: 5,000 articles, 8 s)
  all      the five

The kiosque binary is KIOSQUE_BIN, or built by cargo in this suite's profile. PostgreSQL
runs in a throwaway cluster (initdb in a temporary folder, port 55432 or
KIOSQUE_RELIABILITY_PG_PORT; tools from KIOSQUE_PG_BIN or /usr/lib/postgresql/*/bin).";

struct Args {
    what: String,
    short: bool,
    sqlite: bool,
    postgres: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = std::env::args().skip(1);
    let mut what = None;
    let (mut short, mut engine) = (false, "both".to_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--short" => short = true,
            "--engine" => engine = args.next().unwrap_or_default(),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "crash" | "outage" | "load" | "slow" | "search" | "all" if what.is_none() => {
                what = Some(arg)
            }
            other => bail!("unexpected argument `{other}`\n\n{USAGE}"),
        }
    }
    let Some(what) = what else { bail!("{USAGE}") };
    let (sqlite, postgres) = match engine.as_str() {
        "both" => (true, true),
        "sqlite" => (true, false),
        "postgres" => (false, true),
        other => bail!("unknown engine `{other}` (sqlite, postgres or both)"),
    };
    Ok(Args {
        what,
        short,
        sqlite,
        postgres,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut report = Report::default();
    let work = std::env::temp_dir().join(format!("kiosque-reliability-{}", std::process::id()));
    let outcome = runtime.block_on(run(&args, &work, &mut report));
    println!("\n== summary\n{}", report.summary());
    // The plain closing line that CI runners read.
    let closing = format!(
        "reliability: {} passed, {} failed",
        report.passed,
        report.failures.len() + usize::from(outcome.is_err())
    );
    if let Err(err) = outcome {
        eprintln!("error: {err:#}\n(files kept in {})", work.display());
        println!("{closing}");
        return ExitCode::FAILURE;
    }
    if report.failures.is_empty() {
        println!("all assertions hold");
        println!("{closing}");
        let _ = std::fs::remove_dir_all(&work);
        ExitCode::SUCCESS
    } else {
        println!("{} assertion(s) failed:", report.failures.len());
        for failure in &report.failures {
            println!("  - {failure}");
        }
        println!("(server logs kept in {})", work.display());
        println!("{closing}");
        ExitCode::FAILURE
    }
}

async fn run(args: &Args, work: &std::path::Path, report: &mut Report) -> anyhow::Result<()> {
    std::fs::create_dir_all(work)?;
    let bin = server::kiosque_binary()?;
    let all = args.what == "all";
    let short = args.short;
    let sqlite_url = |name: &str| format!("sqlite://{}?mode=rwc", work.join(name).display());
    let log = |name: &str| -> PathBuf { work.join(format!("{name}.log")) };
    let cluster = if args.postgres
        && (all || args.what == "crash" || args.what == "outage" || args.what == "search")
    {
        println!(
            "creating a throwaway PostgreSQL cluster in {}…",
            work.display()
        );
        Some(pg::Cluster::create(work)?)
    } else {
        None
    };

    if all || args.what == "crash" {
        let options = crash::Options {
            cycles: if short { 3 } else { 10 },
            clients: if short { 8 } else { 16 },
            ready_within: Duration::from_secs(5),
        };
        if args.sqlite {
            let mut server = Kiosque::new(&bin, sqlite_url("crash.db"), log("crash-sqlite"))?;
            crash::run(report, "SQLite", &mut server, &options).await?;
            server.kill9().await?;
        }
        if let Some(cluster) = &cluster {
            let url = cluster.create_database("crash")?;
            let mut server = Kiosque::new(&bin, url, log("crash-postgres"))?;
            crash::run(report, "PostgreSQL", &mut server, &options).await?;
            server.kill9().await?;
        }
    }
    if (all || args.what == "outage")
        && let Some(cluster) = &cluster
    {
        let options = outage::Options {
            cycles: if short { 2 } else { 3 },
            outage: Duration::from_secs(if short { 6 } else { 10 }),
            readers: if short { 4 } else { 8 },
            writers: if short { 2 } else { 4 },
            unavailable_within: Duration::from_secs(3),
            recover_within: Duration::from_secs(5),
        };
        let url = cluster.create_database("outage")?;
        let mut server = Kiosque::new(&bin, url, log("outage"))?;
        outage::run(report, cluster, &mut server, &options).await?;
        server.kill9().await?;
    }
    if (all || args.what == "load") && args.sqlite {
        let options = load::Options {
            articles: if short { 2_000 } else { 10_000 },
            readers: if short { 16 } else { 64 },
            writers: if short { 8 } else { 16 },
            duration: Duration::from_secs(if short { 10 } else { 60 }),
            p99_limit: (!short).then_some(Duration::from_millis(50)),
        };
        let mut server = Kiosque::new(&bin, sqlite_url("load.db"), log("load"))?;
        load::run(report, &mut server, &options).await?;
        server.kill9().await?;
    }
    if (all || args.what == "slow") && args.sqlite {
        let options = slow::Options {
            articles: 500,
            connections: 1_000,
            duration: Duration::from_secs(if short { 15 } else { 60 }),
            readers: if short { 4 } else { 8 },
            dropped_within: Duration::from_secs(10),
            p99_limit: Duration::from_secs(1),
        };
        let mut server = Kiosque::new(&bin, sqlite_url("slow.db"), log("slow"))?;
        slow::run(report, &mut server, &options).await?;
        server.kill9().await?;
    }
    if all || args.what == "search" {
        let options = search::Options {
            articles: if short { 5_000 } else { 50_000 },
            searchers: 8,
            readers: 4,
            duration: Duration::from_secs(if short { 8 } else { 30 }),
            p99_limit: (!short).then_some(Duration::from_millis(100)),
        };
        if args.sqlite {
            let mut server = Kiosque::new(&bin, sqlite_url("search.db"), log("search-sqlite"))?;
            server.set_env("KIOSQUE_SEARCHES_PER_CLIENT", "0");
            search::run(report, "SQLite", &mut server, &options).await?;
            server.kill9().await?;
        }
        if let Some(cluster) = &cluster {
            let url = cluster.create_database("search")?;
            let mut server = Kiosque::new(&bin, url, log("search-postgres"))?;
            server.set_env("KIOSQUE_SEARCHES_PER_CLIENT", "0");
            search::run(report, "PostgreSQL", &mut server, &options).await?;
            server.kill9().await?;
        }
    }
    Ok(())
}
