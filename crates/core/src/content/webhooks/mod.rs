//! Webhooks: endpoints that partners register (through an admin) to hear of editorial
//! changes, and their delivery log. Every change writes its deliveries into the
//! `webhook_deliveries` outbox in the change's own transaction (`outbox`), so a change is
//! never reported without having happened nor lost when the process stops; the worker in
//! `crate::webhooks` claims due rows, posts them signed, and records the outcome here
//! (`deliveries`).

pub mod deliveries;
pub mod inputs;
pub mod outbox;
pub mod targets;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use inputs::{EVENTS, Event, NewWebhook, WebhookChanges};

use crate::content::ids::RowId;
use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::content::{Content, now, permissions};
use crate::entities::{webhook, webhook_delivery};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

/// An endpoint that hears of editorial changes (never its secret, shown once at creation).
// REST's and GraphQL's `Webhook`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Webhook)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[cfg_attr(feature = "graphql", graphql(name = "Webhook"))]
pub struct WebhookRecord {
    /// Webhooks are never public, so their ids are plain numbers.
    #[schema(value_type = i64)]
    pub id: RowId,
    pub url: String,
    /// Among `article.published`, `article.updated`, `article.unpublished`, `comment.approved`.
    pub events: Vec<String>,
    /// Deliveries to an inactive endpoint wait until it is active again.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Model> for WebhookRecord {
    fn from(w: webhook::Model) -> Self {
        Self {
            id: RowId(w.id),
            url: w.url,
            events: inputs::split_events(&w.events),
            active: w.active,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// An endpoint just registered.
// REST's `NewWebhook`, GraphQL's `CreatedWebhookPayload`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = NewWebhook)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[cfg_attr(feature = "graphql", graphql(name = "CreatedWebhookPayload"))]
pub struct CreatedWebhook {
    /// The signing secret: shown this once, never again.
    pub secret: String,
    pub webhook: WebhookRecord,
}

/// One delivery of one event to one endpoint.
// REST's `Delivery`; GraphQL's `WebhookDelivery`, without the endpoint's id and the body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Delivery)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[cfg_attr(feature = "graphql", graphql(name = "WebhookDelivery"))]
pub struct DeliveryRecord {
    #[schema(value_type = i64)]
    pub id: RowId,
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub webhook_id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed` (given up after the last attempt).
    pub status: String,
    pub attempts: i32,
    /// The HTTP status of the last answer, if there was one.
    pub response_status: Option<i32>,
    pub last_error: Option<String>,
    /// When a pending delivery is next tried.
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body sent: `{event, id, occurred_at, data}`.
    #[schema(value_type = Object)]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub payload: serde_json::Value,
}

impl From<webhook_delivery::Model> for DeliveryRecord {
    fn from(d: webhook_delivery::Model) -> Self {
        Self {
            id: RowId(d.id),
            webhook_id: d.webhook_id,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            response_status: d.response_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
        }
    }
}

pub struct Webhooks<'a> {
    content: &'a Content,
}

impl Content {
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { content: self }
    }
}

impl Webhooks<'_> {
    /// Registers an endpoint (admins only). Without a secret, one is generated.
    pub async fn create(&self, actor: &Actor, input: NewWebhook) -> AppResult<CreatedWebhook> {
        let admin = permissions::admin(actor)?;
        let url = inputs::url(&input.url, &self.content.protection.webhook_networks)?;
        let events = inputs::events(&input.events)?;
        let secret = match input.secret.as_deref() {
            Some(given) => inputs::secret(given)?,
            None => inputs::generate_secret(),
        };
        let at = now();
        let txn = self.content.db.begin_write().await?;
        let model = webhook::ActiveModel {
            url: Set(url),
            secret: Set(secret.clone()),
            events: Set(events.join(" ")),
            active: Set(input.active.unwrap_or(true)),
            created_by: Set(Some(admin.id)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        outbox::endpoint_changed(&txn, &model, &self.content.protection.public_url, at).await?;
        txn.commit().await?;
        tracing::info!(webhook_id = model.id, "webhook registered");
        Ok(CreatedWebhook {
            secret,
            webhook: model.into(),
        })
    }

    /// Every endpoint, oldest first (admins only).
    pub async fn list(&self, actor: &Actor) -> AppResult<Vec<WebhookRecord>> {
        permissions::admin(actor)?;
        Ok(webhook::Entity::find()
            .order_by_asc(webhook::Column::Id)
            .all(&self.content.db.conn)
            .await?
            .into_iter()
            .map(WebhookRecord::from)
            .collect())
    }

    pub async fn find(&self, actor: &Actor, id: i64) -> AppResult<WebhookRecord> {
        permissions::admin(actor)?;
        Ok(self.model(&self.content.db.conn, id).await?.into())
    }

    async fn model(&self, conn: &impl ConnectionTrait, id: i64) -> AppResult<webhook::Model> {
        webhook::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("webhook"))
    }

    /// Changes an endpoint; absent fields are kept. A new secret is taken as given.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        changes: WebhookChanges,
    ) -> AppResult<WebhookRecord> {
        permissions::admin(actor)?;
        let networks = &self.content.protection.webhook_networks;
        let url = changes
            .url
            .as_deref()
            .map(|u| inputs::url(u, networks))
            .transpose()?;
        let events = changes.events.as_deref().map(inputs::events).transpose()?;
        let secret = changes.secret.as_deref().map(inputs::secret).transpose()?;
        let txn = self.content.db.begin_write().await?;
        let mut model = self.model(&txn, id).await?.into_active_model();
        if let Some(url) = url {
            model.url = Set(url);
        }
        if let Some(events) = events {
            model.events = Set(events.join(" "));
        }
        if let Some(secret) = secret {
            model.secret = Set(secret);
        }
        if let Some(active) = changes.active {
            model.active = Set(active);
        }
        let at = now();
        model.updated_at = Set(at);
        let saved = model.update(&txn).await?;
        outbox::endpoint_changed(&txn, &saved, &self.content.protection.public_url, at).await?;
        txn.commit().await?;
        Ok(saved.into())
    }

    /// Removes an endpoint and its delivery log.
    pub async fn delete(&self, actor: &Actor, id: i64) -> AppResult<()> {
        permissions::admin(actor)?;
        let deleted = webhook::Entity::delete_by_id(id)
            .exec(&self.content.db.conn)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(AppError::not_found("webhook"));
        }
        Ok(())
    }

    /// The deliveries of an endpoint, newest first.
    pub async fn deliveries(
        &self,
        actor: &Actor,
        webhook_id: i64,
        page: &PageRequest,
    ) -> AppResult<Page<DeliveryRecord>> {
        permissions::admin(actor)?;
        self.model(&self.content.db.conn, webhook_id).await?;
        let conn = &self.content.db.conn;
        let mut query = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::WebhookId.eq(webhook_id));
        if let Some(cursor) = &page.cursor {
            query = match page.direction {
                Direction::Forward => query.filter(webhook_delivery::Column::Id.lt(cursor.id)),
                Direction::Backward => query.filter(webhook_delivery::Column::Id.gt(cursor.id)),
            };
        }
        query = match page.direction {
            Direction::Forward => query.order_by_desc(webhook_delivery::Column::Id),
            Direction::Backward => query.order_by_asc(webhook_delivery::Column::Id),
        };
        let rows = query.limit(u64::from(page.size) + 1).all(conn).await?;
        let rows: Vec<DeliveryRecord> = rows.into_iter().map(DeliveryRecord::from).collect();
        Ok(Page::from_rows(
            page,
            rows,
            |d| Cursor {
                key: SortValue::Offset(0),
                id: d.id.0,
            },
            None,
        ))
    }

    /// Sends a delivery again: a new delivery of the same event (same payload, same event
    /// id, so that the receiver can tell it is a repeat), due at once. The log keeps the old
    /// one as it was.
    pub async fn replay(
        &self,
        actor: &Actor,
        webhook_id: i64,
        delivery_id: i64,
    ) -> AppResult<DeliveryRecord> {
        permissions::admin(actor)?;
        let conn = &self.content.db.conn;
        let original = webhook_delivery::Entity::find_by_id(delivery_id)
            .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("delivery"))?;
        let at = now();
        let copy = webhook_delivery::ActiveModel {
            webhook_id: Set(original.webhook_id),
            event: Set(original.event),
            payload: Set(original.payload),
            status: Set(deliveries::PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(at),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(copy.into())
    }
}
