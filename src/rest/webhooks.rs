//! Webhooks over REST, for admins: endpoints (`/v1/webhooks`), their delivery log, and
//! replaying a delivery. Every handler calls one webhook service, which checks the caller.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::envelope::{Here, envelopes};
use super::error::ApiResult;
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, InvalidRequest, NotFound, Unauthenticated};
use super::params::{ApiPath, ApiQuery, PageParams};
use crate::auth::extract::RequireActor;
use crate::content::Content;
// The core's records are the contract's, under the names the contract gives them.
use crate::content::webhooks::{
    CreatedWebhook as NewWebhookView, DeliveryRecord as Delivery, NewWebhook, WebhookChanges,
    WebhookRecord as Webhook,
};

envelopes! {
    list WebhookList(Webhook);
    one WebhookData(Webhook);
    one CreatedWebhookData(NewWebhookView);
    list DeliveryList(Delivery);
    one DeliveryData(Delivery);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// An absolute `http` or `https` URL, without credentials, that reaches a public address:
    /// a host that is an IP address (as WHATWG URL parsing reads it: `127.1`, `0x7f.1` and `0`
    /// are addresses) must be a public one, and `localhost` names are refused; a name is
    /// checked after resolution, at each delivery (internal networks are opened by
    /// `KIOSQUE_WEBHOOK_ALLOW_NETWORKS`).
    #[schema(max_length = 2000, pattern = "text:http-url")]
    pub url: String,
    /// At least one of `article.published`, `article.updated`, `article.unpublished`,
    /// `comment.approved`.
    #[schema(min_items = 1, value_type = Vec<WebhookEvent>)]
    pub events: Vec<String>,
    /// 16 to 256 printable characters; generated when absent.
    #[schema(pattern = "^[!-~]{16,256}$")]
    pub secret: Option<String>,
    /// `true` when absent.
    pub active: Option<bool>,
}

/// Changes to an endpoint; absent fields are left as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    /// As when creating: an `http` or `https` URL that reaches a public address.
    #[schema(max_length = 2000, pattern = "text:http-url")]
    pub url: Option<String>,
    #[schema(min_items = 1, value_type = Option<Vec<WebhookEvent>>)]
    pub events: Option<Vec<String>>,
    /// A new signing secret (16 to 256 printable characters).
    #[schema(pattern = "^[!-~]{16,256}$")]
    pub secret: Option<String>,
    pub active: Option<bool>,
}

/// Every endpoint, oldest first (admins only).
#[utoipa::path(
    get,
    path = "/v1/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 200, description = "Every endpoint", body = WebhookList), Unauthenticated, Forbidden)
)]
pub async fn list_webhooks(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
) -> ApiResult<Json<WebhookList>> {
    let hooks = content.webhooks().list(&actor).await?;
    Ok(Json(here.whole(hooks).into()))
}

/// Registers an endpoint (admins only); its secret is in the answer, once.
#[utoipa::path(
    post,
    path = "/v1/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses((status = 201, description = "The new endpoint and its secret, shown once", body = CreatedWebhookData), Unauthenticated, Forbidden, InvalidBody)
)]
pub async fn create_webhook(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiJson(body): ApiJson<CreateWebhookRequest>,
) -> ApiResult<(StatusCode, Json<CreatedWebhookData>)> {
    let input = NewWebhook {
        url: body.url,
        events: body.events,
        secret: body.secret,
        active: body.active,
    };
    let created = content.webhooks().create(&actor, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookData { data: created }),
    ))
}

/// One endpoint (admins only).
#[utoipa::path(
    get,
    path = "/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = WebhookData), Unauthenticated, Forbidden, NotFound)
)]
pub async fn find_webhook(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WebhookData>> {
    let hook = content.webhooks().find(&actor, id).await?;
    Ok(Json(WebhookData { data: hook }))
}

/// Changes an endpoint's URL, events, secret or active flag (admins only).
#[utoipa::path(
    patch,
    path = "/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The endpoint's id")),
    request_body = UpdateWebhookRequest,
    responses((status = 200, description = "The endpoint as changed", body = WebhookData), Unauthenticated, Forbidden, NotFound, InvalidBody)
)]
pub async fn update_webhook(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UpdateWebhookRequest>,
) -> ApiResult<Json<WebhookData>> {
    let changes = WebhookChanges {
        url: body.url,
        events: body.events,
        secret: body.secret,
        active: body.active,
    };
    let hook = content.webhooks().update(&actor, id, changes).await?;
    Ok(Json(WebhookData { data: hook }))
}

/// Removes an endpoint and its delivery log (admins only).
#[utoipa::path(
    delete,
    path = "/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses((status = 204, description = "Removed"), Unauthenticated, Forbidden, NotFound)
)]
pub async fn delete_webhook(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    content.webhooks().delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The deliveries of an endpoint, newest first (admins only).
#[utoipa::path(
    get,
    path = "/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The endpoint's id"), PageParams),
    responses((status = 200, description = "A page of deliveries", body = DeliveryList), Unauthenticated, Forbidden, NotFound, InvalidRequest)
)]
pub async fn list_webhook_deliveries(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<DeliveryList>> {
    let request = page.request(content.max_page_size)?;
    let page = content.webhooks().deliveries(&actor, id, &request).await?;
    Ok(Json(
        here.list(page, &request, true, std::convert::identity)
            .into(),
    ))
}

/// Sends a delivery again (admins only): a new pending delivery of the same payload (same
/// event id), due at once.
#[utoipa::path(
    post,
    path = "/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The endpoint's id"),
        ("delivery_id" = i64, Path, description = "The delivery to send again")
    ),
    responses((status = 202, description = "The new delivery, queued", body = DeliveryData), Unauthenticated, Forbidden, NotFound)
)]
pub async fn replay_webhook_delivery(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath((id, delivery_id)): ApiPath<(i64, i64)>,
) -> ApiResult<(StatusCode, Json<DeliveryData>)> {
    let delivery = content.webhooks().replay(&actor, id, delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(DeliveryData { data: delivery })))
}

/// The events an endpoint may subscribe to (documentation only: the service reads the
/// strings, `content::webhooks::EVENTS`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum WebhookEvent {
    #[schema(rename = "article.published")]
    ArticlePublished,
    #[schema(rename = "article.updated")]
    ArticleUpdated,
    #[schema(rename = "article.unpublished")]
    ArticleUnpublished,
    #[schema(rename = "comment.approved")]
    CommentApproved,
}
