//! Articles: the filtered list, one article with everything its page shows, and the
//! related articles.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::catalogue::{RubricRef, Tag};
use super::envelope::{Here, Public, WriteJson, Written, envelopes};
use super::error::ApiResult;
use super::openapi::{InvalidRequest, NotFound};
use super::params::{ApiPath, ApiQuery, ArticleFilterParams, ArticleListParams, PageParams, int};
use crate::app::AppState;
use crate::auth::extract::Reader;
use crate::content::article_page::{ArticlePage, PageParts};
use crate::content::articles::{
    ArticleBody, ArticleParts, ArticleRecord, ArticleStatus, AuthorRef, BodyFormats,
};
use crate::content::catalogue::SourceRecord;
use crate::content::ids::{self, GlobalId, Kind};
use crate::error::AppError;
use crate::http_cache::CacheKeys;

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
    #[serde(serialize_with = "crate::rfc3339::serialize_option")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub updated_at: DateTime<Utc>,
    pub word_count: i32,
    /// Estimated reading time, in minutes.
    pub reading_time_minutes: i32,
    pub featured_image: Option<Image>,
    pub rubric: RubricRef,
    /// The byline, in order.
    pub authors: Vec<Byline>,
}

/// The fields of [`ArticleSummary`], in order: what `fields=` may name.
const SUMMARY_FIELDS: [&str; 13] = [
    "id",
    "slug",
    "title",
    "standfirst",
    "language",
    "status",
    "published_at",
    "updated_at",
    "word_count",
    "reading_time_minutes",
    "featured_image",
    "rubric",
    "authors",
];

/// The position of `featured_image` in [`SUMMARY_FIELDS`] (its bit in a [`FieldSet`]).
const FEATURED_IMAGE: usize = 10;

/// The fields a list item carries (`fields=title,slug,…`; all by default): a sparse
/// fieldset, so that a page that shows four fields does not download thirteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSet(u16);

impl FieldSet {
    pub const ALL: Self = Self((1 << SUMMARY_FIELDS.len()) - 1);

    /// Parses `fields=` (comma-separated names of [`SUMMARY_FIELDS`]).
    pub fn parse(raw: Option<&str>) -> Result<Self, AppError> {
        let Some(raw) = raw else {
            return Ok(Self::ALL);
        };
        let mut set = 0u16;
        for name in raw.split(',').map(str::trim) {
            let Some(i) = SUMMARY_FIELDS.iter().position(|f| *f == name) else {
                return Err(AppError::invalid(
                    "fields",
                    format!(
                        "fields is a comma-separated list of {}",
                        SUMMARY_FIELDS.join(", ")
                    ),
                ));
            };
            set |= 1 << i;
        }
        Ok(Self(set))
    }

    fn has(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }

    /// The parts of the articles to read: without `featured_image`, none of the media and
    /// SEO columns (no summary shows the SEO fields).
    fn parts(self) -> ArticleParts {
        debug_assert_eq!(SUMMARY_FIELDS[FEATURED_IMAGE], "featured_image");
        ArticleParts {
            lean: !self.has(FEATURED_IMAGE),
            ..ArticleParts::default()
        }
    }
}

/// A list item with the fields asked for, in the order and with the values of
/// [`ArticleSummary`] (a test compares both), written straight from the record into the
/// answer's bytes: no intermediate summary, no serde, ids encoded on the stack and only for
/// the fields asked for. Serialising the summaries was a quarter of a REST list page's CPU.
#[derive(Debug)]
pub struct SelectedSummary {
    pub record: ArticleRecord,
    pub fields: FieldSet,
}

impl WriteJson for SelectedSummary {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        summary_fields(out, &self.record, self.fields);
        out.push(b'}');
    }
}

/// A global id, as a JSON string (encoded on the stack).
fn write_id(out: &mut Vec<u8>, id: GlobalId) {
    id.with_str(|s| crate::json::string(out, s));
}

