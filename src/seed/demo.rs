//! The demo newsroom: nine rubrics, ten bylines, twenty-six tags, about seventy articles in
//! French and English (published over the last ninety days, plus drafts, scheduled pieces and
//! an archived one) and threaded readers' comments. Written once, in one transaction, into a
//! database without rubrics; a second run changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, TransactionTrait, Value};

use super::corpus::{self, ArticleDef, Lang, Status};
use super::{SeedReport, has_rows};
use crate::content::markdown::render;
use crate::content::slug::slugify;
use crate::db::Db;

/// Slugs and words the integration tests rely on. Each guarantee holds for the demo corpus
/// as written by [`demo`](super::demo) into an empty database.
pub mod fixtures {
    use super::corpus;

    /// A published French article (rubric `international`) whose body contains "étrangère"
    /// (accented, in "politique étrangère"). Its title contains neither "étrangère" nor
    /// "etrangere", and no article anywhere (title, standfirst, body, slug) contains the
    /// unaccented form "etrangere". It is also the only article containing any form of
    /// "étranger" (étrangère, étrangers, …), so a search for "etrangere" has exactly one hit.
    pub const FOREIGN_POLICY_SLUG: &str = corpus::FOREIGN_POLICY_SLUG;

    /// A published English article (rubric `international`) whose body contains the singular
    /// word "missile". "missile" appears in no other article, and the plural "missiles" appears
    /// nowhere in the corpus (so a search for "missiles" can only match through stemming).
    pub const MISSILE_SLUG: &str = corpus::MISSILE_SLUG;

    /// A draft (`published_at` NULL, rubric `sciences`) whose title and body contain
    /// "zeppelin". Besides this draft, "zeppelin" appears only in the body of
    /// [`SCHEDULED_SLUG`]: no published article contains it.
    pub const DRAFT_SLUG: &str = corpus::DRAFT_SLUG;

    /// A scheduled article (`status` 'scheduled', `published_at` = seeding time + 48 hours)
    /// whose body contains "zeppelin" (its title does not). Its rubric is [`RUBRIC_SLUG`],
    /// which has ten published articles; its first author is [`AUTHOR_SLUG`] and it carries
    /// [`TAG_SLUG`], so it must stay out of every public list, search, related and
    /// previous/next result until its time comes.
    pub const SCHEDULED_SLUG: &str = corpus::SCHEDULED_SLUG;

    /// A published French article (rubric `politique`) with exactly these comments:
    /// - 4 approved top-level comments;
    /// - 3 approved replies: two to the first top-level comment's thread (a reply, and a
    ///   reply to that reply, i.e. two levels deep) and one to the second top-level comment;
    /// - 1 pending top-level comment whose body contains [`PENDING_MARKER`] (the only
    ///   comment in the corpus containing it);
    /// - 1 pending reply (to the third top-level comment);
    /// - 1 rejected and 1 spam top-level comment (the only rejected and spam comments of
    ///   the whole demo).
    ///
    /// All created after the article's publication and before seeding time, in id order.
    pub const COMMENTED_SLUG: &str = corpus::COMMENTED_SLUG;
    /// Approved comments on [`COMMENTED_SLUG`] (all levels).
    pub const COMMENTED_APPROVED: usize = 7;
    /// Approved top-level comments on [`COMMENTED_SLUG`].
    pub const COMMENTED_APPROVED_TOP_LEVEL: usize = 4;
    /// All comments on [`COMMENTED_SLUG`], whatever their status.
    pub const COMMENTED_TOTAL: usize = 11;
    /// The unique word in the pending comment of [`COMMENTED_SLUG`].
    pub const PENDING_MARKER: &str = "PENDINGMARKER";

    /// A top-level rubric (no parent) with exactly 10 published articles (7 French, 3
    /// English), plus the scheduled [`SCHEDULED_SLUG`]. Its child rubric `europe` has 3
    /// published articles of its own.
    pub const RUBRIC_SLUG: &str = "international";
    /// The child rubric of [`RUBRIC_SLUG`].
    pub const CHILD_RUBRIC_SLUG: &str = "europe";

    /// An author (Claire Vasseur) with exactly 8 published articles (first author of 7 of
    /// them), plus the scheduled [`SCHEDULED_SLUG`]; has a bio and an avatar URL.
    pub const AUTHOR_SLUG: &str = "claire-vasseur";

