//! Partner sync: everything about articles that changed since a time, in a stable order
//! (`changed_at`, then id) with cursor pagination, so that a partner's copy converges.
//! Public articles come whole; articles that are no longer public (unpublished, archived,
//! rescheduled) and deleted ones (from their tombstones) come as markers that tell the
//! partner to drop its copy. An article that never was public (a draft, an article still
//! scheduled) is not listed at all, nor its deletion: its slug would give its headline away
//! before publication (`articles.first_public_at`).
//!
//! An article's `changed_at` is its `updated_at`, or its publication time when a scheduled
//! article came out later than its last edit (it became public without being written to).
//! Partners keep `page.end_cursor` and continue from it, or ask again with `since` set a
//! little before their last sync (answers are idempotent: upsert or drop by id).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::content::articles::{ArticleParts, ArticleRecord, BodyFormats};
use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::content::visibility::is_public_stored as visible;
use crate::content::{Audience, Content, Viewer, now};
use crate::db::dialect::Sql;
use crate::entities::article_tombstone;
use crate::error::{AppError, AppResult};
use crate::identity::{Actor, Role};

/// The scope a partner key needs to sync.
pub const SCOPE: &str = "articles:read";

/// Where an article stands for a partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Public: keep (or update) your copy.
    Published,
    /// Not public any more (or not yet): drop your copy.
    Unpublished,
    /// Deleted for good: drop your copy.
    Deleted,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Deleted => "deleted",
        }
    }
}

/// One changed article.
#[derive(Debug, Clone)]
pub struct SyncEntry {
    pub id: i64,
    pub slug: String,
    pub state: SyncState,
    pub changed_at: DateTime<Utc>,
    /// The whole article (with its body), when it is public.
    pub article: Option<ArticleRecord>,
}

pub struct Sync<'a> {
    content: &'a Content,
}

impl Content {
    pub fn sync(&self) -> Sync<'_> {
        Sync { content: self }
    }
}

/// Staff, or a partner key with the `articles:read` scope.
fn check(actor: &Actor) -> AppResult<()> {
    match actor {
        Actor::Anonymous => Err(AppError::Unauthenticated(
            "sync needs a partner API key (X-Api-Key) or a staff token".into(),
        )),
        Actor::Partner(p) if p.scopes.iter().any(|s| s == SCOPE) => Ok(()),
        Actor::Partner(_) => Err(AppError::Forbidden(format!(
            "this API key lacks the {SCOPE} scope"
        ))),
        Actor::User(u) if matches!(u.role, Role::Admin | Role::Editor | Role::Author) => Ok(()),
        Actor::User(_) => Err(AppError::Forbidden("sync is for partners and staff".into())),
    }
}

/// A row read from `articles` or `article_tombstones`.
struct Change {
    id: i64,
    slug: String,
    state: SyncState,
    changed_at: DateTime<Utc>,
}

