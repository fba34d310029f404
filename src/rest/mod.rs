//! The REST door under `/v1`: a thin translation of HTTP onto the content services. This
//! file is the route index; each area has its file, and `openapi` is the contract built
//! from them. Handlers are named like their OpenAPI operations (`<verb>_<resource>`).
//!
//! Every list answers `{data, page, links}`, every resource `{data}`, every error
//! problem+json; every public read goes through [`crate::http_cache::http_cache`] (ETag, 304,
//! Cache-Control).

mod accounts;
mod articles;
mod auth;
mod catalogue;
mod comment_writes;
mod comments;
mod editorial;
mod envelope;
mod error;
mod home;
mod json;
mod moderation;
pub mod openapi;
pub mod params;
mod search;
mod sync;
pub mod syndication;
mod trusted_documents;
mod webhooks;

use axum::Router;
use axum::middleware;
use axum::routing::{get, patch, post};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/articles", get(sync::list_or_changes))
        .route("/articles/{slug}", get(articles::find_article))
        .route(
            "/articles/{slug}/related",
            get(articles::list_related_articles),
        )
        .route(
            "/articles/{slug}/comments",
            get(comments::list_article_comments),
        )
        .route("/search", get(search::search_articles))
        .route("/home", get(home::get_home))
        .route("/rubrics", get(catalogue::list_rubrics))
        .route("/rubrics/{slug}", get(catalogue::find_rubric))
        .route("/authors", get(catalogue::list_authors))
        .route("/authors/{slug}", get(catalogue::find_author))
        .route("/tags", get(catalogue::list_tags))
        .route("/tags/{slug}", get(catalogue::find_tag))
        .layer(middleware::from_fn(crate::http_cache::http_cache))
        .merge(account_routes())
        .merge(comment_routes())
        .merge(editorial_routes())
        .merge(syndication::routes())
        .merge(syndication_routes())
}

/// Writing content (articles and their workflow, rubrics, authors, tags) and the revision
/// history: private answers, never cached. `{slug}` takes a global id or a slug.
fn editorial_routes() -> Router<AppState> {
    Router::new()
        .route("/articles", post(editorial::create_article))
        .route(
            "/articles/{slug}",
            patch(editorial::update_article).delete(editorial::delete_article),
        )
        .route("/articles/{slug}/publish", post(editorial::publish_article))
        .route(
            "/articles/{slug}/unpublish",
            post(editorial::unpublish_article),
        )
        .route(
            "/articles/{slug}/schedule",
            post(editorial::schedule_article),
        )
        .route("/articles/{slug}/archive", post(editorial::archive_article))
        .route(
            "/articles/{slug}/revisions",
            get(editorial::list_article_revisions),
        )
        .route("/rubrics", post(editorial::create_rubric))
        .route(
            "/rubrics/{slug}",
            patch(editorial::update_rubric).delete(editorial::delete_rubric),
        )
        .route("/authors", post(editorial::create_author))
        .route(
            "/authors/{slug}",
            patch(editorial::update_author).delete(editorial::delete_author),
        )
        .route("/tags", post(editorial::create_tag))
        .route(
            "/tags/{slug}",
            patch(editorial::update_tag).delete(editorial::delete_tag),
        )
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// Readers' writes (comments, reports, shares) and moderation: private answers, never cached.
fn comment_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/articles/{slug}/comments",
            post(comment_writes::create_article_comment),
        )
        .route(
            "/comments/{id}/reports",
            post(comment_writes::create_comment_report),
        )
        .route(
            "/comment-emails/confirm",
            post(comment_writes::confirm_comment_email),
        )
        .route(
            "/articles/{slug}/share",
            post(comment_writes::share_article),
        )
        .route(
            "/moderation/comments",
            get(moderation::list_moderation_comments),
        )
        .route("/moderation/counts", get(moderation::get_moderation_counts))
        .route(
            "/moderation/comments/{id}/actions",
            post(moderation::moderate_comment),
        )
        .route("/moderation/actions", post(moderation::moderate_comments))
        .route(
            "/moderation/comments/{id}/log",
            get(moderation::list_comment_moderation_log),
        )
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// Sessions and account management: private answers, never cached.
fn account_routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh_session))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::get_me))
        .route(
            "/users",
            get(accounts::list_users).post(accounts::create_user),
        )
        .route("/users/{id}", patch(accounts::update_user))
        .route(
            "/api-keys",
            get(accounts::list_api_keys).post(accounts::create_api_key),
        )
        .route("/api-keys/{id}/revoke", post(accounts::revoke_api_key))
        .route(
            "/api-keys/{id}/trusted-documents-only",
            axum::routing::put(trusted_documents::set_api_key_trusted_documents_only),
        )
        .route(
            "/trusted-documents",
            get(trusted_documents::list_trusted_documents)
                .post(trusted_documents::register_trusted_document),
        )
        // Tokens and account data must not be kept by any cache (RFC 6749 §5.1).
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// Webhooks (admins) and partner sync: private answers, never cached.
fn syndication_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/webhooks",
            get(webhooks::list_webhooks).post(webhooks::create_webhook),
        )
        .route(
            "/webhooks/{id}",
            get(webhooks::find_webhook)
                .patch(webhooks::update_webhook)
                .delete(webhooks::delete_webhook),
        )
        .route(
            "/webhooks/{id}/deliveries",
            get(webhooks::list_webhook_deliveries),
        )
        .route(
            "/webhooks/{id}/deliveries/{delivery_id}/replay",
            post(webhooks::replay_webhook_delivery),
        )
        .route("/sync/articles", get(sync::sync_articles))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}
