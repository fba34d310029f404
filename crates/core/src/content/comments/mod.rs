//! Readers' comments, read side: only approved comments are public. Lists are grouped by
//! article or by parent so that any number of articles or threads costs one statement.

pub mod confirmation;
pub mod moderation;
pub mod posting;
pub mod queue;
pub mod reports;
pub mod status;

pub use status::CommentStatus;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseBackend, DbErr, QueryResult};

use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::content::{Audience, Content, Viewer};
use crate::db::col;
use crate::db::dialect::Sql;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    pub id: i64,
    pub article_id: i64,
    /// The comment this one answers, when that one is visible to the same viewer.
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: DateTime<Utc>,
}

/// Which comments of an article a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentScope {
    /// Every visible comment, oldest first.
    All,
    /// Thread starters: comments without a visible parent (a reply whose parent was
    /// removed starts its own thread, so it stays readable).
    Threads,
}

pub struct Comments<'a> {
    pub(crate) content: &'a Content,
}

/// The columns of a comment. `parent_id` is given only when the parent is visible to the
/// viewer too (a reply to a removed comment reads as a thread starter), in the same statement.
pub(crate) fn columns(viewer: &Viewer) -> &'static str {
    match viewer.audience {
        Audience::Public => {
            "SELECT c.id, c.article_id, CASE WHEN EXISTS (SELECT 1 FROM comments vp WHERE vp.id = c.parent_id \
             AND vp.status = 'approved') THEN c.parent_id END AS parent_id, c.author_name, c.body, c.status, c.created_at"
        }
        Audience::Staff => {
            "SELECT c.id, c.article_id, CASE WHEN EXISTS (SELECT 1 FROM comments vp WHERE vp.id = c.parent_id \
             AND vp.status <> 'deleted') THEN c.parent_id END AS parent_id, c.author_name, c.body, c.status, c.created_at"
        }
    }
}

pub(crate) fn visible(sql: &mut Sql, alias: &str, viewer: &Viewer) {
    match viewer.audience {
        Audience::Public => sql.push(&format!("{alias}.status = 'approved'")),
        Audience::Staff => sql.push(&format!("{alias}.status <> 'deleted'")),
    };
}

/// Decodes the [`columns`] of a row by position, from position `at` (by name, each column
/// cost a hash lookup and each NULL one a formatted error string). In this module's queries
/// they come first and `group_id` follows them, at position 7.
pub(crate) fn from_row_at(row: &QueryResult, at: usize) -> Result<CommentRecord, DbErr> {
    Ok(CommentRecord {
        id: col(row, at)?,
        article_id: col(row, at + 1)?,
        parent_id: col(row, at + 2)?,
        author_name: col(row, at + 3)?,
        body: col(row, at + 4)?,
        status: CommentStatus::read(&col::<String>(row, at + 5)?)?,
        created_at: col(row, at + 6)?,
    })
}

/// Writes ` FROM comments {alias} WHERE …` up to its `LIMIT size + 1`: one page of the
/// visible comments of the article whose id is `article` (in `scope`, oldest first, or
/// newest first when paging backward). The caller writes what is selected.
pub(crate) fn page_of_article(
    sql: &mut Sql,
    viewer: &Viewer,
    scope: CommentScope,
    page: &PageRequest,
    alias: &str,
    article: &str,
) -> AppResult<()> {
    let backward = page.direction == Direction::Backward;
    let dir = if backward { "DESC" } else { "ASC" };
    sql.push(&format!(
        " FROM comments {alias} WHERE {alias}.article_id = {article} AND "
    ));
    visible(sql, alias, viewer);
    if scope == CommentScope::Threads {
        sql.push(&format!(
            " AND ({alias}.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = {alias}.parent_id AND "
        ));
        visible(sql, "p", viewer);
        sql.push("))");
    }
    if let Some(cursor) = &page.cursor {
        let SortValue::Time(at) = cursor.key else {
            return Err(AppError::invalid(
                if backward { "before" } else { "after" },
                "this cursor does not belong to comments",
            ));
        };
        sql.push(&format!(
            " AND ({alias}.created_at, {alias}.id) {} (",
            if backward { "<" } else { ">" }
        ));
        sql.bind(at).push(", ").bind(cursor.id).push(")");
    }
    sql.push(&format!(
        " ORDER BY {alias}.created_at {dir}, {alias}.id {dir} LIMIT {}",
        page.size + 1
    ));
    Ok(())
}

/// The page of comments read with [`page_of_article`], in the order they were read.
pub(crate) fn page_of(
    page: &PageRequest,
    rows: Vec<CommentRecord>,
    total: Option<i64>,
) -> Page<CommentRecord> {
    Page::from_rows(page, rows, cursor_of, total)
}

fn cursor_of(c: &CommentRecord) -> Cursor {
    Cursor {
        key: SortValue::Time(c.created_at),
        id: c.id,
    }
}

