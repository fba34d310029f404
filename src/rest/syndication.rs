//! Syndication over HTTP: feeds (`/v1/feeds/{rss,atom,json}`), the printable article
//! (`/v1/articles/{slug}/print`), and, outside `/v1`, `/sitemap.xml`, `/sitemap-{n}.xml`
//! and `/robots.txt`. None of these answers is JSON, so they carry their own conditional
//! GET (strong `ETag`, `Last-Modified`, `304`) with the same `Cache-Control` as the other
//! public reads.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use xxhash_rust::xxh3::xxh3_128;

use super::error::ApiResult;
use super::openapi::{InvalidRequest, NotFound};
use super::params::{ApiPath, ApiQuery, int};
use crate::app::AppState;
use crate::auth::extract::{API_KEY_HEADER, MaybeActor, Reader};
use crate::content::Viewer;
use crate::content::syndication::FeedQuery;
use crate::error::AppError;
use crate::http_cache::{CachePolicy, cache_control, matches_etag};
use crate::syndication::feeds::{self, FeedFormat};
use crate::syndication::{Links, print, sitemap};

/// The feed and print routes, under `/v1` (authenticated like every `/v1` route, outside
/// the JSON cache layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/rss", get(get_rss_feed))
        .route("/feeds/atom", get(get_atom_feed))
        .route("/feeds/json", get(get_json_feed))
        .route("/articles/{slug}/print", get(print_article))
}

/// The site-level routes, outside `/v1`.
pub fn site_routes() -> Router<AppState> {
    Router::new()
        .route("/sitemap.xml", get(get_sitemap))
        .route("/sitemap-{file}", get(get_sitemap_file))
        .route("/robots.txt", get(get_robots))
}

/// A non-JSON answer before its conditional headers.
struct Representation {
    body: String,
    content_type: &'static str,
    last_modified: Option<DateTime<Utc>>,
    extra: Vec<(header::HeaderName, HeaderValue)>,
}

const VARY: &str = "Accept-Encoding, Authorization, X-Api-Key";

/// Answers `representation`, or `304 Not Modified` when the client holds it already:
/// `If-None-Match` (weak comparison, RFC 9110 §13.1.2) decides when present, otherwise
/// `If-Modified-Since` against `Last-Modified` (whole seconds).
fn conditional(state: &AppState, request: &HeaderMap, representation: Representation) -> Response {
    let etag = format!("\"{:032x}\"", xxh3_128(representation.body.as_bytes()));
    let credentials =
        request.contains_key(header::AUTHORIZATION) || request.contains_key(API_KEY_HEADER);
    let policy = CachePolicy::Public {
        max_age: state.config.cache_max_age,
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        cache_control(Some(policy), credentials),
    );
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
    let last_modified = representation
        .last_modified
        .map(|at| at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    if let Some(value) = last_modified
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    let fresh = match request.get(header::IF_NONE_MATCH) {
        Some(value) => matches_etag(value, &etag),
        None => match (
            representation.last_modified,
            request.get(header::IF_MODIFIED_SINCE),
        ) {
            (Some(modified), Some(since)) => since
                .to_str()
                .ok()
                .and_then(|s| DateTime::parse_from_rfc2822(s).ok())
                .is_some_and(|since| modified.timestamp() <= since.timestamp()),
            _ => false,
        },
    };
    let mut response = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(representation.body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(representation.content_type),
        );
        for (name, value) in representation.extra {
            r.headers_mut().insert(name, value);
        }
        r
    };
    response.headers_mut().extend(headers);
    response
}

/// Filters and length of a feed.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only this rubric (slug, at most 200 characters); an unknown one is a 404.
    #[param(max_length = 200)]
    pub rubric: Option<String>,
    /// Only this author (slug, at most 200 characters); an unknown one is a 404.
    #[param(max_length = 200)]
    pub author: Option<String>,
    /// Only this tag (slug, at most 200 characters); an unknown one is a 404.
    #[param(max_length = 200)]
    pub tag: Option<String>,
    /// How many of the latest articles (default 20, 1 to the page-size cap, 100 by default).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

async fn feed(
    state: AppState,
    actor: crate::auth::Actor,
    headers: HeaderMap,
    params: FeedParams,
    format: FeedFormat,
) -> ApiResult<Response> {
    let query = FeedQuery {
        limit: int("limit", params.limit.as_deref())?.map(i64::from),
        rubric: params.rubric,
        author: params.author,
        tag: params.tag,
    };
    let data = state.content.feed(&actor, &query).await?;
    let links = Links::new(&state.config.public_url);
    let body = feeds::render(format, &state.config.site_name, &links, &query, &data)?;
    Ok(conditional(
        &state,
        &headers,
        Representation {
            body,
            content_type: format.content_type(),
            last_modified: data.updated(),
            extra: Vec::new(),
        },
    ))
}

