//! Partner sync over REST: `GET /v1/sync/articles?since=…`, every article changed since a
//! time, tombstones included, for partners (API key with `articles:read`) and staff.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::{ArticleSummary, Body};
use super::envelope::{Here, envelopes};
use super::error::ApiResult;
use super::openapi::{Forbidden, InvalidRequest, Unauthenticated};
use super::params::{ApiQuery, int, time};
use crate::app::AppState;
use crate::auth::extract::RequireActor;
use crate::content::Content;
use crate::content::ids::{self, Kind};
use crate::content::pagination::PageArgs;
use crate::content::sync::SyncEntry;

envelopes! {
    list ArticleChangeList(ArticleChange);
}

/// One changed article. `status` says what to do with a copy: `published` (keep it, the
/// article is in `article`), `unpublished` or `deleted` (drop it).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleChange {
    /// The global id (stable; the same as GraphQL's).
    pub id: String,
    pub slug: String,
    /// `published`, `unpublished` or `deleted`.
    pub status: String,
    pub deleted: bool,
    /// When this change happened (the order of the list, with the id).
    pub updated_at: DateTime<Utc>,
    /// The whole article, when it is published.
    pub article: Option<SyncedArticle>,
}

/// A published article as sync sends it: its summary and its body.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncedArticle {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    pub version: i32,
    pub body: Option<Body>,
}

impl From<SyncEntry> for ArticleChange {
    fn from(e: SyncEntry) -> Self {
        Self {
            id: ids::encode(Kind::Article, e.id),
            slug: e.slug,
            status: e.state.as_str().to_owned(),
            deleted: e.state == crate::content::sync::SyncState::Deleted,
            updated_at: e.changed_at,
            article: e.article.map(|mut a| {
                let body = a.body.take().map(Body::from);
                SyncedArticle {
                    version: a.version,
                    summary: a.into(),
                    body,
                }
            }),
        }
    }
}

/// Which changes, and which page of them (forward only).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// Changes after this RFC 3339 time (all changes without it).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// Page size (default 20, at most the page-size cap, 100 by default).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub first: Option<String>,
    /// The `end_cursor` of the previous page (an opaque cursor issued by Kiosque).
    #[param(min_length = 1, max_length = 512, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
}

/// Every article changed since a time, oldest change first, with tombstones for deleted
/// ones (partners with `articles:read`, and staff).
#[utoipa::path(
    get,
    path = "/v1/sync/articles",
    tag = "sync",
    security(("api_key" = []), ("bearer" = [])),
    params(SyncParams),
    responses((status = 200, description = "A page of changes", body = ArticleChangeList), Unauthenticated, Forbidden, InvalidRequest)
)]
pub async fn sync_articles(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
    ApiQuery(params): ApiQuery<SyncParams>,
) -> ApiResult<Json<ArticleChangeList>> {
    let since = time("since", params.since.as_deref())?;
    let args = PageArgs {
        first: int("first", params.first.as_deref())?,
        after: params.after,
        ..Default::default()
    };
    let request = crate::content::pagination::PageRequest::parse(&args, content.max_page_size)?;
    let page = content.sync().articles(&actor, since, &request).await?;
    Ok(Json(
        here.list(page, &request, false, ArticleChange::from).into(),
    ))
}

/// `GET /v1/articles`: the published list, or, with `updated_since`, the partner sync of
/// [`sync_articles`] (the same answer as `/v1/sync/articles?since=…`, under the name partners
/// of other CMSes look for).
pub async fn list_or_changes(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::handler::Handler;
    let query = request.uri().query().unwrap_or_default();
    let asks_changes = query
        .split('&')
        .any(|kv| kv.split('=').next() == Some("updated_since"));
    if !asks_changes {
        return super::articles::list_articles.call(request, state).await;
    }
    let renamed: Vec<String> = query
        .split('&')
        .map(|kv| match kv.strip_prefix("updated_since=") {
            Some(value) => format!("since={value}"),
            None => kv.to_owned(),
        })
        .collect();
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    match format!("{path}?{}", renamed.join("&")).parse() {
        Ok(uri) => parts.uri = uri,
        Err(_) => {
            return crate::problem::response(crate::error::AppError::Malformed(
                "a query string that cannot be read".into(),
            ));
        }
    }
    sync_articles
        .call(axum::extract::Request::from_parts(parts, body), state)
        .await
}
