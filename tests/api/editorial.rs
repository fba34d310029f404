//! The write side over HTTP: creating and editing content, the publishing workflow,
//! optimistic concurrency, revisions, validation errors and the permissions of every role.

use kiosque::auth::Role;
use kiosque::content::ids;
use kiosque::seed::demo::fixtures as fx;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

const ARTICLE_FIELDS: &str = "id slug title status version publishedAt wordCount readingTimeMinutes \
     html: body(format: HTML) text: body(format: TEXT) authors { slug } tags { slug } sources { name url }";

/// An answer: status, headers and JSON body (`Null` when empty).
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn field(&self) -> &str {
        self.body["field"].as_str().unwrap_or("<none>")
    }
}

async fn rest(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

async fn gql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON")
}

/// The numeric id behind a global id.
fn number(global: &Value) -> i64 {
    ids::decode("id", global.as_str().expect("an id"))
        .expect("a global id")
        .1
}

/// Tokens of the roles, and an author token carrying a byline.
struct Tokens {
    admin: String,
    editor: String,
    reader: String,
    /// An author account without a byline.
    bare_author: String,
    /// An author account signing as `fx::AUTHOR_SLUG`.
    author: String,
    /// The byline of `author`, and another author's slug.
    own_slug: String,
    other_slug: String,
}

async fn tokens(app: &TestApp) -> Tokens {
    let data = app
        .query("{ authors(first: 10) { nodes { id slug } } }", json!({}))
        .await;
    let nodes = data["authors"]["nodes"].as_array().expect("authors");
    let own = nodes
        .iter()
        .find(|a| a["slug"] == fx::AUTHOR_SLUG)
        .expect("the demo author");
    let other = nodes
        .iter()
        .find(|a| a["slug"] != fx::AUTHOR_SLUG)
        .expect("another author");
    let author = app
        .user(Role::Author, "Autrice", Some(number(&own["id"])))
        .await
        .token;
    Tokens {
        admin: app.token(Role::Admin).await,
        editor: app.token(Role::Editor).await,
        reader: app.token(Role::Reader).await,
        bare_author: app.token(Role::Author).await,
        author,
        own_slug: fx::AUTHOR_SLUG.to_owned(),
        other_slug: other["slug"].as_str().expect("slug").to_owned(),
    }
}

