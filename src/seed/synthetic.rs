//! The synthetic corpus for benchmarks: 12 rubrics, 60 authors, 300 tags, N articles and
//! M comments, generated from word banks with fixed seeds (the same N and M give the same
//! rows; dates are relative to midnight UTC of the seeding day).
//!
//! - Articles get ids 1..=N. About 94 % are published over the ten years before that
//!   midnight, `published_at` increasing with the id but with about 2 % exact collisions
//!   (for tie-breakers); about 3 % are drafts, 2 % scheduled in the next 60 days, 1 %
//!   archived. Each has 1–3 authors, 0–4 tags, 0–3 sources, a Markdown body of roughly
//!   120–250 words with a subheading, and is French (≈65 %) or English.
//! - Comments get ids 1..=M, grouped by article, on published articles only, with a skewed
//!   spread (about 1 % of articles get hundreds, most get a handful or none): ≈85 % approved,
//!   ≈10 % pending, the rest rejected or spam; ≈20 % reply to an earlier approved comment of
//!   the same article (at most two levels deep), always created after the article's
//!   publication and after their parent.
//!
//! Rows are generated on worker threads and written with multi-row `INSERT`s, one transaction
//! per batch, while the next batches are being generated.

use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait, Value};
use tokio::sync::mpsc;

use super::words::{self, Bank};
use super::{SeedReport, has_rows, insert_rows, reset_sequences};
use crate::content::markdown::render;
use crate::content::slug::slugify;
use crate::db::Db;

const SEED: u64 = 0x6b69_6f73_7175_6520;
const AUTHORS: usize = 60;
const TAGS: usize = 300;
/// Articles per transaction.
const ARTICLE_BATCH: usize = 500;
/// Comments per transaction (an article's comments are never split).
const COMMENT_BATCH: u64 = 10_000;
const HISTORY_DAYS: i64 = 3_652;

const ARTICLE_COLUMNS: &[&str] = &[
    "id",
    "slug",
    "title",
    "standfirst",
    "body",
    "body_html",
    "body_text",
    "language",
    "status",
    "published_at",
    "rubric_id",
    "featured_image_url",
    "featured_image_alt",
    "seo_title",
    "seo_description",
    "word_count",
    "reading_time_minutes",
    "version",
    "created_at",
    "updated_at",
    "first_public_at",
];
const COMMENT_COLUMNS: &[&str] = &[
    "id",
    "article_id",
    "parent_id",
    "author_name",
    "author_email",
    "body",
    "status",
    "created_at",
    "updated_at",
    "moderated_at",
];