    /// A tag ("Diplomatie") on exactly 10 published articles (those of [`RUBRIC_SLUG`]),
    /// plus the scheduled [`SCHEDULED_SLUG`].
    pub const TAG_SLUG: &str = "diplomatie";

    /// A published English article (rubric `international`, tag [`TAG_SLUG`]).
    pub const ENGLISH_SLUG: &str = corpus::ENGLISH_SLUG;
}

/// Seeds the demo newsroom unless the database already has a rubric.
pub async fn demo(db: &Db) -> Result<SeedReport, DbErr> {
    let backend = db.backend();
    let txn = db.conn.begin().await?;
    if has_rows(&txn, backend, "rubrics").await? {
        txn.rollback().await?;
        return Ok(SeedReport {
            skipped: true,
            ..SeedReport::default()
        });
    }
    let now = Utc::now().trunc_subsecs(0);
    let mut report = SeedReport::default();

    let mut rubric_ids: HashMap<&str, i64> = HashMap::new();
    for (position, rubric) in corpus::RUBRICS.iter().enumerate() {
        let parent = rubric.parent.map(|slug| rubric_ids[slug]);
        let created = now - Duration::days(400) + Duration::minutes(position as i64);
        let id = insert_returning_id(
            &txn,
            backend,
            "INSERT INTO rubrics (slug, name, description, parent_id, position, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            vec![
                text(rubric.slug),
                text(rubric.name),
                text(rubric.description),
                Value::BigInt(parent),
                Value::Int(Some(position as i32)),
                ts(created),
                ts(created),
            ],
        )
        .await?;
        rubric_ids.insert(rubric.slug, id);
        report.rubrics += 1;
    }

    let mut author_ids = Vec::with_capacity(corpus::AUTHORS.len());
    for (i, author) in corpus::AUTHORS.iter().enumerate() {
        let slug = slugify(author.name);
        let avatar = author
            .avatar
            .then(|| format!("https://media.example.org/authors/{slug}.jpg"));
        let created = now - Duration::days(380) + Duration::hours(i as i64);
        let id = insert_returning_id(
            &txn,
            backend,
            "INSERT INTO authors (slug, display_name, bio, avatar_url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            vec![
                text(&slug),
                text(author.name),
                text(author.bio),
                Value::String(avatar),
                ts(created),
                ts(created),
            ],
        )
        .await?;
        author_ids.push(id);
        report.authors += 1;
    }

    let mut tag_ids: HashMap<&str, i64> = HashMap::new();
    for (i, name) in corpus::TAGS.iter().enumerate() {
        let created = now - Duration::days(370) + Duration::minutes(i as i64);
        let id = insert_returning_id(
            &txn,
            backend,
            "INSERT INTO tags (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
            vec![text(&slugify(name)), text(name), ts(created)],
        )
        .await?;
        tag_ids.insert(name, id);
        report.tags += 1;
    }

    let dates = publication_dates(now);
    for (i, def) in corpus::ARTICLES.iter().enumerate() {
        let (published_at, created_at, updated_at) = dates[i];
        let slug = def
            .slug
            .map(str::to_owned)
            .unwrap_or_else(|| slugify(def.title));
        let body = article_body(i, def);
        let rendered = render(&body);
        let topic = corpus::topic(def.rubric);
        let image = (i % 4 != 3).then(|| format!("https://images.example.org/demo/{slug}.jpg"));
        let image_alt = image.as_ref().map(|_| match def.lang {
            Lang::Fr => topic.image_alt_fr.to_owned(),
            Lang::En => topic.image_alt_en.to_owned(),
        });
        let seo = i % 3 == 0;
        let seo_title = seo.then(|| format!("{} | Kiosque", def.title));
        let seo_description = seo.then(|| truncate_chars(def.standfirst, 155));
        let status = match def.status {
            Status::Published => "published",
            Status::Draft => "draft",
            Status::Scheduled(_) => "scheduled",
            Status::Archived => "archived",
        };
        let article_id = insert_returning_id(
            &txn,
            backend,
            "INSERT INTO articles (slug, title, standfirst, body, body_html, body_text, language, status, \
             published_at, rubric_id, featured_image_url, featured_image_alt, seo_title, seo_description, \
             word_count, reading_time_minutes, version, created_at, updated_at, first_public_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $19) \
             RETURNING id",
            vec![
                text(&slug),
                text(def.title),
                text(def.standfirst),
                Value::String(Some(body)),
                Value::String(Some(rendered.html)),
                Value::String(Some(rendered.text)),
                text(def.lang.code()),
                text(status),
                Value::ChronoDateTimeUtc(published_at),
                Value::BigInt(Some(rubric_ids[def.rubric])),
                Value::String(image),
                Value::String(image_alt),
                Value::String(seo_title),
                Value::String(seo_description),
                Value::Int(Some(rendered.word_count)),
                Value::Int(Some(rendered.reading_time_minutes)),
                ts(created_at),
                ts(updated_at),
                // Seeded straight into its state: first public when it is published.
                Value::ChronoDateTimeUtc(published_at),
            ],
        )
        .await?;
        report.articles += 1;

        for (position, author) in def.authors.iter().enumerate() {
            execute(
                &txn,
                backend,
                "INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3)",
                vec![
                    id(article_id),
                    id(author_ids[*author]),
                    Value::Int(Some(position as i32)),
                ],
            )
            .await?;
        }
        for tag in def.tags {
            execute(
                &txn,
                backend,
                "INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2)",
                vec![id(article_id), id(tag_ids[tag])],
            )
            .await?;
        }
        for (position, (name, url)) in sources_for(i).into_iter().enumerate() {
            execute(
                &txn,
                backend,
                "INSERT INTO article_sources (article_id, position, name, url) VALUES ($1, $2, $3, $4)",
                vec![id(article_id), Value::Int(Some(position as i32)), text(name), text(url)],
            )
            .await?;
        }

        if let (Some(published), Status::Published) = (published_at, def.status) {
            let thread = if def.slug == Some(corpus::COMMENTED_SLUG) {
                commented_fixture_thread()
            } else {
                ordinary_thread(i, def.lang)
            };
            report.comments +=
                write_comments(&txn, backend, article_id, published, now, &thread).await?;
        }
    }

    txn.commit().await?;
    Ok(report)
}