impl Sync<'_> {
    /// Articles changed after `since` (all of them without it), oldest change first.
    pub async fn articles(
        &self,
        actor: &Actor,
        since: Option<DateTime<Utc>>,
        page: &PageRequest,
    ) -> AppResult<Page<SyncEntry>> {
        check(actor)?;
        if page.direction == Direction::Backward {
            return Err(AppError::invalid(
                "last",
                "sync pages forward only: use first and after",
            ));
        }
        let after = match &page.cursor {
            None => None,
            Some(Cursor {
                key: SortValue::Time(at),
                id,
            }) => Some((*at, *id)),
            Some(_) => {
                return Err(AppError::invalid(
                    "after",
                    "this cursor belongs to another list",
                ));
            }
        };
        let at = now();
        let limit = u64::from(page.size) + 1;
        let mut changes = self.changed_articles(at, since, after, limit).await?;
        changes.extend(self.tombstones(since, after, limit).await?);
        changes.sort_by(|a, b| (a.changed_at, a.id).cmp(&(b.changed_at, b.id)));
        changes.truncate(limit as usize);

        let public: Vec<i64> = changes
            .iter()
            .filter(|c| c.state == SyncState::Published)
            .map(|c| c.id)
            .collect();
        let viewer = Viewer {
            audience: Audience::Public,
            now: at,
        };
        let parts = ArticleParts {
            body: BodyFormats::ALL,
            author_bio: false,
            lean: false,
        };
        let mut records = self
            .content
            .articles()
            .find_by_ids(&viewer, &public, parts)
            .await?;
        let entries: Vec<SyncEntry> = changes
            .into_iter()
            .map(|c| {
                let article = records
                    .iter()
                    .position(|r| r.id == c.id)
                    .map(|i| records.swap_remove(i));
                SyncEntry {
                    id: c.id,
                    slug: c.slug,
                    state: c.state,
                    changed_at: c.changed_at,
                    article,
                }
            })
            .collect();
        Ok(Page::from_rows(
            page,
            entries,
            |e| Cursor {
                key: SortValue::Time(e.changed_at),
                id: e.id,
            },
            None,
        ))
    }

    async fn changed_articles(
        &self,
        at: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
        after: Option<(DateTime<Utc>, i64)>,
        limit: u64,
    ) -> AppResult<Vec<Change>> {
        let mut sql = Sql::new(self.content.backend());
        // Only articles that have been public: a draft or a scheduled article is nobody's
        // business before its publication (its slug alone gives its headline away).
        sql.push(
            "SELECT id, slug, status, published_at, updated_at FROM (SELECT id, slug, status, \
             published_at, updated_at, ",
        );
        crate::content::visibility::published_after_update(&mut sql, at);
        sql.push(" THEN published_at ELSE updated_at END AS changed_at FROM articles WHERE first_public_at <= ")
        .bind(at)
        .push(") c WHERE 1 = 1");
        if let Some(since) = since {
            sql.push(" AND c.changed_at > ").bind(since);
        }
        if let Some((key, id)) = after {
            let k = sql.param(key);
            let i = sql.param(id);
            sql.push(&format!(
                " AND (c.changed_at > {k} OR (c.changed_at = {k} AND c.id > {i}))"
            ));
        }
        sql.push(" ORDER BY c.changed_at, c.id LIMIT ")
            .bind(limit as i64);
        let rows = self.content.db.read_all(sql.build()).await?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("", "status")?;
                let published_at: Option<DateTime<Utc>> = row.try_get("", "published_at")?;
                let updated_at: DateTime<Utc> = row.try_get("", "updated_at")?;
                let public = visible(&status, published_at, at);
                let changed_at = match published_at {
                    Some(p) if public && p > updated_at => p,
                    _ => updated_at,
                };
                Ok(Change {
                    id: row.try_get("", "id")?,
                    slug: row.try_get("", "slug")?,
                    state: if public {
                        SyncState::Published
                    } else {
                        SyncState::Unpublished
                    },
                    changed_at,
                })
            })
            .collect()
    }

    async fn tombstones(
        &self,
        since: Option<DateTime<Utc>>,
        after: Option<(DateTime<Utc>, i64)>,
        limit: u64,
    ) -> AppResult<Vec<Change>> {
        use sea_orm::Condition;
        let mut query = article_tombstone::Entity::find();
        if let Some(since) = since {
            query = query.filter(article_tombstone::Column::DeletedAt.gt(since));
        }
        if let Some((key, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(article_tombstone::Column::DeletedAt.gt(key))
                    .add(
                        Condition::all()
                            .add(article_tombstone::Column::DeletedAt.eq(key))
                            .add(article_tombstone::Column::ArticleId.gt(id)),
                    ),
            );
        }
        let rows = query
            .order_by_asc(article_tombstone::Column::DeletedAt)
            .order_by_asc(article_tombstone::Column::ArticleId)
            .limit(limit)
            .all(&self.content.db.conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|t| Change {
                id: t.article_id,
                slug: t.slug,
                state: SyncState::Deleted,
                changed_at: t.deleted_at,
            })
            .collect())
    }
}

/// Whether partners may have copied the article: it has been public at some time.
pub fn has_been_public(article: &crate::entities::article::Model, at: DateTime<Utc>) -> bool {
    article.first_public_at.is_some_and(|t| t <= at)
}

/// Writes the tombstone of article `before`, in the transaction that deletes it, when
/// partners may have copied it (a never-public draft leaves none: its slug is its headline).
pub async fn tombstone(
    conn: &impl ConnectionTrait,
    before: &crate::entities::article::Model,
    deleted_by: i64,
    at: DateTime<Utc>,
) -> AppResult<()> {
    use sea_orm::{ActiveModelTrait, Set};
    if !has_been_public(before, at) {
        return Ok(());
    }
    article_tombstone::ActiveModel {
        article_id: Set(before.id),
        slug: Set(before.slug.clone()),
        deleted_at: Set(at),
        deleted_by: Set(Some(deleted_by)),
    }
    .insert(conn)
    .await?;
    Ok(())
}