/// Seeds the synthetic corpus into an empty database, calling `progress(stage, done, total)`
/// after each batch (stages: `catalogue`, `articles`, `comments`, `sequences`, `statistics`).
pub async fn synthetic(
    db: &Db,
    articles: u32,
    comments: u32,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<SeedReport, DbErr> {
    let backend = db.backend();
    if has_rows(&db.conn, backend, "articles").await? {
        return Err(DbErr::Custom(
            "the database already has articles; synthetic seeding needs an empty database".into(),
        ));
    }
    for table in ["rubrics", "authors", "tags", "comments"] {
        if has_rows(&db.conn, backend, table).await? {
            return Err(DbErr::Custom(format!(
                "the database already has {table}; synthetic seeding needs an empty database"
            )));
        }
    }
    let anchor = Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let mut report = SeedReport::default();

    progress("catalogue", 0, 3);
    let txn = db.conn.begin().await?;
    report.rubrics = insert_rubrics(&txn, anchor).await?;
    progress("catalogue", 1, 3);
    report.authors = insert_authors(&txn, anchor).await?;
    progress("catalogue", 2, 3);
    report.tags = insert_tags(&txn, anchor).await?;
    txn.commit().await?;
    progress("catalogue", 3, 3);

    let plan = Arc::new(Plan::new(articles as usize, comments as u64, anchor));
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);

    // Articles, with their authors, tags and sources.
    let total = plan.articles.len() as u64;
    let batches: Vec<Range<usize>> = (0..plan.articles.len())
        .step_by(ARTICLE_BATCH)
        .map(|start| start..(start + ARTICLE_BATCH).min(plan.articles.len()))
        .collect();
    let mut rx = spawn_workers(workers, batches.len(), {
        let plan = plan.clone();
        let batches = batches.clone();
        move |b| plan.article_rows(batches[b].clone())
    });
    progress("articles", 0, total);
    let mut done = 0u64;
    for (b, batch) in batches.iter().enumerate() {
        let rows = receive(&mut rx, b).await?;
        let txn = db.conn.begin().await?;
        insert_rows(&txn, "articles", ARTICLE_COLUMNS, rows.articles).await?;
        insert_rows(
            &txn,
            "article_authors",
            &["article_id", "author_id", "position"],
            rows.authors,
        )
        .await?;
        insert_rows(&txn, "article_tags", &["article_id", "tag_id"], rows.tags).await?;
        insert_rows(
            &txn,
            "article_sources",
            &["article_id", "position", "name", "url"],
            rows.sources,
        )
        .await?;
        txn.commit().await?;
        done += batch.len() as u64;
        progress("articles", done, total);
    }
    drop(rx);
    report.articles = plan.articles.len();

    // Comments, grouped by article.
    let total = plan.comment_total;
    let batches = plan.comment_batches();
    let mut rx = spawn_workers(workers, batches.len(), {
        let plan = plan.clone();
        let batches = batches.clone();
        move |b| plan.comment_rows(batches[b].clone())
    });
    progress("comments", 0, total);
    let mut done = 0u64;
    for b in 0..batches.len() {
        let (count, rows): (u64, Vec<Value>) = receive(&mut rx, b).await?;
        let txn = db.conn.begin().await?;
        insert_rows(&txn, "comments", COMMENT_COLUMNS, rows).await?;
        txn.commit().await?;
        done += count;
        progress("comments", done, total);
    }
    drop(rx);
    report.comments = total as usize;

    progress("sequences", 0, 1);
    reset_sequences(
        &db.conn,
        &[
            "rubrics",
            "authors",
            "tags",
            "articles",
            "article_sources",
            "comments",
        ],
    )
    .await?;
    progress("sequences", 1, 1);

    // A bulk load leaves the planner without statistics (SQLite never gathers any by itself;
    // PostgreSQL's autovacuum would, later): gather them now, before the first request.
    progress("statistics", 0, 1);
    crate::db::statistics::analyze(db).await?;
    progress("statistics", 1, 1);
    Ok(report)
}

// ---------------------------------------------------------------------------------------
// Generation on worker threads

/// Runs `make(b)` for every batch `b`, spread over `workers` threads (worker `w` makes the
/// batches `b ≡ w (mod workers)`), each sending its batches in order through its own channel.
fn spawn_workers<T, F>(workers: usize, batches: usize, make: F) -> Vec<mpsc::Receiver<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> T + Send + Sync + 'static,
{
    let make = Arc::new(make);
    (0..workers)
        .map(|w| {
            let (tx, rx) = mpsc::channel(2);
            let make = make.clone();
            std::thread::spawn(move || {
                for b in (w..batches).step_by(workers) {
                    if tx.blocking_send(make(b)).is_err() {
                        return; // the writer stopped (error): stop too
                    }
                }
            });
            rx
        })
        .collect()
}

