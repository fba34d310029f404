//! Comment moderation over REST, for editors and admins: the queue and its counts, actions
//! on one comment or many, and a comment's audit trail. Permissions are the service's.

use crate::content::comments::CommentStatus;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::envelope::{Here, envelopes};
use super::error::ApiResult;
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, InvalidRequest, NotFound, Unauthenticated};
use super::params::{ApiPath, ApiQuery, PageParams, flag};
use crate::app::AppState;
use crate::auth::extract::RequireActor;
use crate::content::comments::moderation::{
    ModerationAction, ModerationCounts, ModerationEntry, QueueFilter, QueueStatus, QueuedComment,
};
use crate::content::comments::posting::comment_id;
use crate::content::ids::{self, Kind};

envelopes! {
    list ModerationQueue(ModeratedComment);
    one ModeratedCommentData(ModeratedComment);
    one ModeratedCommentsData(Vec<ModeratedComment>);
    one ModerationCountsData(ModerationCountsView);
    one ModerationLogData(Vec<ModerationLogEntry>);
}

/// A comment as moderators see it (the writer's email is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct ModeratedComment {
    pub id: String,
    pub status: CommentStatus,
    pub article_id: String,
    pub article_slug: String,
    pub article_title: String,
    pub parent_id: Option<String>,
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

impl From<QueuedComment> for ModeratedComment {
    fn from(c: QueuedComment) -> Self {
        Self {
            id: ids::encode(Kind::Comment, c.id),
            status: c.status,
            article_id: ids::encode(Kind::Article, c.article_id),
            article_slug: c.article_slug,
            article_title: c.article_title,
            parent_id: c.parent_id.map(|p| ids::encode(Kind::Comment, p)),
            author_name: c.author_name,
            signed_in: c.signed_in,
            body: c.body,
            created_at: c.created_at,
            moderated_at: c.moderated_at,
            moderation_reason: c.moderation_reason,
            flag_count: c.flag_count,
            flag_reasons: c.flag_reasons,
        }
    }
}

/// How many comments each part of the queue holds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ModerationCounts)]
pub struct ModerationCountsView {
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub spam: i64,
    pub deleted: i64,
    pub flagged: i64,
}

impl From<ModerationCounts> for ModerationCountsView {
    fn from(c: ModerationCounts) -> Self {
        Self {
            pending: c.pending,
            approved: c.approved,
            rejected: c.rejected,
            spam: c.spam,
            deleted: c.deleted,
            flagged: c.flagged,
        }
    }
}

/// One moderation action in a comment's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModerationLogEntry {
    pub action: String,
    pub from_status: CommentStatus,
    pub to_status: CommentStatus,
    pub reason: Option<String>,
    /// The moderator's display name (absent if their account was removed).
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<ModerationEntry> for ModerationLogEntry {
    fn from(e: ModerationEntry) -> Self {
        Self {
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            reason: e.reason,
            actor_name: e.actor_name,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `pending` (default), `approved`, `rejected`, `spam`, `deleted` or `flagged`
    /// (reported by readers, not yet dealt with).
    #[param(value_type = Option<crate::content::comments::queue::QueueStatus>)]
    pub status: Option<String>,
    /// Only the comments of this article (its slug).
    pub article: Option<String>,
    /// Whether `page.total` counts the whole list.
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountsParams {
    /// Only the comments of this article (its slug).
    pub article: Option<String>,
}

/// A moderation action on one comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateCommentRequest {
    /// `approve`, `reject`, `spam` or `delete` (soft: the audit trail stays).
    #[schema(value_type = crate::content::comments::moderation::ModerationAction)]
    pub action: String,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// A moderation action on many comments, all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateCommentsRequest {
    /// 1 to 100 comment ids, no repeats.
    #[schema(min_items = 1, max_items = 100, value_type = Vec<crate::content::ids::schema::CommentId>)]
    pub ids: Vec<String>,
    /// `approve`, `reject`, `spam` or `delete`.
    #[schema(value_type = crate::content::comments::moderation::ModerationAction)]
    pub action: String,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// The moderation queue, newest first.
#[utoipa::path(
    get,
    path = "/v1/moderation/comments",
    tag = "moderation",
    security(("bearer" = [])),
    params(PageParams, QueueParams),
    responses((status = 200, description = "A page of the queue", body = ModerationQueue), Unauthenticated, Forbidden, InvalidRequest)
)]
pub async fn list_moderation_comments(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    here: Here,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> ApiResult<Json<ModerationQueue>> {
    let request = page.request(state.content.max_page_size)?;
    let filter = QueueFilter {
        status: match params.status.as_deref() {
            Some(raw) => QueueStatus::parse("status", raw)?,
            None => QueueStatus::default(),
        },
        article_slug: params.article,
    };
    let with_total = flag("include_total", params.include_total.as_deref())?;
    let page = state
        .content
        .comments()
        .queue(&actor, &filter, &request, with_total)
        .await?;
    Ok(Json(
        here.list(page, &request, true, ModeratedComment::from)
            .into(),
    ))
}

/// How many comments each part of the queue holds.
#[utoipa::path(
    get,
    path = "/v1/moderation/counts",
    tag = "moderation",
    security(("bearer" = [])),
    params(CountsParams),
    responses((status = 200, description = "Counts per status", body = ModerationCountsData), Unauthenticated, Forbidden)
)]
pub async fn get_moderation_counts(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiQuery(params): ApiQuery<CountsParams>,
) -> ApiResult<Json<ModerationCountsData>> {
    let counts = state
        .content
        .comments()
        .moderation_counts(&actor, params.article.as_deref())
        .await?;
    Ok(Json(ModerationCountsData {
        data: counts.into(),
    }))
}

