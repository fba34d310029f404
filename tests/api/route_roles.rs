//! The route × role table: every REST route and every GraphQL mutation, called by each kind
//! of caller, with the status (or `extensions.code`) each must get. Drafts, pending comments
//! and other people's data answer 404 to whoever may not see them (no existence oracle);
//! forbidden actions 403; fields the workflow owns (`status`, `version`, `author`…) in a
//! body 422. Routes that need a signed-in caller check for one first (an anonymous call is a
//! 401 whatever its body); past that, a body is read before the caller's rights, so a field
//! the workflow owns is a 422 for every signed-in role (nothing is written either way); a
//! reply to a pending comment gets the same 422 as a reply to no comment at all.
//!
//! The table is data: to cover a new route, add one `row(…)` line. A REST route in
//! `openapi.yaml` that no row covers fails [`every_rest_route_in_the_contract_is_in_the_table`];
//! a mutation of `schema/schema.graphql` that no row covers fails its GraphQL twin.
//!
//! Placeholders in paths and bodies are made fresh for each call (so that one role deleting
//! an article leaves the next role its own): `{draft}` a draft bylined by another author,
//! `{own_draft}` a draft bylined by the author of the table, `{published}` a published
//! article, `{rubric}`, `{author}`, `{tag}` unused ones, `{pending}` and `{approved}` a
//! guest's comment on a public article, `{key}` an API key id. Fixed ones: `{public}`,
//! `{fixed_draft}`, `{scheduled}` (demo articles), `{missing}` (no such slug),
//! `{webhook}` a webhook endpoint id, `{missing_comment}`, `{reader_b}` (reader B's user id), `{pending_of_a}` (reader A's own
//! pending comment).

use std::collections::{BTreeSet, HashMap};

use kiosque::auth::{Role, UserActor};
use kiosque::content::accounts::{NewApiKey, NewUser};
use kiosque::content::ids;
use kiosque::seed::demo::fixtures as fx;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The callers, in the order of the expectation columns.
const ROLES: [&str; 7] = [
    "anonymous",
    "reader A",
    "reader B",
    "author",
    "editor",
    "admin",
    "partner",
];

/// One REST route, called by every role.
struct Row {
    method: &'static str,
    /// The path as `openapi.yaml` spells it.
    route: &'static str,
    /// The path called, with placeholders.
    path: &'static str,
    /// A JSON body, with placeholders.
    body: Option<&'static str>,
    /// One status per role, in the order of [`ROLES`].
    expect: &'static str,
}

const fn row(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    expect: &'static str,
) -> Row {
    Row {
        method,
        route,
        path,
        body,
        expect,
    }
}

const DRAFT: &str = r#"{"title": "Un brouillon de table", "rubric": "international", "authors": ["claire-vasseur"], "body": "Corps."}"#;
const COMMENT: &str = r#"{"author_name": "Zoé", "author_email": "zoe@example.fr", "body": "Un avis mesuré sur la question."}"#;

