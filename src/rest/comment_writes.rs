//! Readers' writes over REST: posting a comment (with `Idempotency-Key`), confirming a guest
//! commenter's email, reporting a comment, and sending an article to a friend. Each handler reads the caller, the client address
//! and the body, and calls one content service.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::envelopes;
use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, NotFound, RateLimited};
use super::params::ApiPath;
use crate::auth::extract::ClientIp;
use crate::auth::extract::MaybeActor;
use crate::content::Content;
use crate::content::comments::posting::{NewComment, PostedComment, comment_id};
use crate::content::ids::{self, Kind};
use crate::content::shares::NewShare;
use crate::error::AppError;

envelopes! {
    one PostedCommentData(PostedCommentView);
    one AcceptedData(Accepted);
    one ConfirmedCommentEmailData(ConfirmedCommentEmail);
}

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A comment to post. Guests give `author_name` and `author_email` (never shown); signed-in
/// readers write under their account's name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostCommentRequest {
    /// A published comment of the same article.
    #[schema(value_type = Option<crate::content::ids::schema::CommentId>)]
    pub parent_id: Option<String>,
    /// A guest's name, 1 to 80 characters without markup.
    #[schema(max_length = 80, pattern = "text:name")]
    pub author_name: Option<String>,
    #[schema(
        max_length = 254,
        pattern = "^[A-Za-z0-9_%+-]{1,16}(?:\\.[A-Za-z0-9_%+-]{1,16}){0,2}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub author_email: Option<String>,
    /// Plain text, 2 to 5000 characters; markup is removed.
    #[schema(min_length = 2, max_length = 5000, pattern = "text:clean-2")]
    pub body: String,
    /// Leave empty (a field for robots).
    pub website: Option<String>,
    /// Guests: the key got by confirming `author_email` (`POST /v1/comment-emails/confirm`).
    /// With it, and an approved comment from that email, the comment is published at once.
    pub guest_key: Option<String>,
}

/// The token of a confirmation link, as emailed to a guest commenter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmCommentEmailRequest {
    #[schema(min_length = 1, pattern = "text:not-blank")]
    pub token: String,
}

/// A confirmed email: keep the key (it is shown once) and send it with the guest's comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmedCommentEmail {
    pub guest_key: String,
}

/// A comment as posted: `pending` until a moderator approves it (unless its writer is known).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PostedComment)]
pub struct PostedCommentView {
    pub id: String,
    /// `pending` or `approved`.
    pub status: crate::content::comments::CommentStatus,
    pub parent_id: Option<String>,
    pub author_name: String,
    /// Plain text: escape it when rendering.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<PostedComment> for PostedCommentView {
    fn from(c: PostedComment) -> Self {
        Self {
            id: ids::encode(Kind::Comment, c.id),
            status: c.status,
            parent_id: c.parent_id.map(|p| ids::encode(Kind::Comment, p)),
            author_name: c.author_name,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

/// A request taken in, to be dealt with later.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// `queued` (a share) or `received` (a report).
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportCommentRequest {
    /// Why the comment should be looked at (1 to 500 characters).
    #[schema(min_length = 1, max_length = 500, pattern = "text:clean")]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareArticleRequest {
    #[schema(
        max_length = 254,
        pattern = "^[A-Za-z0-9_%+-]{1,16}(?:\\.[A-Za-z0-9_%+-]{1,16}){0,2}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub recipient_email: String,
    /// 1 to 80 characters without markup.
    #[schema(max_length = 80, pattern = "text:name")]
    pub sender_name: String,
    /// At most 1000 characters.
    #[schema(max_length = 1000)]
    pub message: Option<String>,
}

/// Posts a comment on a published article.
#[utoipa::path(
    post,
    path = "/v1/articles/{slug}/comments",
    tag = "comments",
    params(
        ("slug" = String, Path, description = "The article's slug"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Retrying with the same key and body returns the first comment; the same key with another body is a 422"),
    ),
    request_body = PostCommentRequest,
    responses((status = 201, description = "The comment, pending or approved", body = PostedCommentData), NotFound, InvalidBody, Forbidden, RateLimited)
)]
pub async fn create_article_comment(
    State(content): State<Content>,
    MaybeActor(actor): MaybeActor,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<PostCommentRequest>,
) -> ApiResult<(StatusCode, Json<PostedCommentData>)> {
    let idempotency_key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                ApiError(AppError::invalid(
                    "Idempotency-Key",
                    "an idempotency key is printable ASCII",
                ))
            })
        })
        .transpose()?;
    let parent_id = body
        .parent_id
        .as_deref()
        .map(|p| comment_id("parentId", p))
        .transpose()?;
    let posted = content
        .comments()
        .post(
            &actor,
            client,
            NewComment {
                article_slug: slug,
                parent_id,
                author_name: body.author_name,
                author_email: body.author_email,
                body: body.body,
                website: body.website,
                idempotency_key,
                guest_key: body.guest_key,
            },
        )
        .await
        .map_err(|e| ApiError::from(e).renamed("idempotency_key", "Idempotency-Key"))?;
    Ok((
        StatusCode::CREATED,
        Json(PostedCommentData {
            data: posted.into(),
        }),
    ))
}

