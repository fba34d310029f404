//! The REST contract, generated from the handlers and their types; checked in as
//! `openapi.yaml` (a test fails when it drifts).

use utoipa::{IntoResponses, OpenApi, ToSchema};

use crate::content::ids::schema as ids;

use super::{
    accounts, articles, auth, catalogue, comment_writes, comments, editorial, envelope, home,
    moderation, params, search, sync, syndication, trusted_documents, webhooks,
};

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

/// Errors of a request with a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum InvalidBody {
    /// The body is not JSON (or not sent as `application/json`).
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// A field is missing or has an invalid value; `field` names it.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// Not signed in, or the credentials are invalid or expired.
#[derive(IntoResponses)]
#[response(status = 401, content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct Unauthenticated(Problem);

/// Signed in, but this role may not do this.
#[derive(IntoResponses)]
#[response(status = 403, content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct Forbidden(Problem);

/// Too many requests from this client (or on this article): retry after `Retry-After` seconds.
#[derive(IntoResponses)]
#[response(
    status = 429,
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
)]
#[allow(dead_code)]
pub struct RateLimited(Problem);

/// Declares the credentials: `Authorization: Bearer <JWT>` and the partners' `X-Api-Key`.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
    }
}

/// Every operation with path or query parameters may answer 400 (a parameter that cannot
/// be read: a repeated one, a number out of range) and 422 (a value that is not valid, e.g.
/// a malformed id), before anything else is checked; the contract says so once, here,
/// rather than on each route.
struct ParameterErrors;

impl utoipa::Modify for ParameterErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::IntoResponses;
        let errors = InvalidRequest::responses();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.parameters.as_ref().is_none_or(|p| p.is_empty()) {
                    continue;
                }
                for (status, response) in &errors {
                    operation
                        .responses
                        .responses
                        .entry(status.clone())
                        .or_insert_with(|| response.clone());
                }
            }
        }
    }
}

/// `GET /v1/articles?fields=…` answers a sparse fieldset: each item carries only the fields
/// named. Its 200 answer is `SparseArticleList`, whose items (`SparseArticleSummary`) are
/// `ArticleSummary` with every field optional; the other lists keep the full summary.
struct SparseFieldsets;

impl utoipa::Modify for SparseFieldsets {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ArrayItems, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let (Some(RefOr::T(Schema::Object(summary))), Some(RefOr::T(Schema::Object(list)))) = (
            components.schemas.get("ArticleSummary").cloned(),
            components.schemas.get("ArticleList").cloned(),
        ) else {
            return;
        };
        let mut sparse = summary;
        sparse.required.clear();
        sparse.description = Some(
            "An article as lists show it, with only the fields named by `fields` (all by default)."
                .into(),
        );
        let mut sparse_list = list;
        if let Some(RefOr::T(Schema::Array(data))) = sparse_list.properties.get_mut("data") {
            data.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(
                "SparseArticleSummary",
            ))));
        }
        sparse_list.description =
            Some("A page of articles, each with the fields asked for.".into());
        components
            .schemas
            .insert("SparseArticleSummary".into(), sparse.into());
        components
            .schemas
            .insert("SparseArticleList".into(), sparse_list.into());
        let list_articles = openapi
            .paths
            .paths
            .get_mut("/v1/articles")
            .and_then(|item| item.get.as_mut())
            .and_then(|op| op.responses.responses.get_mut("200"));
        if let Some(RefOr::T(response)) = list_articles {
            for content in response.content.values_mut() {
                content.schema = Some(RefOr::Ref(Ref::from_schema_name("SparseArticleList")));
            }
        }
    }
}

/// A text field's schema names its rule with a marker (`pattern = "text:line"`); the
/// expression is written once, in `content::text::patterns`, and put in its place here.
struct TextPatterns;

