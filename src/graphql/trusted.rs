//! The trusted-document allow-list at the GraphQL door: a partner whose key is restricted
//! (`trusted_documents_only`) runs registered documents only, named by
//! `extensions.persistedQuery.sha256Hash`. Everyone else passes through untouched (the
//! automatic persisted queries of other clients are another feature, with their own cache).

use async_graphql::Value;

use crate::app::AppState;
use crate::auth::Actor;
use crate::error::AppError;

/// Why a restricted partner's request does not run.
pub enum Refused {
    /// No trusted document has the hash: `PERSISTED_QUERY_NOT_FOUND`.
    NotFound,
    Error(AppError),
}

/// Gives a restricted partner's request the text of its trusted document, or refuses it.
pub async fn admit(
    state: &AppState,
    actor: &Actor,
    mut request: async_graphql::Request,
) -> Result<async_graphql::Request, Refused> {
    let Actor::Partner(partner) = actor else {
        return Ok(request);
    };
    if !partner.trusted_documents_only {
        return Ok(request);
    }
    let hash = match request.extensions.0.get("persistedQuery") {
        Some(Value::Object(persisted)) => match persisted.get("sha256Hash") {
            Some(Value::String(hash)) => Some(hash.clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(hash) = hash else {
        return Err(Refused::Error(AppError::Forbidden(
            "this API key runs trusted documents only: send extensions.persistedQuery.sha256Hash"
                .into(),
        )));
    };
    let document = match state.documents.trusted(&hash) {
        Some(document) => document,
        None => {
            let found = state
                .content
                .trusted_documents()
                .find(&hash)
                .await
                .map_err(Refused::Error)?;
            let Some(found) = found else {
                return Err(Refused::NotFound);
            };
            state.documents.remember_trusted(&hash, &found)
        }
    };
    // Query text alongside the hash must be the document itself, never another one.
    if !request.query.is_empty() && request.query != *document {
        return Err(Refused::Error(AppError::Forbidden(
            "the query text is not the trusted document of this hash".into(),
        )));
    }
    request.query = document.to_string();
    Ok(request)
}
