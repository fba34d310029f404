//! Full-text search over published articles (accent-folding, French stemming).

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::articles::{ArticleList, ArticleSummary};
use super::envelope::{Here, Public};
use super::error::{ApiError, ApiResult};
use super::openapi::{InvalidRequest, RateLimited};
use super::params::{ApiQuery, ArticleFilterParams, PageParams, flag};
use crate::app::AppState;
use crate::auth::extract::ClientIp;
use crate::auth::extract::Reader;
use crate::content::articles::ArticleParts;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to look for (1 to 200 characters).
    #[param(required = true, value_type = String, max_length = 200, pattern = "text:not-blank")]
    pub q: Option<String>,
    /// Page size (default 20, at most the page-size cap, 100 by default). Results page
    /// forward only.
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub first: Option<String>,
    /// The `end_cursor` of the previous page (an opaque cursor issued by Kiosque).
    #[param(min_length = 1, max_length = 512, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Whether `page.total` counts the matches: up to 1,000 (a total of 1,000 means 1,000 or
    /// more).
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
    /// Not supported (search pages forward only), read to say so rather than ignore it.
    #[param(ignore)]
    pub last: Option<String>,
    #[param(ignore)]
    pub before: Option<String>,
}

/// Published articles matching the words, best matches first.
///
/// Searches are limited per client (`KIOSQUE_SEARCHES_PER_CLIENT` a minute): past it, 429
/// with `Retry-After`.
#[utoipa::path(
    get,
    path = "/v1/search",
    tag = "articles",
    params(SearchParams, ArticleFilterParams),
    responses((status = 200, description = "A page of matching articles", body = ArticleList), InvalidRequest, RateLimited)
)]
pub async fn search_articles(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    ClientIp(client): ClientIp,
    here: Here,
    ApiQuery(params): ApiQuery<SearchParams>,
    ApiQuery(filter): ApiQuery<ArticleFilterParams>,
) -> ApiResult<Public<ArticleList>> {
    let paging = PageParams {
        first: params.first,
        after: params.after,
        last: params.last,
        before: params.before,
    };
    let request = paging.request(state.content.max_page_size)?;
    let with_total = flag("include_total", params.include_total.as_deref())?;
    let filter = filter.filter()?;
    let query = params.q.unwrap_or_default();
    let page = state
        .content
        .articles()
        .search_for(
            client,
            &viewer,
            &query,
            &filter,
            &request,
            with_total,
            ArticleParts::default(),
        )
        .await
        .map_err(|err| ApiError::from(err).renamed("query", "q"))?;
    Ok(Public::new(
        &state,
        here.list(page, &request, false, ArticleSummary::from)
            .into(),
    ))
}
