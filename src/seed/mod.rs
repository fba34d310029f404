//! Seeding: the hand-written demo newsroom (`demo`, with fixtures the integration tests rely
//! on), one demo account per role (`users`), and the deterministic synthetic corpus for
//! benchmarks (`synthetic`).

mod corpus;
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

/// Manual check against a scratch database (migrates it, seeds it, verifies the fixtures):
///
/// ```text
/// KIOSQUE_SEED_CHECK_URL=postgres://postgres@127.0.0.1:5432/seedcheck \
/// KIOSQUE_SEED_CHECK=demo|synthetic KIOSQUE_SEED_ARTICLES=100000 KIOSQUE_SEED_COMMENTS=1000000 \
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

    fn s(v: &str) -> Value {
        Value::String(Some(v.to_owned()))
    }

    const TEXT: &str = "(lower(a.slug) || ' ' || lower(a.title) || ' ' || lower(a.standfirst) || ' ' || lower(a.body) || ' ' || lower(a.body_text) || ' ' || lower(a.body_html))";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs KIOSQUE_SEED_CHECK_URL (a scratch database)"]
    async fn seed_check() {
        let url = std::env::var("KIOSQUE_SEED_CHECK_URL").expect("KIOSQUE_SEED_CHECK_URL");
        let mode = std::env::var("KIOSQUE_SEED_CHECK").unwrap_or_else(|_| "demo".into());
        let db = Db::connect(&url, &PoolSettings::default()).await.unwrap();
        db.migrate().await.unwrap();
        if mode == "synthetic" {
            return synthetic_check(&db).await;
        }

        let started = Instant::now();
        let report = demo(&db).await.unwrap();
        println!("demo: {report:?} in {:?}", started.elapsed());
        assert!(
            !report.skipped && report.articles >= 64 && report.rubrics >= 8 && report.authors == 10
        );
        assert!(
            demo(&db).await.unwrap().skipped,
            "a second run must do nothing"
        );
        let fr = scalar(
            &db,
            "SELECT COUNT(*) FROM articles WHERE language = 'fr'",
            vec![],
        )
        .await;
        let en = scalar(
            &db,
            "SELECT COUNT(*) FROM articles WHERE language = 'en'",
            vec![],
        )
        .await;
        println!("languages: fr {fr}, en {en}");
        assert!(fr * 10 >= (fr + en) * 6 && en > 0);

        use demo::fixtures as f;
        let one = |slug: &str, cond: &str| {
            format!("SELECT COUNT(*) FROM articles a WHERE a.slug = '{slug}' AND {cond}")
        };
        // Foreign policy.
        assert_eq!(scalar(&db, &one(f::FOREIGN_POLICY_SLUG, "a.status = 'published' AND a.language = 'fr' AND a.body LIKE '%étrangère%' AND lower(a.title) NOT LIKE '%etrangere%' AND a.title NOT LIKE '%étrangère%'"), vec![]).await, 1);
        assert_eq!(
            scalar(
                &db,
                &format!("SELECT COUNT(*) FROM articles a WHERE {TEXT} LIKE '%etrangere%'"),
                vec![]
            )
            .await,
            0
        );
        assert_eq!(
            strings(
                &db,
                &format!("SELECT a.slug FROM articles a WHERE {TEXT} LIKE '%trang%'"),
                vec![]
            )
            .await,
            [f::FOREIGN_POLICY_SLUG]
        );
        // Missile.
        assert_eq!(
            strings(
                &db,
                &format!("SELECT a.slug FROM articles a WHERE {TEXT} LIKE '%missile%' AND a.status = 'published'"),
                vec![]
            )
            .await,
            [f::MISSILE_SLUG]
        );
        assert_eq!(
            scalar(
                &db,
                &format!("SELECT COUNT(*) FROM articles a WHERE {TEXT} LIKE '%missiles%'"),
                vec![]
            )
            .await,
            0
        );
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM comments WHERE lower(body) LIKE '%missile%' OR lower(body) LIKE '%zeppelin%' OR lower(body) LIKE '%trang%'", vec![]).await, 0);
        // Zeppelin.
        let mut z = strings(
            &db,
            &format!("SELECT a.slug FROM articles a WHERE {TEXT} LIKE '%zeppelin%'"),
            vec![],
        )
        .await;
        z.sort();
        let mut expected = vec![f::DRAFT_SLUG.to_owned(), f::SCHEDULED_SLUG.to_owned()];
        expected.sort();
        assert_eq!(z, expected);
        assert_eq!(
            scalar(
                &db,
                &one(
                    f::DRAFT_SLUG,
                    "a.status = 'draft' AND a.published_at IS NULL AND lower(a.title) LIKE '%zeppelin%'"
                ),
                vec![]
            )
            .await,
            1
        );
        let soon = Value::ChronoDateTimeUtc(Some(chrono::Utc::now() + chrono::Duration::hours(47)));
        assert_eq!(
            scalar(
                &db,
                &one(
                    f::SCHEDULED_SLUG,
                    "a.status = 'scheduled' AND a.published_at > $1 AND lower(a.title) NOT LIKE '%zeppelin%'"
                ),
                vec![soon]
            )
            .await,
            1
        );
        // Rubric, author, tag.
        let rubric = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id WHERE r.slug = $1 AND a.status = 'published'", vec![s(f::RUBRIC_SLUG)]).await;
        let author = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN article_authors aa ON aa.article_id = a.id JOIN authors au ON au.id = aa.author_id WHERE au.slug = $1 AND a.status = 'published'", vec![s(f::AUTHOR_SLUG)]).await;
        let tag = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN article_tags t ON t.article_id = a.id JOIN tags g ON g.id = t.tag_id WHERE g.slug = $1 AND a.status = 'published'", vec![s(f::TAG_SLUG)]).await;
        println!("rubric {rubric}, author {author}, tag {tag}");
        assert_eq!((rubric, author, tag), (10, 8, 10));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id WHERE a.slug = $1 AND r.slug = $2", vec![s(f::SCHEDULED_SLUG), s(f::RUBRIC_SLUG)]).await, 1);
        assert_eq!(
            scalar(
                &db,
                &one(
                    f::ENGLISH_SLUG,
                    "a.status = 'published' AND a.language = 'en'"
                ),
                vec![]
            )
            .await,
            1
        );
        // Comments.
        let on = |cond: &str| {
            format!(
                "SELECT COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = '{}' AND {cond}",
                f::COMMENTED_SLUG
            )
        };
        assert_eq!(
            scalar(
                &db,
                &on("c.status = 'approved' AND c.parent_id IS NULL"),
                vec![]
            )
            .await,
            f::COMMENTED_APPROVED_TOP_LEVEL as i64
        );
        assert_eq!(
            scalar(&db, &on("c.status = 'approved'"), vec![]).await,
            f::COMMENTED_APPROVED as i64
        );
        assert_eq!(
            scalar(
                &db,
                &on("c.status = 'approved' AND c.parent_id IN (SELECT id FROM comments WHERE parent_id IS NOT NULL)"),
                vec![]
            )
            .await,
            1
        );
        assert_eq!(
            scalar(
                &db,
                &on("c.status = 'pending' AND c.parent_id IS NOT NULL"),
                vec![]
            )
            .await,
            1
        );
        assert_eq!(
            scalar(&db, &on("1 = 1"), vec![]).await,
            f::COMMENTED_TOTAL as i64
        );
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM comments WHERE body LIKE '%PENDINGMARKER%' AND status = 'pending'",
                vec![]
            )
            .await,
            1
        );
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM comments WHERE body LIKE '%PENDINGMARKER%'",
                vec![]
            )
            .await,
            1
        );
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM comments WHERE status IN ('rejected', 'spam')",
                vec![]
            )
            .await,
            2
        );
        common_checks(&db).await;

        // What the search tests will do.
        if db.backend() == sea_orm::DatabaseBackend::Postgres {
            let hits = strings(
                &db,
                "SELECT slug FROM articles WHERE search_vector @@ plainto_tsquery('kiosque_fr', 'etrangere')",
                vec![],
            )
            .await;
            assert_eq!(hits, [f::FOREIGN_POLICY_SLUG]);
            let hits = strings(
                &db,
                "SELECT slug FROM articles WHERE search_vector @@ plainto_tsquery('kiosque_en', 'missiles')",
                vec![],
            )
            .await;
            assert_eq!(hits, [f::MISSILE_SLUG]);
        } else {
            let hits = strings(&db, "SELECT a.slug FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH 'etrangere'", vec![]).await;
            assert_eq!(hits, [f::FOREIGN_POLICY_SLUG]);
            let hits = strings(&db, "SELECT a.slug FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH 'missiles'", vec![]).await;
            assert_eq!(hits, [f::MISSILE_SLUG]);
        }
        println!("demo fixtures OK");
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
