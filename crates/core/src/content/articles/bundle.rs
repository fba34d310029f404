//! The article page in ONE statement: the article by slug (with its byline, bios and body as
//! asked), the latest other articles of its rubric, a page of its comments and their number,
//! as the arms of a `UNION ALL` over the article's CTE. One round trip instead of two, one
//! statement instead of three: the page's latency on one connection and the server's CPU
//! per page both measured lower (BENCHMARKS.md).
//!
//! Every row has the same columns:
//! - 0–22: an article's, as [`rows::from_row`] reads them (all NULL on comment rows; the
//!   body, 20–22, NULL when it is not asked for);
//! - 23: the kind of the row: 0 the article, 1 one of "more in this rubric", 2 a comment;
//! - 24–30: a comment's, as [`comments::from_row_at`] reads them;
//! - 31: the number of visible comments (on the article's row, when asked for).
//!
//! The arms' rows are put back in their lists' order here (a few dozen rows), rather than
//! trusting the order in which the engine appends the arms. PostgreSQL types the columns of
//! `A UNION ALL B UNION ALL C` pairwise from the left, and two untyped NULLs make `text`: so
//! the first arm's padding is typed.

use std::cmp::Reverse;

use sea_orm::{DatabaseBackend, DbErr};

use super::Articles;
use super::model::*;
use super::related::latest_of_rubric;
use super::rows::{self, authors_of_one, from_row, visible};
use crate::content::Viewer;
use crate::content::comments::{self, CommentRecord, CommentScope};
use crate::content::pagination::{Direction, Page, PageRequest};
use crate::db::col;
use crate::db::dialect::Sql;
use crate::error::AppResult;

const KIND: usize = 23;
const COMMENT: usize = 24;
const COMMENT_COUNT: usize = 31;
/// The article columns of a comment row.
const ARTICLE_NULLS: &str = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";
/// The comment columns of the article's row (typed: see the module documentation) and of the
/// others.
const COMMENT_TYPED_NULLS: &str = "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
                                   CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                                   CAST(NULL AS TIMESTAMPTZ)";
const COMMENT_NULLS: &str = "NULL, NULL, NULL, NULL, NULL, NULL, NULL";

/// What to read with the article.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageExtras<'r> {
    /// The latest other articles of the rubric: how many, with which parts.
    pub more_in_rubric: Option<(u32, ArticleParts)>,
    /// A page of the visible comments (all of them, oldest first).
    pub comments: Option<&'r PageRequest>,
    /// The number of visible comments (also the comments page's total, which is given only
    /// with it).
    pub comment_count: bool,
}

/// The article and what [`PageExtras`] asked for.
#[derive(Debug)]
pub struct ArticleBundle {
    pub article: ArticleRecord,
    pub more_in_rubric: Option<Vec<ArticleRecord>>,
    pub comments: Option<Page<CommentRecord>>,
    pub comment_count: Option<i64>,
}

impl Articles<'_> {
    /// A visible article by slug with the extras, in one statement.
    pub async fn page_by_slug(
        &self,
        viewer: &Viewer,
        slug: &str,
        parts: ArticleParts,
        extras: PageExtras<'_>,
    ) -> AppResult<Option<ArticleBundle>> {
        let sql = bundle_sql(self.content.backend(), viewer, slug, parts, extras)?;
        let rows = self.content.db.read_all(sql.build()).await?;
        let mut article = None;
        let mut more = Vec::new();
        let mut found = Vec::new();
        let mut count = None;
        for row in &rows {
            match col::<i32>(row, KIND)? {
                0 => {
                    article = Some(from_row(row, parts)?);
                    count = col::<Option<i64>>(row, COMMENT_COUNT)?;
                }
                1 => {
                    let (_, more_parts) = extras.more_in_rubric.unwrap_or_default();
                    more.push(from_row(row, more_parts)?);
                }
                2 => found.push(comments::from_row_at(row, COMMENT)?),
                other => {
                    return Err(DbErr::Type(format!("article page row of kind {other}")).into());
                }
            }
        }
        let Some(article) = article else {
            return Ok(None);
        };
        more.sort_unstable_by_key(|a| Reverse(a.position()));
        let comments = extras.comments.map(|page| {
            match page.direction {
                Direction::Forward => found.sort_unstable_by_key(|c| (c.created_at, c.id)),
                Direction::Backward => {
                    found.sort_unstable_by_key(|c| Reverse((c.created_at, c.id)))
                }
            }
            comments::page_of(page, found, count)
        });
        Ok(Some(ArticleBundle {
            article,
            more_in_rubric: extras.more_in_rubric.map(|_| more),
            comments,
            comment_count: count.filter(|_| extras.comment_count),
        }))
    }
}