async fn receive<T>(rx: &mut [mpsc::Receiver<T>], b: usize) -> Result<T, DbErr> {
    let workers = rx.len();
    rx[b % workers].recv().await.ok_or_else(|| {
        DbErr::Custom("a synthetic data generator thread stopped unexpectedly".into())
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Published,
    Draft,
    Scheduled,
    Archived,
}

impl Kind {
    fn status(self) -> &'static str {
        match self {
            Kind::Published => "published",
            Kind::Draft => "draft",
            Kind::Scheduled => "scheduled",
            Kind::Archived => "archived",
        }
    }
}

#[derive(Clone, Copy)]
struct Planned {
    kind: Kind,
    /// Publication time, or the creation time of a draft.
    at: DateTime<Utc>,
    french: bool,
    rubric: u8,
    /// Comments on this article, and the id of the first one.
    comments: u32,
    first_comment: u64,
}

/// Everything decided up front (cheaply, in id order) so that batches can be generated
/// independently and in parallel.
struct Plan {
    anchor: DateTime<Utc>,
    articles: Vec<Planned>,
    comment_total: u64,
    first_name_slugs: Vec<String>,
    last_name_slugs: Vec<String>,
}

struct ArticleRows {
    articles: Vec<Value>,
    authors: Vec<Value>,
    tags: Vec<Value>,
    sources: Vec<Value>,
}

impl Plan {
    fn new(n: usize, m: u64, anchor: DateTime<Utc>) -> Self {
        let mut rng = fastrand::Rng::with_seed(SEED);
        let start = anchor - Duration::days(HISTORY_DAYS);
        let span = (anchor - Duration::hours(1) - start).num_seconds();
        let step = (span / n.max(1) as i64).max(1);
        let rubric_total: u32 = words::RUBRIC_WEIGHTS.iter().sum();
        let mut last_published: Option<DateTime<Utc>> = None;
        let mut articles = Vec::with_capacity(n);
        for i in 0..n {
            let roll = rng.u32(0..1000);
            let kind = match roll {
                0..940 => Kind::Published,
                940..970 => Kind::Draft,
                970..990 => Kind::Scheduled,
                _ => Kind::Archived,
            };
            let timeline =
                start + Duration::seconds(span * i as i64 / n as i64 + rng.i64(0..(step + 1) / 2));
            let at = match kind {
                Kind::Published | Kind::Archived => {
                    let at = match last_published {
                        Some(previous) if rng.u8(0..50) == 0 => previous,
                        _ => timeline,
                    };
                    last_published = Some(at);
                    at
                }
                Kind::Draft => timeline,
                Kind::Scheduled => {
                    anchor + Duration::days(1) + Duration::minutes(rng.i64(0..60 * 24 * 60))
                }
            };
            let french = rng.u8(0..100) < 65;
            let mut pick = rng.u32(0..rubric_total);
            let mut rubric = 0;
            while pick >= words::RUBRIC_WEIGHTS[rubric] {
                pick -= words::RUBRIC_WEIGHTS[rubric];
                rubric += 1;
            }
            articles.push(Planned {
                kind,
                at,
                french,
                rubric: rubric as u8,
                comments: 0,
                first_comment: 0,
            });
        }

        // Comment counts: weights with a long tail, scaled so that they sum to exactly m.
        let mut weights: Vec<(usize, u64)> = articles
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == Kind::Published)
            .map(|(i, _)| {
                let w = if rng.u8(0..100) == 0 {
                    rng.u64(100..600)
                } else {
                    rng.u64(0..13)
                };
                (i, w)
            })
            .collect();
        if weights.iter().all(|(_, w)| *w == 0) {
            weights.iter_mut().for_each(|(_, w)| *w = 1);
        }
        let total_weight: u128 = weights.iter().map(|(_, w)| *w as u128).sum();
        let mut cumulative = 0u128;
        let mut assigned = 0u64;
        for (i, w) in weights {
            cumulative += w as u128;
            // Zero only when there is no weight at all (no published article).
            let upto = (cumulative * m as u128)
                .checked_div(total_weight)
                .unwrap_or(0) as u64;
            articles[i].comments = (upto - assigned) as u32;
            articles[i].first_comment = assigned + 1;
            assigned = upto;
        }
        let comment_total = assigned;

        let first_name_slugs = words::FIRST_NAMES.iter().map(|s| slugify(s)).collect();
        let last_name_slugs = words::LAST_NAMES.iter().map(|s| slugify(s)).collect();
        Self {
            anchor,
            articles,
            comment_total,
            first_name_slugs,
            last_name_slugs,
        }
    }

    /// Ranges of article indexes whose comments make one write batch.
    fn comment_batches(&self) -> Vec<Range<usize>> {
        let mut batches = Vec::new();
        let mut start = 0;
        let mut count = 0u64;
        for (i, a) in self.articles.iter().enumerate() {
            count += a.comments as u64;
            if count >= COMMENT_BATCH {
                batches.push(start..i + 1);
                start = i + 1;
                count = 0;
            }
        }
        if count > 0 {
            batches.push(start..self.articles.len());
        }
        batches
    }

    fn article_rows(&self, range: Range<usize>) -> ArticleRows {
        let n = range.len();
        let mut rows = ArticleRows {
            articles: Vec::with_capacity(n * ARTICLE_COLUMNS.len()),
            authors: Vec::with_capacity(n * 2 * 3),
            tags: Vec::with_capacity(n * 2 * 2),
            sources: Vec::with_capacity(n * 4),
        };
        for i in range {
            self.article(i, &mut rows);
        }
        rows
    }

    fn article(&self, i: usize, rows: &mut ArticleRows) {
        let planned = self.articles[i];
        let id = i as i64 + 1;
        let mut rng = fastrand::Rng::with_seed(mix(SEED ^ 0xa7, id as u64));
        let bank = if planned.french {
            &words::FR
        } else {
            &words::EN
        };

        let mut title = String::with_capacity(120);
        let title_complement = rng.u8(0..10) < 3;
        clause(&mut rng, bank, &mut title, false, title_complement);
        let mut slug = slugify(&title);
        slug.push('-');
        slug.push_str(&id.to_string());
        let mut standfirst = String::with_capacity(160);
        sentence(&mut rng, bank, &mut standfirst);
        let body = body(&mut rng, bank);
        let rendered = render(&body);

        let (published_at, created_at, updated_at) = match planned.kind {
            Kind::Published | Kind::Archived => {
                let published = planned.at;
                let created = published - Duration::minutes(rng.i64(30..48 * 60));
                let updated = if planned.kind == Kind::Archived || rng.u8(0..5) == 0 {
                    (published + Duration::minutes(rng.i64(60..30 * 24 * 60))).min(self.anchor)
                } else {
                    published
                };
                (Some(published), created, updated)
            }
            Kind::Draft => {
                let created = planned.at;
                (
                    None,
                    created,
                    (created + Duration::minutes(rng.i64(0..10 * 24 * 60))).min(self.anchor),
                )
            }
            Kind::Scheduled => {
                let created = self.anchor - Duration::minutes(rng.i64(0..20 * 24 * 60));
                (Some(planned.at), created, created)
            }
        };
        let image = rng.u8(0..10) < 6;
        let seo = rng.u8(0..10) < 3;
        let featured_image_alt = image.then(|| format!("{}{}", bank.image_alt_prefix, title));
        let seo_description = seo.then(|| standfirst.clone());
        let seo_title = seo.then(|| title.clone());

        rows.articles.extend([
            Value::BigInt(Some(id)),
            Value::String(Some(slug)),
            Value::String(Some(title)),
            Value::String(Some(standfirst)),
            Value::String(Some(body)),
            Value::String(Some(rendered.html)),
            Value::String(Some(rendered.text)),
            text(if planned.french { "fr" } else { "en" }),
            text(planned.kind.status()),
            Value::ChronoDateTimeUtc(published_at.map(micros)),
            Value::BigInt(Some(planned.rubric as i64 + 1)),
            Value::String(image.then(|| format!("https://img.example.org/synthetic/{id}.jpg"))),
            Value::String(featured_image_alt),
            Value::String(seo_title),
            Value::String(seo_description),
            Value::Int(Some(rendered.word_count)),
            Value::Int(Some(rendered.reading_time_minutes)),
            Value::Int(Some(1)),
            ts(created_at),
            ts(updated_at),
            // Seeded straight into its state: first public when it is published.
            Value::ChronoDateTimeUtc(published_at.map(micros)),
        ]);

        let authors = match rng.u8(0..10) {
            0..6 => 1,
            6..9 => 2,
            _ => 3,
        };
        for (position, author) in skewed_distinct(&mut rng, AUTHORS, authors)
            .into_iter()
            .enumerate()
        {
            rows.authors.extend([
                Value::BigInt(Some(id)),
                Value::BigInt(Some(author as i64 + 1)),
                Value::Int(Some(position as i32)),
            ]);
        }
        let tags = match rng.u8(0..20) {
            0..3 => 0,
            3..8 => 1,
            8..14 => 2,
            14..18 => 3,
            _ => 4,
        };
        for tag in skewed_distinct(&mut rng, TAGS, tags) {
            rows.tags
                .extend([Value::BigInt(Some(id)), Value::BigInt(Some(tag as i64 + 1))]);
        }
        let sources = match rng.u8(0..10) {
            0..4 => 0,
            4..7 => 1,
            7..9 => 2,
            _ => 3,
        };
        for position in 0..sources {
            let (name, host) = words::SOURCES[rng.usize(0..words::SOURCES.len())];
            rows.sources.extend([
                Value::BigInt(Some(id)),
                Value::Int(Some(position)),
                text(name),
                Value::String(Some(format!("https://{host}/doc/{id}-{position}"))),
            ]);
        }
    }

    /// The comments of the articles in `range`: (count, row values).
    fn comment_rows(&self, range: Range<usize>) -> (u64, Vec<Value>) {
        let count: u64 = self.articles[range.clone()]
            .iter()
            .map(|a| a.comments as u64)
            .sum();
        let mut rows = Vec::with_capacity(count as usize * COMMENT_COLUMNS.len());
        let mut approved: Vec<(i64, u8)> = Vec::new();
        let mut offsets: Vec<i64> = Vec::new();
        for i in range {
            let article = self.articles[i];
            if article.comments == 0 {
                continue;
            }
            let n = article.comments as i64;
            let article_id = i as i64 + 1;
            let mut rng = fastrand::Rng::with_seed(mix(SEED ^ 0xc0, article_id as u64));
            let bank = if article.french {
                &words::FR
            } else {
                &words::EN
            };
            let horizon = if n > 50 { 365 } else { 60 };
            let end = (article.at + Duration::days(horizon)).min(self.anchor);
            // Strictly increasing offsets (seconds after publication), at least a minute.
            let span = (end - article.at).num_seconds().max(n + 180);
            offsets.clear();
            offsets.extend((0..n).map(|_| rng.i64(60..span - n)));
            offsets.sort_unstable();
            approved.clear();
            for (k, offset) in offsets.iter().enumerate() {
                let id = (article.first_comment + k as u64) as i64;
                let created = article.at + Duration::seconds(offset + k as i64);
                let status = match rng.u8(0..100) {
                    0..85 => "approved",
                    85..95 => "pending",
                    95..98 => "rejected",
                    _ => "spam",
                };
                let (parent, depth) = if !approved.is_empty() && rng.u8(0..100) < 24 {
                    let (parent, depth) = approved[rng.usize(0..approved.len())];
                    (Some(parent), depth + 1)
                } else {
                    (None, 0)
                };
                if status == "approved" && depth < 2 {
                    approved.push((id, depth));
                }
                let moderated = (status != "pending").then(|| {
                    (created + Duration::minutes(rng.i64(1..240))).min(self.anchor.max(created))
                });
                let first = rng.usize(0..words::FIRST_NAMES.len());
                let last = rng.usize(0..words::LAST_NAMES.len());
                let name = format!(
                    "{} {}.",
                    words::FIRST_NAMES[first],
                    words::LAST_NAMES[last].chars().next().unwrap_or('X')
                );
                let email = format!(
                    "{}.{}{}@example.net",
                    self.first_name_slugs[first],
                    self.last_name_slugs[last],
                    rng.u16(0..1000)
                );
                let mut body = String::with_capacity(120);
                body.push_str(bank.comment_openers[rng.usize(0..bank.comment_openers.len())]);
                body.push(' ');
                push_capitalized(
                    &mut body,
                    bank.comment_remarks[rng.usize(0..bank.comment_remarks.len())],
                );
                if rng.u8(0..10) < 4 {
                    body.push_str(bank.comment_and);
                    body.push_str(bank.comment_remarks[rng.usize(0..bank.comment_remarks.len())]);
                }
                body.push('.');
                rows.extend([
                    Value::BigInt(Some(id)),
                    Value::BigInt(Some(article_id)),
                    Value::BigInt(parent),
                    Value::String(Some(name)),
                    Value::String(Some(email)),
                    Value::String(Some(body)),
                    text(status),
                    ts(created),
                    ts(moderated.unwrap_or(created)),
                    Value::ChronoDateTimeUtc(moderated.map(micros)),
                ]);
            }
        }
        (count, rows)
    }
}

