//! The worker's side of an outbox table (`shares`, `webhook_deliveries`): claiming due rows
//! under a lease, and the retry schedule of failed attempts. A claim is a compare-and-set on
//! `next_attempt_at` (one instance wins a row; the others skip it), and the lease is that
//! column pushed into the future: a worker that dies mid-attempt lets it run out, and the
//! row is claimed again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::content::now;
use crate::error::AppResult;

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles after each one.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// After this many failed attempts a row is given up (`failed`).
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

    /// Whether a row that has now failed `attempts` times is given up.
    pub fn gives_up(&self, attempts: i32) -> bool {
        attempts >= self.max_attempts
    }

    /// When attempt `attempts + 1` is due, after a failure at `at`.
    pub fn next_attempt(&self, attempts: i32, at: DateTime<Utc>) -> DateTime<Utc> {
        later(at, self.backoff(attempts))
    }
}

/// `at` plus `wait` (an hour if `wait` is out of chrono's range).
pub fn later(at: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
}

/// The columns of an outbox table that claims use, and the status of a row waiting for an
/// attempt.
pub struct Outbox<E: EntityTrait> {
    pub id: E::Column,
    pub status: E::Column,
    pub next_attempt_at: E::Column,
    pub waiting: &'static str,
}

impl<E: EntityTrait> Outbox<E> {
    /// Claims up to `limit` rows that are waiting, due now and match `only`, oldest due
    /// first, for `lease`; returns the rows this worker won.
    pub async fn claim(
        &self,
        conn: &impl ConnectionTrait,
        only: Condition,
        limit: u64,
        lease: Duration,
    ) -> AppResult<Vec<E::Model>> {
        let at = now();
        let due = E::find()
            .filter(self.status.eq(self.waiting))
            .filter(self.next_attempt_at.lte(at))
            .filter(only)
            .order_by_asc(self.next_attempt_at)
            .order_by_asc(self.id)
            .limit(limit)
            .all(conn)
            .await?;
        let until = later(at, lease);
        let mut claimed = Vec::with_capacity(due.len());
        for row in due {
            let taken = E::update_many()
                .col_expr(self.next_attempt_at, Expr::value(until))
                .filter(self.id.eq(row.get(self.id)))
                .filter(self.status.eq(self.waiting))
                .filter(self.next_attempt_at.eq(row.get(self.next_attempt_at)))
                .exec(conn)
                .await?
                .rows_affected
                == 1;
            if taken {
                claimed.push(row);
            }
        }
        Ok(claimed)
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
        assert!(!policy.gives_up(7));
        assert!(policy.gives_up(8));
    }
}
