//! The visibility rule, written once. The public (anonymous readers, readers, partners) sees
//! an article when its status is `published` or `scheduled` and its publication time has
//! come; staff see every article that is not deleted. Reads, counts, sync, sitemaps, feeds
//! and webhook announcements all ask here, in SQL ([`visible`], [`public`]) or in Rust
//! ([`is_public`]).
//!
//! The SQL text of the public condition is also the predicate of the partial indexes of the
//! visible articles (migrations): it must stay word for word the same for the planners to
//! use them.

use chrono::{DateTime, Utc};

use super::articles::ArticleStatus;
use super::{Audience, Viewer};
use crate::db::dialect::Sql;

/// The statuses whose articles the public may see once their time has come, as SQL.
const PUBLIC_STATUSES: &str = "('published', 'scheduled')";

/// Whether the public sees an article with this status and publication time at `at`.
pub fn is_public(
    status: ArticleStatus,
    published_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> bool {
    matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled)
        && published_at.is_some_and(|t| t <= at)
}

/// [`is_public`] for a status as stored (an unknown status is not public).
pub fn is_public_stored(
    status: &str,
    published_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> bool {
    ArticleStatus::parse(status).is_some_and(|s| is_public(s, published_at, at))
}

/// Writes "the article `alias` is public at `at`" (no leading `AND`).
pub fn public(sql: &mut Sql, alias: &str, at: DateTime<Utc>) {
    sql.push(&format!(
        "{alias}.status IN {PUBLIC_STATUSES} AND {alias}.published_at <= "
    ));
    sql.bind(at);
}

/// Writes "`viewer` sees the article `alias`" (no leading `AND`).
pub fn visible(sql: &mut Sql, alias: &str, viewer: &Viewer) {
    match viewer.audience {
        Audience::Public => public(sql, alias, viewer.now),
        Audience::Staff => {
            sql.push(&format!("{alias}.deleted_at IS NULL"));
        }
    }
}

/// Writes a `CASE` that is true when the article's own columns (no alias) say it became
/// public after its last update, at or before `at` (its publication is then its change).
pub fn published_after_update(sql: &mut Sql, at: DateTime<Utc>) {
    sql.push(&format!(
        "CASE WHEN status IN {PUBLIC_STATUSES} AND published_at > updated_at AND published_at <= "
    ));
    sql.bind(at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn only_published_or_scheduled_articles_whose_time_has_come_are_public() {
        let at = Utc::now();
        let past = Some(at - Duration::minutes(1));
        let future = Some(at + Duration::minutes(1));
        assert!(is_public_stored("published", past, at));
        assert!(is_public_stored("scheduled", past, at));
        assert!(is_public_stored("published", Some(at), at));
        assert!(!is_public_stored("scheduled", future, at));
        assert!(!is_public_stored("draft", past, at));
        assert!(!is_public_stored("archived", past, at));
        assert!(!is_public_stored("published", None, at));
        assert!(!is_public_stored("unknown", past, at));
    }

    #[test]
    fn the_sql_is_the_partial_indexes_predicate() {
        let mut sql = Sql::new(sea_orm::DatabaseBackend::Sqlite);
        public(&mut sql, "a", Utc::now());
        assert_eq!(
            sql.text,
            "a.status IN ('published', 'scheduled') AND a.published_at <= $1"
        );
        let migrations =
            include_str!("../../../../migrations/src/m20261125_000008_byline_index.rs");
        assert!(migrations.contains("WHERE status IN ('published', 'scheduled')"));
    }
}
