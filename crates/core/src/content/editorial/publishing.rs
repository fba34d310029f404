//! The publishing workflow, the only way `status` and `published_at` change (editors and
//! admins): publish now, unpublish (back to draft), schedule for a future time, archive.
//! A scheduled article needs no job to come out: public reads compare `published_at` with
//! the time of the request.

use chrono::{DateTime, Utc};

use super::articles::save;
use super::revisions::{self, Changes};
use super::{Editorial, Expected, SlugTable, existing, load_current};
use crate::content::articles::{ArticleRecord, ArticleStatus};
use crate::content::webhooks::outbox;
use crate::content::{now, permissions};
use crate::entities::article;
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

/// A workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Published now, or at its earlier publication time if it had one in the past.
    Publish,
    /// Back to draft (its publication time is kept for a later republication).
    Unpublish,
    /// Published at a future time.
    Schedule(DateTime<Utc>),
    /// Kept, but no longer public.
    Archive,
}

impl Editorial<'_> {
    /// Moves the article named by `key` (global id or slug) through the workflow. With
    /// `expected`, the step applies only to that version.
    pub async fn transition(
        &self,
        actor: &Actor,
        key: &str,
        expected: Option<Expected>,
        step: Transition,
    ) -> AppResult<ArticleRecord> {
        let user = permissions::editor(actor).map_err(|err| match err {
            AppError::Forbidden(_) => AppError::Forbidden(
                "only editors and admins publish, unpublish, schedule or archive".into(),
            ),
            other => other,
        })?;
        let at = now();
        if let Transition::Schedule(when) = step
            && when <= at
        {
            return Err(AppError::invalid(
                "publishAt",
                "a scheduled publication time must be in the future",
            ));
        }
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Articles, key).await?;
        let current = load_current(&txn, id).await?;
        let expected = expected.unwrap_or(Expected::given(current.model.version));
        expected.check(current.model.version)?;
        let old_status = current.model.status.clone();
        let old_time = current.model.published_at;
        let (status, time) = match step {
            Transition::Publish => (
                ArticleStatus::Published,
                Some(old_time.filter(|t| *t <= at).unwrap_or(at)),
            ),
            Transition::Unpublish => (ArticleStatus::Draft, old_time),
            Transition::Schedule(when) => (ArticleStatus::Scheduled, Some(when)),
            Transition::Archive => (ArticleStatus::Archived, old_time),
        };
        let first_public = first_public(current.model.first_public_at, step, time, at);
        let mut changes = Changes::default();
        let mut columns = Vec::new();
        if first_public != current.model.first_public_at {
            // Not a change readers see (no revision entry); it rides on the status change.
            columns.push((article::Column::FirstPublicAt, first_public.into()));
        }
        let status = status.as_str().to_owned();
        if changes.note("status", &old_status, &status) {
            columns.push((article::Column::Status, status.into()));
        }
        if changes.note("publishedAt", &old_time, &time) {
            columns.push((article::Column::PublishedAt, time.into()));
        }
        if !changes.is_empty() {
            let version = save(&txn, &current, expected, columns, at).await?;
            revisions::record(&txn, id, version, user.id, changes, at).await?;
            let public_url = &self.content.protection.public_url;
            outbox::article_changed(&txn, id, &current.model, public_url, at).await?;
        }
        txn.commit().await?;
        self.read_back(id).await
    }
}

/// When the article first became public, after `step`: a time already passed stays (the
/// article has been public, partners may hold a copy); a planned one that never came is
/// dropped when the plan is (unpublished or archived before its time) or replaced by the new
/// plan; publishing or scheduling an article that never was public plans its first time.
fn first_public(
    old: Option<DateTime<Utc>>,
    step: Transition,
    time: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let reached = old.filter(|t| *t <= at);
    match step {
        Transition::Publish => reached.or(Some(at)),
        Transition::Schedule(_) => reached.or(time),
        Transition::Unpublish | Transition::Archive => reached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn only_a_reached_first_public_time_survives_a_withdrawal() {
        let at = Utc::now();
        let past = at - Duration::days(1);
        let future = at + Duration::days(1);
        assert_eq!(
            first_public(None, Transition::Publish, Some(at), at),
            Some(at)
        );
        assert_eq!(
            first_public(Some(past), Transition::Publish, Some(at), at),
            Some(past)
        );
        let schedule = Transition::Schedule(future);
        assert_eq!(first_public(None, schedule, Some(future), at), Some(future));
        assert_eq!(
            first_public(Some(past), schedule, Some(future), at),
            Some(past)
        );
        assert_eq!(
            first_public(Some(future), Transition::Unpublish, Some(future), at),
            None
        );
        assert_eq!(
            first_public(Some(past), Transition::Unpublish, Some(past), at),
            Some(past)
        );
        assert_eq!(
            first_public(Some(future), Transition::Archive, Some(future), at),
            None
        );
    }
}
