//! No N+1: the statements a page costs depend on its shape, not on its sizes.

use kiosque::seed::demo::fixtures as fx;
use serde_json::json;

use crate::helpers::TestApp;

async fn statements_of(app: &TestApp, query: &str, variables: serde_json::Value) -> u64 {
    let before = app.statements();
    app.query(query, variables).await;
    app.statements() - before
}

const HOME: &str = "query($n: Int!, $k: Int!) { home(latest: $n, perRubric: $k) {
    latest { title slug standfirst publishedAt authors { name slug } rubric { name slug } tags { slug } commentCount }
    rubrics { rubric { name slug } articles { title slug authors { name } } } } }";

const ARTICLE: &str = "query($slug: String!, $c: Int!, $m: Int!) { article(slug: $slug) {
    title slug standfirst body publishedAt authors { name slug bio } rubric { name slug }
    tags { slug } sources { name url } commentCount
    moreInRubric(first: $m) { title slug publishedAt authors { name } }
    comments(first: $c) { totalCount nodes { authorName body createdAt replyCount } }
    commentThreads(first: $c) { nodes { body replies { body replies { body } } } }
    related(first: 3) { slug } previous { slug } next { slug } } }";

const LIST: &str = "query($n: Int!) { articles(first: $n, filter: { language: \"fr\" }) { totalCount
    nodes { title slug authors { name articles(first: 2) { nodes { slug } } } rubric { name } tags { name } } } }";

#[tokio::test]
async fn the_home_page_costs_the_same_statements_at_any_size() {
    let app = TestApp::spawn().await;
    let small = statements_of(&app, HOME, json!({ "n": 2, "k": 1 })).await;
    let large = statements_of(&app, HOME, json!({ "n": 40, "k": 6 })).await;
    assert_eq!(
        small, large,
        "home: {small} statements for 2 articles, {large} for 40"
    );
    assert!(large <= 5, "home took {large} statements");
}

#[tokio::test]
async fn the_article_page_costs_the_same_statements_at_any_size() {
    let app = TestApp::spawn().await;
    let small = statements_of(
        &app,
        ARTICLE,
        json!({ "slug": fx::COMMENTED_SLUG, "c": 1, "m": 1 }),
    )
    .await;
    let large = statements_of(
        &app,
        ARTICLE,
        json!({ "slug": fx::COMMENTED_SLUG, "c": 50, "m": 8 }),
    )
    .await;
    assert_eq!(
        small, large,
        "article: {small} statements with small lists, {large} with large ones"
    );
    assert!(large <= 14, "article page took {large} statements");
}

#[tokio::test]
async fn the_bare_article_page_is_three_statements() {
    let app = TestApp::spawn().await;
    let q = "query($slug: String!) { article(slug: $slug) { title slug standfirst body publishedAt
        authors { name slug bio } rubric { name slug } moreInRubric(first: 5) { title slug publishedAt }
        comments(first: 50) { nodes { authorName body createdAt } } } }";
    assert_eq!(
        statements_of(&app, q, json!({ "slug": fx::COMMENTED_SLUG })).await,
        3
    );
}

#[tokio::test]
async fn a_filtered_list_with_its_count_is_one_statement() {
    let app = TestApp::spawn().await;
    let q = "query($n: Int!) { articles(first: $n, filter: { rubric: \"international\", language: \"fr\" }) {
        totalCount nodes { title slug standfirst publishedAt authors { name } rubric { name } } } }";
    assert_eq!(statements_of(&app, q, json!({ "n": 3 })).await, 1);
    assert_eq!(statements_of(&app, q, json!({ "n": 30 })).await, 1);
}

#[tokio::test]
async fn nested_lists_are_batched_not_per_row() {
    let app = TestApp::spawn().await;
    let small = statements_of(&app, LIST, json!({ "n": 2 })).await;
    let large = statements_of(&app, LIST, json!({ "n": 40 })).await;
    assert_eq!(
        small, large,
        "nested lists: {small} statements for 2 rows, {large} for 40"
    );
}

#[tokio::test]
async fn the_rest_article_page_reads_its_lists_with_the_article() {
    let app = TestApp::spawn().await;
    let get = |include: &'static str| {
        let app = &app;
        async move {
            let before = app.statements();
            let url = format!("/v1/articles/{}?include={include}", fx::COMMENTED_SLUG);
            let response = app.client.get(app.url(&url)).send().await.expect("GET");
            assert_eq!(response.status(), 200, "{url}");
            let body: serde_json::Value = response.json().await.expect("JSON");
            (app.statements() - before, body["data"].clone())
        }
    };
    let (statements, body) = get("more_in_rubric,comments,comment_count").await;
    assert_eq!(statements, 1, "article, related, comments and their count");
    assert_eq!(
        body["comments"].as_array().map(Vec::len),
        Some(fx::COMMENTED_APPROVED)
    );
    assert_eq!(body["comment_count"], json!(fx::COMMENTED_APPROVED));
    assert!(!body["more_in_rubric"].as_array().unwrap().is_empty());
    // Tags, sources and neighbours: one statement each, after the article.
    let (statements, _) = get("tags,sources,adjacent,comment_count").await;
    assert_eq!(statements, 4);
}
