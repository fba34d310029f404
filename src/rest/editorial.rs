//! Writing over REST: articles and their workflow, rubrics, authors, tags, and the revision
//! history. Each handler reads the caller and the body, calls one `content::editorial`
//! method (which checks permissions and validates) and maps the result. Answers are never
//! cached (`Cache-Control: no-store`, set by the route group).
//!
//! `{slug}` in a write path accepts the resource's global id (its `id` field) or its slug.
//! Article edits carry the version they are based on: `If-Match: "<version>"` (a stale one
//! is a 412) or `version` in the body (a stale one is a 409).

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::articles::{Article, ArticleData, ArticleSummary, Body, Seo, Source};
use super::catalogue::{Author, AuthorData, Rubric, RubricData, RubricRef, Tag, TagData};
use super::envelope::{Here, envelopes};
use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::openapi::{Forbidden, InvalidBody, NotFound, Unauthenticated};
use super::params::ApiPath;
use crate::app::AppState;
use crate::auth::extract::RequireActor;
use crate::content::Content;
use crate::content::articles::ArticleRecord;
use crate::content::editorial::{
    ArticleInput, ArticlePatch, AuthorInput, AuthorPatch, Expected, RevisionRecord, RubricInput,
    RubricPatch, TagInput, TagPatch, Transition,
};
use crate::error::AppError;

envelopes! {
    list RevisionList(Revision);
}

/// One saved version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    pub version: i32,
    /// The id of the user who saved it.
    pub editor_id: Option<i64>,
    /// The changed fields, `{"field": {"old": …, "new": …}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<RevisionRecord> for Revision {
    fn from(r: RevisionRecord) -> Self {
        Self {
            version: r.version,
            editor_id: r.editor_id,
            changes: r.changes,
            created_at: r.created_at,
        }
    }
}

/// The optional body of a workflow step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowRequest {
    /// The version the step is based on (or `If-Match: "<version>"`); optional.
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// When the article comes out; must be in the future.
    pub publish_at: DateTime<Utc>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// A JSON body that may be left out (no `Content-Type`), or sent as `null` (as the contract
/// allows): then `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !request.headers().contains_key(header::CONTENT_TYPE) {
            return Ok(Self(T::default()));
        }
        let value = super::json::json_value(request, state).await?;
        if value.is_null() {
            return Ok(Self(T::default()));
        }
        super::json::object(value).map(Self)
    }
}

/// A write's answer: never stored by any cache.
pub struct Written<T> {
    status: StatusCode,
    body: T,
    location: Option<String>,
}

impl<T> Written<T> {
    fn ok(body: T) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            location: None,
        }
    }

    fn created(body: T, location: String) -> Self {
        Self {
            status: StatusCode::CREATED,
            body,
            location: Some(location),
        }
    }
}

impl<T: Serialize> IntoResponse for Written<T> {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    }
}

/// The version in `If-Match: "<version>"` (also `W/"3"` or `3`). A tag that is not a
/// version can never match the current one: 412.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<i32>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let stale = || {
        ApiError(AppError::PreconditionFailed(
            "If-Match must carry the article's version, e.g. `If-Match: \"3\"`".into(),
        ))
    };
    let raw = value.to_str().map_err(|_| stale())?.trim();
    let raw = raw.trim_start_matches("W/").trim_matches('"');
    raw.parse::<i32>().map(Some).map_err(|_| stale())
}

/// The article as a write answers it: with body, tags and sources.
async fn article_data(state: &AppState, mut record: ArticleRecord) -> ApiResult<ArticleData> {
    let catalogue = state.content.catalogue();
    let tags = catalogue
        .tags_of_articles(&[record.id])
        .await?
        .remove(&record.id)
        .unwrap_or_default();
    let sources = catalogue
        .sources_of_articles(&[record.id])
        .await?
        .remove(&record.id)
        .unwrap_or_default();
    let article = Article {
        version: record.version,
        seo: Seo {
            title: record.seo_title().to_owned(),
            description: record.seo_description().to_owned(),
        },
        body: record.body.take().map(Body::from).unwrap_or_default(),
        tags: Some(tags.into_iter().map(Tag::from).collect()),
        sources: Some(sources.into_iter().map(Source::from).collect()),
        comment_count: None,
        previous: None,
        next: None,
        more_in_rubric: None,
        comments: None,
        summary: ArticleSummary::from(record),
    };
    Ok(ArticleData { data: article })
}