/// The statement of [`Articles::page_by_slug`] (module documentation). The lists are read
/// straight from their indexes (`comments_public`, `articles_visible_by_rubric`) with the
/// article's id and rubric as scalar subqueries, and the related articles take the article's
/// rubric row (theirs by definition) from a second CTE.
fn bundle_sql(
    backend: DatabaseBackend,
    viewer: &Viewer,
    slug: &str,
    parts: ArticleParts,
    extras: PageExtras<'_>,
) -> AppResult<Sql> {
    let mut sql = Sql::new(backend);
    sql.push("WITH page AS (");
    rows::columns(&mut sql, parts);
    sql.push(" FROM articles a WHERE a.slug = ")
        .bind(slug.to_owned())
        .push(" AND ");
    visible(&mut sql, "a", viewer);
    sql.push(
        "), rubric AS (SELECT r.slug, r.name FROM page p JOIN rubrics r ON r.id = p.rubric_id)",
    );

    // The article.
    sql.push(" SELECT ");
    article_columns(&mut sql, parts, "p");
    sql.push(", 0 AS kind, ")
        .push(COMMENT_TYPED_NULLS)
        .push(", ");
    if extras.comment_count {
        sql.push("(SELECT count(*) FROM comments s WHERE s.article_id = p.id AND ");
        comments::visible(&mut sql, "s", viewer);
        sql.push(")");
    } else {
        sql.push("CAST(NULL AS BIGINT)");
    }
    sql.push(" AS comment_count FROM page p CROSS JOIN rubric r");

    // More in this rubric.
    if let Some((n, more)) = extras.more_in_rubric {
        sql.push(" UNION ALL SELECT ");
        article_columns(&mut sql, more, "m");
        sql.push(", 1, ").push(COMMENT_NULLS).push(", NULL FROM (");
        rows::columns(&mut sql, more);
        latest_of_rubric(
            &mut sql,
            viewer,
            n,
            "a",
            ("(SELECT id FROM page)", "(SELECT rubric_id FROM page)"),
        );
        sql.push(") m CROSS JOIN rubric r");
    }

    // A page of its comments.
    if let Some(page) = extras.comments {
        sql.push(" UNION ALL SELECT ")
            .push(ARTICLE_NULLS)
            .push(", 2, k.*, NULL FROM (")
            .push(comments::columns(viewer));
        comments::page_of_article(
            &mut sql,
            viewer,
            CommentScope::All,
            page,
            "c",
            "(SELECT id FROM page)",
        )?;
        sql.push(") k");
    }
    Ok(sql)
}

/// Writes columns 0–22 of an article row: the rubric `r`, the byline (with bios, a scalar
/// subquery; without, the copy among `{alias}`'s columns), `{alias}`'s columns and NULLs for
/// a body that is not asked for.
fn article_columns(sql: &mut Sql, parts: ArticleParts, alias: &str) {
    sql.push("r.slug, r.name, ");
    if parts.author_bio {
        authors_of_one(sql, alias);
        sql.push(", ");
    }
    sql.push(&format!("{alias}.*"));
    if !parts.body.any() {
        sql.push(", NULL, NULL, NULL");
    }
}
