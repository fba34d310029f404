//! The worker's side of the outbox: claiming due deliveries under a lease, and recording
//! each attempt. A claim is a compare-and-set on `next_attempt_at` (one instance wins a row;
//! the others skip it), and the lease is that column pushed into the future: a worker that
//! dies mid-delivery lets it run out, and the delivery is claimed again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Webhooks;
use crate::content::now;
use crate::entities::{webhook, webhook_delivery};
use crate::error::AppResult;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// A delivery the worker has claimed, with what sending it needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub attempts: i32,
    pub url: String,
    pub secret: String,
}

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles after each one.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// After this many failed attempts a delivery is given up (`failed`).
    pub max_attempts: i32,
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = attempts.clamp(1, 30) as u32 - 1;
        self.base
            .checked_mul(1u32 << exp.min(20))
            .unwrap_or(self.cap)
            .min(self.cap)
    }
}

fn later(at: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
}

impl Webhooks<'_> {
    /// Claims up to `limit` due deliveries of active endpoints for `lease`.
    pub async fn claim_due(&self, limit: u64, lease: Duration) -> AppResult<Vec<DueDelivery>> {
        let conn = &self.content.db.conn;
        let at = now();
        let active = Query::select()
            .column(webhook::Column::Id)
            .from(webhook::Entity)
            .and_where(webhook::Column::Active.eq(true))
            .to_owned();
        let due = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(PENDING))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(at))
            .filter(webhook_delivery::Column::WebhookId.in_subquery(active))
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(limit)
            .all(conn)
            .await?;
        let until = later(at, lease);
        let mut claimed = Vec::with_capacity(due.len());
        for row in due {
            let taken = webhook_delivery::Entity::update_many()
                .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(until))
                .filter(webhook_delivery::Column::Id.eq(row.id))
                .filter(webhook_delivery::Column::Status.eq(PENDING))
                .filter(webhook_delivery::Column::NextAttemptAt.eq(row.next_attempt_at))
                .exec(conn)
                .await?
                .rows_affected
                == 1;
            if !taken {
                continue;
            }
            let Some(hook) = webhook::Entity::find_by_id(row.webhook_id)
                .one(conn)
                .await?
            else {
                continue;
            };
            claimed.push(DueDelivery {
                id: row.id,
                webhook_id: row.webhook_id,
                event: row.event,
                payload: row.payload,
                attempts: row.attempts,
                url: hook.url,
                secret: hook.secret,
            });
        }
        Ok(claimed)
    }

    /// Gives back claimed deliveries that were not attempted (the worker is stopping).
    pub async fn release(&self, ids: &[i64]) -> AppResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now()))
            .filter(webhook_delivery::Column::Id.is_in(ids.to_vec()))
            .filter(webhook_delivery::Column::Status.eq(PENDING))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }

    /// Records a successful attempt.
    pub async fn mark_delivered(
        &self,
        delivery: &DueDelivery,
        response_status: u16,
    ) -> AppResult<()> {
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(DELIVERED))
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::value(delivery.attempts + 1),
            )
            .col_expr(
                webhook_delivery::Column::ResponseStatus,
                Expr::value(Some(i32::from(response_status))),
            )
            .col_expr(
                webhook_delivery::Column::DeliveredAt,
                Expr::value(Some(now())),
            )
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: retried after a backoff, or given up past the policy's
    /// maximum.
    pub async fn mark_failed(
        &self,
        delivery: &DueDelivery,
        response_status: Option<u16>,
        error: &str,
        policy: &RetryPolicy,
    ) -> AppResult<()> {
        let attempts = delivery.attempts + 1;
        let status = if attempts >= policy.max_attempts {
            FAILED
        } else {
            PENDING
        };
        let error: String = error.chars().take(500).collect();
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
            .col_expr(
                webhook_delivery::Column::ResponseStatus,
                Expr::value(response_status.map(i32::from)),
            )
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(Some(error)),
            )
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::value(later(now(), policy.backoff(attempts))),
            )
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(3600),
            max_attempts: 8,
        };
        assert_eq!(policy.backoff(1), Duration::from_secs(10));
        assert_eq!(policy.backoff(2), Duration::from_secs(20));
        assert_eq!(policy.backoff(4), Duration::from_secs(80));
        assert_eq!(policy.backoff(12), Duration::from_secs(3600));
        assert_eq!(policy.backoff(1000), Duration::from_secs(3600));
    }
}
