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