fn location(state: &AppState, collection: &str, slug: &str) -> String {
    format!(
        "{}/v1/{collection}/{slug}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// Creates a draft article (staff; an author must be in its byline).
#[utoipa::path(
    post,
    path = "/v1/articles",
    tag = "editorial",
    security(("bearer" = [])),
    request_body = ArticleInput,
    responses((status = 201, description = "The new draft", body = ArticleData), Unauthenticated, Forbidden, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json"))
)]
pub async fn create_article(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<Written<ArticleData>> {
    let record = state
        .content
        .editorial()
        .create_article(&actor, input)
        .await?;
    let location = location(&state, "articles", &record.slug);
    Ok(Written::created(
        article_data(&state, record).await?,
        location,
    ))
}

/// Edits an article: absent fields are kept, `null` clears an optional one. Needs the
/// version the edit is based on (`If-Match` or `version`).
#[utoipa::path(
    patch,
    path = "/v1/articles/{slug}",
    tag = "editorial",
    security(("bearer" = [])),
    params(
        ("slug" = crate::content::ids::schema::ArticleKey, Path, description = "The article's global id or slug"),
        ("If-Match" = Option<String>, Header, description = "The version the edit is based on, e.g. `\"3\"`; any other value is a 412 (Precondition Failed)"),
    ),
    request_body = ArticlePatch,
    responses((status = 200, description = "The article as saved", body = ArticleData), Unauthenticated, Forbidden, NotFound, InvalidBody,
        (status = 409, description = "A stale `version`, or a taken slug", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "A stale `If-Match`", body = super::openapi::Problem, content_type = "application/problem+json"))
)]
pub async fn update_article(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    headers: HeaderMap,
    ApiPath(key): ApiPath<String>,
    ApiJson(patch): ApiJson<ArticlePatch>,
) -> ApiResult<Written<ArticleData>> {
    let expected = Expected::from_request(if_match(&headers)?, patch.version)?;
    let record = state
        .content
        .editorial()
        .update_article(&actor, &key, expected, patch)
        .await?;
    Ok(Written::ok(article_data(&state, record).await?))
}

/// Deletes an article with its comments and history (editors and admins).
#[utoipa::path(
    delete,
    path = "/v1/articles/{slug}",
    tag = "editorial",
    security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::ArticleKey, Path, description = "The article's global id or slug")),
    responses((status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound)
)]
pub async fn delete_article(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<StatusCode> {
    content.editorial().delete_article(&actor, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn step(
    state: &AppState,
    actor: &crate::auth::Actor,
    headers: &HeaderMap,
    key: &str,
    version: Option<i32>,
    step: Transition,
) -> ApiResult<Written<ArticleData>> {
    let expected = match (if_match(headers)?, version) {
        (None, None) => None,
        (header, body) => Some(Expected::from_request(header, body)?),
    };
    let record = state
        .content
        .editorial()
        .transition(actor, key, expected, step)
        .await?;
    Ok(Written::ok(article_data(state, record).await?))
}

macro_rules! workflow_handler {
    ($name:ident, $path:literal, $doc:literal, $step:expr) => {
        #[doc = $doc]
        #[utoipa::path(
            post,
            path = $path,
            tag = "editorial",
            security(("bearer" = [])),
            params(("slug" = crate::content::ids::schema::ArticleKey, Path, description = "The article's global id or slug"), ("If-Match" = Option<String>, Header, description = "Optional: the version the step is based on, e.g. `\"3\"`")),
            request_body(content = Option<WorkflowRequest>, description = "Optional: the version the step is based on"),
            responses((status = 200, description = "The article after the step", body = ArticleData), Unauthenticated, Forbidden, NotFound, InvalidBody,
                (status = 409, description = "A stale `version`", body = super::openapi::Problem, content_type = "application/problem+json"),
                (status = 412, description = "A stale `If-Match`", body = super::openapi::Problem, content_type = "application/problem+json"))
        )]
        pub async fn $name(
            State(state): State<AppState>,
            RequireActor(actor): RequireActor,
            headers: HeaderMap,
            ApiPath(key): ApiPath<String>,
            OptionalJson(body): OptionalJson<WorkflowRequest>,
        ) -> ApiResult<Written<ArticleData>> {
            step(&state, &actor, &headers, &key, body.version, $step).await
        }
    };
}

workflow_handler!(
    publish_article,
    "/v1/articles/{slug}/publish",
    "Publishes now, or at its earlier publication time if that is past (editors and admins).",
    Transition::Publish
);
workflow_handler!(
    unpublish_article,
    "/v1/articles/{slug}/unpublish",
    "Takes an article back to draft (editors and admins).",
    Transition::Unpublish
);
workflow_handler!(
    archive_article,
    "/v1/articles/{slug}/archive",
    "Archives an article: kept, no longer public (editors and admins).",
    Transition::Archive
);

/// Publishes at a future time; invisible to the public until then (editors and admins).
#[utoipa::path(
    post,
    path = "/v1/articles/{slug}/schedule",
    tag = "editorial",
    security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::ArticleKey, Path, description = "The article's global id or slug"), ("If-Match" = Option<String>, Header, description = "Optional: the version the step is based on, e.g. `\"3\"`")),
    request_body = ScheduleRequest,
    responses((status = 200, description = "The scheduled article", body = ArticleData), Unauthenticated, Forbidden, NotFound, InvalidBody,
        (status = 409, description = "A stale `version`", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "A stale `If-Match`", body = super::openapi::Problem, content_type = "application/problem+json"))
)]
pub async fn schedule_article(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    headers: HeaderMap,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<ScheduleRequest>,
) -> ApiResult<Written<ArticleData>> {
    let at = Transition::Schedule(body.publish_at);
    step(&state, &actor, &headers, &key, body.version, at).await
}

