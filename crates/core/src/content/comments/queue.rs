//! The moderation queue, for editors and admins: comments by status, or flagged by readers
//! (with their reports), newest first, and the counts of each part.

use crate::content::comments::CommentStatus;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::QueryResult;

use super::Comments;
use crate::content::ids::{GlobalId, Kind};
use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::content::permissions;
use crate::db::dialect::Sql;
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

/// Reasons of readers' reports shown per comment in the queue.
const FLAG_REASONS_SHOWN: usize = 20;

/// A part of the moderation queue.
// Both doors document this enum itself (REST snake_case, GraphQL's `ModerationStatus` upper
// case), so they cannot drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "graphql", graphql(name = "ModerationStatus"))]
pub enum QueueStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
    Spam,
    Deleted,
    /// Reported by readers, not yet dealt with (any status but deleted).
    Flagged,
}

impl QueueStatus {
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        Ok(match raw {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "spam" => Self::Spam,
            "deleted" => Self::Deleted,
            "flagged" => Self::Flagged,
            _ => {
                return Err(AppError::invalid(
                    field,
                    "status is one of pending, approved, rejected, spam, deleted, flagged",
                ));
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Spam => "spam",
            Self::Deleted => "deleted",
            Self::Flagged => "flagged",
        }
    }
}

/// A comment as moderators see it (the writer's email is never shown).
// Both doors serve this record as it is: REST's and GraphQL's `ModeratedComment`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ModeratedComment)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[cfg_attr(feature = "graphql", graphql(name = "ModeratedComment"))]
pub struct QueuedComment {
    #[schema(value_type = String)]
    pub id: GlobalId,
    pub status: CommentStatus,
    #[schema(value_type = String)]
    pub article_id: GlobalId,
    pub article_slug: String,
    pub article_title: String,
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<GlobalId>,
    pub author_name: String,
    /// Written by a signed-in reader rather than a guest.
    pub signed_in: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub moderated_at: Option<DateTime<Utc>>,
    pub moderation_reason: Option<String>,
    /// Readers' reports not yet dealt with.
    pub flag_count: i64,
    pub flag_reasons: Vec<String>,
}

impl QueuedComment {
    /// The comment's row id.
    pub fn row_id(&self) -> i64 {
        self.id.1
    }
}

/// How many comments each part of the queue holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct ModerationCounts {
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub spam: i64,
    pub deleted: i64,
    pub flagged: i64,
}

/// Which part of the queue, optionally for one article (by slug).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: QueueStatus,
    pub article_slug: Option<String>,
}

pub(super) const QUEUE_COLUMNS: &str = "SELECT c.id, c.article_id, a.slug AS article_slug, a.title AS article_title, \
     c.parent_id, c.author_name, c.user_id, c.body, c.status, c.created_at, c.moderated_at, c.moderation_reason, \
     (SELECT count(*) FROM comment_flags f WHERE f.comment_id = c.id AND f.resolved_at IS NULL) AS flag_count \
     FROM comments c JOIN articles a ON a.id = c.article_id WHERE ";

const OPEN_FLAG: &str =
    "EXISTS (SELECT 1 FROM comment_flags f WHERE f.comment_id = c.id AND f.resolved_at IS NULL)";

fn queued_from_row(row: &QueryResult) -> Result<QueuedComment, sea_orm::DbErr> {
    Ok(QueuedComment {
        id: GlobalId(Kind::Comment, row.try_get("", "id")?),
        article_id: GlobalId(Kind::Article, row.try_get("", "article_id")?),
        article_slug: row.try_get("", "article_slug")?,
        article_title: row.try_get("", "article_title")?,
        parent_id: row
            .try_get::<Option<i64>>("", "parent_id")?
            .map(|p| GlobalId(Kind::Comment, p)),
        author_name: row.try_get("", "author_name")?,
        signed_in: row.try_get::<Option<i64>>("", "user_id")?.is_some(),
        body: row.try_get("", "body")?,
        status: CommentStatus::read(&row.try_get::<String>("", "status")?)?,
        created_at: row.try_get("", "created_at")?,
        moderated_at: row.try_get("", "moderated_at")?,
        moderation_reason: row.try_get("", "moderation_reason")?,
        flag_count: row.try_get("", "flag_count")?,
        flag_reasons: Vec::new(),
    })
}

fn filter_sql(sql: &mut Sql, filter: &QueueFilter) {
    match filter.status {
        QueueStatus::Flagged => sql.push("c.status <> 'deleted' AND ").push(OPEN_FLAG),
        status => sql.push("c.status = ").bind(status.as_str()),
    };
    if let Some(slug) = &filter.article_slug {
        sql.push(" AND a.slug = ").bind(slug.clone());
    }
}