impl utoipa::Modify for TextPatterns {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        fn substitute(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Object(fields) => {
                    for (key, field) in fields.iter_mut() {
                        let marked = match (key.as_str(), field.as_str()) {
                            ("pattern", Some(marker)) => crate::content::text::patterns::MARKERS
                                .iter()
                                .find(|(name, _)| *name == marker)
                                .map(|(_, pattern)| *pattern),
                            _ => None,
                        };
                        match marked {
                            Some(pattern) => *field = pattern.into(),
                            None => substitute(field),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(substitute),
                _ => {}
            }
        }
        let Ok(mut value) = serde_json::to_value(&*openapi) else {
            return;
        };
        substitute(&mut value);
        if let Ok(written) = serde_json::from_value(value) {
            *openapi = written;
        }
    }
}

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
        auth::login,
        auth::refresh_session,
        auth::logout,
        auth::get_me,
        accounts::list_users,
        accounts::create_user,
        accounts::update_user,
        accounts::list_api_keys,
        accounts::create_api_key,
        accounts::revoke_api_key,
        trusted_documents::list_trusted_documents,
        trusted_documents::register_trusted_document,
        trusted_documents::set_api_key_trusted_documents_only,
        comment_writes::create_article_comment,
        comment_writes::create_comment_report,
        comment_writes::confirm_comment_email,
        comment_writes::share_article,
        moderation::list_moderation_comments,
        moderation::get_moderation_counts,
        moderation::moderate_comment,
        moderation::moderate_comments,
        moderation::list_comment_moderation_log,
        editorial::create_article,
        editorial::update_article,
        editorial::delete_article,
        editorial::publish_article,
        editorial::unpublish_article,
        editorial::schedule_article,
        editorial::archive_article,
        editorial::list_article_revisions,
        editorial::create_rubric,
        editorial::update_rubric,
        editorial::delete_rubric,
        editorial::create_author,
        editorial::update_author,
        editorial::delete_author,
        editorial::create_tag,
        editorial::update_tag,
        editorial::delete_tag,
        syndication::get_rss_feed,
        syndication::get_atom_feed,
        syndication::get_json_feed,
        syndication::print_article,
        syndication::get_sitemap,
        syndication::get_sitemap_file,
        syndication::get_robots,
        webhooks::list_webhooks,
        webhooks::create_webhook,
        webhooks::find_webhook,
        webhooks::update_webhook,
        webhooks::delete_webhook,
        webhooks::list_webhook_deliveries,
        webhooks::replay_webhook_delivery,
        sync::sync_articles,
    ),
    modifiers(&SecuritySchemes, &ParameterErrors, &SparseFieldsets, &TextPatterns),
    components(schemas(
        Problem, envelope::PageMeta, envelope::Links, params::SortParam, comments::CommentView,
        ids::ArticleKey, ids::RubricKey, ids::AuthorKey, ids::TagKey, ids::CommentId,
        crate::content::comments::queue::QueueStatus,
    )),
    tags(
        (name = "articles", description = "Articles, their comments, search and the home page"),
        (name = "catalogue", description = "Rubrics, authors and tags"),
        (name = "auth", description = "Signing in and out, and the caller's account"),
        (name = "accounts", description = "Users and partner API keys (admins only)"),
        (name = "comments", description = "Posting and reporting comments, sending an article to a friend"),
        (name = "moderation", description = "The comment moderation queue, actions and audit trail (editors and admins)"),
        (name = "syndication", description = "Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1), the printable article, the sitemap and robots.txt"),
        (name = "editorial", description = "Writing and publishing articles; managing rubrics, authors and tags (staff; answers are never cached)"),
        (name = "webhooks", description = "Endpoints that hear of editorial changes, signed deliveries and their log (admins only)"),
        (name = "sync", description = "Partner sync: every article changed since a time, deletions included"),
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

#[cfg(test)]
mod tests {
    /// Every `$ref` of `value` (a JSON tree), with where it stands.
    fn refs<'a>(value: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a str)>) {
        match value {
            serde_json::Value::Object(fields) => {
                for (key, field) in fields {
                    match (key.as_str(), field.as_str()) {
                        ("$ref", Some(target)) => out.push((at.clone(), target)),
                        _ => refs(field, format!("{at}/{key}"), out),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    refs(item, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// Every text marker was replaced by its expression.
    #[test]
    fn no_text_marker_is_left_in_the_contract() {
        let doc = serde_json::to_string(&super::openapi()).expect("the contract is JSON");
        assert!(!doc.contains("\"pattern\":\"text:"), "a text marker left");
    }

    /// A `$ref` to a schema the document does not define breaks every client generator
    /// (`QueueStatusName` was one: documented by `value_type`, never registered).
    #[test]
    fn every_reference_of_the_contract_names_a_defined_schema() {
        let doc = serde_json::to_value(super::openapi()).expect("the contract is JSON");
        let mut found = Vec::new();
        refs(&doc, String::new(), &mut found);
        assert!(!found.is_empty(), "the contract has references");
        let dangling: Vec<_> = found
            .iter()
            .filter(|(_, target)| {
                target
                    .strip_prefix("#/")
                    .map(|path| doc.pointer(&format!("/{path}")).is_none())
                    .unwrap_or(true)
            })
            .collect();
        assert!(dangling.is_empty(), "dangling references: {dangling:?}");
    }
}