/// (published_at, created_at, updated_at).
type Dates = (Option<DateTime<Utc>>, DateTime<Utc>, DateTime<Utc>);

/// The dates of every article, in `ARTICLES` order.
/// Published and archived articles are spread over the last ninety days (at least a day old),
/// in an order shuffled with a fixed seed; drafts were started in the last weeks; scheduled
/// ones go live the given number of hours from `now`.
fn publication_dates(now: DateTime<Utc>) -> Vec<Dates> {
    let mut rng = fastrand::Rng::with_seed(0x6b69_6f73_7175_6501);
    let mut past: Vec<usize> = corpus::ARTICLES
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(a.status, Status::Published | Status::Archived))
        .map(|(i, _)| i)
        .collect();
    rng.shuffle(&mut past);
    let mut rank = vec![0usize; corpus::ARTICLES.len()];
    for (r, &i) in past.iter().enumerate() {
        rank[i] = r;
    }
    let n = past.len().max(1) as i64;
    corpus::ARTICLES
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let jitter = Duration::minutes(rng.i64(0..600));
            match a.status {
                Status::Published | Status::Archived => {
                    // Rank 0 is the oldest (about 89 days ago), the last about a day ago.
                    let days_ago = 89 - (rank[i] as i64 * 88) / n;
                    let published = now - Duration::days(days_ago) - jitter;
                    let created = published - Duration::hours(3 + rng.i64(0..48));
                    let updated = if a.status == Status::Archived {
                        now - Duration::days(2)
                    } else if rng.u8(0..4) == 0 {
                        published + Duration::minutes(20 + rng.i64(0..300))
                    } else {
                        published
                    };
                    (Some(published), created, updated)
                }
                Status::Draft => {
                    let created = now - Duration::days(rng.i64(2..30)) - jitter;
                    (None, created, created + Duration::hours(rng.i64(1..24)))
                }
                Status::Scheduled(hours) => {
                    let created = now - Duration::days(rng.i64(1..6)) - jitter;
                    (
                        Some(now + Duration::hours(hours)),
                        created,
                        now - Duration::hours(2),
                    )
                }
            }
        })
        .collect()
}