impl Comments<'_> {
    /// A page of the moderation queue, newest first.
    pub async fn queue(
        &self,
        actor: &Actor,
        filter: &QueueFilter,
        page: &PageRequest,
        with_total: bool,
    ) -> AppResult<Page<QueuedComment>> {
        permissions::editor(actor)?;
        let backward = page.direction == Direction::Backward;
        let mut sql = Sql::new(self.backend());
        sql.push(QUEUE_COLUMNS);
        filter_sql(&mut sql, filter);
        if let Some(cursor) = &page.cursor {
            let SortValue::Time(at) = cursor.key else {
                return Err(AppError::invalid(
                    if backward { "before" } else { "after" },
                    "this cursor does not belong to the moderation queue",
                ));
            };
            sql.push(&format!(
                " AND (c.created_at, c.id) {} (",
                if backward { ">" } else { "<" }
            ));
            sql.bind(at).push(", ").bind(cursor.id).push(")");
        }
        let dir = if backward { "ASC" } else { "DESC" };
        sql.push(&format!(
            " ORDER BY c.created_at {dir}, c.id {dir} LIMIT {}",
            page.size + 1
        ));
        let mut rows = self.queued(sql).await?;
        self.attach_flag_reasons(&mut rows).await?;
        let total = if with_total {
            let mut count = Sql::new(self.backend());
            count.push("SELECT count(*) AS n FROM comments c JOIN articles a ON a.id = c.article_id WHERE ");
            filter_sql(&mut count, filter);
            let row = self.content.db.read_one(count.build()).await?;
            Some(match row {
                Some(row) => row.try_get::<i64>("", "n")?,
                None => 0,
            })
        } else {
            None
        };
        Ok(Page::from_rows(
            page,
            rows,
            |c| Cursor {
                key: SortValue::Time(c.created_at),
                id: c.row_id(),
            },
            total,
        ))
    }

    /// How many comments each part of the queue holds (optionally for one article).
    pub async fn moderation_counts(
        &self,
        actor: &Actor,
        article_slug: Option<&str>,
    ) -> AppResult<ModerationCounts> {
        permissions::editor(actor)?;
        let mut sql = Sql::new(self.backend());
        sql.push(
            "SELECT c.status AS status, count(*) AS n FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE 1 = 1",
        );
        if let Some(slug) = article_slug {
            sql.push(" AND a.slug = ").bind(slug.to_owned());
        }
        sql.push(" GROUP BY c.status");
        let mut counts = ModerationCounts::default();
        for row in self.content.db.read_all(sql.build()).await? {
            let n: i64 = row.try_get("", "n")?;
            match CommentStatus::parse(&row.try_get::<String>("", "status")?)? {
                CommentStatus::Pending => counts.pending = n,
                CommentStatus::Approved => counts.approved = n,
                CommentStatus::Rejected => counts.rejected = n,
                CommentStatus::Spam => counts.spam = n,
                CommentStatus::Deleted => counts.deleted = n,
            }
        }
        let mut flagged = Sql::new(self.backend());
        flagged.push(
            "SELECT count(*) AS n FROM comments c JOIN articles a ON a.id = c.article_id WHERE ",
        );
        filter_sql(
            &mut flagged,
            &QueueFilter {
                status: QueueStatus::Flagged,
                article_slug: article_slug.map(str::to_owned),
            },
        );
        if let Some(row) = self.content.db.read_one(flagged.build()).await? {
            counts.flagged = row.try_get("", "n")?;
        }
        Ok(counts)
    }

    /// Runs a query that selects `QUEUE_COLUMNS`.
    pub(super) async fn queued(&self, sql: Sql) -> AppResult<Vec<QueuedComment>> {
        let rows = self.content.db.read_all(sql.build()).await?;
        Ok(rows
            .iter()
            .map(queued_from_row)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn attach_flag_reasons(&self, rows: &mut [QueuedComment]) -> AppResult<()> {
        let flagged: Vec<i64> = rows
            .iter()
            .filter(|c| c.flag_count > 0)
            .map(QueuedComment::row_id)
            .collect();
        if flagged.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new(self.backend());
        sql.push(
            "SELECT f.comment_id, f.reason FROM comment_flags f WHERE f.resolved_at IS NULL AND ",
        )
        .in_ids("f.comment_id", &flagged)
        .push(" ORDER BY f.created_at, f.id");
        let mut reasons: HashMap<i64, Vec<String>> = HashMap::new();
        for row in self.content.db.read_all(sql.build()).await? {
            let list = reasons.entry(row.try_get("", "comment_id")?).or_default();
            if list.len() < FLAG_REASONS_SHOWN {
                list.push(row.try_get("", "reason")?);
            }
        }
        for row in rows {
            row.flag_reasons = reasons.remove(&row.row_id()).unwrap_or_default();
        }
        Ok(())
    }
}
