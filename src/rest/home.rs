//! The home page in one request: the latest articles, and the latest of each rubric.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::ArticleSummary;
use super::catalogue::{Rubric, rubrics};
use super::envelope::{Public, envelopes};
use super::error::ApiResult;
use super::openapi::InvalidRequest;
use super::params::{ApiQuery, int};
use crate::app::AppState;
use crate::auth::extract::Reader;
use crate::content::articles::ArticleParts;

envelopes! {
    one HomeData(Home);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Home {
    /// The latest published articles.
    pub latest: Vec<ArticleSummary>,
    /// Every rubric, in navigation order, with its latest articles.
    pub rubrics: Vec<RubricSection>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RubricSection {
    pub rubric: Rubric,
    pub articles: Vec<ArticleSummary>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HomeParams {
    /// How many latest articles (default 10).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub latest: Option<String>,
    /// How many articles per rubric (default 3).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub per_rubric: Option<String>,
}

/// The home page.
#[utoipa::path(
    get,
    path = "/v1/home",
    tag = "articles",
    params(HomeParams),
    responses((status = 200, description = "The home page", body = HomeData), InvalidRequest)
)]
pub async fn get_home(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    ApiQuery(params): ApiQuery<HomeParams>,
) -> ApiResult<Public<HomeData>> {
    let latest = int("latest", params.latest.as_deref())?.unwrap_or(10);
    let per_rubric = int("per_rubric", params.per_rubric.as_deref())?.unwrap_or(3);
    let home = state
        .content
        .home(
            &viewer,
            latest.into(),
            per_rubric.into(),
            ArticleParts::default(),
        )
        .await?;
    let (records, sections): (Vec<_>, Vec<_>) = home.rubrics.into_iter().unzip();
    let rubrics = rubrics(records)
        .into_iter()
        .zip(sections)
        .map(|(rubric, articles)| RubricSection {
            rubric,
            articles: articles.into_iter().map(ArticleSummary::from).collect(),
        })
        .collect();
    let home = Home {
        latest: home.latest.into_iter().map(ArticleSummary::from).collect(),
        rubrics,
    };
    Ok(Public::new(&state, HomeData { data: home }))
}