/// The Markdown body: the article's own lede, then two sections from its rubric's topic,
/// with a quote or a list in two articles out of three.
fn article_body(i: usize, def: &ArticleDef) -> String {
    let topic = corpus::topic(def.rubric);
    let mut rng = fastrand::Rng::with_seed(0xb0d1_0000 + i as u64);
    let (headings, paragraphs, quote, list) = match def.lang {
        Lang::Fr => (
            topic.fr_headings,
            topic.fr_paragraphs,
            topic.fr_quote,
            topic.fr_list,
        ),
        Lang::En => (
            topic.en_headings,
            topic.en_paragraphs,
            topic.en_quote,
            topic.en_list,
        ),
    };
    let mut h: Vec<usize> = (0..headings.len()).collect();
    rng.shuffle(&mut h);
    let mut p: Vec<usize> = (0..paragraphs.len()).collect();
    rng.shuffle(&mut p);
    let mut body = String::with_capacity(2048);
    body.push_str(def.lede);
    body.push_str("\n\n## ");
    body.push_str(headings[h[0]]);
    body.push_str("\n\n");
    body.push_str(paragraphs[p[0]]);
    body.push_str("\n\n");
    body.push_str(paragraphs[p[1]]);
    match i % 3 {
        0 => {
            body.push_str("\n\n> ");
            body.push_str(quote);
        }
        1 => {
            body.push_str("\n\n");
            body.push_str(list);
        }
        _ => {}
    }
    body.push_str("\n\n## ");
    body.push_str(headings[h[1]]);
    body.push_str("\n\n");
    body.push_str(paragraphs[p[2]]);
    body.push('\n');
    body
}

/// 0 to 3 cited sources, chosen with a fixed seed.
fn sources_for(i: usize) -> Vec<(&'static str, &'static str)> {
    let mut rng = fastrand::Rng::with_seed(0x5043_0000 + i as u64);
    let count = rng.usize(0..4);
    let mut picks: Vec<usize> = (0..corpus::SOURCES.len()).collect();
    rng.shuffle(&mut picks);
    picks
        .into_iter()
        .take(count)
        .map(|k| corpus::SOURCES[k])
        .collect()
}

/// One comment to write: `parent` indexes an earlier entry of the same thread.
struct CommentDef {
    parent: Option<usize>,
    status: &'static str,
    body: String,
    commenter: usize,
}

fn comment(
    parent: Option<usize>,
    status: &'static str,
    body: &str,
    commenter: usize,
) -> CommentDef {
    CommentDef {
        parent,
        status,
        body: body.to_owned(),
        commenter,
    }
}

/// The exact thread documented on `fixtures::COMMENTED_SLUG`, in chronological order.
fn commented_fixture_thread() -> Vec<CommentDef> {
    vec![
        comment(
            None,
            "approved",
            "Enfin une mesure concrète pour le pouvoir d'achat. Le samedi, c'est le jour où l'on fait ses courses en ville.",
            0,
        ),
        comment(
            None,
            "approved",
            "Et qui paie ? Les entreprises du versement mobilité vont répercuter la hausse sur leurs prix.",
            1,
        ),
        comment(
            Some(0),
            "approved",
            "Les commerçants du centre-ville devraient aussi y gagner, s'il y a plus de monde le samedi.",
            2,
        ),
        comment(
            None,
            "approved",
            "J'aurais préféré des bus plus fréquents en semaine plutôt que gratuits le week-end.",
            3,
        ),
        comment(
            Some(2),
            "approved",
            "C'est ce qui s'est passé ailleurs : la fréquentation des commerces a augmenté dès la première année.",
            0,
        ),
        comment(
            None,
            "pending",
            "PENDINGMARKER Quelqu'un sait si la gratuité s'applique aussi aux lignes de soirée du samedi ?",
            4,
        ),
        comment(
            Some(1),
            "approved",
            "Le versement mobilité ne concerne que les entreprises de plus de onze salariés, c'est dans l'article.",
            5,
        ),
        comment(
            None,
            "approved",
            "Bravo au conseil municipal pour ce vote courageux, malgré les critiques.",
            6,
        ),
        comment(
            Some(3),
            "pending",
            "Les deux ne sont pas incompatibles, l'évaluation dira ce qui marche le mieux.",
            7,
        ),
        comment(
            None,
            "rejected",
            "Tous des incapables, ce conseil ne sert à rien et ses élus non plus.",
            1,
        ),
        comment(
            None,
            "spam",
            "Gagnez 500 euros par jour depuis chez vous, cliquez sur https://promo.example.com/offre !!!",
            5,
        ),
    ]
}