// ---------------------------------------------------------------------------------------
// Text

/// "Subject verb object[ complement]" (no final period), capitalised unless after a connector.
fn clause(
    rng: &mut fastrand::Rng,
    bank: &Bank,
    out: &mut String,
    after_connector: bool,
    complement: bool,
) {
    let subject = bank.subjects[rng.usize(0..bank.subjects.len())];
    if after_connector {
        out.push_str(subject);
    } else {
        push_capitalized(out, subject);
    }
    let (singular, plural) = bank.verbs[rng.usize(0..bank.verbs.len())];
    let is_plural = bank.plural_prefixes.iter().any(|p| subject.starts_with(p));
    out.push(' ');
    out.push_str(if is_plural { plural } else { singular });
    out.push(' ');
    out.push_str(bank.objects[rng.usize(0..bank.objects.len())]);
    if complement {
        out.push(' ');
        out.push_str(bank.complements[rng.usize(0..bank.complements.len())]);
    }
}

fn sentence(rng: &mut fastrand::Rng, bank: &Bank, out: &mut String) {
    let connector = rng.u8(0..4) == 0;
    if connector {
        out.push_str(bank.connectors[rng.usize(0..bank.connectors.len())]);
    }
    let complement = rng.u8(0..10) < 7;
    clause(rng, bank, out, connector, complement);
    out.push('.');
}

