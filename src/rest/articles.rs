//! Articles: the filtered list, one article with everything its page shows, and the
//! related articles.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::catalogue::{RubricRef, Tag};
use super::envelope::{Here, Public, envelopes};
use super::error::ApiResult;
use super::openapi::{InvalidRequest, NotFound};
use super::params::{ApiPath, ApiQuery, ArticleFilterParams, ArticleListParams, PageParams, int};
use crate::app::AppState;
use crate::auth::extract::Reader;
use crate::content::article_page::PageParts;
use crate::content::articles::{
    ArticleBody, ArticleParts, ArticleRecord, ArticleStatus, AuthorRef,
};
use crate::content::catalogue::SourceRecord;
use crate::content::ids::{self, Kind};
use crate::error::AppError;

envelopes! {
    list ArticleList(ArticleSummary);
    one ArticleData(Article);
}

/// An article as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    /// The global id (the same as GraphQL's).
    pub id: String,
    pub slug: String,
    pub title: String,
    /// The lead paragraph.
    pub standfirst: String,
    /// ISO 639-1 code (`fr`, `en`).
    pub language: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub word_count: i32,
    /// Estimated reading time, in minutes.
    pub reading_time_minutes: i32,
    pub featured_image: Option<Image>,
    pub rubric: RubricRef,
    /// The byline, in order.
    pub authors: Vec<Byline>,
}

/// An article with everything its page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct Article {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The edit version (for optimistic concurrency on writes).
    pub version: i32,
    pub seo: Seo,
    pub body: Body,
    /// Included by default (`include=tags`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Cited sources, in order. Included by default (`include=sources`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Source>>,
    /// Published (approved) comments. Included by default (`include=comment_count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_count: Option<i64>,
    /// The article published just before this one in its rubric (`include=adjacent`, a
    /// default); `null` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Option<ArticleSummary>>,
    /// The article published just after this one in its rubric (`include=adjacent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Option<ArticleSummary>>,
    /// The latest other articles of the rubric (`include=more_in_rubric`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_in_rubric: Option<Vec<ArticleSummary>>,
    /// The first published comments, oldest first (`include=comments`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<super::comments::Comment>>,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleParams {
    /// Comma-separated parts to include: `tags`, `sources`, `comment_count`, `adjacent`
    /// (these four by default), `more_in_rubric`, `comments`. An explicit list replaces the
    /// default.
    pub include: Option<String>,
    /// How many articles `more_in_rubric` holds (default 5).
    #[param(value_type = Option<i32>, minimum = 0)]
    pub more_in_rubric_limit: Option<String>,
    /// How many comments `comments` holds (default 50).
    #[param(value_type = Option<i32>, minimum = 0)]
    pub comments_limit: Option<String>,
}

impl ArticleParams {
    fn parts(&self, content: &crate::content::Content) -> Result<PageParts, AppError> {
        // Checked even when their part is not asked for: a bad value is never ignored.
        let more_in_rubric =
            int("more_in_rubric_limit", self.more_in_rubric_limit.as_deref())?.unwrap_or(5);
        let more_in_rubric = content.bounded("more_in_rubric_limit", more_in_rubric.into())?;
        let comments = int("comments_limit", self.comments_limit.as_deref())?.unwrap_or(50);
        let comments = content.bounded("comments_limit", comments.into())?;
        let Some(include) = self.include.as_deref() else {
            return Ok(PageParts::default());
        };
        let mut parts = PageParts {
            tags: false,
            sources: false,
            comment_count: false,
            adjacent: false,
            more_in_rubric: None,
            comments: None,
        };
        for part in include.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "tags" => parts.tags = true,
                "sources" => parts.sources = true,
                "comment_count" => parts.comment_count = true,
                "adjacent" => parts.adjacent = true,
                "more_in_rubric" => parts.more_in_rubric = Some(more_in_rubric),
                "comments" => parts.comments = Some(comments),
                other => {
                    return Err(AppError::invalid(
                        "include",
                        format!(
                            "unknown part `{other}`: use tags, sources, comment_count, adjacent, more_in_rubric, comments"
                        ),
                    ));
                }
            }
        }
        Ok(parts)
    }
}

/// An author in a byline. `bio` is given on the article page only.
#[derive(Debug, Serialize, ToSchema)]
pub struct Byline {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub avatar_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Image {
    pub url: String,
    pub alt: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Seo {
    /// The SEO title, or the title.
    pub title: String,
    /// The SEO description, or the standfirst.
    pub description: String,
}

/// The body in three renderings.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Body {
    /// The Markdown source, as written by the newsroom.
    pub markdown: String,
    /// Sanitised HTML.
    pub html: String,
    /// Plain text, paragraphs separated by blank lines.
    pub text: String,
}

/// A source cited by an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
}

impl From<ArticleRecord> for ArticleSummary {
    fn from(a: ArticleRecord) -> Self {
        Self {
            id: ids::encode(Kind::Article, a.id),
            featured_image: a.featured_image_url.map(|url| Image {
                url,
                alt: a.featured_image_alt,
            }),
            rubric: RubricRef::from(&a.rubric),
            authors: a.authors.into_iter().map(Byline::from).collect(),
            slug: a.slug,
            title: a.title,
            standfirst: a.standfirst,
            language: a.language,
            status: a.status,
            published_at: a.published_at,
            updated_at: a.updated_at,
            word_count: a.word_count,
            reading_time_minutes: a.reading_time_minutes,
        }
    }
}

