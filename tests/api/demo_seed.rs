//! The demo newsroom (`demo/`), seeded into an empty database through the services: every
//! guarantee `kiosque::seed::demo::fixtures` documents, checked in the tables themselves, on
//! the engine the tests run on.

use kiosque::db::{Db, PoolSettings};
use kiosque::seed::demo::fixtures as f;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

use crate::helpers::fresh_database_url;

async fn scalar(db: &Db, sql: &str, values: Vec<Value>) -> i64 {
    let row = db
        .conn
        .query_one_raw(Statement::from_sql_and_values(db.backend(), sql, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a count")
}

async fn strings(db: &Db, sql: &str, values: Vec<Value>) -> Vec<String> {
    let rows = db
        .conn
        .query_all_raw(Statement::from_sql_and_values(db.backend(), sql, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("a string"))
        .collect();
    out.sort();
    out
}

fn s(v: &str) -> Value {
    Value::String(Some(v.to_owned()))
}

/// Every text of an article, lower-cased, for `LIKE`.
const TEXT: &str = "(lower(a.slug) || ' ' || lower(a.title) || ' ' || lower(a.standfirst) || ' ' || lower(a.body) || ' ' || lower(a.body_text) || ' ' || lower(a.body_html))";

async fn seeded() -> Db {
    let db = Db::connect(&fresh_database_url().await, &PoolSettings::default())
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    let report = kiosque::seed::demo(&db).await.expect("seed the demo");
    assert!(!report.skipped);
    assert_eq!(
        (report.rubrics, report.authors, report.tags),
        (9, 10, 26),
        "{report:?}"
    );
    assert_eq!(
        report.articles as i64,
        scalar(&db, "SELECT COUNT(*) FROM articles", vec![]).await
    );
    assert_eq!(
        report.comments as i64,
        scalar(&db, "SELECT COUNT(*) FROM comments", vec![]).await
    );
    db
}

#[tokio::test]
async fn the_demo_seeds_once_through_the_services_and_leaves_no_account() {
    let db = seeded().await;
    let again = kiosque::seed::demo(&db).await.expect("a second run");
    assert!(again.skipped, "a second run must do nothing");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users", vec![]).await, 0);
    // The services wrote it: every article has its creation in its history, every step of
    // its workflow too, and every decision on a comment is in the moderation trail.
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_revisions r WHERE r.article_id = a.id AND r.version = 1)", vec![]).await,
        0
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM articles a WHERE a.version <> (SELECT COUNT(*) FROM article_revisions r WHERE r.article_id = a.id)", vec![]).await,
        0
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM articles WHERE status <> 'draft' AND version < 2",
            vec![]
        )
        .await,
        0
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM comments c WHERE (c.status = 'pending') = EXISTS (SELECT 1 FROM comment_moderations m WHERE m.comment_id = c.id)", vec![]).await,
        0
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
    assert!(fr * 10 >= (fr + en) * 6 && en > 0, "fr {fr}, en {en}");
}

#[tokio::test]
async fn the_reserved_words_are_where_the_fixtures_say() {
    let db = seeded().await;
    let one = |slug: &str, cond: &str| {
        format!(
            "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id WHERE a.slug = '{slug}' AND {cond}"
        )
    };
    // Foreign policy.
    assert_eq!(scalar(&db, &one(f::FOREIGN_POLICY_SLUG, "a.status = 'published' AND a.language = 'fr' AND a.body LIKE '%étrangère%' AND lower(a.title) NOT LIKE '%etrangere%' AND a.title NOT LIKE '%étrangère%'"), vec![]).await, 1);
    let unaccented = format!("SELECT COUNT(*) FROM articles a WHERE {TEXT} LIKE '%etrangere%'");
    assert_eq!(scalar(&db, &unaccented, vec![]).await, 0);
    let any_form = format!("SELECT a.slug FROM articles a WHERE {TEXT} LIKE '%trang%'");
    assert_eq!(
        strings(&db, &any_form, vec![]).await,
        [f::FOREIGN_POLICY_SLUG]
    );
    // Missile.
    let missile = format!("SELECT a.slug FROM articles a WHERE {TEXT} LIKE '%missile%'");
    assert_eq!(strings(&db, &missile, vec![]).await, [f::MISSILE_SLUG]);
    assert_eq!(
        scalar(
            &db,
            &one(
                f::MISSILE_SLUG,
                "r.slug = 'international' AND a.status = 'published' AND a.language = 'en'"
            ),
            vec![]
        )
        .await,
        1
    );
    let plural = format!("SELECT COUNT(*) FROM articles a WHERE {TEXT} LIKE '%missiles%'");
    assert_eq!(scalar(&db, &plural, vec![]).await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM comments WHERE lower(body) LIKE '%missile%' OR lower(body) LIKE '%zeppelin%' OR lower(body) LIKE '%trang%'", vec![]).await, 0);
    // Zeppelin.
    let zeppelin = format!("SELECT a.slug FROM articles a WHERE {TEXT} LIKE '%zeppelin%'");
    let mut expected = vec![f::DRAFT_SLUG, f::SCHEDULED_SLUG];
    expected.sort();
    assert_eq!(strings(&db, &zeppelin, vec![]).await, expected);
    assert_eq!(scalar(&db, &one(f::DRAFT_SLUG, "r.slug = 'sciences' AND a.status = 'draft' AND a.published_at IS NULL AND lower(a.title) LIKE '%zeppelin%' AND lower(a.body) LIKE '%zeppelin%'"), vec![]).await, 1);
    let soon = Value::ChronoDateTimeUtc(Some(chrono::Utc::now() + chrono::Duration::hours(47)));
    let later = Value::ChronoDateTimeUtc(Some(chrono::Utc::now() + chrono::Duration::hours(49)));
    assert_eq!(scalar(&db, &one(f::SCHEDULED_SLUG, "a.status = 'scheduled' AND a.published_at > $1 AND a.published_at < $2 AND lower(a.title) NOT LIKE '%zeppelin%'"), vec![soon, later]).await, 1);
    // What the search tests will do.
    if db.backend() == DatabaseBackend::Postgres {
        let hits = |config: &str| {
            format!(
                "SELECT slug FROM articles WHERE search_vector @@ plainto_tsquery('{config}', $1)"
            )
        };
        assert_eq!(
            strings(&db, &hits("kiosque_fr"), vec![s("etrangere")]).await,
            [f::FOREIGN_POLICY_SLUG]
        );
        assert_eq!(
            strings(&db, &hits("kiosque_en"), vec![s("missiles")]).await,
            [f::MISSILE_SLUG]
        );
    } else {
        let hits = "SELECT a.slug FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH $1";
        assert_eq!(
            strings(&db, hits, vec![s("etrangere")]).await,
            [f::FOREIGN_POLICY_SLUG]
        );
        assert_eq!(
            strings(&db, hits, vec![s("missiles")]).await,
            [f::MISSILE_SLUG]
        );
    }
}

#[tokio::test]
async fn the_rubric_author_and_tag_fixtures_have_their_counts() {
    let db = seeded().await;
    let rubric = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id WHERE r.slug = $1 AND a.status = 'published'", vec![s(f::RUBRIC_SLUG)]).await;
    let rubric_fr = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id WHERE r.slug = $1 AND a.status = 'published' AND a.language = 'fr'", vec![s(f::RUBRIC_SLUG)]).await;
    let child = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id JOIN rubrics p ON p.id = r.parent_id WHERE r.slug = $1 AND p.slug = $2 AND a.status = 'published'", vec![s(f::CHILD_RUBRIC_SLUG), s(f::RUBRIC_SLUG)]).await;
    let top = scalar(
        &db,
        "SELECT COUNT(*) FROM rubrics WHERE slug = $1 AND parent_id IS NULL",
        vec![s(f::RUBRIC_SLUG)],
    )
    .await;
    assert_eq!((rubric, rubric_fr, child, top), (10, 7, 3, 1));
    let author = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN article_authors aa ON aa.article_id = a.id JOIN authors au ON au.id = aa.author_id WHERE au.slug = $1 AND a.status = 'published'", vec![s(f::AUTHOR_SLUG)]).await;
    let first = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN article_authors aa ON aa.article_id = a.id AND aa.position = 0 JOIN authors au ON au.id = aa.author_id WHERE au.slug = $1 AND a.status = 'published'", vec![s(f::AUTHOR_SLUG)]).await;
    let profile = scalar(
        &db,
        "SELECT COUNT(*) FROM authors WHERE slug = $1 AND bio <> '' AND avatar_url IS NOT NULL",
        vec![s(f::AUTHOR_SLUG)],
    )
    .await;
    assert_eq!((author, first, profile), (8, 7, 1));
    let tag = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN article_tags t ON t.article_id = a.id JOIN tags g ON g.id = t.tag_id WHERE g.slug = $1 AND a.status = 'published'", vec![s(f::TAG_SLUG)]).await;
    let tag_in_rubric = scalar(&db, "SELECT COUNT(*) FROM articles a JOIN article_tags t ON t.article_id = a.id JOIN tags g ON g.id = t.tag_id JOIN rubrics r ON r.id = a.rubric_id WHERE g.slug = $1 AND r.slug = $2 AND a.status = 'published'", vec![s(f::TAG_SLUG), s(f::RUBRIC_SLUG)]).await;
    assert_eq!((tag, tag_in_rubric), (10, 10));
    // The scheduled article is in all three, first author included.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id JOIN article_authors aa ON aa.article_id = a.id AND aa.position = 0 JOIN authors au ON au.id = aa.author_id JOIN article_tags t ON t.article_id = a.id JOIN tags g ON g.id = t.tag_id WHERE a.slug = $1 AND r.slug = $2 AND au.slug = $3 AND g.slug = $4", vec![s(f::SCHEDULED_SLUG), s(f::RUBRIC_SLUG), s(f::AUTHOR_SLUG), s(f::TAG_SLUG)]).await, 1);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM articles a JOIN rubrics r ON r.id = a.rubric_id JOIN article_tags t ON t.article_id = a.id JOIN tags g ON g.id = t.tag_id WHERE a.slug = $1 AND a.status = 'published' AND a.language = 'en' AND r.slug = $2 AND g.slug = $3", vec![s(f::ENGLISH_SLUG), s(f::RUBRIC_SLUG), s(f::TAG_SLUG)]).await, 1);
}

/// Counts the comments of the commented fixture (a published article of `politique`) that
/// meet `cond`.
async fn commented(db: &Db, cond: &str) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = $1 \
         AND a.status = 'published' AND a.rubric_id = (SELECT id FROM rubrics WHERE slug = 'politique') AND {cond}"
    );
    scalar(db, &sql, vec![s(f::COMMENTED_SLUG)]).await
}

