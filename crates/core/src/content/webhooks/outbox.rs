//! Writing deliveries, called by the editorial and moderation services inside the change's
//! own transaction: one row per active endpoint subscribed to the event, carrying the JSON
//! body as it will be sent (`{event, id, occurred_at, data}`). The rows commit or roll back
//! with the change.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde_json::{Value, json};

use super::deliveries::PENDING;
use super::inputs::{Event, split_events};
use crate::content::ids::{Kind, encode};
use crate::entities::{article, comment, webhook, webhook_delivery};
use crate::error::AppResult;

use crate::content::visibility::is_public_stored as visible;

fn event_id() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("evt_{hex}")
}

/// Queues `event` with `data` for every active endpoint subscribed to it.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    event: Event,
    data: Value,
    at: DateTime<Utc>,
) -> AppResult<()> {
    enqueue_due(conn, event, data, at, at, None).await
}

/// Queues `event`, written at `at`, which occurs (and is due) at `due`; `scheduled_article`
/// marks the announcement of a scheduled publication, written ahead of its time.
async fn enqueue_due(
    conn: &impl ConnectionTrait,
    event: Event,
    data: Value,
    at: DateTime<Utc>,
    due: DateTime<Utc>,
    scheduled_article: Option<i64>,
) -> AppResult<()> {
    if scheduled_article.is_some() {
        lock_announcements(conn).await?;
    }
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(conn)
        .await?;
    let subscribed: Vec<i64> = hooks
        .into_iter()
        .filter(|w| split_events(&w.events).iter().any(|e| e == event.as_str()))
        .map(|w| w.id)
        .collect();
    if subscribed.is_empty() {
        return Ok(());
    }
    let payload = payload(event, &data, due);
    for webhook_id in subscribed {
        let queued = Queued {
            webhook_id,
            event,
            payload: payload.clone(),
            due,
            scheduled_article,
        };
        queued.insert(conn, at).await?;
    }
    Ok(())
}

/// The body of an event as it is sent: `{event, id, occurred_at, data}`, with a new id.
fn payload(event: Event, data: &Value, occurred: DateTime<Utc>) -> String {
    json!({
        "event": event.as_str(),
        "id": event_id(),
        "occurred_at": occurred.to_rfc3339_opts(SecondsFormat::Micros, true),
        "data": data,
    })
    .to_string()
}

/// A delivery to write.
struct Queued {
    webhook_id: i64,
    event: Event,
    payload: String,
    due: DateTime<Utc>,
    scheduled_article: Option<i64>,
}

impl Queued {
    async fn insert(self, conn: &impl ConnectionTrait, at: DateTime<Utc>) -> AppResult<()> {
        webhook_delivery::ActiveModel {
            webhook_id: Set(self.webhook_id),
            event: Set(self.event.as_str().to_owned()),
            payload: Set(self.payload),
            status: Set(PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(self.due),
            created_at: Set(at),
            scheduled_article_id: Set(self.scheduled_article),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(())
    }
}

/// After endpoint `hook` was registered or changed: an active endpoint that hears
/// `article.published` gets the announcements of the publications already scheduled, which
/// it would otherwise miss (each the same event the other endpoints get: same body, same
/// event id; one it already has is not written twice); an endpoint that no longer hears
/// `article.published` loses the ones not yet due. An inactive one keeps what it has, to be
/// sent once it is active again, like any other delivery.
pub async fn endpoint_changed(
    conn: &impl ConnectionTrait,
    hook: &webhook::Model,
    public_url: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    lock_announcements(conn).await?;
    let event = Event::ArticlePublished;
    let hears = split_events(&hook.events)
        .iter()
        .any(|e| e == event.as_str());
    if !hears {
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::WebhookId.eq(hook.id))
            .filter(not_yet_due(at))
            .exec(conn)
            .await?;
        return Ok(());
    }
    if !hook.active {
        return Ok(());
    }
    let scheduled = article::Entity::find()
        .filter(article::Column::Status.eq("scheduled"))
        .filter(article::Column::PublishedAt.gt(at))
        .all(conn)
        .await?;
    if scheduled.is_empty() {
        return Ok(());
    }
    // Every endpoint's, to reuse their bodies.
    let waiting = webhook_delivery::Entity::find()
        .filter(not_yet_due(at))
        .all(conn)
        .await?;
    for a in scheduled {
        let Some(due) = a.published_at else {
            continue;
        };
        let of_article = |d: &&webhook_delivery::Model| d.scheduled_article_id == Some(a.id);
        if waiting
            .iter()
            .filter(of_article)
            .any(|d| d.webhook_id == hook.id)
        {
            continue;
        }
        let payload = match waiting.iter().find(of_article) {
            Some(other) => other.payload.clone(),
            None => payload(event, &article_data(&a, public_url, false), due),
        };
        let queued = Queued {
            webhook_id: hook.id,
            event,
            payload,
            due,
            scheduled_article: Some(a.id),
        };
        queued.insert(conn, at).await?;
    }
    Ok(())
}

/// Whether `a` is scheduled to become public after `at` (not yet public).
fn scheduled_after(a: &article::Model, at: DateTime<Utc>) -> bool {
    a.status == "scheduled" && a.published_at.is_some_and(|t| t > at)
}

/// Serialises the transactions that write or withdraw announcements of scheduled
/// publications, on PostgreSQL, from the lock to their commit. Otherwise an article
/// scheduled while an endpoint is registered could miss it: each transaction reads (the
/// endpoints, the scheduled articles) before the other commits, under READ COMMITTED. SQLite
/// runs these transactions one at a time already (`BEGIN IMMEDIATE`). Only schedules and
/// endpoint changes take it, not the other editorial writes.
async fn lock_announcements(conn: &impl ConnectionTrait) -> AppResult<()> {
    // The key is arbitrary, fixed, and used for nothing else.
    crate::db::dialect::lock_until_commit(conn, 5_170_419_206).await?;
    Ok(())
}

/// Announcements of scheduled publications not yet due (so no worker can have claimed them:
/// a claim needs a due row).
fn not_yet_due(at: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(webhook_delivery::Column::ScheduledArticleId.is_not_null())
        .add(webhook_delivery::Column::Status.eq(PENDING))
        .add(webhook_delivery::Column::Attempts.eq(0))
        .add(webhook_delivery::Column::NextAttemptAt.gt(at))
}

/// Withdraws the announcement of `before`'s publication if it was scheduled and not yet
/// due.
async fn withdraw_scheduled(
    conn: &impl ConnectionTrait,
    before: &article::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    if !scheduled_after(before, at) {
        return Ok(());
    }
    lock_announcements(conn).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::ScheduledArticleId.eq(before.id))
        .filter(not_yet_due(at))
        .exec(conn)
        .await?;
    Ok(())
}

