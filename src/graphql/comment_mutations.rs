//! Readers' writes and moderation in GraphQL: posting and reporting comments, sending an
//! article to a friend, and the moderation queue, counts, actions and audit trail. Each
//! field reads its caller and input and calls one content service, which holds the rules.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::common::*;
use crate::auth::extract::ClientIp;
// The core's records and enums are the schema's, under the names the schema gives them.
use crate::content::comments::moderation::{
    ModerationAction, ModerationCounts, ModerationEntry as ModerationLogEntry, QueueFilter,
    QueueStatus as ModerationStatus, QueuedComment as ModeratedComment,
};
use crate::content::comments::posting::{NewComment, PostedComment, comment_id};
use crate::content::ids::{self, Kind};
use crate::content::pagination::Page;
use crate::content::shares::NewShare;

fn client(ctx: &Context<'_>) -> Option<std::net::IpAddr> {
    ctx.data_opt::<ClientIp>().and_then(|c| c.0)
}

fn comment_ids(field: &str, raw: &[ID]) -> GqlResult<Vec<i64>> {
    raw.iter()
        .map(|id| comment_id(field, id).map_err(gql))
        .collect()
}

/// A comment as posted: `PENDING` until a moderator approves it (unless its writer is known).
#[derive(SimpleObject)]
pub struct PostedCommentPayload {
    pub id: ID,
    pub status: CommentStatus,
    pub parent_id: Option<ID>,
    pub author_name: String,
    /// Plain text (markup removed): escape it when rendering.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<PostedComment> for PostedCommentPayload {
    fn from(c: PostedComment) -> Self {
        Self {
            id: ID(ids::encode(Kind::Comment, c.id)),
            status: c.status,
            parent_id: c.parent_id.map(|p| ID(ids::encode(Kind::Comment, p))),
            author_name: c.author_name,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

pub use crate::content::comments::CommentStatus;

#[derive(SimpleObject)]
pub struct ModerationEdge {
    pub cursor: String,
    pub node: ModeratedComment,
}

/// A page of the moderation queue, newest first.
#[derive(SimpleObject)]
pub struct ModerationConnection {
    pub edges: Vec<ModerationEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

impl From<Page<ModeratedComment>> for ModerationConnection {
    fn from(page: Page<ModeratedComment>) -> Self {
        Self {
            total_count: page.total.unwrap_or(0),
            page_info: page.info.into(),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, c)| ModerationEdge {
                    cursor: cursor.encode(),
                    node: c,
                })
                .collect(),
        }
    }
}

/// A comment to post. Guests give a name and an email (never shown); signed-in readers
/// write under their account's name.
#[derive(InputObject)]
pub struct PostCommentInput {
    pub article_slug: String,
    /// A published comment of the same article.
    pub parent_id: Option<ID>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    /// Plain text, 2 to 5000 characters; markup is removed.
    pub body: String,
    /// Leave empty (a field for robots).
    pub website: Option<String>,
    /// The client's key for this post (1 to 255 printable ASCII characters), as REST's
    /// `Idempotency-Key`: posting again with it returns the comment first posted with it;
    /// the same key with another comment is `BAD_USER_INPUT`, while the first post with it
    /// is still being written `CONFLICT`. Keys belong to their writer.
    pub idempotency_key: Option<String>,
    /// Guests: the key got by confirming `authorEmail` (`confirmCommentEmail`). With it, and
    /// an approved comment from that email, the comment is published at once.
    pub guest_key: Option<String>,
}

/// A confirmed email: keep the key (it is shown once) and send it with the guest's comments.
#[derive(SimpleObject)]
pub struct ConfirmedCommentEmail {
    pub guest_key: String,
}

/// "Send to a friend" is queued, then emailed.
#[derive(SimpleObject)]
pub struct ShareReceipt {
    /// `queued`.
    pub status: String,
}

#[derive(Default)]
pub struct CommentMutations;

#[Object]
impl CommentMutations {
    /// Posts a comment; it may wait for moderation (`status: PENDING`).
    async fn post_comment(
        &self,
        ctx: &Context<'_>,
        input: PostCommentInput,
    ) -> GqlResult<PostedCommentPayload> {
        let parent_id = input
            .parent_id
            .map(|p| comment_id("parentId", &p))
            .transpose()
            .map_err(gql)?;
        let comment = NewComment {
            article_slug: input.article_slug,
            parent_id,
            author_name: input.author_name,
            author_email: input.author_email,
            body: input.body,
            website: input.website,
            idempotency_key: input.idempotency_key,
            guest_key: input.guest_key,
        };
        let posted = content(ctx)
            .comments()
            .post(&actor(ctx), client(ctx), comment)
            .await
            .map_err(gql)?;
        Ok(posted.into())
    }

    /// Confirms a guest commenter's email with the token of the link emailed to it (the
    /// token works once, for 24 hours); gives the guest key to send with its comments.
    async fn confirm_comment_email(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> GqlResult<ConfirmedCommentEmail> {
        let confirmed = content(ctx)
            .comment_emails()
            .confirm(&token)
            .await
            .map_err(gql)?;
        Ok(ConfirmedCommentEmail {
            guest_key: confirmed.guest_key,
        })
    }

    /// Reports a published comment to the moderators.
    async fn report_comment(&self, ctx: &Context<'_>, id: ID, reason: String) -> GqlResult<bool> {
        let id = comment_id("id", &id).map_err(gql)?;
        content(ctx)
            .comments()
            .report(&actor(ctx), client(ctx), id, &reason)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    /// Applies a moderation action to one comment (editors and admins).
    async fn moderate_comment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        action: ModerationAction,
        reason: Option<String>,
    ) -> GqlResult<ModeratedComment> {
        let ids = comment_ids("id", std::slice::from_ref(&id))?;
        let mut done = content(ctx)
            .comments()
            .moderate(&actor(ctx), &ids, action, reason.as_deref())
            .await
            .map_err(gql)?;
        done.pop()
            .ok_or_else(|| gql(crate::error::AppError::not_found("comment")))
    }

    /// Applies a moderation action to many comments at once (all or none; at most 100).
    async fn moderate_comments(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        action: ModerationAction,
        reason: Option<String>,
    ) -> GqlResult<Vec<ModeratedComment>> {
        let ids = comment_ids("ids", &ids)?;
        let done = content(ctx)
            .comments()
            .moderate(&actor(ctx), &ids, action, reason.as_deref())
            .await
            .map_err(gql)?;
        Ok(done)
    }

    /// Emails a published article to someone (queued; sent shortly).
    async fn share_article(
        &self,
        ctx: &Context<'_>,
        slug: String,
        recipient_email: String,
        sender_name: String,
        message: Option<String>,
    ) -> GqlResult<ShareReceipt> {
        let receipt = content(ctx)
            .shares()
            .queue(
                &actor(ctx),
                client(ctx),
                NewShare {
                    article_slug: slug,
                    recipient_email,
                    sender_name,
                    message,
                },
            )
            .await
            .map_err(gql)?;
        Ok(ShareReceipt {
            status: receipt.status,
        })
    }
}

/// The moderation reads (editors and admins).
#[derive(Default)]
pub struct ModerationQuery;

#[Object]
impl ModerationQuery {
    /// The moderation queue, newest first: pending comments by default.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    async fn moderation_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] status: ModerationStatus,
        #[graphql(desc = "An article's slug")] article: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<ModerationConnection> {
        let page = page_request(ctx, page_args(first, after, last, before))?;
        let filter = QueueFilter {
            status,
            article_slug: article,
        };
        let with_total = selects(ctx, &["totalCount"]);
        let page = content(ctx)
            .comments()
            .queue(&actor(ctx), &filter, &page, with_total)
            .await
            .map_err(gql)?;
        Ok(page.into())
    }

    /// How many comments each part of the queue holds (optionally for one article).
    async fn moderation_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An article's slug")] article: Option<String>,
    ) -> GqlResult<ModerationCounts> {
        let counts = content(ctx)
            .comments()
            .moderation_counts(&actor(ctx), article.as_deref())
            .await
            .map_err(gql)?;
        Ok(counts)
    }

    /// The moderation history of a comment, oldest first.
    async fn comment_moderation_log(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
    ) -> GqlResult<Vec<ModerationLogEntry>> {
        let id =
            crate::content::comments::posting::comment_id("commentId", &comment_id).map_err(gql)?;
        let log = content(ctx)
            .comments()
            .moderation_log(&actor(ctx), id)
            .await
            .map_err(gql)?;
        Ok(log)
    }
}
