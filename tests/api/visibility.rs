//! Drafts and scheduled articles are invisible to anonymous readers everywhere; only
//! approved comments are visible.

use kiosque::seed::demo::fixtures as fx;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn drafts_and_scheduled_articles_are_invisible_in_every_read() {
    let app = TestApp::spawn().await;
    for slug in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG] {
        let data = app
            .query(
                "query($s: String!) { article(slug: $s) { slug } }",
                json!({ "s": slug }),
            )
            .await;
        assert!(data["article"].is_null(), "{slug} by slug");
    }
    let lists = [
        "{ articles(first: 100) { totalCount nodes { slug } } }",
        "{ articles(first: 40) { nodes { related(first: 20) { slug } moreInRubric(first: 20) { slug } previous { slug } next { slug } } } }",
        "{ search(query: \"zeppelin\") { totalCount nodes { slug } } }",
        "{ home(latest: 100, perRubric: 20) { latest { slug } rubrics { articles { slug } } } }",
        "{ rubric(slug: \"international\") { articles(first: 100) { totalCount nodes { slug } } } }",
        "{ author(slug: \"claire-vasseur\") { articles(first: 100) { totalCount nodes { slug } } } }",
        "{ tag(slug: \"diplomatie\") { articles(first: 100) { totalCount nodes { slug } } } }",
    ];
    let mut everything = serde_json::Map::new();
    for query in lists {
        let data = app.query(query, json!({})).await;
        for (key, value) in data.as_object().unwrap() {
            everything.insert(format!("{key}{}", everything.len()), value.clone());
        }
    }
    let everything = serde_json::Value::Object(everything);
    let text = serde_json::to_string(&everything).unwrap();
    assert!(!text.contains(fx::DRAFT_SLUG), "a draft leaked");
    assert!(
        !text.contains(fx::SCHEDULED_SLUG),
        "a scheduled article leaked"
    );
    assert_eq!(everything["search2"]["totalCount"], 0);
    assert_eq!(everything["rubric4"]["articles"]["totalCount"], 10);
    assert_eq!(everything["author5"]["articles"]["totalCount"], 8);
    assert_eq!(everything["tag6"]["articles"]["totalCount"], 10);
    let listed = everything["articles0"]["nodes"].as_array().unwrap().len() as i64;
    assert_eq!(
        everything["articles0"]["totalCount"], listed,
        "the count agrees with the list"
    );
}

#[tokio::test]
async fn only_approved_comments_are_visible() {
    let app = TestApp::spawn().await;
    let data = app
        .query(
            "query($s: String!) { article(slug: $s) { commentCount comments(first: 100) { totalCount nodes { body parent { id } } } } }",
            json!({ "s": fx::COMMENTED_SLUG }),
        )
        .await;
    let comments = &data["article"]["comments"];
    assert_eq!(comments["totalCount"], fx::COMMENTED_APPROVED as i64);
    assert_eq!(
        comments["nodes"].as_array().unwrap().len(),
        fx::COMMENTED_APPROVED
    );
    assert!(
        !serde_json::to_string(comments)
            .unwrap()
            .contains(fx::PENDING_MARKER)
    );
}

#[tokio::test]
async fn staff_see_drafts_in_graphql_and_bad_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let q = "query($s: String!) { article(slug: $s) { slug status } }";
    let body = json!({ "query": q, "variables": { "s": fx::DRAFT_SLUG } });
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(app.token(kiosque::auth::Role::Author).await)
        .json(&body)
        .send()
        .await
        .unwrap();
    let data: serde_json::Value = response.json().await.unwrap();
    assert_eq!(data["data"]["article"]["status"], "DRAFT");
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth("nonsense")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let data: serde_json::Value = response.json().await.unwrap();
    assert_eq!(data["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}
