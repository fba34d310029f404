//! The GraphQL fast path answers exactly as the general executor: each query runs twice,
//! the first time through the executor (which proves the document), the second through the
//! fast path, and the two bodies must be identical.

use kiosque::seed::demo::fixtures as fx;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn raw(app: &TestApp, query: &str, variables: &Value) -> String {
    app.client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body")
}

/// Runs `query` through both paths and checks that they agree (as JSON values: the general
/// executor does not always keep the selection order of root fields, the fast path does) and
/// that the fast path was (or was not) taken.
async fn same_answer(app: &TestApp, query: &str, variables: Value, fast: bool) -> Value {
    let slow = raw(app, query, &variables).await;
    let hits = app.state.documents.fast_path_hits();
    let before = app.statements();
    let second = raw(app, query, &variables).await;
    let fast_statements = app.statements() - before;
    assert_eq!(
        app.state.documents.fast_path_hits() - hits,
        u64::from(fast),
        "fast path taken? {query}"
    );
    let (slow_json, second_json): (Value, Value) = (
        serde_json::from_str(&slow).expect("JSON"),
        serde_json::from_str(&second).expect("JSON"),
    );
    assert_eq!(slow_json, second_json, "the two paths disagree on {query}");
    let before = app.statements();
    raw(app, query, &variables).await;
    assert_eq!(
        app.statements() - before,
        fast_statements,
        "same statements each time"
    );
    serde_json::from_str(&slow).expect("JSON")
}

#[tokio::test]
async fn the_fast_path_answers_the_hot_pages_exactly_like_the_executor() {
    let app = TestApp::spawn().await;
    let home = "query Home { articles(first: 20) { nodes { title slug standfirst publishedAt authors { name slug } rubric { name slug } } } }";
    let body = same_answer(&app, home, json!({}), true).await;
    assert_eq!(
        body["data"]["articles"]["nodes"].as_array().unwrap().len(),
        20
    );

    let article = "query Article($slug: String!) { article(slug: $slug) { title slug standfirst body publishedAt
        authors { name slug bio } rubric { name slug } moreInRubric(first: 5) { title slug publishedAt }
        comments(first: 50) { nodes { authorName body createdAt } } } }";
    let body = same_answer(&app, article, json!({ "slug": fx::COMMENTED_SLUG }), true).await;
    assert_eq!(
        body["data"]["article"]["comments"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        fx::COMMENTED_APPROVED
    );
    let body = same_answer(&app, article, json!({ "slug": "no-such-article" }), true).await;
    assert!(body["data"]["article"].is_null());

    let filter = "query Filter($rubric: String!, $author: String!, $from: DateTime!, $to: DateTime!, $after: String) {
        articles(first: 2, after: $after, filter: { rubric: $rubric, author: $author, publishedAfter: $from, publishedBefore: $to }) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { title slug standfirst publishedAt authors { name } rubric { name } } } } }";
    let vars = json!({ "rubric": fx::RUBRIC_SLUG, "author": fx::AUTHOR_SLUG, "from": "2000-01-01T00:00:00Z", "to": "2999-01-01T00:00:00Z", "after": null });
    let body = same_answer(&app, filter, vars.clone(), true).await;
    let cursor = body["data"]["articles"]["pageInfo"]["endCursor"].clone();
    let mut next = vars;
    next["after"] = cursor;
    same_answer(&app, filter, next, true).await;
}

#[tokio::test]
async fn aliases_fragments_and_formats_agree_too() {
    let app = TestApp::spawn().await;
    let q = "query Page($slug: String!) { __typename
        a: article(slug: $slug) { ...Card html: body(format: HTML) text: body(format: TEXT) status version wordCount
          readingTimeMinutes updatedAt id ... on Article { language rubric { __typename id } }
          more: moreInRubric(first: 2) { ...Card moreInRubric(first: 1) { slug } }
          comments(first: 3) { __typename totalCount pageInfo { __typename hasNextPage endCursor }
            edges { __typename cursor node { __typename id authorName } } } }
        latest: articles(first: 3, orderBy: TITLE_ASC) { totalCount nodes { ...Card } } }
      fragment Card on Article { __typename slug title authors { __typename id name avatarUrl } }";
    same_answer(&app, q, json!({ "slug": fx::COMMENTED_SLUG }), true).await;
}

#[tokio::test]
async fn unsupported_selections_stay_on_the_general_executor() {
    let app = TestApp::spawn().await;
    for q in [
        "{ articles(first: 2) { nodes { slug tags { slug } } } }",
        "{ articles(first: 2) { nodes { slug @include(if: true) } } }",
        "{ rubrics { slug } }",
    ] {
        same_answer(&app, q, json!({}), false).await;
    }
}