/// The article as partners see it in an event: stable global id, slug and public fields.
pub fn article_data(a: &article::Model, public_url: &str, deleted: bool) -> Value {
    json!({
        "id": encode(Kind::Article, a.id),
        "slug": a.slug,
        "title": a.title,
        "standfirst": a.standfirst,
        "language": a.language,
        "status": a.status,
        "published_at": a.published_at,
        "updated_at": a.updated_at,
        "version": a.version,
        "url": format!("{public_url}/articles/{}", a.slug),
        "deleted": deleted,
    })
}

/// After a workflow step or an edit of article `id` (read again inside the transaction):
/// `article.published` when it became public, `article.unpublished` when it stopped being
/// public, `article.updated` when it was public and still is.
pub async fn article_changed(
    conn: &impl ConnectionTrait,
    id: i64,
    before: &article::Model,
    public_url: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let Some(after) = article::Entity::find_by_id(id).one(conn).await? else {
        return Ok(());
    };
    // A scheduled publication is announced at its time, with the article as it stands when
    // scheduled: any change before then replaces (or withdraws) that announcement.
    withdraw_scheduled(conn, before, at).await?;
    let was = visible(&before.status, before.published_at, at);
    let is = visible(&after.status, after.published_at, at);
    let event = match (was, is) {
        (false, true) => Some(Event::ArticlePublished),
        (true, false) => Some(Event::ArticleUnpublished),
        (true, true) => Some(Event::ArticleUpdated),
        (false, false) => None,
    };
    let due = after.published_at.filter(|_| scheduled_after(&after, at));
    if event.is_none() && due.is_none() {
        return Ok(());
    }
    let data = article_data(&after, public_url, false);
    if let Some(event) = event {
        enqueue(conn, event, data.clone(), at).await?;
    }
    if let Some(due) = due {
        enqueue_due(conn, Event::ArticlePublished, data, at, due, Some(id)).await?;
    }
    Ok(())
}

/// Before article `before` is deleted: `article.unpublished` with `deleted: true` if it was
/// public.
pub async fn article_deleted(
    conn: &impl ConnectionTrait,
    before: &article::Model,
    public_url: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    withdraw_scheduled(conn, before, at).await?;
    if !visible(&before.status, before.published_at, at) {
        return Ok(());
    }
    enqueue(
        conn,
        Event::ArticleUnpublished,
        article_data(before, public_url, true),
        at,
    )
    .await
}

/// After a moderator approved `saved` (which was `from` before): `comment.approved`.
pub async fn comment_approved(
    conn: &impl ConnectionTrait,
    saved: &comment::Model,
    from: crate::content::comments::CommentStatus,
    at: DateTime<Utc>,
) -> AppResult<()> {
    use crate::content::comments::CommentStatus;
    if from == CommentStatus::Approved || saved.status != CommentStatus::Approved.as_str() {
        return Ok(());
    }
    let slug = article::Entity::find_by_id(saved.article_id)
        .one(conn)
        .await?
        .map(|a| a.slug);
    let data = json!({
        "id": encode(Kind::Comment, saved.id),
        "article": { "id": encode(Kind::Article, saved.article_id), "slug": slug },
        "parent_id": saved.parent_id.map(|p| encode(Kind::Comment, p)),
        "author_name": saved.author_name,
        "body": saved.body,
        "created_at": saved.created_at,
        "approved_at": saved.moderated_at,
    });
    enqueue(conn, Event::CommentApproved, data, at).await
}
