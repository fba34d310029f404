//! Rubrics, authors and tags.

use std::collections::HashMap;

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::envelope::{Here, Public, envelopes};
use super::error::ApiResult;
use super::openapi::{InvalidRequest, NotFound};
use super::params::{ApiPath, ApiQuery, PageParams};
use crate::app::AppState;
use crate::content::articles;
use crate::content::catalogue::{AuthorRecord, RubricRecord, TagRecord};
use crate::content::ids::{self, Kind};
use crate::error::AppError;

envelopes! {
    list RubricList(Rubric);
    one RubricData(Rubric);
    list AuthorList(Author);
    one AuthorData(Author);
    list TagList(Tag);
    one TagData(Tag);
}

/// A section of the magazine.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rubric {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Position in the navigation (ascending).
    pub position: i32,
    /// The rubric this one belongs to, if any.
    pub parent: Option<RubricRef>,
}

/// A rubric named from elsewhere (an article, a child rubric).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RubricRef {
    pub id: String,
    pub slug: String,
    pub name: String,
}

/// A public byline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    pub id: String,
    pub slug: String,
    /// The name shown in bylines.
    pub name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
}

/// A tag (topic) shared by articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    pub id: String,
    pub slug: String,
    pub name: String,
}

impl From<&articles::RubricRef> for RubricRef {
    fn from(r: &articles::RubricRef) -> Self {
        Self {
            id: ids::encode(Kind::Rubric, r.id),
            slug: r.slug.clone(),
            name: r.name.clone(),
        }
    }
}

impl From<&RubricRecord> for RubricRef {
    fn from(r: &RubricRecord) -> Self {
        Self {
            id: ids::encode(Kind::Rubric, r.id),
            slug: r.slug.clone(),
            name: r.name.clone(),
        }
    }
}

impl Rubric {
    fn new(r: RubricRecord, parent: Option<RubricRef>) -> Self {
        Self {
            id: ids::encode(Kind::Rubric, r.id),
            slug: r.slug,
            name: r.name,
            description: r.description,
            position: r.position,
            parent,
        }
    }
}

/// Rubrics with their parents, the parents being found in the same list.
pub(super) fn rubrics(records: Vec<RubricRecord>) -> Vec<Rubric> {
    let refs: HashMap<i64, RubricRef> =
        records.iter().map(|r| (r.id, RubricRef::from(r))).collect();
    records
        .into_iter()
        .map(|r| {
            let parent = r.parent_id.and_then(|id| refs.get(&id).cloned());
            Rubric::new(r, parent)
        })
        .collect()
}

impl From<AuthorRecord> for Author {
    fn from(a: AuthorRecord) -> Self {
        Self {
            id: ids::encode(Kind::Author, a.id),
            slug: a.slug,
            name: a.display_name,
            bio: a.bio,
            avatar_url: a.avatar_url,
        }
    }
}

impl From<TagRecord> for Tag {
    fn from(t: TagRecord) -> Self {
        Self {
            id: ids::encode(Kind::Tag, t.id),
            slug: t.slug,
            name: t.name,
        }
    }
}

/// Every rubric, in navigation order.
#[utoipa::path(get, path = "/v1/rubrics", tag = "catalogue", responses((status = 200, description = "Every rubric", body = RubricList)))]
pub async fn list_rubrics(
    State(state): State<AppState>,
    here: Here,
) -> ApiResult<Public<RubricList>> {
    let records = state.content.catalogue().rubrics().await?;
    Ok(Public::new(&state, here.whole(rubrics(records)).into()))
}

/// One rubric. Its articles are at `/v1/articles?rubric={slug}`.
#[utoipa::path(
    get,
    path = "/v1/rubrics/{slug}",
    tag = "catalogue",
    params(("slug" = String, Path, description = "The rubric's slug")),
    responses((status = 200, description = "The rubric", body = RubricData), NotFound)
)]
pub async fn find_rubric(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Public<RubricData>> {
    let catalogue = state.content.catalogue();
    let record = catalogue
        .rubric_by_slug(&slug)
        .await?
        .ok_or_else(|| AppError::not_found("rubric"))?;
    let parent = match record.parent_id {
        Some(id) => catalogue
            .rubrics_by_ids(&[id])
            .await?
            .first()
            .map(RubricRef::from),
        None => None,
    };
    Ok(Public::new(
        &state,
        RubricData {
            data: Rubric::new(record, parent),
        },
    ))
}

/// Authors, alphabetically, a page at a time.
#[utoipa::path(
    get,
    path = "/v1/authors",
    tag = "catalogue",
    params(PageParams),
    responses((status = 200, description = "A page of authors", body = AuthorList), InvalidRequest)
)]
pub async fn list_authors(
    State(state): State<AppState>,
    here: Here,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Public<AuthorList>> {
    let request = page.request(state.content.max_page_size)?;
    let page = state.content.catalogue().authors(&request).await?;
    Ok(Public::new(
        &state,
        here.list(page, &request, true, Author::from).into(),
    ))
}

/// One author. Their articles are at `/v1/articles?author={slug}`.
#[utoipa::path(
    get,
    path = "/v1/authors/{slug}",
    tag = "catalogue",
    params(("slug" = String, Path, description = "The author's slug")),
    responses((status = 200, description = "The author", body = AuthorData), NotFound)
)]
pub async fn find_author(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Public<AuthorData>> {
    let record = state
        .content
        .catalogue()
        .author_by_slug(&slug)
        .await?
        .ok_or_else(|| AppError::not_found("author"))?;
    Ok(Public::new(
        &state,
        AuthorData {
            data: Author::from(record),
        },
    ))
}

/// Every tag, alphabetically.
#[utoipa::path(get, path = "/v1/tags", tag = "catalogue", responses((status = 200, description = "Every tag", body = TagList)))]
pub async fn list_tags(State(state): State<AppState>, here: Here) -> ApiResult<Public<TagList>> {
    let records = state.content.catalogue().tags().await?;
    Ok(Public::new(
        &state,
        here.whole(records.into_iter().map(Tag::from).collect())
            .into(),
    ))
}

/// One tag. Its articles are at `/v1/articles?tag={slug}`.
#[utoipa::path(
    get,
    path = "/v1/tags/{slug}",
    tag = "catalogue",
    params(("slug" = String, Path, description = "The tag's slug")),
    responses((status = 200, description = "The tag", body = TagData), NotFound)
)]
pub async fn find_tag(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Public<TagData>> {
    let record = state
        .content
        .catalogue()
        .tag_by_slug(&slug)
        .await?
        .ok_or_else(|| AppError::not_found("tag"))?;
    Ok(Public::new(
        &state,
        TagData {
            data: Tag::from(record),
        },
    ))
}