/// Approved comments on about two published articles out of three: one to four top-level
/// comments, some with a reply and a reply to the reply; now and then a pending comment.
fn ordinary_thread(i: usize, lang: Lang) -> Vec<CommentDef> {
    let mut rng = fastrand::Rng::with_seed(0xc0_0000 + i as u64);
    if rng.u8(0..3) == 0 {
        return Vec::new();
    }
    let (comments, replies, first_commenter) = match lang {
        Lang::Fr => (corpus::FR_COMMENTS, corpus::FR_REPLIES, 0),
        Lang::En => (corpus::EN_COMMENTS, corpus::EN_REPLIES, 8),
    };
    let commenters = match lang {
        Lang::Fr => 8,
        Lang::En => corpus::COMMENTERS.len() - 8,
    };
    let pick_commenter = |rng: &mut fastrand::Rng| first_commenter + rng.usize(0..commenters);
    let mut thread = Vec::new();
    let mut bodies: Vec<usize> = (0..comments.len()).collect();
    rng.shuffle(&mut bodies);
    for k in 0..rng.usize(1..5) {
        let who = pick_commenter(&mut rng);
        thread.push(comment(None, "approved", comments[bodies[k]], who));
        let top = thread.len() - 1;
        if rng.u8(0..10) < 4 {
            let who = pick_commenter(&mut rng);
            thread.push(comment(
                Some(top),
                "approved",
                replies[rng.usize(0..replies.len())],
                who,
            ));
            let reply = thread.len() - 1;
            if rng.u8(0..10) < 4 {
                let who = pick_commenter(&mut rng);
                thread.push(comment(
                    Some(reply),
                    "approved",
                    replies[rng.usize(0..replies.len())],
                    who,
                ));
            }
        }
    }
    if rng.u8(0..6) == 0 {
        let who = pick_commenter(&mut rng);
        thread.push(comment(
            None,
            "pending",
            comments[bodies[bodies.len() - 1]],
            who,
        ));
    }
    thread
}

/// Writes a thread; comments are spread between the article's publication and `now`.
async fn write_comments<C: ConnectionTrait>(
    conn: &C,
    backend: DatabaseBackend,
    article_id: i64,
    published: DateTime<Utc>,
    now: DateTime<Utc>,
    thread: &[CommentDef],
) -> Result<usize, DbErr> {
    // Leave an hour at the end so that moderation times stay in the past too.
    let span = (now - published - Duration::hours(1)).num_seconds().max(60);
    let step = span / (thread.len() as i64 + 1);
    let mut ids: Vec<i64> = Vec::with_capacity(thread.len());
    for (k, c) in thread.iter().enumerate() {
        let created = published + Duration::seconds(step * (k as i64 + 1));
        let moderated = (c.status != "pending").then(|| created + Duration::minutes(7));
        let (name, email) = corpus::COMMENTERS[c.commenter];
        let comment_id = insert_returning_id(
            conn,
            backend,
            "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, status, \
             created_at, updated_at, moderated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            vec![
                id(article_id),
                Value::BigInt(c.parent.map(|p| ids[p])),
                text(name),
                text(email),
                text(&c.body),
                text(c.status),
                ts(created),
                ts(moderated.unwrap_or(created)),
                Value::ChronoDateTimeUtc(moderated),
            ],
        )
        .await?;
        ids.push(comment_id);
    }
    Ok(ids.len())
}

async fn insert_returning_id<C: ConnectionTrait>(
    conn: &C,
    backend: DatabaseBackend,
    sql: &str,
    values: Vec<Value>,
) -> Result<i64, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("no id returned by: {sql}")))?;
    row.try_get_by_index::<i64>(0)
}

async fn execute<C: ConnectionTrait>(
    conn: &C,
    backend: DatabaseBackend,
    sql: &str,
    values: Vec<Value>,
) -> Result<(), DbErr> {
    conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

fn text(s: &str) -> Value {
    Value::String(Some(s.to_owned()))
}

fn id(v: i64) -> Value {
    Value::BigInt(Some(v))
}

fn ts(t: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(t.trunc_subsecs(6)))
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
        None => s.to_owned(),
    }
}
