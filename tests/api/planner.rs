//! Planner statistics (issue 16, finding 0): a freshly seeded database, or one that grew
//! without anyone running `ANALYZE`, serves its hot pages with index-backed plans.

use std::sync::{Arc, Mutex};

use kiosque::db::Db;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use tracing::field::{Field, Visit};

use crate::helpers::TestApp;

/// Records the SQL of every statement the server runs (the `statement` trace event of
/// `kiosque::db`), so that the plans checked are those of the statements the pages really
/// ran, built by the code that serves them.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

/// A bare subscriber (no span registry: spans opened here may close on sqlx's threads).
impl tracing::Subscriber for Statements {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Sql(Option<String>);
        impl Visit for Sql {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "sql" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut sql = Sql(None);
        event.record(&mut sql);
        if let (Some(sql), Ok(mut all)) = (sql.0, self.0.lock()) {
            all.push(sql);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

impl Statements {
    fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// The names under which `sql` reads the `articles` or `comments` table (the tables
/// themselves and their aliases).
fn big_table_names(sql: &str) -> Vec<String> {
    let words: Vec<&str> = sql
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut names = vec!["articles".to_owned(), "comments".to_owned()];
    for pair in words.windows(3) {
        if (pair[0] == "articles" || pair[0] == "comments") && pair[1] != "WHERE" {
            let alias = if pair[1].eq_ignore_ascii_case("AS") {
                pair[2]
            } else {
                pair[1]
            };
            names.push(alias.to_owned());
        }
    }
    names
}

/// The steps of `sql`'s plan that read all of `articles` or `comments` (SQLite): a `SCAN`
/// without an index, or the ways a bad plan reads all of them through an index.
async fn full_scans(db: &Db, sql: &str) -> Vec<String> {
    let names = big_table_names(sql);
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {sql}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("EXPLAIN QUERY PLAN {sql}: {e}"));
    if std::env::var_os("KIOSQUE_SHOW_PLANS").is_some() {
        let plan: Vec<String> = rows
            .iter()
            .filter_map(|row| row.try_get_by_index::<String>(3).ok())
            .collect();
        eprintln!("{sql}\n  {}\n", plan.join("\n  "));
    }
    let searches = sql.contains("articles_fts");
    rows.iter()
        .filter_map(|row| row.try_get_by_index::<String>(3).ok())
        .filter(|detail| {
            let mut words = detail.split_whitespace();
            let whole_table = words.next() == Some("SCAN")
                && words.next().is_some_and(|t| names.iter().any(|n| n == t))
                && !detail.contains("USING");
            // The full-text index probed once per article row: every article read first.
            let fts_per_row = detail.contains("articles_fts VIRTUAL TABLE INDEX 0:=");
            // A list sorted after the fact: every matching row read to keep the first page
            // (a search sorts its matches by rank, which no index holds).
            let sorted_list = !searches && detail == "USE TEMP B-TREE FOR ORDER BY";
            whole_table || fts_per_row || sorted_list
        })
        .collect()
}

/// Whether SQLite holds statistics for `table`.
async fn has_statistics(db: &Db, table: &str) -> bool {
    let sql = format!(
        "SELECT count(*) FROM sqlite_master m WHERE m.name = 'sqlite_stat1' \
         AND EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = '{table}')"
    );
    match db
        .conn
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
        .await
    {
        Ok(Some(row)) => row.try_get_by_index::<i64>(0).unwrap_or(0) > 0,
        // No sqlite_stat1 table at all: "no such table".
        _ => false,
    }
}

/// Serves the home page, a search for a common word and one for a word of no article, and
/// returns the plans' full scans of `articles` or `comments`, per statement.
async fn pages_full_scans(app: &TestApp) -> Vec<(String, Vec<String>)> {
    let statements = Statements::default();
    let guard = tracing::subscriber::set_default(statements.clone());
    for path in [
        "/v1/home",
        "/v1/search?q=the&first=10&include_total=true",
        "/v1/search?q=zzyzxquux&first=10&include_total=true",
        "/v1/articles?first=20&include_total=true",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
    }
    drop(guard);
    let ran = statements.take();
    assert!(
        ran.iter().any(|s| s.contains("articles_fts")),
        "the statements were not recorded: {ran:?}"
    );
    let mut scans = Vec::new();
    let reads = ran.iter().filter(|s| {
        let s = s.trim_start();
        (s.starts_with("WITH") || s.starts_with("SELECT"))
            && (s.contains("articles") || s.contains("comments"))
    });
    for sql in reads {
        let found = full_scans(app.state.db(), sql).await;
        if !found.is_empty() {
            scans.push((sql.clone(), found));
        }
    }
    scans
}

/// SQLite only: PostgreSQL's autovacuum analyses tables by itself, and its plans for the
/// small corpus a test can seed are rightly sequential scans; its side of the finding
/// (`seed` ends with `ANALYZE`) is checked below.
#[tokio::test]
async fn a_freshly_seeded_database_serves_the_home_page_and_search_with_index_backed_plans() {
    let app = TestApp::spawn_synthetic(3_000, 12_000).await;
    if app.state.db().backend() != DatabaseBackend::Sqlite {
        return;
    }
    let scans = pages_full_scans(&app).await;
    assert!(scans.is_empty(), "full scans: {scans:#?}");
    for table in ["articles", "comments"] {
        assert!(
            has_statistics(app.state.db(), table).await,
            "seeding left {table} without planner statistics"
        );
    }
}

/// A database that grew through normal use, never analysed: the statistics come from the
/// `PRAGMA optimize` the server's statistics task runs when it starts.
#[tokio::test]
async fn a_database_never_analysed_gets_statistics_when_the_server_starts() {
    let app = TestApp::spawn_synthetic(3_000, 12_000).await;
    if app.state.db().backend() != DatabaseBackend::Sqlite {
        return;
    }
    let url = app.state.config.database_url.clone();
    // The server's pool is closed first: a connection it opened meanwhile would analyse.
    let pool = app.state.db().conn.clone();
    drop(app);
    pool.close().await.expect("close the server's pool");
    // A plain connection, without Kiosque's settings, forgets the statistics, as if the
    // tables had been analysed empty (by the migration) and grown since.
    let plain = sea_orm::Database::connect(url.clone())
        .await
        .expect("connect");
    plain
        .execute_unprepared("DELETE FROM sqlite_stat1")
        .await
        .expect("drop the statistics");
    plain.close().await.expect("close");
    let db = Db::connect(&url, &kiosque::db::PoolSettings::default())
        .await
        .expect("connect");
    // Connecting alone gathers nothing (it would hold the connection for a full ANALYZE).
    assert!(!has_statistics(&db, "articles").await);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = kiosque::db::statistics::spawn(db.clone(), stopped);
    let mut gathered = false;
    for _ in 0..300 {
        gathered = has_statistics(&db, "articles").await && has_statistics(&db, "comments").await;
        if gathered {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stop.send(true).expect("stop the task");
    task.await.expect("the task ends");
    assert!(
        gathered,
        "the statistics task left the tables without planner statistics"
    );
}

/// PostgreSQL: `seed` ends with `ANALYZE` (autovacuum would get there later, after the first
/// requests were planned blind).
#[tokio::test]
async fn seeding_postgresql_analyses_the_tables_at_once() {
    let app = TestApp::spawn_synthetic(300, 1_000).await;
    let db = app.state.db();
    if db.backend() != DatabaseBackend::Postgres {
        return;
    }
    let row = db
        .conn
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT count(*) FROM pg_stat_user_tables \
             WHERE relname IN ('articles', 'comments') AND last_analyze IS NOT NULL",
        ))
        .await
        .expect("pg_stat_user_tables")
        .expect("a row");
    assert_eq!(row.try_get_by_index::<i64>(0).expect("a count"), 2);
}
