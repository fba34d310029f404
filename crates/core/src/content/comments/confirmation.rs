//! Confirming a guest commenter's email, so that auto-approval of known writers rests on
//! something a guest cannot forge.
//!
//! Anyone can type an email, so an email alone proves nothing. A guest who posts with an
//! email gets a confirmation email (at most one per email per [`WINDOW`]); its link carries
//! a single-use token that expires after [`TOKEN_TTL`]. Confirming it (the website's page
//! POSTs the token: a GET never confirms, as mail scanners open links) marks the email
//! confirmed and gives the confirming browser a **guest key**, a secret it sends with its
//! next comments. A guest comment is published at once only with that key, for an email
//! that already has an approved comment; the same email typed by someone else, without the
//! key, is held for moderation like any first comment.
//!
//! One row per email (`comment_emails`) holds the confirmation and the confirmation email as
//! an outbox row, claimed by the mail worker through [`crate::content::claims`] as shares
//! are. Tokens and keys are stored as SHA-256 hashes only; the token is made when the email
//! is sent, so no usable secret ever rests in the database. Nothing here logs an email, and
//! no answer tells whether an email is known.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::content::accounts::{random_token, sha256_hex};
use crate::content::claims::{Outbox, RetryPolicy, later};
use crate::content::{Content, now};
use crate::db::dialect::Sql;
use crate::entities::comment_email;
use crate::error::{AppError, AppResult};

/// At most one confirmation email per email address in this window.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// How long a confirmation link works after its email was sent.
pub const TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);
/// Bytes of randomness in a token and in a guest key.
const SECRET_BYTES: usize = 32;
/// The longest token or key worth hashing.
const SECRET_MAX: usize = 256;

/// Failed sends are retried like shares.
const RETRY: RetryPolicy = crate::content::shares::RETRY;

const OUTBOX: Outbox<comment_email::Entity> = Outbox {
    id: comment_email::Column::Id,
    status: comment_email::Column::Status,
    next_attempt_at: comment_email::Column::NextAttemptAt,
    waiting: "queued",
};

/// What confirming gives: the guest key to send with later comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedEmail {
    pub guest_key: String,
}

/// A confirmation email the worker has claimed, with its fresh token already stored.
#[derive(Debug, Clone)]
pub struct DueConfirmation {
    pub id: i64,
    pub attempts: i32,
    pub email: String,
    pub link: String,
    /// The token inside `link` (the log transport masks it).
    pub token: String,
}

pub struct CommentEmails<'a> {
    content: &'a Content,
}

impl Content {
    pub fn comment_emails(&self) -> CommentEmails<'_> {
        CommentEmails { content: self }
    }
}

/// A link that was used, or has expired: its state forbids it (the token was one we sent).
fn refused(message: &str) -> AppError {
    AppError::Conflict(message.into())
}

