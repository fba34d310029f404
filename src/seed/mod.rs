//! Seeding: the demo newsroom (`demo`: data files in `demo/`, written through the services,
//! with fixtures the integration tests rely on), one demo account per role (`users`), and the
//! deterministic synthetic corpus for benchmarks (`synthetic`, written in bulk).

pub mod demo;
pub mod synthetic;
pub mod users;
mod words;

pub use demo::demo;
pub use synthetic::synthetic;
pub use users::{DemoAccount, demo_users};

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// What a seeding run wrote (row counts), or that it left an already seeded database alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub rubrics: usize,
    pub authors: usize,
    pub tags: usize,
    pub articles: usize,
    pub comments: usize,
    /// True when nothing was written because the database already had content.
    pub skipped: bool,
}

/// `INSERT … VALUES (…), (…)` statements, each under the engines' parameter limits.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
) -> Result<(), DbErr> {
    crate::db::dialect::bulk_insert(conn, table, cols, values).await
}

pub(crate) use crate::db::dialect::reset_sequences;

/// Whether `table` has at least one row.
pub(crate) async fn has_rows<C: ConnectionTrait>(
    conn: &C,
    backend: DatabaseBackend,
    table: &str,
) -> Result<bool, DbErr> {
    let sql = format!("SELECT 1 FROM {table} LIMIT 1");
    Ok(conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .is_some())
}

/// Manual check of the synthetic corpus against a scratch database (migrates it, seeds it,
/// checks it); the demo newsroom's guarantees are checked by `tests/api/demo_seed.rs`:
///
/// ```text
/// KIOSQUE_SEED_CHECK_URL=postgres://postgres@127.0.0.1:5432/seedcheck \
/// KIOSQUE_SEED_ARTICLES=100000 KIOSQUE_SEED_COMMENTS=1000000 \
///   cargo test --release --lib seed -- --ignored --nocapture
/// ```
#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, PoolSettings};
    use std::time::Instant;

    async fn scalar(db: &Db, sql: &str, values: Vec<Value>) -> i64 {
        let row = db
            .conn
            .query_one_raw(Statement::from_sql_and_values(db.backend(), sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    async fn strings(db: &Db, sql: &str, values: Vec<Value>) -> Vec<String> {
        let rows = db
            .conn
            .query_all_raw(Statement::from_sql_and_values(db.backend(), sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs KIOSQUE_SEED_CHECK_URL (a scratch database)"]
    async fn seed_check() {
        let url = std::env::var("KIOSQUE_SEED_CHECK_URL").expect("KIOSQUE_SEED_CHECK_URL");
        let db = Db::connect(&url, &PoolSettings::default()).await.unwrap();
        db.migrate().await.unwrap();
        synthetic_check(&db).await
    }

    async fn common_checks(db: &Db) {
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.status <> 'published' OR c.created_at <= a.published_at", vec![]).await, 0);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE p.article_id <> c.article_id OR p.created_at > c.created_at OR p.id >= c.id OR p.status <> 'approved'", vec![]).await, 0);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id JOIN comments g ON g.id = p.parent_id WHERE g.parent_id IS NOT NULL", vec![]).await, 0, "at most two levels");
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM articles WHERE (status IN ('published', 'scheduled')) <> (published_at IS NOT NULL) AND status <> 'archived'", vec![]).await, 0);
        let now = Value::ChronoDateTimeUtc(Some(chrono::Utc::now()));
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM articles WHERE (status = 'scheduled') <> (published_at > $1)",
                vec![now.clone()]
            )
            .await,
            0
        );
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM comments WHERE created_at > $1 OR moderated_at > $1",
                vec![now]
            )
            .await,
            0
        );
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = a.id)", vec![]).await, 0);
        let sequences = if db.backend() == sea_orm::DatabaseBackend::Postgres {
            strings(db, "SELECT 'articles ' || last_value || ' ' || is_called FROM articles_id_seq UNION ALL SELECT 'comments ' || last_value || ' ' || is_called FROM comments_id_seq", vec![]).await
        } else {
            strings(
                db,
                "SELECT name || ' ' || seq FROM sqlite_sequence ORDER BY name",
                vec![],
            )
            .await
        };
        println!("sequences: {sequences:?}");
    }

    async fn synthetic_check(db: &Db) {
        let articles: u32 = std::env::var("KIOSQUE_SEED_ARTICLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000);
        let comments: u32 = std::env::var("KIOSQUE_SEED_COMMENTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20_000);
        let started = Instant::now();
        let mut last = (String::new(), 0u64);
        let mut progress = |stage: &str, done: u64, total: u64| {
            let decile = (done * 10).checked_div(total).unwrap_or(10);
            if stage != last.0 || decile != last.1 {
                println!("{:>8.1?} {stage} {done}/{total}", started.elapsed());
                last = (stage.to_owned(), decile);
            }
        };
        let report = synthetic(db, articles, comments, &mut progress)
            .await
            .unwrap();
        println!("synthetic: {report:?} in {:?}", started.elapsed());
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM articles", vec![]).await,
            articles as i64
        );
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM comments", vec![]).await,
            report.comments as i64
        );
        let err = synthetic(db, 1, 1, &mut |_, _, _| {}).await.unwrap_err();
        println!("second run: {err}");
        for sql in [
            "SELECT status || ' ' || COUNT(*) FROM articles GROUP BY status ORDER BY status",
            "SELECT language || ' ' || COUNT(*) FROM articles GROUP BY language ORDER BY language",
            "SELECT status || ' ' || COUNT(*) FROM comments GROUP BY status ORDER BY status",
            "SELECT 'replies ' || COUNT(*) FROM comments WHERE parent_id IS NOT NULL",
            "SELECT 'max comments/article ' || MAX(n) || ', articles with comments ' || COUNT(*) FROM (SELECT COUNT(*) AS n FROM comments GROUP BY article_id) t",
            "SELECT 'articles with > 100 comments ' || COUNT(*) FROM (SELECT COUNT(*) AS n FROM comments GROUP BY article_id) t WHERE n > 100",
            "SELECT 'published_at collisions ' || COUNT(*) FROM (SELECT published_at FROM articles WHERE status = 'published' GROUP BY published_at HAVING COUNT(*) > 1) t",
            "SELECT 'words min/avg/max ' || MIN(word_count) || '/' || AVG(word_count) || '/' || MAX(word_count) FROM articles",
            "SELECT 'top tag articles ' || MAX(n) FROM (SELECT COUNT(*) AS n FROM article_tags GROUP BY tag_id) t",
            "SELECT 'sources ' || COUNT(*) FROM article_sources",
        ] {
            println!("  {:?}", strings(db, sql, vec![]).await);
        }
        if articles >= 1000 {
            common_checks(db).await;
        }
    }
}