fn paragraph(rng: &mut fastrand::Rng, bank: &Bank, out: &mut String, sentences: Range<usize>) {
    for k in 0..rng.usize(sentences) {
        if k > 0 {
            out.push(' ');
        }
        sentence(rng, bank, out);
    }
}

/// About 130–220 words: two paragraphs, a subheading, sometimes a quote or a list, a
/// closing paragraph.
fn body(rng: &mut fastrand::Rng, bank: &Bank) -> String {
    let mut body = String::with_capacity(1600);
    paragraph(rng, bank, &mut body, 4..6);
    body.push_str("\n\n");
    paragraph(rng, bank, &mut body, 3..5);
    body.push_str("\n\n## ");
    body.push_str(bank.headings[rng.usize(0..bank.headings.len())]);
    body.push_str("\n\n");
    paragraph(rng, bank, &mut body, 3..6);
    match rng.u8(0..10) {
        0 => {
            body.push_str("\n\n> ");
            body.push_str(bank.quote_open);
            clause(rng, bank, &mut body, false, true);
            body.push_str(bank.quote_close);
            body.push_str(", ");
            body.push_str(bank.attributions[rng.usize(0..bank.attributions.len())]);
            body.push('.');
        }
        1 => {
            body.push('\n');
            for _ in 0..3 {
                body.push_str("\n- ");
                push_capitalized(&mut body, bank.objects[rng.usize(0..bank.objects.len())]);
                body.push(';');
            }
            body.pop();
            body.push('.');
        }
        _ => {}
    }
    body.push_str("\n\n");
    paragraph(rng, bank, &mut body, 1..3);
    body.push('\n');
    body
}