/// The fields of `f` of an [`ArticleSummary`], comma-separated, without the braces (the
/// article page writes its own fields after them).
fn summary_fields(out: &mut Vec<u8>, a: &ArticleRecord, f: FieldSet) {
    {
        use crate::json::{array, number, opt_string, string, time};
        let id = write_id;
        let mut first = true;
        // Fields are written in the order of SUMMARY_FIELDS: the n-th call is bit n. Names
        // are plain ASCII, written as they are.
        let mut index = 0;
        macro_rules! field {
            ($name:literal, |$out:ident| $value:expr) => {
                debug_assert_eq!(SUMMARY_FIELDS[index], $name);
                if f.has(index) {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    out.extend_from_slice(concat!("\"", $name, "\":").as_bytes());
                    let $out = &mut *out;
                    $value;
                }
                index += 1;
            };
        }
        field!("id", |out| id(out, GlobalId(Kind::Article, a.id)));
        field!("slug", |out| string(out, &a.slug));
        field!("title", |out| string(out, &a.title));
        field!("standfirst", |out| string(out, &a.standfirst));
        field!("language", |out| string(out, &a.language));
        field!("status", |out| string(out, a.status.as_str()));
        field!("published_at", |out| match &a.published_at {
            Some(t) => time(out, t, true),
            None => out.extend_from_slice(b"null"),
        });
        field!("updated_at", |out| time(out, &a.updated_at, true));
        field!("word_count", |out| number(out, a.word_count.into()));
        field!("reading_time_minutes", |out| number(
            out,
            a.reading_time_minutes.into()
        ));
        field!("featured_image", |out| match &a.featured_image_url {
            Some(url) => {
                out.extend_from_slice(b"{\"url\":");
                string(out, url);
                out.extend_from_slice(b",\"alt\":");
                opt_string(out, a.featured_image_alt.as_deref());
                out.push(b'}');
            }
            None => out.extend_from_slice(b"null"),
        });
        field!("rubric", |out| {
            out.extend_from_slice(b"{\"id\":");
            id(out, GlobalId(Kind::Rubric, a.rubric.id));
            out.extend_from_slice(b",\"slug\":");
            string(out, &a.rubric.slug);
            out.extend_from_slice(b",\"name\":");
            string(out, &a.rubric.name);
            out.push(b'}');
        });
        field!("authors", |out| array(out, &a.authors, |out, author| {
            out.extend_from_slice(b"{\"id\":");
            id(out, GlobalId(Kind::Author, author.id));
            out.extend_from_slice(b",\"slug\":");
            string(out, &author.slug);
            out.extend_from_slice(b",\"name\":");
            string(out, &author.display_name);
            out.extend_from_slice(b",\"avatar_url\":");
            opt_string(out, author.avatar_url.as_deref());
            if let Some(bio) = &author.bio {
                out.extend_from_slice(b",\"bio\":");
                string(out, bio);
            }
            out.push(b'}');
        }));
        let _ = (index, first);
    }
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
    #[param(
        pattern = "^[\\t-\\r ,]*(?:(?:tags|sources|comment_count|adjacent|more_in_rubric|comments)(?:[\\t-\\r ]*,[\\t-\\r ,]*(?:tags|sources|comment_count|adjacent|more_in_rubric|comments))*[\\t-\\r ,]*)?$"
    )]
    pub include: Option<String>,
    /// How many articles `more_in_rubric` holds (default 5).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub more_in_rubric_limit: Option<String>,
    /// How many comments `comments` holds (default 50).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub comments_limit: Option<String>,
    /// Comma-separated renderings of the body to give: `markdown`, `html`, `text` (all three
    /// by default). A page that shows the HTML need not download the other two.
    #[param(
        pattern = "^[\\t-\\r ,]*(?:markdown|html|text)(?:[\\t-\\r ]*,[\\t-\\r ,]*(?:markdown|html|text))*[\\t-\\r ,]*$"
    )]
    pub formats: Option<String>,
}

