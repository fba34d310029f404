//! The domain: every rule lives here once (visibility, validation, pagination, slugs), and
//! both doors (GraphQL and REST) call the same methods with the same inputs. This layer
//! never imports axum or async-graphql's request context.

pub mod accounts;
pub mod article_page;
pub mod articles;
pub mod catalogue;
pub mod claims;
pub mod comments;
pub mod editorial;
pub mod home;
pub mod ids;
pub mod markdown;
pub mod maybe;
pub mod pagination;
pub mod permissions;
pub mod protection;
pub mod shares;
pub mod slug;
pub mod sync;
pub mod syndication;
pub mod text;
pub mod visibility;
pub mod webhooks;

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::Db;

/// Who is reading, which decides what is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Anonymous readers, readers and partners: only published articles whose time has come,
    /// only approved comments.
    Public,
    /// Editors, authors and admins: drafts and scheduled articles too.
    Staff,
}

/// The reader of one request: an audience and a fixed "now" (so that every query of a
/// request agrees on which scheduled articles have come out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Viewer {
    pub audience: Audience,
    pub now: DateTime<Utc>,
}

impl Viewer {
    pub fn public() -> Self {
        Self {
            audience: Audience::Public,
            now: now(),
        }
    }

    pub fn staff() -> Self {
        Self {
            audience: Audience::Staff,
            now: now(),
        }
    }
}

tokio::task_local! {
    /// The injected clock: the time [`now`] answers inside [`at`].
    static CLOCK: DateTime<Utc>;
}

/// The current time at the precision both engines store (microseconds): the system clock's,
/// or the injected clock's inside [`at`]. Every time a service stamps (created, updated,
/// published, posted, moderated) and every "now" of a visibility check comes from here.
pub fn now() -> DateTime<Utc> {
    CLOCK
        .try_with(|at| *at)
        .unwrap_or_else(|_| Utc::now())
        .trunc_subsecs(6)
}

/// The injected clock: runs `f` as if it were `time`. Every [`now`] of the task inside it
/// answers `time`, which does not move, so the services stamp what they write at that
/// time and judge visibility as of then (the demo seed writes its history this way; embargo
/// tests can read as of a chosen time). Only this task sees it: a task it spawns or a
/// blocking thread it starts reads the system clock.
pub async fn at<F: std::future::Future>(time: DateTime<Utc>, f: F) -> F::Output {
    CLOCK.scope(time, f).await
}

/// The content services, cheap to clone (one per process, shared by both doors).
#[derive(Clone, Debug)]
pub struct Content {
    pub db: Db,
    /// The cap on `first`/`last`.
    pub max_page_size: u32,
    /// Rate limits and policy of readers' writes (comments, reports, shares).
    pub protection: std::sync::Arc<protection::Protection>,
    /// Signs the access tokens of new sessions (absent for command-line tools, which
    /// create accounts but never sign anyone in).
    pub keys: Option<std::sync::Arc<dyn crate::identity::TokenIssuer>>,
}

impl Content {
    pub fn new(db: Db, max_page_size: u32) -> Self {
        Self {
            db,
            max_page_size,
            protection: Default::default(),
            keys: None,
        }
    }

    /// The same services, signing access tokens with `keys`.
    pub fn with_keys(mut self, keys: std::sync::Arc<dyn crate::identity::TokenIssuer>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The same services with these write protections (from the configuration).
    pub fn with_protection(mut self, protection: protection::Protection) -> Self {
        self.protection = std::sync::Arc::new(protection);
        self
    }

    pub fn articles(&self) -> articles::Articles<'_> {
        articles::Articles { content: self }
    }

    pub fn comments(&self) -> comments::Comments<'_> {
        comments::Comments { content: self }
    }

    pub fn catalogue(&self) -> catalogue::Catalogue<'_> {
        catalogue::Catalogue { content: self }
    }

    /// Checks a list size given by a client (`first`, `limit`, …) against the cap.
    pub fn bounded(&self, field: &str, n: i64) -> Result<u32, crate::error::AppError> {
        if n < 0 || n > self.max_page_size as i64 {
            return Err(crate::error::AppError::invalid(
                field,
                format!("{field} must be between 0 and {}", self.max_page_size),
            ));
        }
        Ok(n as u32)
    }

    pub(crate) fn backend(&self) -> sea_orm::DatabaseBackend {
        self.db.backend()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_injected_clock_holds_inside_its_scope_only() {
        let then = Utc::now() - chrono::Duration::days(40);
        let inside = at(then, async { (now(), Viewer::public().now) }).await;
        assert_eq!(inside, (then.trunc_subsecs(6), then.trunc_subsecs(6)));
        assert!(now() > then + chrono::Duration::days(39));
        let nested = at(then, at(then + chrono::Duration::hours(1), async { now() })).await;
        assert_eq!(nested, (then + chrono::Duration::hours(1)).trunc_subsecs(6));
    }
}
