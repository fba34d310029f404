//! The REST door under `/v1`: a thin translation of HTTP onto the content services. This
//! file is the route index; each area has its file, and `openapi` is the contract built
//! from them. Handlers are named like their OpenAPI operations (`<verb>_<resource>`).
//!
//! Every list answers `{data, page, links}`, every resource `{data}`, every error
//! problem+json; every public read goes through [`cache::http_cache`] (ETag, 304,
//! Cache-Control).

mod articles;
mod cache;
mod catalogue;
mod comments;
mod envelope;
mod error;
mod home;
pub mod openapi;
mod params;
mod search;

use axum::Router;
use axum::middleware;
use axum::routing::get;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/articles", get(articles::list_articles))
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
        .layer(middleware::from_fn(cache::http_cache))
}
