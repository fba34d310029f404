//! Webhooks in GraphQL, for admins: the endpoints, registering, changing and removing one,
//! and replaying a delivery. Each field calls one webhook service; the rules (who may, what
//! is valid) live in `content::webhooks`. Endpoints and deliveries are not `Node`s (never
//! public): their ids are plain numbers, as in REST.

use async_graphql::{Context, ID, InputObject, Object};

use super::common::*;
// The core's records are the schema's, under the names the schema gives them.
use crate::content::webhooks::{
    CreatedWebhook as CreatedWebhookPayload, DeliveryRecord as DeliveryNode, NewWebhook,
    WebhookChanges, WebhookRecord as WebhookNode,
};

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
        content(ctx).webhooks().list(&actor(ctx)).await.map_err(gql)
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
        Ok(created)
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
        Ok(hook)
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
        Ok(delivery)
    }
}