/// Confirms a guest commenter's email with the token of the link emailed to it (the token
/// works once, for 24 hours). Answers the guest key that lets that email's comments be
/// published at once once one of them was approved.
#[utoipa::path(
    post,
    path = "/v1/comment-emails/confirm",
    tag = "comments",
    request_body = ConfirmCommentEmailRequest,
    responses((status = 200, description = "The email is confirmed", body = ConfirmedCommentEmailData), InvalidBody,
        (status = 404, description = "No confirmation link has this token", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was already used, or has expired (commenting again sends a new one)", body = super::openapi::Problem, content_type = "application/problem+json"))
)]
pub async fn confirm_comment_email(
    State(content): State<Content>,
    ApiJson(body): ApiJson<ConfirmCommentEmailRequest>,
) -> ApiResult<Json<ConfirmedCommentEmailData>> {
    let confirmed = content.comment_emails().confirm(&body.token).await?;
    Ok(Json(ConfirmedCommentEmailData {
        data: ConfirmedCommentEmail {
            guest_key: confirmed.guest_key,
        },
    }))
}

/// Reports a published comment to the moderators.
#[utoipa::path(
    post,
    path = "/v1/comments/{id}/reports",
    tag = "comments",
    params(("id" = crate::content::ids::schema::CommentId, Path, description = "The comment's id")),
    request_body = ReportCommentRequest,
    responses((status = 202, description = "The report is recorded", body = AcceptedData), NotFound, InvalidBody, Forbidden, RateLimited)
)]
pub async fn create_comment_report(
    State(content): State<Content>,
    MaybeActor(actor): MaybeActor,
    ClientIp(client): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReportCommentRequest>,
) -> ApiResult<(StatusCode, Json<AcceptedData>)> {
    let id = comment_id("id", &id)?;
    content
        .comments()
        .report(&actor, client, id, &body.reason)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(AcceptedData {
            data: Accepted {
                status: "received".into(),
            },
        }),
    ))
}

/// Emails a published article to someone ("send to a friend"); queued, sent shortly.
#[utoipa::path(
    post,
    path = "/v1/articles/{slug}/share",
    tag = "comments",
    params(("slug" = String, Path, description = "The article's slug")),
    request_body = ShareArticleRequest,
    responses((status = 202, description = "The email is queued", body = AcceptedData), NotFound, InvalidBody, Forbidden, RateLimited)
)]
pub async fn share_article(
    State(content): State<Content>,
    MaybeActor(actor): MaybeActor,
    ClientIp(client): ClientIp,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<ShareArticleRequest>,
) -> ApiResult<(StatusCode, Json<AcceptedData>)> {
    let receipt = content
        .shares()
        .queue(
            &actor,
            client,
            NewShare {
                article_slug: slug,
                recipient_email: body.recipient_email,
                sender_name: body.sender_name,
                message: body.message,
            },
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(AcceptedData {
            data: Accepted {
                status: receipt.status,
            },
        }),
    ))
}
