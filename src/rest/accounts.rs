//! Account management over REST, for admins: users (`/v1/users`) and partner API keys
//! (`/v1/api-keys`). Every handler calls one account service, which checks the caller.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{User, UserData};
use super::envelope::{Here, envelopes};
use super::error::ApiResult;
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, InvalidRequest, NotFound, Unauthenticated};
use super::params::{ApiPath, ApiQuery, PageParams};
use crate::auth::Role;
use crate::auth::extract::RequireActor;
use crate::content::Content;
use crate::content::accounts::{ApiKeyRecord, CreatedApiKey, NewApiKey, NewUser, UserChanges};

envelopes! {
    list UserList(User);
    list ApiKeyList(ApiKey);
    one ApiKeyData(ApiKey);
    one CreatedApiKeyData(NewApiKeyView);
}

/// A syndication partner's key (never the key itself, which is shown once at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    /// API keys are never public, so their ids are plain numbers.
    pub id: i64,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<String>,
    /// The key may only run trusted GraphQL documents.
    pub trusted_documents_only: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRecord> for ApiKey {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            trusted_documents_only: k.trusted_documents_only,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A key just created.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NewApiKey)]
pub struct NewApiKeyView {
    /// The key, to send as `X-Api-Key`: shown this once, never again.
    pub key: String,
    pub api_key: ApiKey,
}

impl From<CreatedApiKey> for NewApiKeyView {
    fn from(c: CreatedApiKey) -> Self {
        Self {
            key: c.key,
            api_key: c.record.into(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Normalised: trimmed and lowercased.
    #[schema(
        max_length = 254,
        pattern = "^[A-Za-z0-9_%+-]{1,16}(?:\\.[A-Za-z0-9_%+-]{1,16}){0,2}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub email: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// 1 to 100 characters, no control characters.
    #[schema(max_length = 100, pattern = "text:line")]
    pub display_name: String,
    pub role: Role,
    /// The global id of an author (byline) this account writes as; blank means none.
    #[schema(value_type = Option<AuthorIdOrBlank>)]
    pub author_id: Option<String>,
}

/// Changes to an account; absent fields are left as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub role: Option<Role>,
    /// 1 to 100 characters, no control characters.
    #[schema(max_length = 100, pattern = "text:line")]
    pub display_name: Option<String>,
    /// `true` disables the account and ends its sessions; `false` enables it again.
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// Who the key is for (1 to 100 characters, no control characters).
    #[schema(max_length = 100, pattern = "text:line")]
    pub name: String,
    /// E.g. `["articles:read", "feeds:read"]`: at least one.
    #[schema(min_items = 1, value_type = Vec<ApiKeyScope>)]
    pub scopes: Vec<String>,
}

/// Every account, oldest first (admins only).
#[utoipa::path(
    get,
    path = "/v1/users",
    tag = "accounts",
    security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "A page of accounts", body = UserList), Unauthenticated, Forbidden, InvalidRequest)
)]
pub async fn list_users(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<UserList>> {
    let request = page.request(content.max_page_size)?;
    let page = content.users().list(&actor, &request).await?;
    Ok(Json(here.list(page, &request, true, User::from).into()))
}

/// Creates an account (admins only).
#[utoipa::path(
    post,
    path = "/v1/users",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses((status = 201, description = "The new account", body = UserData), Unauthenticated, Forbidden, InvalidBody,
        (status = 409, description = "The email is taken", body = super::openapi::Problem, content_type = "application/problem+json"))
)]
pub async fn create_user(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserData>)> {
    let input = NewUser {
        email: body.email,
        password: body.password,
        display_name: body.display_name,
        role: body.role,
        author_id: body.author_id,
    };
    let user = content.users().create(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(UserData { data: user.into() })))
}

/// Changes an account's role, name or disabled flag (admins only).
#[utoipa::path(
    patch,
    path = "/v1/users/{id}",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id")),
    request_body = UpdateUserRequest,
    responses((status = 200, description = "The account as changed", body = UserData), Unauthenticated, Forbidden, NotFound, InvalidBody)
)]
pub async fn update_user(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<UserData>> {
    let changes = UserChanges {
        role: body.role,
        display_name: body.display_name,
        disabled: body.disabled,
    };
    let user = content.users().update(&actor, id, changes).await?;
    Ok(Json(UserData { data: user.into() }))
}

/// Every partner API key, newest first, revoked ones included (admins only).
#[utoipa::path(
    get,
    path = "/v1/api-keys",
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Every key", body = ApiKeyList), Unauthenticated, Forbidden)
)]
pub async fn list_api_keys(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
) -> ApiResult<Json<ApiKeyList>> {
    let keys = content.api_keys().list(&actor).await?;
    let keys = keys.into_iter().map(ApiKey::from).collect();
    Ok(Json(here.whole(keys).into()))
}

/// Creates a partner API key (admins only); the key is in the answer, once.
#[utoipa::path(
    post,
    path = "/v1/api-keys",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    responses((status = 201, description = "The new key, shown once", body = CreatedApiKeyData), Unauthenticated, Forbidden, InvalidBody)
)]
pub async fn create_api_key(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiJson(body): ApiJson<CreateApiKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreatedApiKeyData>)> {
    let input = NewApiKey {
        name: body.name,
        scopes: body.scopes,
    };
    let created = content.api_keys().create(&actor, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKeyData {
            data: created.into(),
        }),
    ))
}

/// Revokes a partner API key (admins only), effective on its next request. Idempotent.
#[utoipa::path(
    post,
    path = "/v1/api-keys/{id}/revoke",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The key's id")),
    responses((status = 200, description = "The revoked key", body = ApiKeyData), Unauthenticated, Forbidden, NotFound)
)]
pub async fn revoke_api_key(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ApiKeyData>> {
    let key = content.api_keys().revoke(&actor, id).await?;
    Ok(Json(ApiKeyData { data: key.into() }))
}

/// The scopes of a partner key (documentation only: the service reads the strings,
/// `content::accounts::KNOWN_SCOPES`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum ApiKeyScope {
    #[schema(rename = "articles:read")]
    ArticlesRead,
    #[schema(rename = "comments:read")]
    CommentsRead,
    #[schema(rename = "feeds:read")]
    FeedsRead,
    #[schema(rename = "webhooks:read")]
    WebhooksRead,
}

/// An author's global id, or a blank string for none (documentation only).
pub struct AuthorIdOrBlank;

impl utoipa::PartialSchema for AuthorIdOrBlank {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::content::ids::{Kind, pattern};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let id = pattern(Kind::Author);
        let id = id.trim_start_matches('^').trim_end_matches('$');
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!("^(?:[\\t-\\r ]*|{id})$")))
            .into()
    }
}

impl ToSchema for AuthorIdOrBlank {}