impl Comments<'_> {
    fn backend(&self) -> DatabaseBackend {
        self.content.backend()
    }

    async fn fetch(&self, sql: Sql) -> AppResult<Vec<(i64, CommentRecord)>> {
        let rows = self.content.db.read_all(sql.build()).await?;
        rows.iter()
            .map(|row| Ok((col::<i64>(row, 7)?, from_row_at(row, 0)?)))
            .collect()
    }

    /// Writes a grouped query: for each `g` in `table` with id in `ids`, the comments the
    /// subquery selects (bounded by its LIMIT).
    fn grouped(
        &self,
        viewer: &Viewer,
        table: &str,
        ids: &[i64],
        inner: impl Fn(&mut Sql) -> AppResult<()> + Sync,
        order: &str,
    ) -> AppResult<Sql> {
        let mut sql = Sql::new(self.backend());
        sql.push(columns(viewer))
            .push(&format!(", g.id AS group_id FROM {table} g "));
        crate::db::dialect::join_per_group(&mut sql, "comments", "c", &[&inner])?;
        sql.push(" WHERE ").in_ids("g.id", ids);
        sql.push(&format!(" ORDER BY g.id, {order}"));
        Ok(sql)
    }

    /// A page of the visible comments of each article (oldest first). The articles must
    /// already be known to be visible to the viewer.
    pub async fn for_articles(
        &self,
        viewer: &Viewer,
        article_ids: &[i64],
        scope: CommentScope,
        page: &PageRequest,
        with_total: bool,
    ) -> AppResult<HashMap<i64, Page<CommentRecord>>> {
        if article_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let dir = if page.direction == Direction::Backward {
            "DESC"
        } else {
            "ASC"
        };
        let inner = |sql: &mut Sql| {
            sql.push("SELECT s.id");
            page_of_article(sql, viewer, scope, page, "s", "g.id")
        };
        let sql = self.grouped(
            viewer,
            "articles",
            article_ids,
            inner,
            &format!("c.created_at {dir}, c.id {dir}"),
        )?;
        let mut by_article: HashMap<i64, Vec<CommentRecord>> =
            article_ids.iter().map(|id| (*id, Vec::new())).collect();
        for (article, comment) in self.fetch(sql).await? {
            by_article.entry(article).or_default().push(comment);
        }
        let totals = if with_total {
            Some(self.counts(viewer, article_ids, scope).await?)
        } else {
            None
        };
        Ok(by_article
            .into_iter()
            .map(|(id, rows)| {
                let total = totals.as_ref().map(|t| t.get(&id).copied().unwrap_or(0));
                (id, page_of(page, rows, total))
            })
            .collect())
    }

    /// Up to `n` visible replies of each comment, oldest first.
    pub async fn replies(
        &self,
        viewer: &Viewer,
        parent_ids: &[i64],
        n: u32,
    ) -> AppResult<HashMap<i64, Vec<CommentRecord>>> {
        let mut out: HashMap<i64, Vec<CommentRecord>> =
            parent_ids.iter().map(|id| (*id, Vec::new())).collect();
        if parent_ids.is_empty() || n == 0 {
            return Ok(out);
        }
        let inner = |sql: &mut Sql| -> AppResult<()> {
            sql.push("SELECT s.id FROM comments s WHERE s.parent_id = g.id AND ");
            visible(sql, "s", viewer);
            sql.push(&format!(" ORDER BY s.created_at, s.id LIMIT {n}"));
            Ok(())
        };
        let sql = self.grouped(viewer, "comments", parent_ids, inner, "c.created_at, c.id")?;
        for (parent, comment) in self.fetch(sql).await? {
            out.entry(parent).or_default().push(comment);
        }
        Ok(out)
    }

    /// The number of visible comments of each article (in `scope`).
    pub async fn counts(
        &self,
        viewer: &Viewer,
        article_ids: &[i64],
        scope: CommentScope,
    ) -> AppResult<HashMap<i64, i64>> {
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT s.article_id AS group_id, count(*) AS n FROM comments s WHERE ")
            .in_ids("s.article_id", article_ids);
        sql.push(" AND ");
        visible(&mut sql, "s", viewer);
        if scope == CommentScope::Threads {
            sql.push(" AND (s.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = s.parent_id AND ");
            visible(&mut sql, "p", viewer);
            sql.push("))");
        }
        sql.push(" GROUP BY s.article_id");
        self.count_rows(sql, article_ids).await
    }

    /// The number of visible replies of each comment.
    pub async fn reply_counts(
        &self,
        viewer: &Viewer,
        parent_ids: &[i64],
    ) -> AppResult<HashMap<i64, i64>> {
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT s.parent_id AS group_id, count(*) AS n FROM comments s WHERE ")
            .in_ids("s.parent_id", parent_ids);
        sql.push(" AND ");
        visible(&mut sql, "s", viewer);
        sql.push(" GROUP BY s.parent_id");
        self.count_rows(sql, parent_ids).await
    }

    async fn count_rows(&self, sql: Sql, ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
        let mut out: HashMap<i64, i64> = ids.iter().map(|id| (*id, 0)).collect();
        for row in self.content.db.read_all(sql.build()).await? {
            out.insert(row.try_get("", "group_id")?, row.try_get("", "n")?);
        }
        Ok(out)
    }

    /// Visible comments by id, on visible articles only (for `node`).
    pub async fn find_by_ids(&self, viewer: &Viewer, ids: &[i64]) -> AppResult<Vec<CommentRecord>> {
        self.find_matching(viewer, ids, false).await
    }

    /// The visible parents of the given comments.
    pub async fn parents_of(
        &self,
        viewer: &Viewer,
        child_ids: &[i64],
    ) -> AppResult<Vec<CommentRecord>> {
        self.find_matching(viewer, child_ids, true).await
    }

    async fn find_matching(
        &self,
        viewer: &Viewer,
        ids: &[i64],
        children: bool,
    ) -> AppResult<Vec<CommentRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.backend());
        sql.push(columns(viewer)).push(
            ", c.id AS group_id FROM comments c JOIN articles a ON a.id = c.article_id WHERE ",
        );
        if children {
            sql.push("c.id IN (SELECT ch.parent_id FROM comments ch WHERE ");
            sql.in_ids("ch.id", ids).push(")");
        } else {
            sql.in_ids("c.id", ids);
        }
        sql.push(" AND ");
        visible(&mut sql, "c", viewer);
        sql.push(" AND ");
        crate::content::visibility::visible(&mut sql, "a", viewer);
        Ok(self.fetch(sql).await?.into_iter().map(|(_, c)| c).collect())
    }
}