fn draft(title: &str, author: &str) -> Value {
    json!({ "title": title, "rubric": fx::RUBRIC_SLUG, "authors": [author], "body": "Un corps." })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let answer = rest(
        app,
        Method::POST,
        "/v1/articles",
        Some(token),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    answer.body["data"].clone()
}

const CREATE: &str =
    "mutation($input: CreateArticleInput!) { createArticle(input: $input) { ARTICLE } }";

fn with_fields(query: &str) -> String {
    query.replace("ARTICLE", ARTICLE_FIELDS)
}

#[tokio::test]
async fn an_editor_creates_a_draft_with_a_folded_slug_a_rendered_body_and_a_revision() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let tags = app.query("{ tags { id slug } }", json!({})).await;
    let other_tag = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tag| tag["slug"] != fx::TAG_SLUG)
        .expect("a second tag")
        .clone();
    let body = gql(
        &app,
        Some(&t.editor),
        &with_fields(CREATE),
        json!({ "input": {
            "title": "Révolution étrangère",
            "body": "## Une frontière\n\nLa politique **étrangère** change.",
            "rubric": fx::RUBRIC_SLUG,
            "authors": [t.other_slug, t.own_slug],
            "tags": [fx::TAG_SLUG, other_tag["id"]],
            "sources": [{ "name": "Le Monde", "url": "https://www.lemonde.fr/a" }, { "name": "Archives" }],
        }}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let a = &body["data"]["createArticle"];
    assert_eq!(a["slug"], "revolution-etrangere");
    assert_eq!(a["status"], "DRAFT");
    assert_eq!(a["version"], 1);
    assert!(a["publishedAt"].is_null());
    assert!(
        a["html"]
            .as_str()
            .unwrap()
            .contains("<h2>Une frontière</h2>")
    );
    assert_eq!(a["text"], "Une frontière\n\nLa politique étrangère change.");
    assert_eq!(a["wordCount"], 6);
    assert_eq!(a["readingTimeMinutes"], 1);
    assert_eq!(
        a["authors"],
        json!([{ "slug": t.other_slug }, { "slug": t.own_slug }]),
        "the byline keeps its order"
    );
    assert_eq!(a["tags"].as_array().unwrap().len(), 2);
    assert_eq!(
        a["sources"],
        json!([{ "name": "Le Monde", "url": "https://www.lemonde.fr/a" }, { "name": "Archives", "url": null }])
    );
    let anonymous = rest(
        &app,
        Method::GET,
        "/v1/articles/revolution-etrangere",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(anonymous.status, 404, "a draft is not public");
    let revisions = gql(
        &app,
        Some(&t.editor),
        "query($id: ID!) { articleRevisions(id: $id) { version editorId changes } }",
        json!({ "id": a["id"] }),
    )
    .await;
    let list = revisions["data"]["articleRevisions"]
        .as_array()
        .expect("revisions");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["version"], 1);
    let editor = app.role_account(Role::Editor).await;
    assert_eq!(list[0]["editorId"], editor.id);
    assert_eq!(
        list[0]["changes"]["created"]["slug"],
        "revolution-etrangere"
    );
}

#[tokio::test]
async fn generated_slugs_are_numbered_and_a_taken_given_slug_is_a_conflict() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let mut slugs = Vec::new();
    for _ in 0..3 {
        slugs.push(
            create(&app, &t.editor, draft("L'été à Noël", &t.own_slug)).await["slug"].clone(),
        );
    }
    assert_eq!(
        slugs,
        vec![
            json!("l-ete-a-noel"),
            json!("l-ete-a-noel-2"),
            json!("l-ete-a-noel-3")
        ]
    );

    let mut taken = draft("Autre chose", &t.own_slug);
    taken["slug"] = json!("l-ete-a-noel");
    let answer = rest(
        &app,
        Method::POST,
        "/v1/articles",
        Some(&t.editor),
        Some(taken),
        &[],
    )
    .await;
    assert_eq!(answer.status, 409, "{:#}", answer.body);
    assert_eq!(answer.body["code"], "CONFLICT");
    let body = gql(
        &app,
        Some(&t.editor),
        &with_fields(CREATE),
        json!({ "input": { "title": "X", "slug": "l-ete-a-noel-2", "rubric": fx::RUBRIC_SLUG, "authors": [t.own_slug] } }),
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body:#}");
    // The same goes for a rename onto a taken slug, and for rubrics.
    let answer = rest(
        &app,
        Method::PATCH,
        "/v1/articles/l-ete-a-noel-3",
        Some(&t.editor),
        Some(json!({ "version": 1, "slug": "l-ete-a-noel" })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 409);
    let answer = rest(
        &app,
        Method::POST,
        "/v1/rubrics",
        Some(&t.editor),
        Some(json!({ "name": "Autre", "slug": fx::RUBRIC_SLUG })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 409);
}

#[tokio::test]
async fn invalid_input_is_refused_with_the_field_that_breaks_a_rule() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let long = |n: usize| "a".repeat(n);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("empty title", json!({ "title": "  " }), "title"),
        ("long title", json!({ "title": long(301) }), "title"),
        (
            "long standfirst",
            json!({ "standfirst": long(1001) }),
            "standfirst",
        ),
        ("huge body", json!({ "body": long(200 * 1024 + 1) }), "body"),
        ("bad slug", json!({ "slug": "Pas Bon" }), "slug"),
        ("bad language", json!({ "language": "fra" }), "language"),
        (
            "javascript URL",
            json!({ "featured_image_url": "javascript:alert(1)" }),
            "featured_image_url",
        ),
        (
            "ftp source",
            json!({ "sources": [{ "name": "x", "url": "ftp://x.org" }] }),
            "sources[0].url",
        ),
        (
            "unnamed source",
            json!({ "sources": [{ "name": "" }] }),
            "sources[0].name",
        ),
        (
            "unknown rubric",
            json!({ "rubric": "nulle-part" }),
            "rubric",
        ),
        (
            "unknown author",
            json!({ "authors": ["personne"] }),
            "authors",
        ),
        ("no author", json!({ "authors": [] }), "authors"),
        ("unknown tag", json!({ "tags": ["inconnu"] }), "tags"),
        (
            "status is not an input",
            json!({ "status": "published" }),
            "status",
        ),
        (
            "version is not an input",
            json!({ "version": 7 }),
            "version",
        ),
        (
            "published_at is not an input",
            json!({ "published_at": "2020-01-01T00:00:00Z" }),
            "published_at",
        ),
    ];
    for (case, change, field) in cases {
        let mut body = draft("Un titre", &t.own_slug);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = rest(
            &app,
            Method::POST,
            "/v1/articles",
            Some(&t.editor),
            Some(body),
            &[],
        )
        .await;
        assert_eq!(answer.status, 422, "{case}: {:#}", answer.body);
        assert_eq!(answer.field(), field, "{case}");
    }
    let answer = rest(
        &app,
        Method::POST,
        "/v1/articles",
        Some(&t.editor),
        None,
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!(answer.status, 400, "an empty body is malformed");

    let body = gql(
        &app,
        Some(&t.editor),
        &with_fields(CREATE),
        json!({ "input": { "title": "", "rubric": fx::RUBRIC_SLUG, "authors": [t.own_slug] } }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "title");
    let body = gql(
        &app,
        Some(&t.editor),
        &with_fields(CREATE),
        json!({ "input": { "title": "T", "rubric": fx::RUBRIC_SLUG, "authors": [t.own_slug], "featuredImageUrl": "ftp://x" } }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "featuredImageUrl");
    let body = gql(
        &app,
        Some(&t.editor),
        &with_fields(CREATE),
        json!({ "input": { "title": "T", "rubric": fx::RUBRIC_SLUG, "authors": [t.own_slug], "status": "PUBLISHED" } }),
    )
    .await;
    assert!(
        body["errors"].is_array(),
        "GraphQL inputs have no status: {body:#}"
    );
    assert!(body["data"].is_null() || body["data"]["createArticle"].is_null());
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_never_a_silent_overwrite() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let a = create(&app, &t.editor, draft("Première version", &t.own_slug)).await;
    let update = "mutation($id: ID!, $v: Int!, $input: UpdateArticleInput!) { updateArticle(id: $id, version: $v, input: $input) { title version standfirst seo { title } } }";
    let body = gql(&app, Some(&t.editor), update, json!({ "id": a["id"], "v": 1, "input": { "title": "Deuxième version", "seoTitle": "SEO" } })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["updateArticle"]["version"], 2);
    assert_eq!(body["data"]["updateArticle"]["seo"]["title"], "SEO");

    let stale = gql(
        &app,
        Some(&t.editor),
        update,
        json!({ "id": a["id"], "v": 1, "input": { "title": "Écrasée ?" } }),
    )
    .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale:#}");

    let path = format!("/v1/articles/{}", a["id"].as_str().unwrap());
    let answer = rest(
        &app,
        Method::PATCH,
        &path,
        Some(&t.editor),
        Some(json!({ "version": 1, "title": "Écrasée ?" })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 409, "{:#}", answer.body);
    let answer = rest(
        &app,
        Method::PATCH,
        &path,
        Some(&t.editor),
        Some(json!({ "title": "Écrasée ?" })),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(answer.status, 412, "{:#}", answer.body);
    assert_eq!(answer.body["code"], "CONFLICT");
    let answer = rest(
        &app,
        Method::PATCH,
        &path,
        Some(&t.editor),
        Some(json!({ "title": "Sans version" })),
        &[],
    )
    .await;
    assert_eq!((answer.status, answer.field()), (422, "version"));

    let answer = rest(
        &app,
        Method::PATCH,
        &path,
        Some(&t.editor),
        Some(json!({ "standfirst": "Un chapeau.", "seo_title": null })),
        &[("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.headers["cache-control"], "no-store");
    let data = &answer.body["data"];
    assert_eq!(data["version"], 3);
    assert_eq!(data["title"], "Deuxième version", "nothing was overwritten");
    assert_eq!(
        data["seo"]["title"], "Deuxième version",
        "a null clears the SEO title"
    );

    let revisions = rest(
        &app,
        Method::GET,
        &format!("{path}/revisions"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(revisions.status, 200);
    let list = revisions.body["data"].as_array().expect("revisions");
    let versions: Vec<i64> = list
        .iter()
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![3, 2, 1]);
    assert_eq!(
        list[1]["changes"]["title"],
        json!({ "old": "Première version", "new": "Deuxième version" })
    );
    assert!(
        list[1]["changes"].get("body").is_none(),
        "an unchanged body is not recorded"
    );
    assert_eq!(list[0]["changes"]["standfirst"]["new"], "Un chapeau.");
    assert_eq!(
        list[0]["changes"]["seoTitle"],
        json!({ "old": "SEO", "new": null })
    );
}

#[tokio::test]
async fn publishing_makes_an_article_public_and_unpublishing_hides_it_again() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let a = create(
        &app,
        &t.editor,
        draft("Une nouvelle à publier", &t.own_slug),
    )
    .await;
    let public = "/v1/articles/une-nouvelle-a-publier";
    let id = a["id"].as_str().unwrap();
    assert_eq!(
        rest(&app, Method::GET, public, None, None, &[])
            .await
            .status,
        404
    );

    let published = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/publish"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(published.status, 200, "{:#}", published.body);
    assert_eq!(published.body["data"]["status"], "published");
    let first_time = published.body["data"]["published_at"].clone();
    assert!(first_time.is_string());
    let read = rest(&app, Method::GET, public, None, None, &[]).await;
    assert_eq!(read.status, 200, "published articles are public");

    let body = gql(
        &app,
        Some(&t.editor),
        "mutation($id: ID!) { unpublishArticle(id: $id) { status version } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        body["data"]["unpublishArticle"]["status"], "DRAFT",
        "{body:#}"
    );
    assert_eq!(
        rest(&app, Method::GET, public, None, None, &[])
            .await
            .status,
        404
    );

    let again = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/publish"),
        Some(&t.editor),
        Some(json!({ "version": 3 })),
        &[],
    )
    .await;
    assert_eq!(again.status, 200, "{:#}", again.body);
    assert_eq!(
        again.body["data"]["published_at"], first_time,
        "a past publication time is kept"
    );
    let stale = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/archive"),
        Some(&t.editor),
        Some(json!({ "version": 3 })),
        &[],
    )
    .await;
    assert_eq!(stale.status, 409);
    let archived = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/archive"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(archived.body["data"]["status"], "archived");
    assert_eq!(
        rest(&app, Method::GET, public, None, None, &[])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_scheduled_article_stays_invisible_until_its_time_and_a_past_time_is_refused() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let a = create(&app, &t.editor, draft("Plus tard", &t.own_slug)).await;
    let schedule = "mutation($id: ID!, $at: DateTime!) { scheduleArticle(id: $id, publishAt: $at) { status publishedAt } }";
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let body = gql(
        &app,
        Some(&t.editor),
        schedule,
        json!({ "id": a["id"], "at": at }),
    )
    .await;
    assert_eq!(
        body["data"]["scheduleArticle"]["status"], "SCHEDULED",
        "{body:#}"
    );
    let public = app
        .query(
            "{ article(slug: \"plus-tard\") { slug } articles(first: 100) { nodes { slug } } }",
            json!({}),
        )
        .await;
    assert!(public["article"].is_null());
    assert!(!public.to_string().contains("plus-tard"));
    assert_eq!(
        rest(&app, Method::GET, "/v1/articles/plus-tard", None, None, &[])
            .await
            .status,
        404
    );

    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let body = gql(
        &app,
        Some(&t.editor),
        schedule,
        json!({ "id": a["id"], "at": past }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "publishAt");
    let answer = rest(
        &app,
        Method::POST,
        "/v1/articles/plus-tard/schedule",
        Some(&t.editor),
        Some(json!({ "publish_at": past })),
        &[],
    )
    .await;
    assert_eq!((answer.status, answer.field()), (422, "publish_at"));
}

#[tokio::test]
async fn article_writes_are_allowed_and_denied_by_role_and_ownership() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let own = draft("Le brouillon de l'auteur", &t.own_slug);
    let theirs = draft("Le brouillon d'un autre", &t.other_slug);

    // Creating.
    let anonymous = rest(
        &app,
        Method::POST,
        "/v1/articles",
        None,
        Some(own.clone()),
        &[],
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let body = gql(&app, None, &with_fields(CREATE), json!({ "input": own })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    for token in [&t.reader, &t.bare_author] {
        let answer = rest(
            &app,
            Method::POST,
            "/v1/articles",
            Some(token),
            Some(own.clone()),
            &[],
        )
        .await;
        assert_eq!(answer.status, 403, "{:#}", answer.body);
    }
    let body = gql(
        &app,
        Some(&t.reader),
        &with_fields(CREATE),
        json!({ "input": own }),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let answer = rest(
        &app,
        Method::POST,
        "/v1/articles",
        Some(&t.author),
        Some(theirs.clone()),
        &[],
    )
    .await;
    assert_eq!(
        answer.status, 403,
        "an author's byline must be on what they write"
    );
    let mine = create(&app, &t.author, own).await;
    assert_eq!(mine["status"], "draft");
    let other = create(&app, &t.editor, theirs).await;
    let (mine_id, other_id) = (mine["id"].as_str().unwrap(), other["id"].as_str().unwrap());

    // Editing: the author edits their own draft only.
    let edit = |v: i64| Some(json!({ "version": v, "standfirst": "Modifié." }));
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{mine_id}"),
        Some(&t.author),
        edit(1),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{mine_id}"),
        Some(&t.author),
        Some(json!({ "version": 2, "authors": [t.other_slug] })),
        &[],
    )
    .await;
    assert_eq!(
        answer.status, 403,
        "an author cannot remove their own byline"
    );
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{other_id}"),
        Some(&t.author),
        edit(1),
        &[],
    )
    .await;
    assert_eq!(answer.status, 403, "nor edit someone else's article");
    for token in [&t.reader, &t.bare_author] {
        let answer = rest(
            &app,
            Method::PATCH,
            &format!("/v1/articles/{other_id}"),
            Some(token),
            edit(1),
            &[],
        )
        .await;
        assert_eq!(answer.status, 403);
    }
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{other_id}"),
        None,
        edit(1),
        &[],
    )
    .await;
    assert_eq!(answer.status, 401);
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{other_id}"),
        Some(&t.editor),
        edit(1),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "editors edit everything");

    // The workflow and deletion are for editors and admins.
    for step in ["publish", "unpublish", "archive"] {
        let path = format!("/v1/articles/{mine_id}/{step}");
        for (token, status) in [(Some(&t.author), 403), (Some(&t.reader), 403), (None, 401)] {
            let answer = rest(
                &app,
                Method::POST,
                &path,
                token.map(String::as_str),
                None,
                &[],
            )
            .await;
            assert_eq!(answer.status, status, "{step}: {:#}", answer.body);
        }
    }
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let answer = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{mine_id}/schedule"),
        Some(&t.author),
        Some(json!({ "publish_at": later })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 403);
    let body = gql(
        &app,
        Some(&t.author),
        "mutation($id: ID!) { publishArticle(id: $id) { status } }",
        json!({ "id": mine_id }),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = gql(
        &app,
        Some(&t.author),
        "mutation($id: ID!) { deleteArticle(id: $id) }",
        json!({ "id": mine_id }),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let answer = rest(
        &app,
        Method::DELETE,
        &format!("/v1/articles/{mine_id}"),
        Some(&t.author),
        None,
        &[],
    )
    .await;
    assert_eq!(answer.status, 403);

    // Once published, the author's article is no longer theirs to edit.
    let answer = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{mine_id}/publish"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(answer.status, 200);
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{mine_id}"),
        Some(&t.author),
        edit(3),
        &[],
    )
    .await;
    assert_eq!(answer.status, 403, "authors edit drafts only");

    // Revisions are for staff.
    let path = format!("/v1/articles/{mine_id}/revisions");
    assert_eq!(
        rest(&app, Method::GET, &path, None, None, &[]).await.status,
        401
    );
    assert_eq!(
        rest(&app, Method::GET, &path, Some(&t.reader), None, &[])
            .await
            .status,
        403
    );
    assert_eq!(
        rest(&app, Method::GET, &path, Some(&t.author), None, &[])
            .await
            .status,
        200
    );

    // Deleting.
    let answer = rest(
        &app,
        Method::DELETE,
        &format!("/v1/articles/{mine_id}"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.headers["cache-control"], "no-store");
    let body = gql(
        &app,
        Some(&t.admin),
        "mutation($id: ID!) { deleteArticle(id: $id) }",
        json!({ "id": other_id }),
    )
    .await;
    assert_eq!(body["data"]["deleteArticle"], other_id, "{body:#}");
    let gone = rest(
        &app,
        Method::GET,
        &format!("/v1/articles/{}", other["slug"].as_str().unwrap()),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn rubrics_authors_and_tags_are_written_by_editors_and_kept_when_in_use() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let rubric = json!({ "name": "Économie & Société", "description": "Chiffres." });
    for (token, status) in [(None, 401), (Some(&t.reader), 403), (Some(&t.author), 403)] {
        let answer = rest(
            &app,
            Method::POST,
            "/v1/rubrics",
            token.map(String::as_str),
            Some(rubric.clone()),
            &[],
        )
        .await;
        assert_eq!(answer.status, status, "{:#}", answer.body);
    }
    let answer = rest(
        &app,
        Method::POST,
        "/v1/rubrics",
        Some(&t.editor),
        Some(rubric.clone()),
        &[],
    )
    .await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(answer.body["data"]["slug"], "economie-societe");
    let location = answer.headers["location"].to_str().unwrap();
    assert!(
        location.ends_with("/v1/rubrics/economie-societe"),
        "{location}"
    );
    let answer = rest(
        &app,
        Method::PATCH,
        "/v1/rubrics/economie-societe",
        Some(&t.admin),
        Some(json!({ "parent": fx::RUBRIC_SLUG, "position": 3 })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["data"]["parent"]["slug"], fx::RUBRIC_SLUG);
    let cycle = rest(
        &app,
        Method::PATCH,
        &format!("/v1/rubrics/{}", fx::RUBRIC_SLUG),
        Some(&t.admin),
        Some(json!({ "parent": "economie-societe" })),
        &[],
    )
    .await;
    assert_eq!((cycle.status, cycle.field()), (422, "parent"));
    let in_use = rest(
        &app,
        Method::DELETE,
        &format!("/v1/rubrics/{}", fx::RUBRIC_SLUG),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(in_use.status, 409);
    let body = gql(
        &app,
        Some(&t.editor),
        "mutation { deleteRubric(id: \"international\") }",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT");
    let answer = rest(
        &app,
        Method::DELETE,
        "/v1/rubrics/economie-societe",
        Some(&t.reader),
        None,
        &[],
    )
    .await;
    assert_eq!(answer.status, 403);
    let answer = rest(
        &app,
        Method::DELETE,
        "/v1/rubrics/economie-societe",
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(answer.status, 204);

    // Authors.
    let body = gql(
        &app,
        Some(&t.editor),
        "mutation($input: CreateAuthorInput!) { createAuthor(input: $input) { id slug name avatarUrl } }",
        json!({ "input": { "name": "Zoé Ångström", "avatarUrl": "https://img.example/z.png" } }),
    )
    .await;
    let author = &body["data"]["createAuthor"];
    assert_eq!(author["slug"], "zoe-angstrom", "{body:#}");
    let body = gql(
        &app,
        Some(&t.editor),
        "mutation($id: ID!) { updateAuthor(id: $id, input: { bio: \"Reporter.\", avatarUrl: null }) { bio avatarUrl } }",
        json!({ "id": author["id"] }),
    )
    .await;
    assert_eq!(
        body["data"]["updateAuthor"],
        json!({ "bio": "Reporter.", "avatarUrl": null }),
        "{body:#}"
    );
    let body = gql(
        &app,
        Some(&t.author),
        "mutation($id: ID!) { deleteAuthor(id: $id) }",
        json!({ "id": author["id"] }),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let in_use = rest(
        &app,
        Method::DELETE,
        &format!("/v1/authors/{}", t.own_slug),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(in_use.status, 409);
    let answer = rest(
        &app,
        Method::DELETE,
        "/v1/authors/zoe-angstrom",
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(answer.status, 204);

    // Tags.
    let answer = rest(
        &app,
        Method::POST,
        "/v1/tags",
        Some(&t.editor),
        Some(json!({ "name": "Énergie houlomotrice" })),
        &[],
    )
    .await;
    assert_eq!(answer.body["data"]["slug"], "energie-houlomotrice");
    let answer = rest(
        &app,
        Method::POST,
        "/v1/tags",
        Some(&t.editor),
        Some(json!({ "name": "Énergie houlomotrice" })),
        &[],
    )
    .await;
    assert_eq!(
        answer.body["data"]["slug"], "energie-houlomotrice-2",
        "a generated slug is numbered"
    );
    let answer = rest(
        &app,
        Method::PATCH,
        "/v1/tags/energie-houlomotrice-2",
        Some(&t.editor),
        Some(json!({ "name": "Énergies", "slug": "energies" })),
        &[],
    )
    .await;
    assert_eq!(
        answer.body["data"],
        json!({ "id": answer.body["data"]["id"], "slug": "energies", "name": "Énergies" })
    );
    let answer = rest(
        &app,
        Method::PATCH,
        "/v1/tags/energies",
        Some(&t.author),
        Some(json!({ "name": "X" })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 403);
    let answer = rest(
        &app,
        Method::DELETE,
        &format!("/v1/tags/{}", fx::TAG_SLUG),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(
        answer.status, 204,
        "a used tag is removed from its articles"
    );
    assert_eq!(
        rest(
            &app,
            Method::GET,
            &format!("/v1/tags/{}", fx::TAG_SLUG),
            None,
            None,
            &[]
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn a_renamed_article_is_found_under_its_new_slug_and_words() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let a = create(&app, &t.editor, draft("Ancien titre", &t.own_slug)).await;
    let id = a["id"].as_str().unwrap();
    rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/publish"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    let answer = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{id}"),
        Some(&t.editor),
        Some(json!({ "version": 2, "title": "Les zanzibarophiles", "slug": "zanzibar", "body": "Le **quokka** sourit." })),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let html = answer.body["data"]["body"]["html"]
        .as_str()
        .unwrap_or_default();
    assert!(html.contains("<strong>quokka</strong>"), "{html}");
    assert_eq!(
        rest(
            &app,
            Method::GET,
            "/v1/articles/ancien-titre",
            None,
            None,
            &[]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        rest(&app, Method::GET, "/v1/articles/zanzibar", None, None, &[])
            .await
            .status,
        200
    );
    let found = rest(&app, Method::GET, "/v1/search?q=quokka", None, None, &[]).await;
    assert_eq!(
        found.body["data"][0]["slug"], "zanzibar",
        "{:#}",
        found.body
    );
    let old = rest(&app, Method::GET, "/v1/search?q=ancien", None, None, &[]).await;
    assert!(
        !old.body.to_string().contains("zanzibar"),
        "the old words are gone"
    );
}

#[tokio::test]
async fn of_concurrent_edits_of_one_version_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let a = create(&app, &t.editor, draft("Course", &t.own_slug)).await;
    let path = format!("/v1/articles/{}", a["id"].as_str().unwrap());
    let edits = (0..6).map(|i| {
        rest(
            &app,
            Method::PATCH,
            &path,
            Some(&t.editor),
            Some(json!({ "version": 1, "title": format!("Titre {i}") })),
            &[],
        )
    });
    let answers = futures_util::future::join_all(edits).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 409, 409, 409, 409, 409]);
    let revisions = rest(
        &app,
        Method::GET,
        &format!("{path}/revisions"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(revisions.body["data"].as_array().unwrap().len(), 2);
}

/// An author's list (by rubric or not, with its total) follows every write of the article:
/// the bylines' copies of rubric, status and date are kept by the database in the same
/// transaction.
#[tokio::test]
async fn an_authors_lists_follow_publishing_a_rubric_move_and_unpublishing() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let list = "query($author: String!, $rubric: String) { articles(first: 50, filter: { author: $author, rubric: $rubric }) { totalCount nodes { slug } } }";
    let lookup = |rubric: Option<&'static str>| {
        let app = &app;
        let author = t.own_slug.clone();
        async move {
            let data = app
                .query(list, json!({ "author": author, "rubric": rubric }))
                .await;
            let slugs = crate::helpers::slugs(&data["articles"]["nodes"]);
            let total = data["articles"]["totalCount"].as_i64().expect("total");
            assert_eq!(total as usize, slugs.len(), "the total counts the list");
            slugs
        }
    };
    let slug = "les-bylines-suivent".to_owned();
    let before_all = lookup(None).await;
    let before_rubric = lookup(Some(fx::RUBRIC_SLUG)).await;
    let before_child = lookup(Some(fx::CHILD_RUBRIC_SLUG)).await;

    let a = create(&app, &t.editor, draft("Les bylines suivent", &t.own_slug)).await;
    let id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(
        lookup(None).await,
        before_all,
        "a draft is in no public list"
    );

    let published = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/publish"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(published.status, 200, "{:#}", published.body);
    let all = lookup(None).await;
    assert_eq!(all.len(), before_all.len() + 1);
    assert_eq!(all[0], slug, "newest first");
    let in_rubric = lookup(Some(fx::RUBRIC_SLUG)).await;
    assert_eq!(in_rubric.len(), before_rubric.len() + 1);
    assert!(in_rubric.contains(&slug));

    let moved = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{id}"),
        Some(&t.editor),
        Some(json!({ "version": published.body["data"]["version"], "rubric": fx::CHILD_RUBRIC_SLUG })),
        &[],
    )
    .await;
    assert_eq!(moved.status, 200, "{:#}", moved.body);
    assert_eq!(lookup(Some(fx::RUBRIC_SLUG)).await, before_rubric);
    let in_child = lookup(Some(fx::CHILD_RUBRIC_SLUG)).await;
    assert_eq!(in_child.len(), before_child.len() + 1);
    assert!(in_child.contains(&slug));

    let hidden = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/unpublish"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(hidden.status, 200, "{:#}", hidden.body);
    assert_eq!(lookup(None).await, before_all);
    assert_eq!(lookup(Some(fx::CHILD_RUBRIC_SLUG)).await, before_child);
}

/// The byline that lists read from the article row (`articles.bylines`, kept by triggers)
/// follows every write that changes it: the authors of an article replaced and reordered, an
/// author renamed (name, slug, avatar), and the list, the article page (which reads bios from
/// the authors) and the REST list agree after each.
#[tokio::test]
async fn lists_show_the_byline_as_written_after_author_and_article_edits() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let list = "query($author: String) { articles(first: 50, filter: { author: $author }) { nodes { slug authors { name slug avatarUrl } } } }";
    let byline_in_list = |author: String| {
        let app = &app;
        async move {
            let data = app.query(list, json!({ "author": author })).await;
            data["articles"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .find(|n| n["slug"] == "la-signature-suit")
                .map(|n| n["authors"].clone())
        }
    };
    let names = |authors: &Value| -> Vec<String> {
        authors
            .as_array()
            .expect("authors")
            .iter()
            .map(|a| a["name"].as_str().expect("name").to_owned())
            .collect()
    };

    let mut body = draft("La signature suit", &t.own_slug);
    body["authors"] = json!([t.own_slug, t.other_slug]);
    let a = create(&app, &t.editor, body).await;
    let id = a["id"].as_str().unwrap().to_owned();
    let published = rest(
        &app,
        Method::POST,
        &format!("/v1/articles/{id}/publish"),
        Some(&t.editor),
        None,
        &[],
    )
    .await;
    assert_eq!(published.status, 200, "{:#}", published.body);
    let first = byline_in_list(t.own_slug.clone()).await.expect("listed");
    let own_name = first[0]["name"].as_str().unwrap().to_owned();
    let other_name = first[1]["name"].as_str().unwrap().to_owned();
    assert_eq!(first[0]["slug"], t.own_slug.as_str(), "byline order kept");
    assert_eq!(first[1]["slug"], t.other_slug.as_str());

    // Reordered: the list shows the new order.
    let reordered = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{id}"),
        Some(&t.editor),
        Some(json!({ "version": published.body["data"]["version"], "authors": [t.other_slug, t.own_slug] })),
        &[],
    )
    .await;
    assert_eq!(reordered.status, 200, "{:#}", reordered.body);
    let second = byline_in_list(t.other_slug.clone()).await.expect("listed");
    assert_eq!(names(&second), vec![other_name.clone(), own_name.clone()]);

    // An author renamed, with a new slug and avatar: every list shows the new byline.
    let renamed = rest(
        &app,
        Method::PATCH,
        &format!("/v1/authors/{}", t.other_slug),
        Some(&t.admin),
        Some(json!({ "name": "Nadia Renommée", "slug": "nadia-renommee", "avatar_url": "https://media.example.org/nadia.jpg" })),
        &[],
    )
    .await;
    assert_eq!(renamed.status, 200, "{:#}", renamed.body);
    let third = byline_in_list("nadia-renommee".into())
        .await
        .expect("listed under the new slug");
    assert_eq!(
        names(&third),
        vec!["Nadia Renommée".to_owned(), own_name.clone()]
    );
    assert_eq!(third[0]["slug"], "nadia-renommee");
    assert_eq!(third[0]["avatarUrl"], "https://media.example.org/nadia.jpg");
    assert_eq!(
        byline_in_list(t.own_slug.clone()).await.expect("listed"),
        third,
        "the same byline whichever author's list shows it"
    );
    let rest_list = rest(
        &app,
        Method::GET,
        "/v1/articles?author=nadia-renommee",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(rest_list.status, 200, "{:#}", rest_list.body);
    let item = rest_list.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|a| a["slug"] == "la-signature-suit")
        .expect("in the REST list")
        .clone();
    assert_eq!(item["authors"][0]["name"], "Nadia Renommée");

    // One author removed: the list shows the one left; the article page agrees.
    let version = reordered.body["data"]["version"].clone();
    let trimmed = rest(
        &app,
        Method::PATCH,
        &format!("/v1/articles/{id}"),
        Some(&t.editor),
        Some(json!({ "version": version, "authors": [t.own_slug] })),
        &[],
    )
    .await;
    assert_eq!(trimmed.status, 200, "{:#}", trimmed.body);
    let fourth = byline_in_list(t.own_slug.clone()).await.expect("listed");
    assert_eq!(names(&fourth), vec![own_name.clone()]);
    assert!(
        byline_in_list("nadia-renommee".into()).await.is_none(),
        "no longer in the removed author's list"
    );
    let page = app
        .query(
            "query($slug: String!) { article(slug: $slug) { authors { name bio } } }",
            json!({ "slug": "la-signature-suit" }),
        )
        .await;
    assert_eq!(names(&page["article"]["authors"]), vec![own_name]);
}
