//! The shape shared by every article query (an inner page query wrapped with rubric and
//! authors), and the mapping of its rows.

use sea_orm::{DatabaseBackend, DbErr, QueryResult};

use super::model::*;
use crate::content::pagination::{Cursor, SortValue};
use crate::content::{Audience, Viewer};
use crate::db::dialect::Sql;
use crate::db::{col, with_str};
use crate::error::AppResult;

/// Writes `SELECT <article columns of a>` (without FROM): the inner "page" query of
/// [`wrap`] selects these, plus any extra columns it needs. Without bios, the byline is the
/// article's own copy (`articles.bylines`, migration 000010), first.
pub(super) fn columns(sql: &mut Sql, parts: ArticleParts) {
    sql.push(if parts.author_bio {
        "SELECT "
    } else {
        "SELECT a.bylines AS authors_json, "
    });
    sql.push(
        "a.id, a.slug, a.title, a.standfirst, a.language, a.status, a.published_at, a.created_at, \
         a.updated_at, ",
    );
    // Typed NULLs: the article page's `UNION ALL` types its columns from this arm.
    sql.push(if parts.lean {
        "CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), "
    } else {
        "a.featured_image_url, a.featured_image_alt, a.seo_title, a.seo_description, "
    });
    sql.push("a.word_count, a.reading_time_minutes, a.version, a.rubric_id");
    if parts.body.any() {
        // The renderings not asked for are empty strings: same columns, nothing read.
        for (format, column) in [
            (BodyFormats::MARKDOWN, ", a.body"),
            (BodyFormats::HTML, ", a.body_html"),
            (BodyFormats::TEXT, ", a.body_text"),
        ] {
            sql.push(if parts.body.has(format) {
                column
            } else {
                ", ''"
            });
        }
    }
}

/// Wraps an inner query that selects a page of articles (with [`columns`]) into the full
/// read: `WITH page AS (inner) SELECT its rubric, its byline, the page`. The byline is the
/// article's own copy, a JSON array of `[id, slug, name, avatar, null]` decoded into typed
/// structs; with bios, it is aggregated for the whole page in ONE grouped join (measured
/// twice as fast as a correlated subquery per row on PostgreSQL). Either way the first
/// columns are `rubric_slug, rubric_name, authors_json`, then the article's.
pub(super) fn wrap(
    sql: &mut Sql,
    parts: ArticleParts,
    inner: impl FnOnce(&mut Sql) -> AppResult<()>,
    outer_order: &str,
) -> AppResult<()> {
    sql.push("WITH page AS (");
    inner(sql)?;
    // The joined columns come first so that [`from_row`] reads every column by position
    // (the page's extra columns, after the article's, are read by name by their callers).
    if parts.author_bio {
        sql.push(
            ") SELECT r.slug AS rubric_slug, r.name AS rubric_name, au.authors_json, p.* \
             FROM page p JOIN rubrics r ON r.id = p.rubric_id LEFT JOIN (",
        );
        authors_of_page(sql);
        sql.push(") au ON au.article_id = p.id");
    } else {
        sql.push(
            ") SELECT r.slug AS rubric_slug, r.name AS rubric_name, p.* \
             FROM page p JOIN rubrics r ON r.id = p.rubric_id",
        );
    }
    sql.push(" ORDER BY ").push(outer_order);
    Ok(())
}

/// The aggregate of a byline with bios, over `article_authors aa JOIN authors x`: a JSON
/// array of `[id, slug, name, avatar, bio]` in byline order.
fn byline_aggregate(backend: DatabaseBackend) -> String {
    crate::db::dialect::json_rows_aggregate(
        backend,
        "x.id, x.slug, x.display_name, x.avatar_url, x.bio",
        "aa.position, x.id",
    )
}