fn push_capitalized(out: &mut String, s: &str) {
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

// ---------------------------------------------------------------------------------------
// Catalogue

async fn insert_rubrics<C: ConnectionTrait>(
    conn: &C,
    anchor: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let created = anchor - Duration::days(HISTORY_DAYS + 30);
    let mut values = Vec::new();
    for (i, (name, description)) in words::RUBRICS.iter().enumerate() {
        values.extend([
            Value::BigInt(Some(i as i64 + 1)),
            Value::String(Some(slugify(name))),
            text(name),
            text(description),
            Value::Int(Some(i as i32)),
            ts(created),
            ts(created),
        ]);
    }
    let cols = &[
        "id",
        "slug",
        "name",
        "description",
        "position",
        "created_at",
        "updated_at",
    ];
    insert_rows(conn, "rubrics", cols, values).await?;
    Ok(words::RUBRICS.len())
}

async fn insert_authors<C: ConnectionTrait>(
    conn: &C,
    anchor: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let mut rng = fastrand::Rng::with_seed(SEED ^ 0xa0);
    let mut values = Vec::new();
    for i in 0..AUTHORS {
        let first = words::FIRST_NAMES[(i * 7) % words::FIRST_NAMES.len()];
        let last = words::LAST_NAMES[i % words::LAST_NAMES.len()];
        let name = format!("{first} {last}");
        let slug = slugify(&name);
        let beat = words::BEATS[rng.usize(0..words::BEATS.len())];
        let years = rng.u8(2..30);
        let bio = format!(
            "Journaliste depuis {years} ans, couvre {beat}. Auteur de reportages et d'enquêtes au long cours."
        );
        let avatar = (i % 3 != 2).then(|| format!("https://media.example.org/authors/{slug}.jpg"));
        let created = anchor - Duration::days(HISTORY_DAYS + 20) + Duration::hours(i as i64);
        values.extend([
            Value::BigInt(Some(i as i64 + 1)),
            Value::String(Some(slug)),
            Value::String(Some(name)),
            Value::String(Some(bio)),
            Value::String(avatar),
            ts(created),
            ts(created),
        ]);
    }
    let cols = &[
        "id",
        "slug",
        "display_name",
        "bio",
        "avatar_url",
        "created_at",
        "updated_at",
    ];
    insert_rows(conn, "authors", cols, values).await?;
    Ok(AUTHORS)
}

async fn insert_tags<C: ConnectionTrait>(conn: &C, anchor: DateTime<Utc>) -> Result<usize, DbErr> {
    let mut values = Vec::new();
    let mut id = 0i64;
    for region in words::TAG_REGIONS {
        for base in words::TAG_BASES {
            id += 1;
            let name = if region.is_empty() {
                base.to_string()
            } else {
                format!("{base} ({region})")
            };
            let created = anchor - Duration::days(HISTORY_DAYS + 10) + Duration::minutes(id);
            values.extend([
                Value::BigInt(Some(id)),
                Value::String(Some(slugify(&name))),
                Value::String(Some(name)),
                ts(created),
            ]);
        }
    }
    debug_assert_eq!(id as usize, TAGS);
    insert_rows(conn, "tags", &["id", "slug", "name", "created_at"], values).await?;
    Ok(id as usize)
}

// ---------------------------------------------------------------------------------------
// Helpers

/// `count` distinct indexes below `n`, low indexes far more likely (a few prolific authors,
/// a few very common tags).
fn skewed_distinct(rng: &mut fastrand::Rng, n: usize, count: usize) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    while picked.len() < count.min(n) {
        let u = rng.f64();
        let k = ((u * u * n as f64) as usize).min(n - 1);
        if !picked.contains(&k) {
            picked.push(k);
        }
    }
    picked
}

fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn ts(t: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(micros(t)))
}

fn text(s: &str) -> Value {
    Value::String(Some(s.to_owned()))
}