#[rustfmt::skip]
fn rest_table() -> Vec<Row> {
    let g = Some;
    vec![
        //   method    route                                          path                                       body                                                           anon A    B    author editor admin partner
        // Public reads: drafts and scheduled articles are 404 to whoever is not staff.
        row("GET",    "/v1/articles",                                "/v1/articles?first=2",                    None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/articles",                                "/v1/articles?status=draft",               None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/articles/{slug}",                         "/v1/articles/{public}",                   None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/articles/{slug}",                         "/v1/articles/{fixed_draft}",              None,                                                          "404 404 404 200 200 200 404"),
        row("GET",    "/v1/articles/{slug}",                         "/v1/articles/{scheduled}",                None,                                                          "404 404 404 200 200 200 404"),
        row("GET",    "/v1/articles/{slug}/comments",                "/v1/articles/{public}/comments",          None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/articles/{slug}/comments",                "/v1/articles/{fixed_draft}/comments",     None,                                                          "404 404 404 200 200 200 404"),
        row("GET",    "/v1/articles/{slug}/related",                 "/v1/articles/{public}/related",           None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/articles/{slug}/related",                 "/v1/articles/{fixed_draft}/related",      None,                                                          "404 404 404 200 200 200 404"),
        row("GET",    "/v1/articles/{slug}/revisions",               "/v1/articles/{public}/revisions",         None,                                                          "401 403 403 200 200 200 403"),
        row("GET",    "/v1/articles/{slug}/revisions",               "/v1/articles/{missing}/revisions",        None,                                                          "401 403 403 404 404 404 403"),
        row("GET",    "/v1/home",                                    "/v1/home",                                None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/search",                                  "/v1/search?q=politique",                  None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/rubrics",                                 "/v1/rubrics",                             None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/rubrics/{slug}",                          "/v1/rubrics/international",               None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/authors",                                 "/v1/authors",                             None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/authors/{slug}",                          "/v1/authors/claire-vasseur",              None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/tags",                                    "/v1/tags",                                None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/tags/{slug}",                             "/v1/tags/diplomatie",                     None,                                                          "200 200 200 200 200 200 200"),
        // Accounts.
        row("POST",   "/v1/auth/login",                              "/v1/auth/login",                          g(r#"{"email": "nobody@example.org", "password": "not the password"}"#), "401 401 401 401 401 401 401"),
        row("POST",   "/v1/auth/refresh",                            "/v1/auth/refresh",                        g(r#"{"refresh_token": "never-issued-token"}"#),               "401 401 401 401 401 401 401"),
        row("POST",   "/v1/auth/logout",                             "/v1/auth/logout",                         g(r#"{"refresh_token": "never-issued-token"}"#),               "204 204 204 204 204 204 204"),
        row("GET",    "/v1/me",                                      "/v1/me",                                  None,                                                          "401 200 200 200 200 200 403"),
        row("GET",    "/v1/users",                                   "/v1/users",                               None,                                                          "401 403 403 403 403 200 403"),
        row("POST",   "/v1/users",                                   "/v1/users",                               g(r#"{"email": "new-{n}@example.org", "password": "a long password", "display_name": "Nouveau", "role": "reader"}"#), "401 403 403 403 403 201 403"),
        row("PATCH",  "/v1/users/{id}",                              "/v1/users/{reader_b}",                    g(r#"{"display_name": "Renommé"}"#),                           "401 403 403 403 403 200 403"),
        row("PATCH",  "/v1/users/{id}",                              "/v1/users/{reader_b}",                    g(r#"{"email": "taken@example.org"}"#),                        "401 422 422 422 422 422 422"),
        row("GET",    "/v1/api-keys",                                "/v1/api-keys",                            None,                                                          "401 403 403 403 403 200 403"),
        row("POST",   "/v1/api-keys",                                "/v1/api-keys",                            g(r#"{"name": "Partenaire", "scopes": ["articles:read"]}"#),   "401 403 403 403 403 201 403"),
        row("POST",   "/v1/api-keys/{id}/revoke",                    "/v1/api-keys/{key}/revoke",               None,                                                          "401 403 403 403 403 200 403"),
        // Editorial writes.
        row("POST",   "/v1/articles",                                "/v1/articles",                            g(DRAFT),                                                      "401 403 403 201 201 201 403"),
        row("POST",   "/v1/articles",                                "/v1/articles",                            g(r#"{"title": "T", "rubric": "international", "authors": ["claire-vasseur"], "status": "published"}"#), "401 422 422 422 422 422 422"),
        row("POST",   "/v1/articles",                                "/v1/articles",                            g(r#"{"title": "T", "rubric": "international", "authors": ["claire-vasseur"], "version": 7}"#), "401 422 422 422 422 422 422"),
        row("POST",   "/v1/articles",                                "/v1/articles",                            g(r#"{"title": "T", "rubric": "international", "authors": ["claire-vasseur"], "published_at": "2020-01-01T00:00:00Z"}"#), "401 422 422 422 422 422 422"),
        row("PATCH",  "/v1/articles/{slug}",                         "/v1/articles/{own_draft}",                g(r#"{"title": "Retouché", "version": 1}"#),                   "401 403 403 200 200 200 403"),
        row("PATCH",  "/v1/articles/{slug}",                         "/v1/articles/{draft}",                    g(r#"{"title": "Retouché", "version": 1}"#),                   "401 403 403 403 200 200 403"),
        row("PATCH",  "/v1/articles/{slug}",                         "/v1/articles/{published}",                g(r#"{"title": "Retouché", "version": 2}"#),                   "401 403 403 403 200 200 403"),
        row("PATCH",  "/v1/articles/{slug}",                         "/v1/articles/{missing}",                  g(r#"{"title": "Retouché", "version": 1}"#),                   "401 403 403 404 404 404 403"),
        row("PATCH",  "/v1/articles/{slug}",                         "/v1/articles/{own_draft}",                g(r#"{"status": "published", "version": 1}"#),                 "401 422 422 422 422 422 422"),
        row("PATCH",  "/v1/articles/{slug}",                         "/v1/articles/{own_draft}",                g(r#"{"author": "claire-vasseur", "version": 1}"#),            "401 422 422 422 422 422 422"),
        row("DELETE", "/v1/articles/{slug}",                         "/v1/articles/{draft}",                    None,                                                          "401 403 403 403 204 204 403"),
        row("DELETE", "/v1/articles/{slug}",                         "/v1/articles/{missing}",                  None,                                                          "401 403 403 403 404 404 403"),
        row("POST",   "/v1/articles/{slug}/publish",                 "/v1/articles/{draft}/publish",            None,                                                          "401 403 403 403 200 200 403"),
        row("POST",   "/v1/articles/{slug}/publish",                 "/v1/articles/{own_draft}/publish",        None,                                                          "401 403 403 403 200 200 403"),
        row("POST",   "/v1/articles/{slug}/unpublish",               "/v1/articles/{published}/unpublish",      None,                                                          "401 403 403 403 200 200 403"),
        row("POST",   "/v1/articles/{slug}/archive",                 "/v1/articles/{published}/archive",        None,                                                          "401 403 403 403 200 200 403"),
        row("POST",   "/v1/articles/{slug}/schedule",                "/v1/articles/{draft}/schedule",           g(r#"{"publish_at": "2099-01-01T08:00:00Z"}"#),                "401 403 403 403 200 200 403"),
        row("POST",   "/v1/rubrics",                                 "/v1/rubrics",                             g(r#"{"name": "Rubrique {n}"}"#),                              "401 403 403 403 201 201 403"),
        row("PATCH",  "/v1/rubrics/{slug}",                          "/v1/rubrics/{rubric}",                    g(r#"{"description": "Changée."}"#),                           "401 403 403 403 200 200 403"),
        row("DELETE", "/v1/rubrics/{slug}",                          "/v1/rubrics/{rubric}",                    None,                                                          "401 403 403 403 204 204 403"),
        row("POST",   "/v1/authors",                                 "/v1/authors",                             g(r#"{"name": "Plume {n}"}"#),                                 "401 403 403 403 201 201 403"),
        row("PATCH",  "/v1/authors/{slug}",                          "/v1/authors/{author}",                    g(r#"{"bio": "Changée."}"#),                                   "401 403 403 403 200 200 403"),
        row("DELETE", "/v1/authors/{slug}",                          "/v1/authors/{author}",                    None,                                                          "401 403 403 403 204 204 403"),
        row("POST",   "/v1/tags",                                    "/v1/tags",                                g(r#"{"name": "Étiquette {n}"}"#),                             "401 403 403 403 201 201 403"),
        row("PATCH",  "/v1/tags/{slug}",                             "/v1/tags/{tag}",                          g(r#"{"name": "Renommée {n}"}"#),                              "401 403 403 403 200 200 403"),
        row("DELETE", "/v1/tags/{slug}",                             "/v1/tags/{tag}",                          None,                                                          "401 403 403 403 204 204 403"),
        // Readers' writes: drafts and pending comments are 404 to those who cannot see them.
        row("POST",   "/v1/articles/{slug}/comments",                "/v1/articles/{public}/comments",          g(COMMENT),                                                    "201 201 201 201 201 201 403"),
        row("POST",   "/v1/articles/{slug}/comments",                "/v1/articles/{fixed_draft}/comments",     g(COMMENT),                                                    "404 404 404 404 404 404 403"),
        row("POST",   "/v1/articles/{slug}/comments",                "/v1/articles/{public}/comments",          g(r#"{"author_name": "Zoé", "author_email": "zoe@example.fr", "body": "Un avis.", "status": "approved"}"#), "422 422 422 422 422 422 422"),
        row("POST",   "/v1/articles/{slug}/comments",                "/v1/articles/{public}/comments",          g(r#"{"author_name": "Zoé", "author_email": "zoe@example.fr", "body": "Un avis.", "author": "admin"}"#), "422 422 422 422 422 422 422"),
        row("POST",   "/v1/articles/{slug}/comments",                "/v1/articles/{public}/comments",          g(r#"{"author_name": "Zoé", "author_email": "zoe@example.fr", "body": "Une réponse.", "parent_id": "{pending}"}"#), "422 422 422 422 422 422 403"),
        row("POST",   "/v1/articles/{slug}/comments",                "/v1/articles/{public}/comments",          g(r#"{"author_name": "Zoé", "author_email": "zoe@example.fr", "body": "Une réponse.", "parent_id": "{missing_comment}"}"#), "422 422 422 422 422 422 403"),
        row("POST",   "/v1/articles/{slug}/share",                   "/v1/articles/{public}/share",             g(r#"{"recipient_email": "ami@example.fr", "sender_name": "Zoé"}"#), "202 202 202 202 202 202 403"),
        row("POST",   "/v1/articles/{slug}/share",                   "/v1/articles/{fixed_draft}/share",        g(r#"{"recipient_email": "ami@example.fr", "sender_name": "Zoé"}"#), "404 404 404 404 404 404 403"),
        row("POST",   "/v1/comments/{id}/reports",                   "/v1/comments/{approved}/reports",         g(r#"{"reason": "Insultant."}"#),                              "202 202 202 202 202 202 403"),
        row("POST",   "/v1/comments/{id}/reports",                   "/v1/comments/{pending}/reports",          g(r#"{"reason": "Insultant."}"#),                              "404 404 404 404 404 404 403"),
        row("POST",   "/v1/comments/{id}/reports",                   "/v1/comments/{pending_of_a}/reports",     g(r#"{"reason": "Insultant."}"#),                              "404 404 404 404 404 404 403"),
        row("POST",   "/v1/comments/{id}/reports",                   "/v1/comments/{missing_comment}/reports",  g(r#"{"reason": "Insultant."}"#),                              "404 404 404 404 404 404 403"),
        row("POST",   "/v1/comment-emails/confirm",                  "/v1/comment-emails/confirm",              g(r#"{"token": "never-issued-token"}"#),                       "404 404 404 404 404 404 404"),
        // Syndication: public, whoever asks (feeds and sitemaps show the public's view).
        row("GET",    "/v1/feeds/rss",                               "/v1/feeds/rss",                           None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/feeds/atom",                              "/v1/feeds/atom?rubric=international",     None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/feeds/json",                              "/v1/feeds/json?author=claire-vasseur",    None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/feeds/json",                              "/v1/feeds/json?rubric={missing}",         None,                                                          "404 404 404 404 404 404 404"),
        row("GET",    "/v1/articles/{slug}/print",                   "/v1/articles/{public}/print",             None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/v1/articles/{slug}/print",                   "/v1/articles/{fixed_draft}/print",        None,                                                          "404 404 404 200 200 200 404"),
        row("GET",    "/sitemap.xml",                                "/sitemap.xml",                            None,                                                          "200 200 200 200 200 200 200"),
        row("GET",    "/sitemap-{n}.xml",                            "/sitemap-99.xml",                         None,                                                          "404 404 404 404 404 404 404"),
        row("GET",    "/robots.txt",                                 "/robots.txt",                             None,                                                          "200 200 200 200 200 200 200"),
        // Partner sync: staff, or a key with `articles:read`.
        row("GET",    "/v1/articles",                                "/v1/articles?updated_since=2020-01-01T00:00:00Z", None,                                                 "401 403 403 200 200 200 200"),
        row("GET",    "/v1/sync/articles",                           "/v1/sync/articles?since=2020-01-01T00:00:00Z", None,                                                     "401 403 403 200 200 200 200"),
        // Webhooks and trusted documents: admins only.
        row("GET",    "/v1/webhooks",                                "/v1/webhooks",                            None,                                                          "401 403 403 403 403 200 403"),
        row("POST",   "/v1/webhooks",                                "/v1/webhooks",                            g(r#"{"url": "https://partenaire.example/hook", "events": ["article.published"]}"#), "401 403 403 403 403 201 403"),
        row("GET",    "/v1/webhooks/{id}",                           "/v1/webhooks/{webhook}",                  None,                                                          "401 403 403 403 403 200 403"),
        row("PATCH",  "/v1/webhooks/{id}",                           "/v1/webhooks/{webhook}",                  g(r#"{"active": false}"#),                                     "401 403 403 403 403 200 403"),
        row("DELETE", "/v1/webhooks/{id}",                           "/v1/webhooks/{webhook}",                  None,                                                          "401 403 403 403 403 204 403"),
        row("GET",    "/v1/webhooks/{id}/deliveries",                "/v1/webhooks/{webhook}/deliveries",       None,                                                          "401 403 403 403 403 200 403"),
        row("POST",   "/v1/webhooks/{id}/deliveries/{delivery_id}/replay", "/v1/webhooks/{webhook}/deliveries/999999/replay", None,                                        "401 403 403 403 403 404 403"),
        row("GET",    "/v1/trusted-documents",                       "/v1/trusted-documents",                   None,                                                          "401 403 403 403 403 200 403"),
        row("POST",   "/v1/trusted-documents",                       "/v1/trusted-documents",                   g(r#"{"name": "Accueil {n}", "document": "query Home{n} { __typename }"}"#), "401 403 403 403 403 201 403"),
        row("PUT",    "/v1/api-keys/{id}/trusted-documents-only",    "/v1/api-keys/{key}/trusted-documents-only", g(r#"{"enabled": true}"#),                                  "401 403 403 403 403 200 403"),
        // Moderation: editors and admins.
        row("GET",    "/v1/moderation/comments",                     "/v1/moderation/comments",                 None,                                                          "401 403 403 403 200 200 403"),
        row("GET",    "/v1/moderation/counts",                       "/v1/moderation/counts",                   None,                                                          "401 403 403 403 200 200 403"),
        row("GET",    "/v1/moderation/comments/{id}/log",            "/v1/moderation/comments/{pending}/log",   None,                                                          "401 403 403 403 200 200 403"),
        row("POST",   "/v1/moderation/comments/{id}/actions",        "/v1/moderation/comments/{pending}/actions", g(r#"{"action": "approve"}"#),                              "401 403 403 403 200 200 403"),
        row("POST",   "/v1/moderation/comments/{id}/actions",        "/v1/moderation/comments/{pending}/actions", g(r#"{"action": "approve", "status": "approved"}"#),        "401 422 422 422 422 422 422"),
        row("POST",   "/v1/moderation/actions",                      "/v1/moderation/actions",                  g(r#"{"ids": ["{pending}"], "action": "reject", "reason": "Hors sujet."}"#), "401 403 403 403 200 200 403"),
    ]
}

/// One GraphQL mutation, called by every role: `ok` when it answers without errors, else
/// the `extensions.code` of its first error.
struct Mutation {
    name: &'static str,
    query: &'static str,
    variables: &'static str,
    expect: &'static str,
}

const fn mutation(
    name: &'static str,
    query: &'static str,
    variables: &'static str,
    expect: &'static str,
) -> Mutation {
    Mutation {
        name,
        query,
        variables,
        expect,
    }
}

#[rustfmt::skip]
fn graphql_table() -> Vec<Mutation> {
    vec![
        mutation("login", "mutation { login(email: \"nobody@example.org\", password: \"not the password\") { accessToken } }", "{}", "UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED"),
        mutation("refresh", "mutation { refresh(refreshToken: \"never-issued-token\") { accessToken } }", "{}", "UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED"),
        mutation("logout", "mutation { logout(refreshToken: \"never-issued-token\") }", "{}", "ok ok ok ok ok ok ok"),
        mutation("createUser", "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", r#"{"i": {"email": "gql-{n}@example.org", "password": "a long password", "displayName": "Nouveau", "role": "READER"}}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("updateUser", "mutation($id: ID!) { updateUser(id: $id, input: { displayName: \"Renommé\" }) { id } }", r#"{"id": "{reader_b}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("createApiKey", "mutation { createApiKey(input: { name: \"Partenaire\", scopes: [\"articles:read\"] }) { key } }", "{}", "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("revokeApiKey", "mutation($id: ID!) { revokeApiKey(id: $id) { id } }", r#"{"id": "{key}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("createArticle", "mutation { createArticle(input: { title: \"Brouillon\", rubric: \"international\", authors: [\"claire-vasseur\"] }) { id } }", "{}", "UNAUTHENTICATED FORBIDDEN FORBIDDEN ok ok ok FORBIDDEN"),
        mutation("updateArticle", "mutation($id: ID!) { updateArticle(id: $id, version: 1, input: { title: \"Retouché\" }) { id } }", r#"{"id": "{draft}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("updateArticle", "mutation($id: ID!) { updateArticle(id: $id, version: 1, input: { title: \"Retouché\" }) { id } }", r#"{"id": "{own_draft}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN ok ok ok FORBIDDEN"),
        mutation("updateArticle", "mutation($id: ID!) { updateArticle(id: $id, version: 1, input: { title: \"Retouché\" }) { id } }", r#"{"id": "{missing}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN NOT_FOUND NOT_FOUND NOT_FOUND FORBIDDEN"),
        mutation("deleteArticle", "mutation($id: ID!) { deleteArticle(id: $id) }", r#"{"id": "{draft}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("publishArticle", "mutation($id: ID!) { publishArticle(id: $id) { id } }", r#"{"id": "{draft}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("unpublishArticle", "mutation($id: ID!) { unpublishArticle(id: $id) { id } }", r#"{"id": "{published}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("scheduleArticle", "mutation($id: ID!) { scheduleArticle(id: $id, publishAt: \"2099-01-01T08:00:00Z\") { id } }", r#"{"id": "{draft}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("archiveArticle", "mutation($id: ID!) { archiveArticle(id: $id) { id } }", r#"{"id": "{published}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("createRubric", "mutation($n: String!) { createRubric(input: { name: $n }) { id } }", r#"{"n": "Rubrique {n}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("updateRubric", "mutation($id: ID!) { updateRubric(id: $id, input: { description: \"Changée.\" }) { id } }", r#"{"id": "{rubric}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("deleteRubric", "mutation($id: ID!) { deleteRubric(id: $id) }", r#"{"id": "{rubric}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("createAuthor", "mutation($n: String!) { createAuthor(input: { name: $n }) { id } }", r#"{"n": "Plume {n}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("updateAuthor", "mutation($id: ID!) { updateAuthor(id: $id, input: { bio: \"Changée.\" }) { id } }", r#"{"id": "{author}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("deleteAuthor", "mutation($id: ID!) { deleteAuthor(id: $id) }", r#"{"id": "{author}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("createTag", "mutation($n: String!) { createTag(input: { name: $n }) { id } }", r#"{"n": "Étiquette {n}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("updateTag", "mutation($id: ID!, $n: String!) { updateTag(id: $id, input: { name: $n }) { id } }", r#"{"id": "{tag}", "n": "Renommée {n}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("deleteTag", "mutation($id: ID!) { deleteTag(id: $id) }", r#"{"id": "{tag}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("postComment", "mutation($s: String!) { postComment(input: { articleSlug: $s, authorName: \"Zoé\", authorEmail: \"zoe@example.fr\", body: \"Un avis mesuré.\" }) { status } }", r#"{"s": "{public}"}"#, "ok ok ok ok ok ok FORBIDDEN"),
        mutation("postComment", "mutation($s: String!) { postComment(input: { articleSlug: $s, authorName: \"Zoé\", authorEmail: \"zoe@example.fr\", body: \"Un avis mesuré.\" }) { status } }", r#"{"s": "{fixed_draft}"}"#, "NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND FORBIDDEN"),
        mutation("reportComment", "mutation($id: ID!) { reportComment(id: $id, reason: \"Insultant.\") }", r#"{"id": "{approved}"}"#, "ok ok ok ok ok ok FORBIDDEN"),
        mutation("confirmCommentEmail", "mutation { confirmCommentEmail(token: \"never-issued-token\") { guestKey } }", "{}", "NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND"),
        mutation("reportComment", "mutation($id: ID!) { reportComment(id: $id, reason: \"Insultant.\") }", r#"{"id": "{pending}"}"#, "NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND FORBIDDEN"),
        mutation("moderateComment", "mutation($id: ID!) { moderateComment(id: $id, action: APPROVE) { id } }", r#"{"id": "{pending}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("moderateComments", "mutation($id: ID!) { moderateComments(ids: [$id], action: REJECT) { id } }", r#"{"id": "{pending}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN ok ok FORBIDDEN"),
        mutation("createWebhook", "mutation { createWebhook(input: { url: \"https://partenaire.example/hook\", events: [\"article.published\"] }) { secret } }", "{}", "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("updateWebhook", "mutation($id: ID!) { updateWebhook(id: $id, input: { active: false }) { id } }", r#"{"id": "{webhook}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("deleteWebhook", "mutation($id: ID!) { deleteWebhook(id: $id) }", r#"{"id": "{webhook}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN ok FORBIDDEN"),
        mutation("replayWebhookDelivery", "mutation($id: ID!) { replayWebhookDelivery(webhookId: $id, deliveryId: \"999999\") { id } }", r#"{"id": "{webhook}"}"#, "UNAUTHENTICATED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN NOT_FOUND FORBIDDEN"),
        mutation("shareArticle", "mutation($s: String!) { shareArticle(slug: $s, recipientEmail: \"ami@example.fr\", senderName: \"Zoé\") { status } }", r#"{"s": "{public}"}"#, "ok ok ok ok ok ok FORBIDDEN"),
        mutation("shareArticle", "mutation($s: String!) { shareArticle(slug: $s, recipientEmail: \"ami@example.fr\", senderName: \"Zoé\") { status } }", r#"{"s": "{fixed_draft}"}"#, "NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND FORBIDDEN"),
    ]
}

/// How each role calls: a bearer token, an API key, or nothing.
#[derive(Clone)]
enum Caller {
    Anonymous,
    Bearer(String),
    ApiKey(String),
}

/// The callers and the fixed fixtures of the table.
struct World {
    app: TestApp,
    callers: Vec<Caller>,
    admin: String,
    fixed: HashMap<&'static str, String>,
    counter: std::cell::Cell<u32>,
}

async fn register(app: &TestApp, role: Role, name: &str, author_id: Option<i64>) -> String {
    let user = app
        .state
        .content
        .users()
        .register(NewUser {
            email: format!("{name}@example.org"),
            password: "correct horse battery staple".into(),
            display_name: name.into(),
            role,
            author_id: author_id.map(|id| ids::encode(ids::Kind::Author, id)),
        })
        .await
        .expect("account");
    app.state
        .keys
        .issue(&UserActor {
            id: user.id,
            role,
            author_id,
        })
        .expect("token")
}

fn global_number(value: &Value) -> i64 {
    ids::decode("id", value.as_str().expect("an id"))
        .expect("a global id")
        .1
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn_with(|config| {
            config.comments_per_client = 0;
            config.comments_per_article = 0;
            config.shares_per_client = 0;
            config.reports_per_client = 0;
        })
        .await;
        let authors = app
            .query("{ authors(first: 20) { nodes { id slug } } }", json!({}))
            .await;
        let own = authors["authors"]["nodes"]
            .as_array()
            .expect("authors")
            .iter()
            .find(|a| a["slug"] == fx::AUTHOR_SLUG)
            .map(|a| global_number(&a["id"]))
            .expect("the demo author");
        let reader_a = register(&app, Role::Reader, "lecteur-a", None).await;
        let reader_b = register(&app, Role::Reader, "lecteur-b", None).await;
        let author = register(&app, Role::Author, "autrice", Some(own)).await;
        let editor = register(&app, Role::Editor, "editrice", None).await;
        let admin = register(&app, Role::Admin, "administratrice", None).await;
        let admin_actor = kiosque::auth::Actor::User(app.state.keys.verify(&admin).unwrap());
        let key = app
            .state
            .content
            .api_keys()
            .create(
                &admin_actor,
                NewApiKey {
                    name: "Partenaire".into(),
                    scopes: kiosque::content::accounts::KNOWN_SCOPES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                },
            )
            .await
            .expect("API key");
        let reader_b_id = app.state.keys.verify(&reader_b).unwrap().id;
        let mut world = Self {
            callers: vec![
                Caller::Anonymous,
                Caller::Bearer(reader_a.clone()),
                Caller::Bearer(reader_b),
                Caller::Bearer(author),
                Caller::Bearer(editor),
                Caller::Bearer(admin.clone()),
                Caller::ApiKey(key.key),
            ],
            admin,
            app,
            fixed: HashMap::new(),
            counter: std::cell::Cell::new(0),
        };
        world.fixed.insert("{public}", fx::COMMENTED_SLUG.into());
        world.fixed.insert("{fixed_draft}", fx::DRAFT_SLUG.into());
        world.fixed.insert("{scheduled}", fx::SCHEDULED_SLUG.into());
        world.fixed.insert("{missing}", "no-such-article".into());
        world.fixed.insert(
            "{missing_comment}",
            ids::encode(ids::Kind::Comment, 999_999),
        );
        world.fixed.insert("{reader_b}", reader_b_id.to_string());
        let own_pending = world
            .call(
                &Caller::Bearer(reader_a),
                Method::POST,
                &format!("/v1/articles/{}/comments", fx::COMMENTED_SLUG),
                Some(json!({ "body": "Mon premier commentaire, en attente." })),
            )
            .await;
        assert_eq!(own_pending.0, 201, "{}", own_pending.1);
        assert_eq!(own_pending.1["data"]["status"], "pending");
        world.fixed.insert(
            "{pending_of_a}",
            own_pending.1["data"]["id"].as_str().unwrap().into(),
        );
        world
    }

    fn next(&self) -> u32 {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }

    async fn call(
        &self,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.app.client.request(method, self.app.url(path));
        match caller {
            Caller::Anonymous => {}
            Caller::Bearer(token) => request = request.bearer_auth(token),
            Caller::ApiKey(key) => request = request.header("x-api-key", key),
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn admin_call(&self, method: Method, path: &str, body: Value) -> Value {
        let (status, answer) = self
            .call(
                &Caller::Bearer(self.admin.clone()),
                method,
                path,
                Some(body),
            )
            .await;
        assert!(status < 300, "fixture {path}: {status} {answer}");
        answer["data"].clone()
    }

    async fn article(&self, byline: &str, publish: bool) -> String {
        let n = self.next();
        let data = self
            .admin_call(
                Method::POST,
                "/v1/articles",
                json!({ "title": format!("Article de table {n}"), "rubric": fx::RUBRIC_SLUG, "authors": [byline], "body": "Corps." }),
            )
            .await;
        let slug = data["slug"].as_str().expect("slug").to_owned();
        if publish {
            self.admin_call(
                Method::POST,
                &format!("/v1/articles/{slug}/publish"),
                json!({}),
            )
            .await;
        }
        slug
    }

    async fn other_byline(&self) -> String {
        let data = self
            .app
            .query("{ authors(first: 20) { nodes { slug } } }", json!({}))
            .await;
        data["authors"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["slug"].as_str().unwrap().to_owned())
            .find(|s| s != fx::AUTHOR_SLUG)
            .expect("another author")
    }

    async fn comment(&self, approve: bool) -> String {
        let n = self.next();
        let (status, answer) = self
            .call(
                &Caller::Anonymous,
                Method::POST,
                &format!("/v1/articles/{}/comments", fx::COMMENTED_SLUG),
                Some(json!({ "author_name": "Invité", "author_email": format!("invite{n}@example.fr"), "body": format!("Un commentaire de table numéro {n}.") })),
            )
            .await;
        assert_eq!(status, 201, "{answer}");
        let id = answer["data"]["id"]
            .as_str()
            .expect("comment id")
            .to_owned();
        if approve {
            self.admin_call(
                Method::POST,
                &format!("/v1/moderation/comments/{id}/actions"),
                json!({ "action": "approve" }),
            )
            .await;
        }
        id
    }

    /// Replaces the placeholders of `text`, making fresh fixtures where asked.
    async fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, value) in &self.fixed {
            out = out.replace(name, value);
        }
        if out.contains("{n}") {
            out = out.replace("{n}", &self.next().to_string());
        }
        if out.contains("{draft}") {
            let other = self.other_byline().await;
            out = out.replace("{draft}", &self.article(&other, false).await);
        }
        if out.contains("{own_draft}") {
            out = out.replace("{own_draft}", &self.article(fx::AUTHOR_SLUG, false).await);
        }
        if out.contains("{published}") {
            let other = self.other_byline().await;
            out = out.replace("{published}", &self.article(&other, true).await);
        }
        for (name, path) in [
            ("{rubric}", "/v1/rubrics"),
            ("{author}", "/v1/authors"),
            ("{tag}", "/v1/tags"),
        ] {
            if out.contains(name) {
                let n = self.next();
                let data = self
                    .admin_call(
                        Method::POST,
                        path,
                        json!({ "name": format!("Fixture {n}") }),
                    )
                    .await;
                out = out.replace(name, data["slug"].as_str().expect("slug"));
            }
        }
        if out.contains("{pending}") {
            out = out.replace("{pending}", &self.comment(false).await);
        }
        if out.contains("{approved}") {
            out = out.replace("{approved}", &self.comment(true).await);
        }
        if out.contains("{key}") {
            let data = self
                .admin_call(
                    Method::POST,
                    "/v1/api-keys",
                    json!({ "name": "Jetable", "scopes": ["articles:read"] }),
                )
                .await;
            out = out.replace("{key}", &data["api_key"]["id"].to_string());
        }
        if out.contains("{webhook}") {
            let data = self
                .admin_call(
                    Method::POST,
                    "/v1/webhooks",
                    json!({ "url": "https://partenaire.example/jetable", "events": ["article.published"] }),
                )
                .await;
            out = out.replace("{webhook}", &data["webhook"]["id"].to_string());
        }
        out
    }
}

fn expected(line: &str) -> Vec<&str> {
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells.len(), ROLES.len(), "one expectation per role: {line}");
    cells
}

#[tokio::test]
async fn every_rest_route_answers_each_role_as_the_table_says() {
    let world = World::new().await;
    let mut failures = Vec::new();
    for row in rest_table() {
        let want = expected(row.expect);
        for (i, caller) in world.callers.iter().enumerate() {
            let path = world.fill(row.path).await;
            let body = match row.body {
                Some(body) => Some(
                    serde_json::from_str(&world.fill(body).await).expect("the row's body is JSON"),
                ),
                None => None,
            };
            let method = Method::from_bytes(row.method.as_bytes()).expect("method");
            let (status, answer) = world.call(caller, method, &path, body).await;
            if status.to_string() != want[i] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {status} {}",
                    row.method, row.path, ROLES[i], want[i], answer
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_graphql_mutation_answers_each_role_as_the_table_says() {
    let world = World::new().await;
    let mut failures = Vec::new();
    for m in graphql_table() {
        let want = expected(m.expect);
        for (i, caller) in world.callers.iter().enumerate() {
            let variables: Value =
                serde_json::from_str(&world.fill(m.variables).await).expect("variables");
            let (status, answer) = world
                .call(
                    caller,
                    Method::POST,
                    "/graphql",
                    Some(json!({ "query": m.query, "variables": variables })),
                )
                .await;
            let got = match answer["errors"][0]["extensions"]["code"].as_str() {
                Some(code) => code.to_owned(),
                None if answer.get("errors").is_none() && status == 200 => "ok".to_owned(),
                None => format!("{status} {answer}"),
            };
            if got != want[i] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {got} {}",
                    m.name, m.variables, ROLES[i], want[i], answer
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `(METHOD, /path)` of every operation in `openapi.yaml`.
fn contract_routes() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml");
    let mut routes = BTreeSet::new();
    let mut path: Option<String> = None;
    let mut in_paths = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_paths = line.trim_end() == "paths:";
            path = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let key = line.trim().trim_end_matches(':');
        if indent == 2 && line.trim_end().ends_with(':') {
            path = Some(key.trim_matches(['\'', '"']).to_owned());
        } else if indent == 4 {
            let method = key.to_ascii_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                if let Some(path) = &path {
                    routes.insert((method, path.clone()));
                }
            }
        }
    }
    routes
}

#[test]
fn every_rest_route_in_the_contract_is_in_the_table() {
    let contract = contract_routes();
    assert!(contract.len() > 40, "openapi.yaml read: {contract:?}");
    let covered: BTreeSet<(String, String)> = rest_table()
        .iter()
        .map(|r| (r.method.to_owned(), r.route.to_owned()))
        .collect();
    let missing: Vec<_> = contract.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "add rows to tests/api/route_roles.rs for: {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&contract).collect();
    assert!(
        unknown.is_empty(),
        "rows for routes not in openapi.yaml: {unknown:?}"
    );
}

#[test]
fn every_graphql_mutation_in_the_schema_is_in_the_table() {
    let sdl = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/schema.graphql"
    ))
    .expect("schema.graphql");
    let block = sdl
        .split("type Mutation {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("a Mutation type");
    let mut in_doc = false;
    let mut names = BTreeSet::new();
    for line in block.lines().map(str::trim) {
        if line.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            if !(line.len() > 3 && line.ends_with("\"\"\"")) {
                in_doc = !in_doc;
            }
            continue;
        }
        if in_doc || line.is_empty() {
            continue;
        }
        if let Some(name) = line.split(['(', ':']).next() {
            names.insert(name.trim().to_owned());
        }
    }
    assert!(names.len() > 20, "mutations read: {names:?}");
    let covered: BTreeSet<String> = graphql_table().iter().map(|m| m.name.to_owned()).collect();
    let missing: Vec<_> = names.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "add rows to tests/api/route_roles.rs for: {missing:?}"
    );
}
