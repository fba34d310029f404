//! The worker's side of the outbox: claiming due deliveries under a lease
//! ([`crate::content::claims`]), and recording each attempt.

use std::time::Duration;

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::Webhooks;
use crate::content::claims::Outbox;
use crate::content::now;
use crate::entities::{webhook, webhook_delivery};
use crate::error::AppResult;

pub use crate::content::claims::RetryPolicy;

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

/// The claims of `webhook_deliveries`.
const OUTBOX: Outbox<webhook_delivery::Entity> = Outbox {
    id: webhook_delivery::Column::Id,
    status: webhook_delivery::Column::Status,
    next_attempt_at: webhook_delivery::Column::NextAttemptAt,
    waiting: PENDING,
};

impl Webhooks<'_> {
    /// Claims up to `limit` due deliveries of active endpoints for `lease`.
    pub async fn claim_due(&self, limit: u64, lease: Duration) -> AppResult<Vec<DueDelivery>> {
        let conn = &self.content.db.conn;
        let active = Query::select()
            .column(webhook::Column::Id)
            .from(webhook::Entity)
            .and_where(webhook::Column::Active.eq(true))
            .to_owned();
        let only = Condition::all().add(webhook_delivery::Column::WebhookId.in_subquery(active));
        let mut claimed = Vec::new();
        for row in OUTBOX.claim(conn, only, limit, lease).await? {
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
        let status = if policy.gives_up(attempts) {
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
                Expr::value(policy.next_attempt(attempts, now())),
            )
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }
}
