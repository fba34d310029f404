//! The REST contract, generated from the handlers and their types; checked in as
//! `openapi.yaml` (a test fails when it drifts).

use utoipa::{IntoResponses, OpenApi, ToSchema};

use super::{articles, catalogue, comments, envelope, home, params, search};

/// An error, as `application/problem+json` (RFC 9457). Documentation only: the body is
/// written by `crate::error::AppError`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[schema(rename = "type")]
    kind: String,
    /// The HTTP reason phrase.
    title: String,
    status: u16,
    /// A sentence for humans.
    detail: String,
    /// The machine code, shared with GraphQL's `extensions.code` (`NOT_FOUND`, `BAD_USER_INPUT`, …).
    code: String,
    /// The offending query parameter, for `BAD_USER_INPUT`.
    field: Option<String>,
}

/// Errors of a request with parameters.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum InvalidRequest {
    /// The query string could not be read (e.g. a repeated parameter).
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// A parameter has an invalid value; `field` names it.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// No such resource, or not visible to the public (drafts, scheduled articles).
#[derive(IntoResponses)]
#[response(status = 404, content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct NotFound(Problem);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kiosque REST API",
        description = "Published articles, rubrics, authors, tags, comments and search. JSON; lists are \
                       `{data, page, links}` with cursor pagination (the same cursors as GraphQL); errors \
                       are `application/problem+json`; public reads carry `ETag` and `Cache-Control` and \
                       answer `304` to a matching `If-None-Match`."
    ),
    paths(
        articles::list_articles,
        articles::find_article,
        articles::list_related_articles,
        comments::list_article_comments,
        search::search_articles,
        home::get_home,
        catalogue::list_rubrics,
        catalogue::find_rubric,
        catalogue::list_authors,
        catalogue::find_author,
        catalogue::list_tags,
        catalogue::find_tag,
    ),
    components(schemas(Problem, envelope::PageMeta, envelope::Links, params::SortParam, comments::CommentView)),
    tags(
        (name = "articles", description = "Articles, their comments, search and the home page"),
        (name = "catalogue", description = "Rubrics, authors and tags"),
    )
)]
struct ApiDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The contract as checked in (`openapi.yaml`).
pub fn openapi_yaml() -> String {
    openapi()
        .to_yaml()
        .unwrap_or_else(|err| format!("# the OpenAPI document could not be written: {err}\n"))
}