/// Approves, rejects, marks as spam or deletes one comment, with an optional reason.
#[utoipa::path(
    post,
    path = "/v1/moderation/comments/{id}/actions",
    tag = "moderation",
    security(("bearer" = [])),
    params(("id" = crate::content::ids::schema::CommentId, Path, description = "The comment's id")),
    request_body = ModerateCommentRequest,
    responses((status = 200, description = "The comment as it now is", body = ModeratedCommentData), Unauthenticated, Forbidden, NotFound, InvalidBody)
)]
pub async fn moderate_comment(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ModerateCommentRequest>,
) -> ApiResult<Json<ModeratedCommentData>> {
    let id = comment_id("id", &id)?;
    let action = ModerationAction::parse("action", &body.action)?;
    let mut done = state
        .content
        .comments()
        .moderate(&actor, &[id], action, body.reason.as_deref())
        .await?;
    let comment = done
        .pop()
        .ok_or_else(|| crate::error::AppError::not_found("comment"))?;
    Ok(Json(ModeratedCommentData {
        data: comment.into(),
    }))
}

/// Applies one action to many comments in one transaction (all or none).
#[utoipa::path(
    post,
    path = "/v1/moderation/actions",
    tag = "moderation",
    security(("bearer" = [])),
    request_body = ModerateCommentsRequest,
    responses((status = 200, description = "The comments as they now are", body = ModeratedCommentsData), Unauthenticated, Forbidden, NotFound, InvalidBody)
)]
pub async fn moderate_comments(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiJson(body): ApiJson<ModerateCommentsRequest>,
) -> ApiResult<Json<ModeratedCommentsData>> {
    let ids = body
        .ids
        .iter()
        .map(|id| comment_id("ids", id))
        .collect::<Result<Vec<_>, _>>()?;
    let action = ModerationAction::parse("action", &body.action)?;
    let done = state
        .content
        .comments()
        .moderate(&actor, &ids, action, body.reason.as_deref())
        .await?;
    Ok(Json(ModeratedCommentsData {
        data: done.into_iter().map(Into::into).collect(),
    }))
}

/// The moderation history of a comment, oldest first.
#[utoipa::path(
    get,
    path = "/v1/moderation/comments/{id}/log",
    tag = "moderation",
    security(("bearer" = [])),
    params(("id" = crate::content::ids::schema::CommentId, Path, description = "The comment's id")),
    responses((status = 200, description = "The audit trail", body = ModerationLogData), Unauthenticated, Forbidden, NotFound)
)]
pub async fn list_comment_moderation_log(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ModerationLogData>> {
    let id = comment_id("id", &id)?;
    let log = state.content.comments().moderation_log(&actor, id).await?;
    Ok(Json(ModerationLogData {
        data: log.into_iter().map(Into::into).collect(),
    }))
}
