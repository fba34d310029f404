//! Moderation actions, for editors and admins: approve, reject, spam, delete (a soft delete),
//! one comment at a time or in bulk in one transaction, each written to the audit trail; and
//! the trail itself. The queue is in `queue`, readers' reports in `reports`.

use crate::content::comments::CommentStatus;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::Comments;
use super::posting::plain_text;
use super::queue::QUEUE_COLUMNS;
pub use super::queue::{ModerationCounts, QueueFilter, QueueStatus, QueuedComment};
use crate::content::now;
use crate::content::permissions;
use crate::content::webhooks::outbox;
use crate::db::dialect::Sql;
use crate::entities::{comment, comment_flag, comment_moderation, user};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

/// The most comments one bulk action may touch.
pub const BULK_MAX: usize = 100;
pub const REASON_MAX: usize = 500;

/// What a moderator does to a comment (`DELETE` is soft: the audit trail stays).
// Both doors document this enum itself (REST snake_case, GraphQL upper case), so they cannot
// drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum ModerationAction {
    Approve,
    Reject,
    Spam,
    /// Soft: the row stays (status `deleted`) so that the audit trail and replies survive.
    Delete,
}

impl ModerationAction {
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        Ok(match raw {
            "approve" => Self::Approve,
            "reject" => Self::Reject,
            "spam" => Self::Spam,
            "delete" => Self::Delete,
            _ => {
                return Err(AppError::invalid(
                    field,
                    "action is one of approve, reject, spam, delete",
                ));
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Spam => "spam",
            Self::Delete => "delete",
        }
    }

    fn to_status(self) -> CommentStatus {
        match self {
            Self::Approve => CommentStatus::Approved,
            Self::Reject => CommentStatus::Rejected,
            Self::Spam => CommentStatus::Spam,
            Self::Delete => CommentStatus::Deleted,
        }
    }
}

/// One moderation action in a comment's audit trail.
// REST's and GraphQL's `ModerationLogEntry` (the row ids stay inside).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ModerationLogEntry)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[cfg_attr(feature = "graphql", graphql(name = "ModerationLogEntry"))]
pub struct ModerationEntry {
    #[serde(skip)]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub id: i64,
    #[serde(skip)]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub comment_id: i64,
    #[serde(skip)]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub actor_id: Option<i64>,
    pub action: String,
    pub from_status: CommentStatus,
    pub to_status: CommentStatus,
    pub reason: Option<String>,
    /// The moderator's display name (absent if their account was removed).
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn reason(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let text = plain_text(raw);
    if text.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            format!("a reason is at most {REASON_MAX} characters"),
        ));
    }
    Ok(Some(text).filter(|t| !t.is_empty()))
}

impl Comments<'_> {
    /// Applies `action` to every comment of `ids` in one transaction (all or none), each
    /// with an audit row; readers' open reports on them are resolved. Returns the comments
    /// as they now are, in the order of `ids`.
    pub async fn moderate(
        &self,
        actor: &Actor,
        ids: &[i64],
        action: ModerationAction,
        reason_text: Option<&str>,
    ) -> AppResult<Vec<QueuedComment>> {
        let moderator = permissions::editor(actor)?;
        let reason = reason(reason_text)?;
        // The cap counts what was sent, copies included (checked before any work on it).
        if ids.is_empty() || ids.len() > BULK_MAX {
            return Err(AppError::invalid(
                "ids",
                format!("moderate 1 to {BULK_MAX} comments at a time"),
            ));
        }
        let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        let conn = &self.content.db.conn;
        if user::Entity::find_by_id(moderator.id)
            .one(conn)
            .await?
            .is_none()
        {
            return Err(AppError::Unauthenticated(
                "this account no longer exists".into(),
            ));
        }
        let at = now();
        // This transaction reads, then writes (the comments, the audit rows, webhook
        // deliveries).
        let txn = self.content.db.begin_write().await?;
        let found = comment::Entity::find()
            .filter(comment::Column::Id.is_in(unique.clone()))
            .all(&txn)
            .await?;
        if let Some(missing) = unique.iter().find(|id| !found.iter().any(|c| c.id == **id)) {
            return Err(AppError::not_found(format!(
                "comment {}",
                crate::content::ids::encode(crate::content::ids::Kind::Comment, *missing)
            )));
        }
        let to = action.to_status();
        for current in found {
            let from = CommentStatus::parse(&current.status)?;
            let id = current.id;
            let mut update: comment::ActiveModel = current.into();
            update.status = Set(to.as_str().into());
            update.moderated_at = Set(Some(at));
            update.moderated_by = Set(Some(moderator.id));
            update.moderation_reason = Set(reason.clone());
            update.updated_at = Set(at);
            let saved = update.update(&txn).await?;
            if action == ModerationAction::Approve {
                outbox::comment_approved(&txn, &saved, from, at).await?;
            }
            comment_moderation::ActiveModel {
                comment_id: Set(id),
                actor_id: Set(Some(moderator.id)),
                action: Set(action.as_str().into()),
                from_status: Set(from.as_str().into()),
                to_status: Set(to.as_str().into()),
                reason: Set(reason.clone()),
                created_at: Set(at),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        comment_flag::Entity::update_many()
            .col_expr(
                comment_flag::Column::ResolvedAt,
                sea_orm::sea_query::Expr::value(at),
            )
            .filter(comment_flag::Column::CommentId.is_in(unique.clone()))
            .filter(comment_flag::Column::ResolvedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        let mut sql = Sql::new(self.backend());
        sql.push(QUEUE_COLUMNS).in_ids("c.id", &unique);
        let mut rows = self.queued(sql).await?;
        rows.sort_by_key(|c| unique.iter().position(|id| *id == c.row_id()));
        Ok(rows)
    }

    /// The audit trail of a comment, oldest first.
    pub async fn moderation_log(
        &self,
        actor: &Actor,
        comment_id: i64,
    ) -> AppResult<Vec<ModerationEntry>> {
        permissions::editor(actor)?;
        let conn = &self.content.db.conn;
        if comment::Entity::find_by_id(comment_id)
            .one(conn)
            .await?
            .is_none()
        {
            return Err(AppError::not_found("comment"));
        }
        let mut sql = Sql::new(self.backend());
        sql.push(
            "SELECT m.id, m.comment_id, m.actor_id, u.display_name AS actor_name, m.action, m.from_status, \
             m.to_status, m.reason, m.created_at FROM comment_moderations m LEFT JOIN users u ON u.id = m.actor_id \
             WHERE m.comment_id = ",
        )
        .bind(comment_id)
        .push(" ORDER BY m.created_at, m.id");
        let rows = conn.query_all_raw(sql.build()).await?;
        rows.iter()
            .map(|row| {
                Ok(ModerationEntry {
                    id: row.try_get("", "id")?,
                    comment_id: row.try_get("", "comment_id")?,
                    actor_id: row.try_get("", "actor_id")?,
                    actor_name: row.try_get("", "actor_name")?,
                    action: row.try_get("", "action")?,
                    from_status: CommentStatus::parse(&row.try_get::<String>("", "from_status")?)?,
                    to_status: CommentStatus::parse(&row.try_get::<String>("", "to_status")?)?,
                    reason: row.try_get("", "reason")?,
                    created_at: row.try_get("", "created_at")?,
                })
            })
            .collect()
    }
}
