//! "Send to a friend": a reader asks for an article to be emailed to someone. The request is
//! checked and queued in the `shares` outbox (one statement, so nothing half-done survives a
//! crash); the worker in `crate::mail` claims due rows, sends them and records the outcome,
//! retrying with backoff. Rows survive restarts, so undelivered shares go out on next start.

use std::net::IpAddr;
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};

use crate::content::articles::ArticleParts;
use crate::content::claims::{Outbox, RetryPolicy};
use crate::content::comments::posting::{author_name, email, plain_text};
use crate::content::{Content, Viewer, now};
use crate::entities::{article, share};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

pub const MESSAGE_MAX: usize = 1000;
/// After this many failed attempts a share is given up (`failed`).
pub const MAX_ATTEMPTS: i32 = 8;

/// A request to send an article to someone (both doors build this).
#[derive(Debug, Clone, Default)]
pub struct NewShare {
    pub article_slug: String,
    pub recipient_email: String,
    pub sender_name: String,
    pub message: Option<String>,
}

/// The answer to a share request: it is queued, not yet sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareReceipt {
    pub status: String,
}

/// A share the worker has claimed, with what the email needs.
#[derive(Debug, Clone)]
pub struct DueShare {
    pub id: i64,
    pub attempts: i32,
    pub recipient_email: String,
    pub sender_name: String,
    pub message: Option<String>,
    pub article_title: String,
    pub article_standfirst: String,
    pub article_url: String,
}

pub struct Shares<'a> {
    content: &'a Content,
}

impl Content {
    pub fn shares(&self) -> Shares<'_> {
        Shares { content: self }
    }
}

/// Failed sends are retried after 30 s, doubling, at most an hour apart; given up after
/// [`MAX_ATTEMPTS`].
pub const RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(30),
    cap: Duration::from_secs(3600),
    max_attempts: MAX_ATTEMPTS,
};

/// The claims of `shares`.
const OUTBOX: Outbox<share::Entity> = Outbox {
    id: share::Column::Id,
    status: share::Column::Status,
    next_attempt_at: share::Column::NextAttemptAt,
    waiting: "queued",
};

fn message(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let text = plain_text(raw);
    if text.chars().count() > MESSAGE_MAX {
        return Err(AppError::invalid(
            "message",
            format!("a message is at most {MESSAGE_MAX} characters"),
        ));
    }
    Ok(Some(text).filter(|t| !t.is_empty()))
}

impl Shares<'_> {
    /// Queues an email of a published article to `recipient_email`.
    pub async fn queue(
        &self,
        actor: &Actor,
        client: Option<IpAddr>,
        input: NewShare,
    ) -> AppResult<ShareReceipt> {
        if let Actor::Partner(_) = actor {
            return Err(AppError::Forbidden(
                "partner keys may not share articles".into(),
            ));
        }
        let recipient = email("recipientEmail", Some(&input.recipient_email))?;
        let sender = author_name("senderName", Some(&input.sender_name))?;
        let message = message(input.message.as_deref())?;
        let article = self
            .content
            .articles()
            .find_by_slug(
                &Viewer::public(),
                &input.article_slug,
                ArticleParts::default(),
            )
            .await?
            .ok_or_else(|| AppError::not_found("article"))?;
        let protection = self.content.protection.clone();
        let client_hash = protection.client_hash(client);
        protection
            .hit("share:client", &client_hash, protection.shares_per_client)
            .await?;
        let at = now();
        share::ActiveModel {
            article_id: Set(article.id),
            recipient_email: Set(recipient),
            sender_name: Set(sender),
            message: Set(message),
            status: Set("queued".into()),
            attempts: Set(0),
            next_attempt_at: Set(at),
            client_hash: Set(Some(client_hash)),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(&self.content.db.conn)
        .await?;
        Ok(ShareReceipt {
            status: "queued".into(),
        })
    }

    /// Claims up to `limit` due shares for `lease` (another instance's worker skips them
    /// meanwhile; a worker that dies lets the lease run out and the share is retried).
    pub async fn claim_due(&self, limit: u64, lease: Duration) -> AppResult<Vec<DueShare>> {
        let conn = &self.content.db.conn;
        let mut claimed = Vec::new();
        for row in OUTBOX.claim(conn, Condition::all(), limit, lease).await? {
            let Some(article) = article::Entity::find_by_id(row.article_id)
                .one(conn)
                .await?
            else {
                continue;
            };
            claimed.push(DueShare {
                id: row.id,
                attempts: row.attempts,
                recipient_email: row.recipient_email,
                sender_name: row.sender_name,
                message: row.message,
                article_url: format!(
                    "{}/articles/{}",
                    self.content.protection.public_url, article.slug
                ),
                article_title: article.title,
                article_standfirst: article.standfirst,
            });
        }
        Ok(claimed)
    }

    pub async fn mark_sent(&self, id: i64) -> AppResult<()> {
        let at = now();
        share::Entity::update_many()
            .col_expr(share::Column::Status, Expr::value("sent"))
            .col_expr(share::Column::SentAt, Expr::value(Some(at)))
            .col_expr(
                share::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(share::Column::Id.eq(id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: retried after a backoff, or given up past `MAX_ATTEMPTS`.
    pub async fn mark_failed(&self, id: i64, attempts_before: i32, error: &str) -> AppResult<()> {
        let attempts = attempts_before + 1;
        let next = RETRY.next_attempt(attempts, now());
        let status = if RETRY.gives_up(attempts) {
            "failed"
        } else {
            "queued"
        };
        let error: String = error.chars().take(500).collect();
        share::Entity::update_many()
            .col_expr(share::Column::Status, Expr::value(status))
            .col_expr(share::Column::Attempts, Expr::value(attempts))
            .col_expr(share::Column::LastError, Expr::value(Some(error)))
            .col_expr(share::Column::NextAttemptAt, Expr::value(next))
            .filter(share::Column::Id.eq(id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(RETRY.backoff(1), Duration::from_secs(30));
        assert_eq!(RETRY.backoff(2), Duration::from_secs(60));
        assert_eq!(RETRY.backoff(8), Duration::from_secs(3600));
    }
}