impl CommentEmails<'_> {
    /// Whether `guest_key` is the key given when `email` (normalised) was confirmed.
    pub(crate) async fn holds_key(
        &self,
        conn: &impl ConnectionTrait,
        email: &str,
        guest_key: Option<&str>,
    ) -> AppResult<bool> {
        let Some(key) = guest_key.map(str::trim).filter(|k| !k.is_empty()) else {
            return Ok(false);
        };
        if key.len() > SECRET_MAX {
            return Ok(false);
        }
        let found = comment_email::Entity::find()
            .filter(comment_email::Column::Email.eq(email))
            .filter(comment_email::Column::KeyHash.eq(sha256_hex(key)))
            .filter(comment_email::Column::ConfirmedAt.is_not_null())
            .one(conn)
            .await?;
        Ok(found.is_some())
    }

    /// Queues a confirmation email to `email` (normalised), unless one was queued in the
    /// last [`WINDOW`]: one statement, so that concurrent posts queue one email.
    pub(crate) async fn request(&self, conn: &impl ConnectionTrait, email: &str) -> AppResult<()> {
        let at = now();
        let mut sql = Sql::new(self.content.backend());
        sql.push(
            "INSERT INTO comment_emails (email, requested_at, status, attempts, next_attempt_at, created_at) VALUES (",
        )
        .bind(email.to_owned())
        .push(", ")
        .bind(at)
        .push(", 'queued', 0, ")
        .bind(at)
        .push(", ")
        .bind(at);
        sql.push(
            ") ON CONFLICT (email) DO UPDATE SET requested_at = excluded.requested_at, \
             status = 'queued', attempts = 0, last_error = NULL, next_attempt_at = excluded.next_attempt_at \
             WHERE comment_emails.requested_at < ",
        )
        .bind(at - chrono::Duration::from_std(WINDOW).unwrap_or(chrono::Duration::hours(1)));
        conn.execute_raw(sql.build()).await?;
        Ok(())
    }

    /// Confirms the email of a link's token: the token is used up, the email confirmed, and
    /// a new guest key given (the previous one, from an earlier confirmation, stops working).
    pub async fn confirm(&self, token: &str) -> AppResult<ConfirmedEmail> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AppError::invalid("token", "token is required"));
        }
        let not_valid = || AppError::not_found("confirmation link");
        if token.len() > SECRET_MAX {
            return Err(not_valid());
        }
        let hash = sha256_hex(token);
        let key = random_token(SECRET_BYTES);
        let at = now();
        // One statement checks and uses the token, so that it confirms at most once.
        let confirmed = comment_email::Entity::update_many()
            .col_expr(comment_email::Column::TokenUsedAt, Expr::value(Some(at)))
            .col_expr(
                comment_email::Column::ConfirmedAt,
                Func::coalesce([
                    Expr::col(comment_email::Column::ConfirmedAt).into(),
                    Expr::value(Some(at)),
                ])
                .into(),
            )
            .col_expr(
                comment_email::Column::KeyHash,
                Expr::value(Some(sha256_hex(&key))),
            )
            .filter(comment_email::Column::TokenHash.eq(hash.clone()))
            .filter(comment_email::Column::TokenUsedAt.is_null())
            .filter(comment_email::Column::TokenExpiresAt.gt(at))
            .exec(&self.content.db.conn)
            .await?
            .rows_affected
            == 1;
        if confirmed {
            return Ok(ConfirmedEmail { guest_key: key });
        }
        let row = comment_email::Entity::find()
            .filter(comment_email::Column::TokenHash.eq(hash))
            .one(&self.content.db.conn)
            .await?
            .ok_or_else(not_valid)?;
        Err(if row.token_used_at.is_some() {
            refused("this confirmation link was already used")
        } else {
            refused("this confirmation link has expired: comment again to receive a new one")
        })
    }

    /// Claims up to `limit` due confirmation emails for `lease`, and gives each a fresh
    /// token (its hash stored now; a retried send gets a new one, the old link then fails).
    pub async fn claim_due(&self, limit: u64, lease: Duration) -> AppResult<Vec<DueConfirmation>> {
        let conn = &self.content.db.conn;
        let mut claimed = Vec::new();
        for row in OUTBOX.claim(conn, Condition::all(), limit, lease).await? {
            let token = random_token(SECRET_BYTES);
            let at = now();
            comment_email::Entity::update_many()
                .col_expr(
                    comment_email::Column::TokenHash,
                    Expr::value(Some(sha256_hex(&token))),
                )
                .col_expr(
                    comment_email::Column::TokenExpiresAt,
                    Expr::value(Some(later(at, TOKEN_TTL))),
                )
                .col_expr(
                    comment_email::Column::TokenUsedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(comment_email::Column::Id.eq(row.id))
                .exec(conn)
                .await?;
            claimed.push(DueConfirmation {
                id: row.id,
                attempts: row.attempts,
                link: format!(
                    "{}/comment-emails/confirm?token={token}",
                    self.content.protection.public_url
                ),
                email: row.email,
                token,
            });
        }
        Ok(claimed)
    }

    pub async fn mark_sent(&self, id: i64) -> AppResult<()> {
        comment_email::Entity::update_many()
            .col_expr(comment_email::Column::Status, Expr::value("sent"))
            .col_expr(comment_email::Column::SentAt, Expr::value(Some(now())))
            .col_expr(
                comment_email::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(comment_email::Column::Id.eq(id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: retried after a backoff, or given up.
    pub async fn mark_failed(&self, id: i64, attempts_before: i32, error: &str) -> AppResult<()> {
        let attempts = attempts_before + 1;
        let status = if RETRY.gives_up(attempts) {
            "failed"
        } else {
            "queued"
        };
        let error: String = error.chars().take(500).collect();
        comment_email::Entity::update_many()
            .col_expr(comment_email::Column::Status, Expr::value(status))
            .col_expr(comment_email::Column::Attempts, Expr::value(attempts))
            .col_expr(comment_email::Column::LastError, Expr::value(Some(error)))
            .col_expr(
                comment_email::Column::NextAttemptAt,
                Expr::value(RETRY.next_attempt(attempts, now())),
            )
            // The link of a failed send is never used.
            .col_expr(
                comment_email::Column::TokenHash,
                Expr::value(Option::<String>::None),
            )
            .filter(comment_email::Column::Id.eq(id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }
}