#[tokio::test]
async fn the_commented_article_has_its_thread_and_every_comment_its_place_in_time() {
    let db = seeded().await;
    assert_eq!(
        commented(&db, "c.status = 'approved' AND c.parent_id IS NULL").await,
        f::COMMENTED_APPROVED_TOP_LEVEL as i64
    );
    assert_eq!(
        commented(&db, "c.status = 'approved'").await,
        f::COMMENTED_APPROVED as i64
    );
    assert_eq!(commented(&db, "c.status = 'approved' AND c.parent_id IN (SELECT id FROM comments WHERE parent_id IS NOT NULL)").await, 1);
    assert_eq!(
        commented(&db, "c.status = 'pending' AND c.parent_id IS NOT NULL").await,
        1
    );
    assert_eq!(
        commented(
            &db,
            "c.status = 'pending' AND c.parent_id IS NULL AND c.body LIKE '%PENDINGMARKER%'"
        )
        .await,
        1
    );
    assert_eq!(
        commented(
            &db,
            "c.status IN ('rejected', 'spam') AND c.parent_id IS NULL"
        )
        .await,
        2
    );
    assert_eq!(commented(&db, "1 = 1").await, f::COMMENTED_TOTAL as i64);
    let marker = format!("%{}%", f::PENDING_MARKER);
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM comments WHERE body LIKE $1",
            vec![s(&marker)]
        )
        .await,
        1
    );
    assert_eq!(
        strings(
            &db,
            "SELECT status FROM comments WHERE status IN ('rejected', 'spam')",
            vec![]
        )
        .await,
        ["rejected", "spam"]
    );

    // Every comment after its article's publication, replies after their approved parent,
    // at most two levels, nothing in the future.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.status <> 'published' OR c.created_at <= a.published_at", vec![]).await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE p.article_id <> c.article_id OR p.created_at > c.created_at OR p.id >= c.id OR p.status <> 'approved'", vec![]).await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id JOIN comments g ON g.id = p.parent_id WHERE g.parent_id IS NOT NULL", vec![]).await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM articles WHERE (status IN ('published', 'scheduled')) <> (published_at IS NOT NULL) AND status <> 'archived'", vec![]).await, 0);
    let now = Value::ChronoDateTimeUtc(Some(chrono::Utc::now()));
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM articles WHERE (status = 'scheduled') <> (published_at > $1)",
            vec![now.clone()]
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM comments WHERE created_at > $1 OR moderated_at > $1",
            vec![now]
        )
        .await,
        0
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = a.id)", vec![]).await, 0);
}