/// Writes the bylines of the page's articles with bios: `(article_id, authors_json)`.
fn authors_of_page(sql: &mut Sql) {
    let aggregate = byline_aggregate(sql.backend);
    sql.push("SELECT aa.article_id, ").push(&aggregate).push(
        " AS authors_json FROM article_authors aa JOIN authors x ON x.id = aa.author_id \
         WHERE aa.article_id IN (SELECT id FROM page) GROUP BY aa.article_id",
    );
}

/// Writes the byline with bios of the article `{alias}` as a scalar subquery: for one
/// article, or a handful, cheaper than [`authors_of_page`]'s grouped join.
pub(super) fn authors_of_one(sql: &mut Sql, alias: &str) {
    let aggregate = byline_aggregate(sql.backend);
    sql.push("(SELECT ").push(&aggregate).push(&format!(
        " FROM article_authors aa JOIN authors x ON x.id = aa.author_id WHERE aa.article_id = {alias}.id)"
    ));
}

pub(super) use crate::content::visibility::visible;

/// The expression an order sorts on (before the id tie-breaker).
pub(super) fn sort_expr(order: ArticleOrder, viewer: &Viewer, alias: &str) -> String {
    match (order.by_title(), viewer.audience) {
        (true, _) => format!("{alias}.title"),
        (false, Audience::Public) => format!("{alias}.published_at"),
        (false, Audience::Staff) => format!("COALESCE({alias}.published_at, {alias}.created_at)"),
    }
}

pub(super) fn cursor_of(order: ArticleOrder, a: &ArticleRecord) -> Cursor {
    let key = if order.by_title() {
        SortValue::Text(a.title.clone())
    } else {
        SortValue::Time(a.published_at.unwrap_or(a.created_at))
    };
    Cursor { key, id: a.id }
}

type AuthorTuple = (i64, String, String, Option<String>, Option<String>);

/// Decodes an article row of [`wrap`] by column position: by name, every column cost a
/// hash lookup, and every NULL one a formatted error string, a quarter of a list page's CPU.
pub(super) fn from_row(row: &QueryResult, parts: ArticleParts) -> Result<ArticleRecord, DbErr> {
    // 0 rubric_slug, 1 rubric_name, 2 authors_json, then the article's columns in the order
    // of `columns` (3 id … 19 rubric_id, 20–22 the body).
    let get = |i| col(row, i);
    let status = with_str(row, 8, |status| {
        status
            .and_then(ArticleStatus::parse)
            .ok_or_else(|| DbErr::Type(format!("unknown article status {status:?}")))
    })?;
    // The byline copy is parsed from the row's buffer, not from an owned copy of it.
    let authors = with_str(row, 2, |json| match json {
        Some(json) => serde_json::from_str::<Vec<AuthorTuple>>(json)
            .map_err(|e| DbErr::Json(format!("authors of an article: {e}"))),
        None => Ok(Vec::new()),
    })?
    .into_iter()
    .map(|(id, slug, display_name, avatar_url, bio)| AuthorRef {
        id,
        slug,
        display_name,
        avatar_url,
        bio,
    })
    .collect();
    let body = if parts.body.any() {
        Some(ArticleBody {
            markdown: get(20)?,
            html: get(21)?,
            text: get(22)?,
        })
    } else {
        None
    };
    Ok(ArticleRecord {
        id: col(row, 3)?,
        slug: get(4)?,
        title: get(5)?,
        standfirst: get(6)?,
        language: get(7)?,
        status,
        published_at: col(row, 9)?,
        created_at: col(row, 10)?,
        updated_at: col(row, 11)?,
        featured_image_url: col(row, 12)?,
        featured_image_alt: col(row, 13)?,
        seo_title: col(row, 14)?,
        seo_description: col(row, 15)?,
        word_count: col(row, 16)?,
        reading_time_minutes: col(row, 17)?,
        version: col(row, 18)?,
        rubric: RubricRef {
            id: col(row, 19)?,
            slug: get(0)?,
            name: get(1)?,
        },
        authors,
        body,
    })
}
