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
use crate::error::AppError;

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
    #[param(value_type = Option<i32>, minimum = 0)]
    pub latest: Option<String>,
    /// How many articles per rubric (default 3).
    #[param(value_type = Option<i32>, minimum = 0)]
    pub per_rubric: Option<String>,
}

/// Reads a size; the cap is the service's rule, the sign is the door's (sizes are unsigned
/// there).
fn size(field: &str, raw: Option<&str>, default: u32) -> Result<u32, AppError> {
    match int(field, raw)? {
        None => Ok(default),
        Some(n) if n < 0 => Err(AppError::invalid(
            field,
            format!("{field} must not be negative"),
        )),
        Some(n) => Ok(n as u32),
    }
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
    let latest = size("latest", params.latest.as_deref(), 10)?;
    let per_rubric = size("per_rubric", params.per_rubric.as_deref(), 3)?;
    let home = state
        .content
        .home(&viewer, latest, per_rubric, ArticleParts::default())
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
