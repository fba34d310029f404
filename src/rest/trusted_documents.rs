//! Trusted GraphQL documents over REST, for admins: register documents
//! (`/v1/trusted-documents`) and restrict a partner's key to them
//! (`/v1/api-keys/{id}/trusted-documents-only`). The rules live in
//! `content::accounts::TrustedDocuments`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{ApiKey, ApiKeyData};
use super::envelope::{Here, envelopes};
use super::error::ApiResult;
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, NotFound, Unauthenticated};
use super::params::ApiPath;
use crate::auth::extract::RequireActor;
use crate::content::Content;
use crate::content::accounts::TrustedDocument as Record;

envelopes! {
    list TrustedDocumentList(TrustedDocument);
    one TrustedDocumentData(TrustedDocument);
}

/// A GraphQL document that restricted keys may run, by its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrustedDocument {
    /// SHA-256 of `document`, lowercase hex: send it as
    /// `extensions.persistedQuery.sha256Hash`.
    pub sha256: String,
    pub name: String,
    pub document: String,
    pub created_at: DateTime<Utc>,
}

impl From<Record> for TrustedDocument {
    fn from(d: Record) -> Self {
        Self {
            sha256: d.sha256,
            name: d.name,
            document: d.document,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterTrustedDocumentRequest {
    /// What the document is for (e.g. `partner-home`; 1 to 100 characters, no control
    /// characters).
    #[schema(max_length = 100, pattern = "text:line")]
    pub name: String,
    /// The GraphQL document's exact text (its hash is of these bytes), 1 to 32768 bytes.
    #[schema(max_length = 32768, pattern = "text:not-blank")]
    pub document: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustedDocumentsOnlyRequest {
    /// `true`: the key may only run trusted documents; `false` lifts the restriction.
    pub enabled: bool,
}

/// Every trusted document, newest first (admins only).
#[utoipa::path(
    get,
    path = "/v1/trusted-documents",
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Every trusted document", body = TrustedDocumentList), Unauthenticated, Forbidden)
)]
pub async fn list_trusted_documents(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
) -> ApiResult<Json<TrustedDocumentList>> {
    let documents = content.trusted_documents().list(&actor).await?;
    let documents = documents.into_iter().map(TrustedDocument::from).collect();
    Ok(Json(here.whole(documents).into()))
}

/// Registers a trusted GraphQL document (admins only); the same text again answers the
/// stored document.
#[utoipa::path(
    post,
    path = "/v1/trusted-documents",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = RegisterTrustedDocumentRequest,
    responses((status = 201, description = "The registered document", body = TrustedDocumentData), Unauthenticated, Forbidden, InvalidBody)
)]
pub async fn register_trusted_document(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiJson(body): ApiJson<RegisterTrustedDocumentRequest>,
) -> ApiResult<(StatusCode, Json<TrustedDocumentData>)> {
    let document = content
        .trusted_documents()
        .register(&actor, &body.name, &body.document)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TrustedDocumentData {
            data: document.into(),
        }),
    ))
}

/// Restricts a partner's key to trusted documents, or lifts the restriction (admins only).
#[utoipa::path(
    put,
    path = "/v1/api-keys/{id}/trusted-documents-only",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The key's id")),
    request_body = TrustedDocumentsOnlyRequest,
    responses((status = 200, description = "The key", body = ApiKeyData), Unauthenticated, Forbidden, NotFound, InvalidBody)
)]
pub async fn set_api_key_trusted_documents_only(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TrustedDocumentsOnlyRequest>,
) -> ApiResult<Json<ApiKeyData>> {
    let key = content
        .trusted_documents()
        .restrict_key(&actor, id, body.enabled)
        .await?;
    Ok(Json(ApiKeyData {
        data: ApiKey::from(key),
    }))
}
