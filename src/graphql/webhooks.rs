//! Webhooks in GraphQL, for admins: the endpoints, registering, changing and removing one,
//! and replaying a delivery. Each field calls one webhook service; the rules (who may, what
//! is valid) live in `content::webhooks`. Endpoints and deliveries are not `Node`s (never
//! public): their ids are plain numbers, as in REST.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::common::*;
use crate::content::webhooks::{
    CreatedWebhook, DeliveryRecord, NewWebhook, WebhookChanges, WebhookRecord,
};

/// An endpoint that hears of editorial changes (its secret is shown once, at creation).
#[derive(SimpleObject)]
#[graphql(name = "Webhook")]
pub struct WebhookNode {
    id: ID,
    url: String,
    /// Among `article.published`, `article.updated`, `article.unpublished`, `comment.approved`.
    events: Vec<String>,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<WebhookRecord> for WebhookNode {
    fn from(w: WebhookRecord) -> Self {
        Self {
            id: ID(w.id.to_string()),
            url: w.url,
            events: w.events,
            active: w.active,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// An endpoint just registered.
#[derive(SimpleObject)]
pub struct CreatedWebhookPayload {
    /// The signing secret: shown this once, never again.
    secret: String,
    webhook: WebhookNode,
}

impl From<CreatedWebhook> for CreatedWebhookPayload {
    fn from(c: CreatedWebhook) -> Self {
        Self {
            secret: c.secret,
            webhook: c.record.into(),
        }
    }
}

/// One delivery of one event to one endpoint.
#[derive(SimpleObject)]
#[graphql(name = "WebhookDelivery")]
pub struct DeliveryNode {
    id: ID,
    event: String,
    /// `pending`, `delivered` or `failed`.
    status: String,
    attempts: i32,
    response_status: Option<i32>,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRecord> for DeliveryNode {
    fn from(d: DeliveryRecord) -> Self {
        Self {
            id: ID(d.id.to_string()),
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            response_status: d.response_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

#[derive(InputObject)]
pub struct CreateWebhookInput {
    /// An absolute `http` or `https` URL, without credentials.
    pub url: String,
    pub events: Vec<String>,
    /// 16 to 256 printable characters; generated when absent.
    pub secret: Option<String>,
    pub active: Option<bool>,
}

/// Changes to an endpoint; absent fields are kept.
#[derive(InputObject)]
pub struct UpdateWebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
    pub active: Option<bool>,
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every webhook endpoint, oldest first (admins only).
    async fn webhooks(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookNode>> {
        let hooks = content(ctx)
            .webhooks()
            .list(&actor(ctx))
            .await
            .map_err(gql)?;
        Ok(hooks.into_iter().map(WebhookNode::from).collect())
    }
}

#[derive(Default)]
pub struct WebhookMutations;

#[Object]
impl WebhookMutations {
    /// Registers a webhook endpoint (admins only); its secret is in the answer, once.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookInput,
    ) -> GqlResult<CreatedWebhookPayload> {
        let input = NewWebhook {
            url: input.url,
            events: input.events,
            secret: input.secret,
            active: input.active,
        };
        let created = content(ctx)
            .webhooks()
            .create(&actor(ctx), input)
            .await
            .map_err(gql)?;
        Ok(created.into())
    }

    /// Changes a webhook endpoint (admins only).
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWebhookInput,
    ) -> GqlResult<WebhookNode> {
        let id = number("id", &id)?;
        let changes = WebhookChanges {
            url: input.url,
            events: input.events,
            secret: input.secret,
            active: input.active,
        };
        let hook = content(ctx)
            .webhooks()
            .update(&actor(ctx), id, changes)
            .await
            .map_err(gql)?;
        Ok(hook.into())
    }

    /// Removes a webhook endpoint and its delivery log (admins only); returns its id.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let number = number("id", &id)?;
        content(ctx)
            .webhooks()
            .delete(&actor(ctx), number)
            .await
            .map_err(gql)?;
        Ok(id)
    }

    /// Sends a delivery again (admins only): a new pending delivery of the same event.
    async fn replay_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        webhook_id: ID,
        delivery_id: ID,
    ) -> GqlResult<DeliveryNode> {
        let webhook_id = number("webhookId", &webhook_id)?;
        let delivery_id = number("deliveryId", &delivery_id)?;
        let delivery = content(ctx)
            .webhooks()
            .replay(&actor(ctx), webhook_id, delivery_id)
            .await
            .map_err(gql)?;
        Ok(delivery.into())
    }
}
