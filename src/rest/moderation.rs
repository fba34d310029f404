//! Comment moderation over REST, for editors and admins: the queue and its counts, actions
//! on one comment or many, and a comment's audit trail. Permissions are the service's.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::envelope::{Here, envelopes};
use super::error::ApiResult;
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, InvalidRequest, NotFound, Unauthenticated};
use super::params::{ApiPath, ApiQuery, PageParams, flag};
use crate::auth::extract::RequireActor;
use crate::content::Content;
// The core's records are the contract's, under the names the contract gives them.
use crate::content::comments::moderation::{
    ModerationAction, ModerationCounts, ModerationEntry as ModerationLogEntry, QueueFilter,
    QueueStatus, QueuedComment as ModeratedComment,
};
use crate::content::comments::posting::comment_id;

envelopes! {
    list ModerationQueue(ModeratedComment);
    one ModeratedCommentData(ModeratedComment);
    one ModeratedCommentsData(Vec<ModeratedComment>);
    one ModerationCountsData(ModerationCounts);
    one ModerationLogData(Vec<ModerationLogEntry>);
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
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> ApiResult<Json<ModerationQueue>> {
    let request = page.request(content.max_page_size)?;
    let filter = QueueFilter {
        status: match params.status.as_deref() {
            Some(raw) => QueueStatus::parse("status", raw)?,
            None => QueueStatus::default(),
        },
        article_slug: params.article,
    };
    let with_total = flag("include_total", params.include_total.as_deref())?;
    let page = content
        .comments()
        .queue(&actor, &filter, &request, with_total)
        .await?;
    Ok(Json(
        here.list(page, &request, true, std::convert::identity)
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
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiQuery(params): ApiQuery<CountsParams>,
) -> ApiResult<Json<ModerationCountsData>> {
    let counts = content
        .comments()
        .moderation_counts(&actor, params.article.as_deref())
        .await?;
    Ok(Json(ModerationCountsData { data: counts }))
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
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ModerateCommentRequest>,
) -> ApiResult<Json<ModeratedCommentData>> {
    let id = comment_id("id", &id)?;
    let action = ModerationAction::parse("action", &body.action)?;
    let mut done = content
        .comments()
        .moderate(&actor, &[id], action, body.reason.as_deref())
        .await?;
    let comment = done
        .pop()
        .ok_or_else(|| crate::error::AppError::not_found("comment"))?;
    Ok(Json(ModeratedCommentData { data: comment }))
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
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiJson(body): ApiJson<ModerateCommentsRequest>,
) -> ApiResult<Json<ModeratedCommentsData>> {
    let ids = body
        .ids
        .iter()
        .map(|id| comment_id("ids", id))
        .collect::<Result<Vec<_>, _>>()?;
    let action = ModerationAction::parse("action", &body.action)?;
    let done = content
        .comments()
        .moderate(&actor, &ids, action, body.reason.as_deref())
        .await?;
    Ok(Json(ModeratedCommentsData { data: done }))
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
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ModerationLogData>> {
    let id = comment_id("id", &id)?;
    let log = content.comments().moderation_log(&actor, id).await?;
    Ok(Json(ModerationLogData { data: log }))
}