impl ArticleParams {
    fn parts(&self, content: &crate::content::Content) -> Result<PageParts, AppError> {
        // Checked even when their part is not asked for: a bad value is never ignored.
        let more_in_rubric =
            int("more_in_rubric_limit", self.more_in_rubric_limit.as_deref())?.unwrap_or(5);
        let more_in_rubric = content.bounded("more_in_rubric_limit", more_in_rubric.into())?;
        let comments = int("comments_limit", self.comments_limit.as_deref())?.unwrap_or(50);
        let comments = content.bounded("comments_limit", comments.into())?;
        let body = body_formats(self.formats.as_deref())?;
        let Some(include) = self.include.as_deref() else {
            return Ok(PageParts {
                body,
                ..PageParts::default()
            });
        };
        let mut parts = PageParts {
            body,
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

/// Parses `formats=` (comma-separated renderings of the body; all three when absent).
fn body_formats(raw: Option<&str>) -> Result<BodyFormats, AppError> {
    let Some(raw) = raw else {
        return Ok(BodyFormats::ALL);
    };
    let mut formats = BodyFormats::NONE;
    for name in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        formats |= match name {
            "markdown" => BodyFormats::MARKDOWN,
            "html" => BodyFormats::HTML,
            "text" => BodyFormats::TEXT,
            other => {
                return Err(AppError::invalid(
                    "formats",
                    format!("unknown format `{other}`: use markdown, html, text"),
                ));
            }
        };
    }
    if !formats.any() {
        return Err(AppError::invalid(
            "formats",
            "name at least one of markdown, html, text",
        ));
    }
    Ok(formats)
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

/// The body in three renderings; on the public article page, those that `formats=` names
/// (all three by default).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Body {
    /// The Markdown source, as written by the newsroom.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub markdown: Option<String>,
    /// Sanitised HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub html: Option<String>,
    /// Plain text, paragraphs separated by blank lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub text: Option<String>,
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
    #[cfg(test)]
    fn of(a: &ArticleRecord) -> Self {
        Self {
            title: a.seo_title().to_owned(),
            description: a.seo_description().to_owned(),
        }
    }
}

impl From<ArticleBody> for Body {
    fn from(b: ArticleBody) -> Self {
        Self::of(b, BodyFormats::ALL)
    }
}

impl Body {
    /// The renderings of `formats` (the others were not read).
    fn of(b: ArticleBody, formats: BodyFormats) -> Self {
        let pick = |format, value| formats.has(format).then_some(value);
        Self {
            markdown: pick(BodyFormats::MARKDOWN, b.markdown),
            html: pick(BodyFormats::HTML, b.html),
            text: pick(BodyFormats::TEXT, b.text),
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
) -> ApiResult<Public<Written<super::envelope::List<SelectedSummary>>>> {
    let request = page.request(state.content.max_page_size)?;
    let (filter, order, with_total) = (filter.filter()?, list.order()?, list.include_total()?);
    let fields = FieldSet::parse(list.fields.as_deref())?;
    let page = state
        .content
        .articles()
        .list(
            &viewer,
            &filter,
            order,
            &request,
            with_total,
            fields.parts(),
        )
        .await?;
    let mut keys = CacheKeys::new(Some("articles"));
    for (_, a) in &page.items {
        if !keys.add_article(a) {
            break;
        }
    }
    let list = here.list(page, &request, true, |record| SelectedSummary {
        record,
        fields,
    });
    Ok(Public::new(&state, Written(list)).with_keys(keys))
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
) -> ApiResult<Public<Written<PageJson>>> {
    let parts = params.parts(&state.content)?;
    let page = state.content.article_page(&viewer, &slug, parts).await?;
    let page = PageJson {
        page,
        formats: parts.body,
    };
    let keys = page.cache_keys();
    Ok(Public::new(&state, Written(page)).with_keys(keys))
}

/// The article page ([`ArticleData`]) written straight from its records: byte for byte
/// what serde writes of [`Article`] (a test compares both, for every part), without building
/// the serde twin (an id string per comment, a copy of every text). Its Surrogate-Keys are
/// gathered from the same records ([`PageJson::cache_keys`]).
pub struct PageJson {
    pub page: ArticlePage,
    /// The renderings of the body that `formats=` names.
    pub formats: BodyFormats,
}

impl PageJson {
    /// The related articles of the page, in the order the body shows them.
    fn related(&self) -> impl Iterator<Item = &ArticleRecord> {
        let p = &self.page;
        let adjacent = p.adjacent.as_ref();
        adjacent
            .and_then(|a| a.previous.as_ref())
            .into_iter()
            .chain(adjacent.and_then(|a| a.next.as_ref()))
            .chain(p.more_in_rubric.iter().flatten())
    }

    /// `kind-id` of every resource the body shows, in the order it shows them: what the
    /// caching layer would find by scanning the body (a test holds both equal).
    pub fn cache_keys(&self) -> CacheKeys {
        let p = &self.page;
        let mut keys = CacheKeys::new(None);
        let _ = keys.add_article(&p.article)
            && p.tags.iter().flatten().all(|t| keys.add(Kind::Tag, t.id))
            && self.related().all(|a| keys.add_article(a))
            && p.comments
                .iter()
                .flat_map(|c| &c.items)
                .all(|(_, c)| keys.add(Kind::Comment, c.id));
        keys
    }
}

impl WriteJson for PageJson {
    fn write_json(&self, out: &mut Vec<u8>) {
        use crate::json::{array, number, opt_string, string, time};
        let p = &self.page;
        let a = &p.article;
        let summary = |out: &mut Vec<u8>, a: &ArticleRecord| {
            out.push(b'{');
            summary_fields(out, a, FieldSet::ALL);
            out.push(b'}');
        };
        out.extend_from_slice(b"{\"data\":{");
        summary_fields(out, a, FieldSet::ALL);
        out.extend_from_slice(b",\"version\":");
        number(out, a.version.into());
        out.extend_from_slice(b",\"seo\":{\"title\":");
        string(out, a.seo_title());
        out.extend_from_slice(b",\"description\":");
        string(out, a.seo_description());
        out.extend_from_slice(b"},\"body\":{");
        if let Some(body) = &a.body {
            let mut first = true;
            for (format, name, value) in [
                (BodyFormats::MARKDOWN, &b"\"markdown\":"[..], &body.markdown),
                (BodyFormats::HTML, b"\"html\":", &body.html),
                (BodyFormats::TEXT, b"\"text\":", &body.text),
            ] {
                if self.formats.has(format) {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    out.extend_from_slice(name);
                    string(out, value);
                }
            }
        }
        out.push(b'}');
        if let Some(tags) = &p.tags {
            out.extend_from_slice(b",\"tags\":");
            array(out, tags, |out, t| {
                out.extend_from_slice(b"{\"id\":");
                write_id(out, GlobalId(Kind::Tag, t.id));
                out.extend_from_slice(b",\"slug\":");
                string(out, &t.slug);
                out.extend_from_slice(b",\"name\":");
                string(out, &t.name);
                out.push(b'}');
            });
        }
        if let Some(sources) = &p.sources {
            out.extend_from_slice(b",\"sources\":");
            array(out, sources, |out, s| {
                out.extend_from_slice(b"{\"name\":");
                string(out, &s.name);
                out.extend_from_slice(b",\"url\":");
                opt_string(out, s.url.as_deref());
                out.push(b'}');
            });
        }
        if let Some(count) = p.comment_count {
            out.extend_from_slice(b",\"comment_count\":");
            number(out, count);
        }
        if let Some(adjacent) = &p.adjacent {
            for (name, neighbour) in [
                (&b",\"previous\":"[..], &adjacent.previous),
                (b",\"next\":", &adjacent.next),
            ] {
                out.extend_from_slice(name);
                match neighbour {
                    Some(a) => summary(out, a),
                    None => out.extend_from_slice(b"null"),
                }
            }
        }
        if let Some(more) = &p.more_in_rubric {
            out.extend_from_slice(b",\"more_in_rubric\":");
            array(out, more, |out, a| summary(out, a));
        }
        if let Some(comments) = &p.comments {
            out.extend_from_slice(b",\"comments\":");
            array(out, &comments.items, |out, (_, c)| {
                out.extend_from_slice(b"{\"id\":");
                write_id(out, GlobalId(Kind::Comment, c.id));
                out.extend_from_slice(b",\"parent_id\":");
                match c.parent_id {
                    Some(parent) => write_id(out, GlobalId(Kind::Comment, parent)),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"author_name\":");
                string(out, &c.author_name);
                out.extend_from_slice(b",\"body\":");
                string(out, &c.body);
                out.extend_from_slice(b",\"created_at\":");
                time(out, &c.created_at, true);
                out.push(b'}');
            });
        }
        out.extend_from_slice(b"}}");
    }
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many related articles (default 5, at most the page-size cap).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::articles::RubricRef as RubricOf;

    fn record() -> ArticleRecord {
        let time = |t| DateTime::parse_from_rfc3339(t).unwrap().to_utc();
        ArticleRecord {
            id: 7,
            slug: "la-une".into(),
            title: "La \"une\"".into(),
            standfirst: "Le chapeau.".into(),
            language: "fr".into(),
            status: ArticleStatus::Published,
            published_at: Some(time("2026-11-05T07:03:09.123456Z")),
            created_at: time("2026-11-04T08:00:00Z"),
            updated_at: time("2026-11-06T08:00:00Z"),
            featured_image_url: Some("https://img.example.org/une.jpg".into()),
            featured_image_alt: None,
            seo_title: None,
            seo_description: None,
            word_count: 420,
            reading_time_minutes: 2,
            version: 3,
            rubric: RubricOf {
                id: 3,
                slug: "societe".into(),
                name: "Société".into(),
            },
            authors: vec![
                AuthorRef {
                    id: 5,
                    slug: "camille-martin".into(),
                    display_name: "Camille Martin".into(),
                    avatar_url: None,
                    bio: None,
                },
                AuthorRef {
                    id: 6,
                    slug: "leo-roux".into(),
                    display_name: "Léo Roux".into(),
                    avatar_url: Some("https://img.example.org/leo.jpg".into()),
                    bio: Some("Chroniqueur.".into()),
                },
            ],
            body: None,
        }
    }

    fn written(item: &impl WriteJson) -> String {
        let mut out = Vec::new();
        item.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    fn variants() -> Vec<ArticleRecord> {
        let mut bare = record();
        bare.published_at = None;
        bare.featured_image_url = None;
        bare.featured_image_alt = Some("ignored without a url".into());
        bare.authors.clear();
        let mut alt = record();
        alt.featured_image_alt = Some("Une photo\u{1}\n".into());
        alt.standfirst = (0u8..=0x7f).map(char::from).collect();
        vec![record(), bare, alt]
    }

    /// An article page with every part, or with none (`full` false).
    fn page(full: bool) -> ArticlePage {
        use crate::content::articles::Adjacent;
        use crate::content::comments::CommentRecord;
        use crate::content::pagination::{Cursor, Page, PageInfo, SortValue};
        let mut article = record();
        article.seo_title = Some("Le titre « SEO »".into());
        article.body = Some(ArticleBody {
            markdown: "## Sous-titre\n\nUn \"paragraphe\".".into(),
            html: "<h2>Sous-titre</h2>\n<p>Un &quot;paragraphe&quot;.</p>".into(),
            text: "Sous-titre\n\nUn \"paragraphe\".".into(),
        });
        let mut older = record();
        older.id = 6;
        older.authors.truncate(1);
        let mut newer = variants().remove(1);
        newer.id = 8;
        let comment = |id, parent_id, body: &str| {
            let created_at = DateTime::parse_from_rfc3339("2026-11-05T09:00:00Z")
                .unwrap()
                .to_utc();
            let cursor = Cursor {
                key: SortValue::Time(created_at),
                id,
            };
            let record = CommentRecord {
                id,
                article_id: 7,
                parent_id,
                author_name: "Lectrice\tassidue".into(),
                body: body.into(),
                status: crate::content::comments::CommentStatus::Approved,
                created_at,
            };
            (cursor, record)
        };
        if !full {
            return ArticlePage {
                article,
                tags: None,
                sources: None,
                comment_count: None,
                adjacent: None,
                more_in_rubric: None,
                comments: None,
            };
        }
        ArticlePage {
            article,
            tags: Some(vec![crate::content::catalogue::TagRecord {
                id: 2,
                slug: "europe".into(),
                name: "Europe".into(),
            }]),
            sources: Some(vec![
                SourceRecord {
                    name: "Rapport annuel".into(),
                    url: None,
                },
                SourceRecord {
                    name: "Entretien".into(),
                    url: Some("https://example.org/e?a=1&b=2".into()),
                },
            ]),
            comment_count: Some(2),
            // No newer article: `"next":null`.
            adjacent: Some(Adjacent {
                previous: Some(older.clone()),
                next: None,
            }),
            more_in_rubric: Some(vec![older, newer, record()]),
            comments: Some(Page {
                items: vec![
                    comment(40, None, "Premier !"),
                    comment(41, Some(40), "Réponse <b>vive</b> \u{2028}"),
                ],
                info: PageInfo::default(),
                total: None,
            }),
        }
    }

    /// The serde twin of [`PageJson`]: the page as [`ArticleData`].
    fn article_data(page: ArticlePage, formats: BodyFormats) -> ArticleData {
        let mut record = page.article;
        let adjacent = page.adjacent;
        let article = Article {
            version: record.version,
            seo: Seo::of(&record),
            body: record
                .body
                .take()
                .map(|b| Body::of(b, formats))
                .unwrap_or_default(),
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
                    .map(|(_, c)| super::super::comments::Comment::from(c))
                    .collect()
            }),
            summary: ArticleSummary::from(record),
        };
        ArticleData { data: article }
    }

    #[test]
    fn the_written_article_page_is_the_serde_article() {
        for full in [true, false] {
            for formats in [
                BodyFormats::ALL,
                BodyFormats::MARKDOWN,
                BodyFormats::HTML | BodyFormats::TEXT,
                BodyFormats::TEXT,
            ] {
                let text = written(&PageJson {
                    page: page(full),
                    formats,
                });
                let twin = serde_json::to_string(&article_data(page(full), formats)).unwrap();
                assert_eq!(text, twin, "full: {full}, formats: {formats:?}");
            }
        }
        // No body read: an empty object, as serde's default body.
        let mut bare = page(false);
        bare.article.body = None;
        let text = written(&PageJson {
            page: bare,
            formats: BodyFormats::ALL,
        });
        assert!(text.contains(",\"body\":{}"), "{text}");
    }

    /// The keys the page hands to the caching layer are those the layer would find in the
    /// body: every id, in order of first mention.
    #[test]
    fn the_article_page_keys_are_those_of_its_body() {
        for full in [true, false] {
            let page = PageJson {
                page: page(full),
                formats: BodyFormats::ALL,
            };
            let scanned = crate::http_cache::surrogate_keys(written(&page).as_bytes(), None);
            assert_eq!(page.cache_keys().as_str(), scanned.join(" "));
            if full {
                assert!(scanned.contains(&"comment-41".to_owned()), "{scanned:?}");
                assert!(scanned.contains(&"tag-2".to_owned()), "{scanned:?}");
            }
        }
    }

    #[test]
    fn formats_names_renderings_and_refuses_others() {
        assert_eq!(body_formats(None).unwrap(), BodyFormats::ALL);
        assert_eq!(
            body_formats(Some("html, text")).unwrap(),
            BodyFormats::HTML | BodyFormats::TEXT
        );
        for bad in ["pdf", "", " , ", "html,rtf"] {
            let err = body_formats(Some(bad)).unwrap_err().to_string();
            assert!(err.contains("markdown, html, text"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_field_selected_is_the_summary_itself() {
        for record in variants() {
            let full = serde_json::to_string(&ArticleSummary::from(record.clone())).unwrap();
            let selected = SelectedSummary {
                record,
                fields: FieldSet::ALL,
            };
            assert_eq!(written(&selected), full);
        }
    }

    /// The written envelope is serde's `List` of summaries, with and without cursors,
    /// total and links.
    #[test]
    fn a_written_list_is_the_serde_list() {
        use crate::rest::envelope::{Links, List, PageMeta};
        for (n, empty) in [(3, false), (0, true)] {
            let page = || PageMeta {
                has_next: !empty,
                has_prev: false,
                start_cursor: (!empty).then(|| "eyJrIjp7InQiOiIyMDI2In19".to_owned()),
                end_cursor: (!empty).then(|| "b3RoZXI".to_owned()),
                total: (!empty).then_some(42),
            };
            let links = || Links {
                this: "https://news.example.org/v1/articles?first=3&fields=a%22b".into(),
                next: (!empty).then(|| "https://news.example.org/v1/articles?after=x".into()),
                prev: None,
            };
            let records: Vec<ArticleRecord> = variants().into_iter().take(n).collect();
            let serde = List {
                data: records.iter().cloned().map(ArticleSummary::from).collect(),
                page: page(),
                links: links(),
            };
            let mine = List {
                data: records
                    .into_iter()
                    .map(|record| SelectedSummary {
                        record,
                        fields: FieldSet::ALL,
                    })
                    .collect(),
                page: page(),
                links: links(),
            };
            assert_eq!(written(&mine), serde_json::to_string(&serde).unwrap());
        }
    }

    #[test]
    fn fields_selects_in_summary_order_and_refuses_unknown_names() {
        let fields = FieldSet::parse(Some("authors,title, slug")).unwrap();
        for record in variants() {
            let full = serde_json::to_value(ArticleSummary::from(record.clone())).unwrap();
            let text = written(&SelectedSummary { record, fields });
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let keys: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys.len(), 3);
            for key in ["slug", "title", "authors"] {
                assert_eq!(json[key], full[key], "{key}");
            }
            // In the order of the full summary, whatever the order asked.
            let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
            assert!(
                at("slug") < at("title") && at("title") < at("authors"),
                "{text}"
            );
        }
        let err = FieldSet::parse(Some("title,body")).unwrap_err();
        assert!(
            err.to_string()
                .contains("fields is a comma-separated list of id, slug")
        );
        assert!(FieldSet::parse(Some("")).is_err());
    }
}