impl Seo {
    fn of(a: &ArticleRecord) -> Self {
        Self {
            title: a.seo_title().to_owned(),
            description: a.seo_description().to_owned(),
        }
    }
}

impl From<ArticleBody> for Body {
    fn from(b: ArticleBody) -> Self {
        Self {
            markdown: b.markdown,
            html: b.html,
            text: b.text,
        }
    }
}

impl From<AuthorRef> for Byline {
    fn from(a: AuthorRef) -> Self {
        Self {
            id: ids::encode(Kind::Author, a.id),
            slug: a.slug,
            name: a.display_name,
            avatar_url: a.avatar_url,
            bio: a.bio,
        }
    }
}

impl From<SourceRecord> for Source {
    fn from(s: SourceRecord) -> Self {
        Self {
            name: s.name,
            url: s.url,
        }
    }
}

/// Published articles, filtered and sorted, a page at a time.
///
/// Partner sync: with `updated_since=<RFC 3339 time>` (and `first`/`after`), this route
/// answers exactly as `GET /v1/sync/articles?since=…` (every change since the time, deleted
/// and unpublished articles as tombstones; API key with `articles:read` or staff).
#[utoipa::path(
    get,
    path = "/v1/articles",
    tag = "articles",
    params(PageParams, ArticleFilterParams, ArticleListParams),
    responses((status = 200, description = "A page of articles", body = ArticleList), InvalidRequest)
)]
pub async fn list_articles(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    here: Here,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(filter): ApiQuery<ArticleFilterParams>,
    ApiQuery(list): ApiQuery<ArticleListParams>,
) -> ApiResult<Public<ArticleList>> {
    let request = page.request(state.content.max_page_size)?;
    let (filter, order, with_total) = (filter.filter()?, list.order()?, list.include_total()?);
    let page = state
        .content
        .articles()
        .list(
            &viewer,
            &filter,
            order,
            &request,
            with_total,
            ArticleParts::default(),
        )
        .await?;
    Ok(Public::new(
        &state,
        here.list(page, &request, true, ArticleSummary::from).into(),
    ))
}

/// One article with its body, byline (with bios), tags, sources, comment count and its
/// neighbours in the rubric.
#[utoipa::path(
    get,
    path = "/v1/articles/{slug}",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug"), ArticleParams),
    responses((status = 200, description = "The article", body = ArticleData), NotFound)
)]
pub async fn find_article(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(params): ApiQuery<ArticleParams>,
) -> ApiResult<Public<ArticleData>> {
    let parts = params.parts(&state.content)?;
    let page = state.content.article_page(&viewer, &slug, parts).await?;
    let mut record = page.article;
    let adjacent = page.adjacent;
    let article = Article {
        version: record.version,
        seo: Seo::of(&record),
        body: record.body.take().map(Body::from).unwrap_or_default(),
        tags: page.tags.map(|t| t.into_iter().map(Tag::from).collect()),
        sources: page
            .sources
            .map(|s| s.into_iter().map(Source::from).collect()),
        comment_count: page.comment_count,
        previous: adjacent
            .as_ref()
            .map(|a| a.previous.clone().map(ArticleSummary::from)),
        next: adjacent.map(|a| a.next.map(ArticleSummary::from)),
        more_in_rubric: page
            .more_in_rubric
            .map(|list| list.into_iter().map(ArticleSummary::from).collect()),
        comments: page.comments.map(|p| {
            p.items
                .into_iter()
                .map(|(_, c)| super::comments::Comment::from(c))
                .collect()
        }),
        summary: ArticleSummary::from(record),
    };
    Ok(Public::new(&state, ArticleData { data: article }))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many related articles (default 5, at most the page-size cap).
    #[param(value_type = Option<i32>, minimum = 0)]
    pub limit: Option<String>,
}

/// "More in this rubric": the latest of the same rubric, then articles of other rubrics
/// sharing the most tags.
#[utoipa::path(
    get,
    path = "/v1/articles/{slug}/related",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug"), RelatedParams),
    responses((status = 200, description = "Related articles", body = ArticleList), NotFound, InvalidRequest)
)]
pub async fn list_related_articles(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    here: Here,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(params): ApiQuery<RelatedParams>,
) -> ApiResult<Public<ArticleList>> {
    let limit = state.content.bounded(
        "limit",
        int("limit", params.limit.as_deref())?.unwrap_or(5).into(),
    )?;
    let articles = state.content.articles();
    let source = articles
        .find_by_slug(&viewer, &slug, ArticleParts::default())
        .await?
        .ok_or_else(|| AppError::not_found("article"))?;
    let mut related = articles
        .related(&viewer, &[source.id], limit, ArticleParts::default())
        .await?;
    let list = related.remove(&source.id).unwrap_or_default();
    Ok(Public::new(
        &state,
        here.whole(list.into_iter().map(ArticleSummary::from).collect())
            .into(),
    ))
}