#[tokio::test]
async fn the_featured_image_and_seo_are_read_where_they_are_asked_for() {
    // The fast path does not read the media and SEO columns; a query that asks for them
    // goes to the executor, which reads them, whatever ran before it.
    let app = TestApp::spawn().await;
    same_answer(
        &app,
        "{ articles(first: 12) { nodes { slug title } } }",
        json!({}),
        true,
    )
    .await;
    let q = "{ articles(first: 12) { nodes { slug title standfirst \
             featuredImage { url alt } seo { title description } } } }";
    let body = same_answer(&app, q, json!({}), false).await;
    let nodes = body["data"]["articles"]["nodes"].as_array().unwrap();
    assert!(
        nodes.iter().any(|n| n["featuredImage"]["url"].is_string()),
        "{body}"
    );
    assert!(
        nodes.iter().any(|n| n["seo"]["title"] != n["title"]),
        "some demo articles have an SEO title of their own: {body}"
    );
}

/// The statements the fast path spends on `query` (once proven by [`same_answer`]).
async fn fast_statements(app: &TestApp, query: &str, variables: &Value) -> u64 {
    let before = app.statements();
    raw(app, query, variables).await;
    app.statements() - before
}

#[tokio::test]
async fn the_article_page_is_one_statement_with_its_lists_and_comment_pages() {
    let app = TestApp::spawn().await;
    let article = "query Article($slug: String!) { article(slug: $slug) { title slug standfirst body publishedAt
        authors { name slug bio } rubric { name slug } moreInRubric(first: 5) { title slug publishedAt }
        comments(first: 50) { nodes { authorName body createdAt } } } }";
    let vars = json!({ "slug": fx::COMMENTED_SLUG });
    let body = same_answer(&app, article, vars.clone(), true).await;
    assert!(
        !body["data"]["article"]["moreInRubric"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(fast_statements(&app, article, &vars).await, 1);

    // Pages of comments forward and backward from a cursor, with their total, and related
    // articles in another shape: still one statement, still the executor's answer.
    let paged = "query Paged($slug: String!, $after: String, $before: String) { article(slug: $slug) { slug
        more: moreInRubric(first: 2) { slug title authors { name } rubric { slug } }
        next: comments(first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id authorName body createdAt } } }
        back: comments(last: 2, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          nodes { id body } } } }";
    let first = same_answer(
        &app,
        paged,
        json!({ "slug": fx::COMMENTED_SLUG, "after": null, "before": null }),
        true,
    )
    .await;
    assert_eq!(
        first["data"]["article"]["next"]["totalCount"],
        json!(fx::COMMENTED_APPROVED)
    );
    // (Two comment lists are read as the article's relations, one statement each.)
    let single = "query Paged($slug: String!, $after: String) { article(slug: $slug) { slug
        more: moreInRubric(first: 2) { slug title authors { name } rubric { slug } }
        comments(first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id authorName body createdAt } } } } }";
    let mut after = Value::Null;
    let mut seen = 0;
    loop {
        let vars = json!({ "slug": fx::COMMENTED_SLUG, "after": after });
        let body = same_answer(&app, single, vars.clone(), true).await;
        assert_eq!(fast_statements(&app, single, &vars).await, 1);
        let page = &body["data"]["article"]["comments"];
        assert_eq!(page["totalCount"], json!(fx::COMMENTED_APPROVED));
        seen += page["edges"].as_array().unwrap().len();
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, fx::COMMENTED_APPROVED);
    let back = "query Back($slug: String!, $before: String) { article(slug: $slug) {
        comments(last: 3, before: $before) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          nodes { id body createdAt } } } }";
    let body = same_answer(
        &app,
        back,
        json!({ "slug": fx::COMMENTED_SLUG, "before": null }),
        true,
    )
    .await;
    let start = body["data"]["article"]["comments"]["pageInfo"]["startCursor"].clone();
    let vars = json!({ "slug": fx::COMMENTED_SLUG, "before": start });
    let body = same_answer(&app, back, vars.clone(), true).await;
    assert_eq!(
        body["data"]["article"]["comments"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(fast_statements(&app, back, &vars).await, 1);

    // A draft (not the public's) and an article that does not exist.
    for slug in [fx::DRAFT_SLUG, "no-such-article"] {
        let vars = json!({ "slug": slug });
        let body = same_answer(&app, article, vars.clone(), true).await;
        assert!(body["data"]["article"].is_null());
        assert_eq!(fast_statements(&app, article, &vars).await, 1);
    }
}

#[tokio::test]
async fn related_articles_with_bios_and_bodies_are_in_the_one_statement_too() {
    let app = TestApp::spawn().await;
    let q = "query($slug: String!) { article(slug: $slug) { slug authors { name bio }
        moreInRubric(first: 3) { slug body(format: TEXT) authors { name slug bio } rubric { name } }
        comments(first: 2) { totalCount nodes { body } } } }";
    let vars = json!({ "slug": fx::COMMENTED_SLUG });
    let body = same_answer(&app, q, vars.clone(), true).await;
    let more = body["data"]["article"]["moreInRubric"].as_array().unwrap();
    assert!(!more.is_empty());
    assert!(
        more.iter()
            .all(|a| a["authors"].as_array().is_some_and(|x| !x.is_empty()))
    );
    assert_eq!(fast_statements(&app, q, &vars).await, 1);
}