/// The saved versions of an article, newest first (staff only).
#[utoipa::path(
    get,
    path = "/v1/articles/{slug}/revisions",
    tag = "editorial",
    security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::ArticleKey, Path, description = "The article's global id or slug")),
    responses((status = 200, description = "Its revisions", body = RevisionList), Unauthenticated, Forbidden, NotFound)
)]
pub async fn list_article_revisions(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    here: Here,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Written<RevisionList>> {
    let revisions = content.editorial().revisions(&actor, &key).await?;
    let list = here.whole(revisions.into_iter().map(Revision::from).collect());
    Ok(Written::ok(list.into()))
}

fn rubric(
    record: crate::content::catalogue::RubricRecord,
    parent: Option<RubricRef>,
) -> RubricData {
    let mut list = super::catalogue::rubrics(vec![record]);
    let mut data: Rubric = list.remove(0);
    data.parent = parent;
    RubricData { data }
}

async fn rubric_data(
    state: &AppState,
    record: crate::content::catalogue::RubricRecord,
) -> ApiResult<RubricData> {
    let parent = match record.parent_id {
        Some(id) => state
            .content
            .catalogue()
            .rubrics_by_ids(&[id])
            .await?
            .first()
            .map(RubricRef::from),
        None => None,
    };
    Ok(rubric(record, parent))
}

/// Deletion answers.
fn gone() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Creates a rubric (editors and admins).
#[utoipa::path(post, path = "/v1/rubrics", tag = "editorial", security(("bearer" = [])), request_body = RubricInput,
    responses((status = 201, description = "The new rubric", body = RubricData), Unauthenticated, Forbidden, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn create_rubric(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiJson(input): ApiJson<RubricInput>,
) -> ApiResult<Written<RubricData>> {
    let record = state
        .content
        .editorial()
        .create_rubric(&actor, input)
        .await?;
    let location = location(&state, "rubrics", &record.slug);
    Ok(Written::created(
        rubric_data(&state, record).await?,
        location,
    ))
}

/// Edits a rubric (editors and admins); `parent: null` makes it top-level.
#[utoipa::path(patch, path = "/v1/rubrics/{slug}", tag = "editorial", security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::RubricKey, Path, description = "The rubric's global id or slug")), request_body = RubricPatch,
    responses((status = 200, description = "The rubric as saved", body = RubricData), Unauthenticated, Forbidden, NotFound, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn update_rubric(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
    ApiJson(patch): ApiJson<RubricPatch>,
) -> ApiResult<Written<RubricData>> {
    let record = state
        .content
        .editorial()
        .update_rubric(&actor, &key, patch)
        .await?;
    Ok(Written::ok(rubric_data(&state, record).await?))
}

/// Deletes a rubric (editors and admins); refused (409) while articles are filed under it.
#[utoipa::path(delete, path = "/v1/rubrics/{slug}", tag = "editorial", security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::RubricKey, Path, description = "The rubric's global id or slug")),
    responses((status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "Articles are filed under it", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn delete_rubric(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<StatusCode> {
    content.editorial().delete_rubric(&actor, &key).await?;
    Ok(gone())
}

/// Creates an author (editors and admins).
#[utoipa::path(post, path = "/v1/authors", tag = "editorial", security(("bearer" = [])), request_body = AuthorInput,
    responses((status = 201, description = "The new author", body = AuthorData), Unauthenticated, Forbidden, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn create_author(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiJson(input): ApiJson<AuthorInput>,
) -> ApiResult<Written<AuthorData>> {
    let record = state
        .content
        .editorial()
        .create_author(&actor, input)
        .await?;
    let location = location(&state, "authors", &record.slug);
    Ok(Written::created(
        AuthorData {
            data: Author::from(record),
        },
        location,
    ))
}

/// Edits an author (editors and admins); `avatar_url: null` removes the avatar.
#[utoipa::path(patch, path = "/v1/authors/{slug}", tag = "editorial", security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::AuthorKey, Path, description = "The author's global id or slug")), request_body = AuthorPatch,
    responses((status = 200, description = "The author as saved", body = AuthorData), Unauthenticated, Forbidden, NotFound, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn update_author(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
    ApiJson(patch): ApiJson<AuthorPatch>,
) -> ApiResult<Written<AuthorData>> {
    let record = content
        .editorial()
        .update_author(&actor, &key, patch)
        .await?;
    Ok(Written::ok(AuthorData {
        data: Author::from(record),
    }))
}

/// Deletes an author (editors and admins); refused (409) while they sign articles.
#[utoipa::path(delete, path = "/v1/authors/{slug}", tag = "editorial", security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::AuthorKey, Path, description = "The author's global id or slug")),
    responses((status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "The author signs articles", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn delete_author(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<StatusCode> {
    content.editorial().delete_author(&actor, &key).await?;
    Ok(gone())
}

/// Creates a tag (editors and admins).
#[utoipa::path(post, path = "/v1/tags", tag = "editorial", security(("bearer" = [])), request_body = TagInput,
    responses((status = 201, description = "The new tag", body = TagData), Unauthenticated, Forbidden, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn create_tag(
    State(state): State<AppState>,
    RequireActor(actor): RequireActor,
    ApiJson(input): ApiJson<TagInput>,
) -> ApiResult<Written<TagData>> {
    let record = state.content.editorial().create_tag(&actor, input).await?;
    let location = location(&state, "tags", &record.slug);
    Ok(Written::created(
        TagData {
            data: Tag::from(record),
        },
        location,
    ))
}

/// Edits a tag (editors and admins).
#[utoipa::path(patch, path = "/v1/tags/{slug}", tag = "editorial", security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::TagKey, Path, description = "The tag's global id or slug")), request_body = TagPatch,
    responses((status = 200, description = "The tag as saved", body = TagData), Unauthenticated, Forbidden, NotFound, InvalidBody,
        (status = 409, description = "The given slug is taken", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn update_tag(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
    ApiJson(patch): ApiJson<TagPatch>,
) -> ApiResult<Written<TagData>> {
    let record = content.editorial().update_tag(&actor, &key, patch).await?;
    Ok(Written::ok(TagData {
        data: Tag::from(record),
    }))
}

/// Deletes a tag and removes it from its articles (editors and admins).
#[utoipa::path(delete, path = "/v1/tags/{slug}", tag = "editorial", security(("bearer" = [])),
    params(("slug" = crate::content::ids::schema::TagKey, Path, description = "The tag's global id or slug")),
    responses((status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound))]
pub async fn delete_tag(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<StatusCode> {
    content.editorial().delete_tag(&actor, &key).await?;
    Ok(gone())
}