/// The latest published articles as RSS 2.0: site-wide, or of a rubric, author and/or tag.
/// Items carry the standfirst; partners (`X-Api-Key` with `feeds:read`) and staff also get
/// the body (`content:encoded`).
#[utoipa::path(
    get,
    path = "/v1/feeds/rss",
    tag = "syndication",
    params(FeedParams),
    security((), ("api_key" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "An RSS 2.0 feed", content_type = "application/rss+xml", body = String),
        (status = 304, description = "Not modified (`If-None-Match` / `If-Modified-Since`)"),
        NotFound,
        InvalidRequest
    )
)]
pub async fn get_rss_feed(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> ApiResult<Response> {
    feed(state, actor, headers, params, FeedFormat::Rss).await
}

/// The same feed as Atom 1.0 (bodies in `content` for partners and staff).
#[utoipa::path(
    get,
    path = "/v1/feeds/atom",
    tag = "syndication",
    params(FeedParams),
    security((), ("api_key" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "An Atom 1.0 feed", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Not modified (`If-None-Match` / `If-Modified-Since`)"),
        NotFound,
        InvalidRequest
    )
)]
pub async fn get_atom_feed(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> ApiResult<Response> {
    feed(state, actor, headers, params, FeedFormat::Atom).await
}

/// The same feed as JSON Feed 1.1 (bodies in `content_html` for partners and staff,
/// otherwise `content_text` repeats the summary).
#[utoipa::path(
    get,
    path = "/v1/feeds/json",
    tag = "syndication",
    params(FeedParams),
    security((), ("api_key" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "A JSON Feed 1.1", content_type = "application/feed+json", body = Object),
        (status = 304, description = "Not modified (`If-None-Match` / `If-Modified-Since`)"),
        NotFound,
        InvalidRequest
    )
)]
pub async fn get_json_feed(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> ApiResult<Response> {
    feed(state, actor, headers, params, FeedFormat::Json).await
}

/// The printable article: a self-contained HTML5 page (title, standfirst, byline, date,
/// rubric, body, cited sources, canonical link; print stylesheet inline, no script) with a
/// strict `Content-Security-Policy`.
#[utoipa::path(
    get,
    path = "/v1/articles/{slug}/print",
    tag = "syndication",
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The printable page", content_type = "text/html", body = String),
        (status = 304, description = "Not modified"),
        NotFound
    )
)]
pub async fn print_article(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    headers: HeaderMap,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Response> {
    let page = state.content.printable_article(&viewer, &slug).await?;
    let links = Links::new(&state.config.public_url);
    let last_modified = {
        let a = &page.article;
        Some(a.published_at.map_or(a.updated_at, |p| p.max(a.updated_at)))
    };
    let csp = HeaderValue::from_str(&print::CONTENT_SECURITY_POLICY)
        .map_err(|e| AppError::Internal(format!("Content-Security-Policy: {e}")))?;
    Ok(conditional(
        &state,
        &headers,
        Representation {
            body: print::render(&page, &links),
            content_type: "text/html; charset=utf-8",
            last_modified,
            extra: vec![
                (header::CONTENT_SECURITY_POLICY, csp),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ),
            ],
        },
    ))
}

const XML: &str = "application/xml; charset=utf-8";

/// The sitemap: a `urlset` of every rubric and author page and every published article
/// (with `lastmod`), or, past 50,000 URLs, a `sitemapindex` of `/sitemap-{n}.xml` files.
#[utoipa::path(
    get,
    path = "/sitemap.xml",
    tag = "syndication",
    responses(
        (status = 200, description = "A urlset, or a sitemapindex", content_type = "application/xml", body = String),
        (status = 304, description = "Not modified")
    )
)]
pub async fn get_sitemap(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let viewer = Viewer::public();
    let articles = state.content.articles();
    let size = articles.sitemap_size(&viewer).await?;
    let per_file = state.config.sitemap_urls_per_file.max(1) as i64;
    let links = Links::new(&state.config.public_url);
    let body = if size.total() > per_file {
        sitemap::index((size.total() as u64).div_ceil(per_file as u64), &links)
    } else {
        let entries = articles.sitemap_slice(&viewer, size, 0, per_file).await?;
        sitemap::urlset(&entries, &links)
    };
    Ok(conditional(
        &state,
        &headers,
        Representation {
            body,
            content_type: XML,
            last_modified: None,
            extra: Vec::new(),
        },
    ))
}

/// One file of a sitemap index (`/sitemap-1.xml` …); a number past the last file is a 404.
#[utoipa::path(
    get,
    path = "/sitemap-{n}.xml",
    tag = "syndication",
    params(("n" = u32, Path, description = "The file number, from 1", minimum = 1)),
    responses(
        (status = 200, description = "A urlset", content_type = "application/xml", body = String),
        (status = 304, description = "Not modified"),
        NotFound
    )
)]
pub async fn get_sitemap_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(file): ApiPath<String>,
) -> ApiResult<Response> {
    let n: i64 = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| AppError::not_found("sitemap file"))?;
    let viewer = Viewer::public();
    let articles = state.content.articles();
    let size = articles.sitemap_size(&viewer).await?;
    let per_file = state.config.sitemap_urls_per_file.max(1) as i64;
    let offset = (n - 1).saturating_mul(per_file);
    if offset >= size.total() {
        return Err(AppError::not_found("sitemap file").into());
    }
    let entries = articles
        .sitemap_slice(&viewer, size, offset, per_file)
        .await?;
    let links = Links::new(&state.config.public_url);
    Ok(conditional(
        &state,
        &headers,
        Representation {
            body: sitemap::urlset(&entries, &links),
            content_type: XML,
            last_modified: None,
            extra: Vec::new(),
        },
    ))
}

/// robots.txt: public reads allowed; GraphQL, staff, account and moderation endpoints
/// disallowed; the sitemap's URL.
#[utoipa::path(
    get,
    path = "/robots.txt",
    tag = "syndication",
    responses((status = 200, description = "robots.txt", content_type = "text/plain", body = String))
)]
pub async fn get_robots(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    let links = Links::new(&state.config.public_url);
    conditional(
        &state,
        &headers,
        Representation {
            body: sitemap::robots(&links),
            content_type: "text/plain; charset=utf-8",
            last_modified: None,
            extra: Vec::new(),
        },
    )
}
