//! Moderation: only editors and admins; the queue and its counts; each action and its audit
//! row; bulk actions (all or none); readers' reports in the flagged queue; replies to a
//! removed comment stay readable.

use kiosque::auth::Role;
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::comments_write::{
    comments_path, count, editor, get_json, post_guest, post_json, public_bodies,
};
use crate::helpers::{TestApp, error_code};

fn queue_path(query: &str) -> String {
    format!(
        "/v1/moderation/comments?article={}&{query}",
        fx::COMMENTED_SLUG
    )
}

fn action_path(id: &str) -> String {
    format!("/v1/moderation/comments/{id}/actions")
}

/// GraphQL with a bearer token.
async fn graphql_as(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn moderation_is_for_editors_and_admins_only() {
    let app = TestApp::spawn().await;
    editor(&app).await;
    let target = post_guest(&app, "a@example.fr", "À modérer.").await;
    let id = target["id"].as_str().unwrap().to_owned();
    let callers = [
        (None, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        (Some(Role::Reader), StatusCode::FORBIDDEN, "FORBIDDEN"),
        (Some(Role::Author), StatusCode::FORBIDDEN, "FORBIDDEN"),
        (Some(Role::Editor), StatusCode::OK, ""),
        (Some(Role::Admin), StatusCode::OK, ""),
    ];
    for (role, expected, code) in callers {
        let token = match role {
            Some(r) => Some(app.token(r).await),
            None => None,
        };
        let token = token.as_deref();
        let reads = [
            queue_path(""),
            "/v1/moderation/counts".to_owned(),
            format!("/v1/moderation/comments/{id}/log"),
        ];
        for path in reads {
            let (status, _) = get_json(&app, &path, token).await;
            assert_eq!(status, expected, "GET {path} as {role:?}");
        }
        let (status, _, _) = post_json(
            &app,
            &action_path(&id),
            json!({ "action": "approve" }),
            token,
        )
        .await;
        assert_eq!(status, expected, "moderate as {role:?}");
        let (status, _, _) = post_json(
            &app,
            "/v1/moderation/actions",
            json!({ "ids": [id], "action": "reject" }),
            token,
        )
        .await;
        assert_eq!(status, expected, "bulk as {role:?}");
        for query in [
            "{ moderationQueue { totalCount } }",
            "{ moderationCounts { pending } }",
        ] {
            let body = graphql_as(&app, token, query, json!({})).await;
            if code.is_empty() {
                assert!(
                    body.get("errors").is_none(),
                    "{query} as {role:?}: {body:#}"
                );
            } else {
                assert_eq!(error_code(&body), code, "{query} as {role:?}");
            }
        }
        let body = graphql_as(
            &app,
            token,
            "mutation($id: ID!) { moderateComment(id: $id, action: APPROVE) { status } }",
            json!({ "id": id }),
        )
        .await;
        if code.is_empty() {
            assert_eq!(body["data"]["moderateComment"]["status"], "APPROVED");
        } else {
            assert_eq!(error_code(&body), code);
        }
    }
}

#[tokio::test]
async fn the_queue_lists_pending_comments_with_counts_and_pages() {
    let app = TestApp::spawn().await;
    let token = editor(&app).await;
    let (status, counts) = get_json(
        &app,
        &format!("/v1/moderation/counts?article={}", fx::COMMENTED_SLUG),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        counts["data"],
        json!({ "pending": 2, "approved": fx::COMMENTED_APPROVED, "rejected": 1, "spam": 1, "deleted": 0, "flagged": 0 })
    );
    let (_, page) = get_json(
        &app,
        &queue_path("first=1&include_total=true"),
        Some(&token),
    )
    .await;
    assert_eq!(page["page"]["total"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["status"], "pending");
    assert_eq!(page["data"][0]["article_slug"], fx::COMMENTED_SLUG);
    assert!(page["data"][0].get("author_email").is_none());
    let next = page["links"]["next"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let next = next.split_once(&app.addr.to_string()).unwrap().1.to_owned();
    let (_, second) = get_json(&app, &next, Some(&token)).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_ne!(second["data"][0]["id"], page["data"][0]["id"]);
    assert_eq!(second["page"]["has_next"], false);
    for (status, n) in [
        ("spam", 1),
        ("rejected", 1),
        ("approved", 7),
        ("deleted", 0),
    ] {
        let (_, list) =
            get_json(&app, &queue_path(&format!("status={status}")), Some(&token)).await;
        assert_eq!(list["data"].as_array().unwrap().len(), n, "{status}");
    }
    let (status, problem) = get_json(&app, &queue_path("status=bogus"), Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "status");
    let data = graphql_as(
        &app,
        Some(&token),
        "query($a: String) { moderationQueue(article: $a, first: 10) { totalCount edges { node { status body flagCount } } } }",
        json!({ "a": fx::COMMENTED_SLUG }),
    )
    .await;
    assert_eq!(data["data"]["moderationQueue"]["totalCount"], 2, "{data:#}");
}

#[tokio::test]
async fn each_action_changes_the_status_and_writes_an_audit_row() {
    let app = TestApp::spawn().await;
    let token = editor(&app).await;
    for (action, status) in [
        ("approve", "approved"),
        ("reject", "rejected"),
        ("spam", "spam"),
        ("delete", "deleted"),
    ] {
        let posted = post_guest(
            &app,
            &format!("{action}@example.fr"),
            &format!("À {action}."),
        )
        .await;
        let id = posted["id"].as_str().unwrap();
        let (code, _, done) = post_json(
            &app,
            &action_path(id),
            json!({ "action": action, "reason": format!("motif {action}") }),
            Some(&token),
        )
        .await;
        assert_eq!(code, StatusCode::OK, "{done:#}");
        assert_eq!(done["data"]["status"], status);
        assert_eq!(done["data"]["moderation_reason"], format!("motif {action}"));
        let (_, log) = get_json(
            &app,
            &format!("/v1/moderation/comments/{id}/log"),
            Some(&token),
        )
        .await;
        assert_eq!(
            log["data"].as_array().unwrap().len(),
            1,
            "{action}: {log:#}"
        );
        let entry = &log["data"][0];
        assert_eq!(entry["action"], action);
        assert_eq!(entry["from_status"], "pending");
        assert_eq!(entry["to_status"], status);
        assert_eq!(entry["reason"], format!("motif {action}"));
        assert_eq!(entry["actor_name"], "Edith Rédac");
        let visible = public_bodies(&app, fx::COMMENTED_SLUG)
            .await
            .contains(&format!("À {action}."));
        assert_eq!(visible, action == "approve", "{action}");
    }
    // The trail keeps every step, and reads in GraphQL too.
    let posted = post_guest(&app, "twice@example.fr", "Deux fois.").await;
    let id = posted["id"].as_str().unwrap();
    for action in ["APPROVE", "DELETE"] {
        graphql_as(
            &app,
            Some(&token),
            &format!(
                "mutation($id: ID!) {{ moderateComment(id: $id, action: {action}) {{ id }} }}"
            ),
            json!({ "id": id }),
        )
        .await;
    }
    let body = graphql_as(
        &app,
        Some(&token),
        "query($id: ID!) { commentModerationLog(commentId: $id) { action fromStatus toStatus actorName } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        body["data"]["commentModerationLog"],
        json!([
            { "action": "approve", "fromStatus": "PENDING", "toStatus": "APPROVED", "actorName": "Edith Rédac" },
            { "action": "delete", "fromStatus": "APPROVED", "toStatus": "DELETED", "actorName": "Edith Rédac" },
        ])
    );
}

#[tokio::test]
async fn invalid_moderation_requests_name_their_field() {
    let app = TestApp::spawn().await;
    let token = editor(&app).await;
    let posted = post_guest(&app, "a@example.fr", "Un commentaire.").await;
    let id = posted["id"].as_str().unwrap();
    let cases = [
        (action_path(id), json!({ "action": "ban" }), "action"),
        (
            action_path(id),
            json!({ "action": "reject", "reason": "x".repeat(501) }),
            "reason",
        ),
        (action_path("garbage"), json!({ "action": "reject" }), "id"),
        (
            "/v1/moderation/actions".to_owned(),
            json!({ "ids": [], "action": "reject" }),
            "ids",
        ),
        (
            "/v1/moderation/actions".to_owned(),
            json!({ "ids": ["garbage"], "action": "reject" }),
            "ids",
        ),
        (
            "/v1/moderation/actions".to_owned(),
            json!({ "action": "reject" }),
            "ids",
        ),
    ];
    for (path, body, field) in cases {
        let (status, _, problem) = post_json(&app, &path, body.clone(), Some(&token)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem:#}"
        );
        assert_eq!(problem["field"], field, "{body}");
    }
    // The cap counts what was sent: 101 copies of one id are refused, 100 are one comment.
    let many: Vec<String> = (0..101).map(|_| id.to_owned()).collect();
    let (status, _, problem) = post_json(
        &app,
        "/v1/moderation/actions",
        json!({ "ids": many, "action": "reject" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem:#}");
    assert_eq!(problem["field"], "ids");
    let (status, _, _) = post_json(
        &app,
        "/v1/moderation/actions",
        json!({ "ids": vec![id.to_owned(); 100], "action": "reject" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "copies within the cap count once");
    let unknown = kiosque::content::ids::encode(kiosque::content::ids::Kind::Comment, 999_999);
    let (status, _, _) = post_json(
        &app,
        &action_path(&unknown),
        json!({ "action": "reject" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bulk_actions_apply_to_all_or_none() {
    let app = TestApp::spawn().await;
    let token = editor(&app).await;
    let a = post_guest(&app, "a@example.fr", "Premier.").await;
    let b = post_guest(&app, "b@example.fr", "Second.").await;
    let unknown = kiosque::content::ids::encode(kiosque::content::ids::Kind::Comment, 999_999);
    // The demo's own moderation is in the trail already.
    let trail = count(&app, "SELECT count(*) AS n FROM comment_moderations").await;
    let (status, _, _) = post_json(
        &app,
        "/v1/moderation/actions",
        json!({ "ids": [a["id"], b["id"], unknown], "action": "approve" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM comments WHERE body IN ('Premier.', 'Second.') AND status = 'pending'").await,
        2,
        "nothing changed"
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM comment_moderations").await,
        trail
    );
    let (status, _, done) = post_json(
        &app,
        "/v1/moderation/actions",
        json!({ "ids": [a["id"], b["id"]], "action": "spam", "reason": "publicité" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done:#}");
    let statuses: Vec<&str> = done["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["spam", "spam"]);
    assert_eq!(done["data"][0]["id"], a["id"], "in the order asked");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM comment_moderations WHERE action = 'spam' AND reason = 'publicité' AND from_status = 'pending'").await,
        2
    );
    let body = graphql_as(
        &app,
        Some(&token),
        "mutation($ids: [ID!]!) { moderateComments(ids: $ids, action: APPROVE, reason: \"erreur\") { status } }",
        json!({ "ids": [a["id"], b["id"]] }),
    )
    .await;
    assert_eq!(
        body["data"]["moderateComments"],
        json!([{ "status": "APPROVED" }, { "status": "APPROVED" }])
    );
}

#[tokio::test]
async fn readers_reports_show_in_the_flagged_queue_until_dealt_with() {
    let app = TestApp::spawn().await;
    let token = editor(&app).await;
    let (_, list) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let report = |reason: &'static str, token: Option<String>| {
        let app = &app;
        let id = id.clone();
        async move {
            post_json(
                app,
                &format!("/v1/comments/{id}/reports"),
                json!({ "reason": reason }),
                token.as_deref(),
            )
            .await
        }
    };
    let (status, _, accepted) = report("Propos injurieux", None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted:#}");
    assert_eq!(accepted["data"]["status"], "received");
    let (status, _, _) = report("Je le redis", None).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "a second report from the same client counts once"
    );
    let reader = app.user(Role::Reader, "Lecteur", None).await;
    let (status, _, _) = report("Diffamation", Some(reader.token)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let data = app
        .query(
            "mutation($id: ID!) { reportComment(id: $id, reason: \"Hors sujet\") }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["reportComment"], true);

    let (_, flagged) = get_json(&app, &queue_path("status=flagged"), Some(&token)).await;
    let items = flagged["data"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{flagged:#}");
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["flag_count"], 2);
    assert_eq!(
        items[0]["flag_reasons"],
        json!(["Propos injurieux", "Diffamation"])
    );
    let (_, counts) = get_json(&app, "/v1/moderation/counts", Some(&token)).await;
    assert_eq!(counts["data"]["flagged"], 1);

    post_json(
        &app,
        &action_path(&id),
        json!({ "action": "approve", "reason": "acceptable" }),
        Some(&token),
    )
    .await;
    let (_, counts) = get_json(&app, "/v1/moderation/counts", Some(&token)).await;
    assert_eq!(
        counts["data"]["flagged"], 0,
        "an action resolves the reports"
    );

    let (status, _, problem) = report("", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "reason");
    let pending = post_guest(&app, "p@example.fr", "En attente.").await;
    let (status, _, _) = post_json(
        &app,
        &format!("/v1/comments/{}/reports", pending["id"].as_str().unwrap()),
        json!({ "reason": "x" }),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only published comments can be reported"
    );
}

#[tokio::test]
async fn too_many_reports_from_one_client_are_refused() {
    let app = TestApp::spawn_with(|c| c.reports_per_client = 1).await;
    let (_, list) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    for (i, expected) in [StatusCode::ACCEPTED, StatusCode::TOO_MANY_REQUESTS]
        .into_iter()
        .enumerate()
    {
        let (status, headers, _) = post_json(
            &app,
            &format!(
                "/v1/comments/{}/reports",
                list["data"][i]["id"].as_str().unwrap()
            ),
            json!({ "reason": "spam" }),
            None,
        )
        .await;
        assert_eq!(status, expected);
        if expected == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.contains_key("retry-after"));
        }
    }
}

#[tokio::test]
async fn replies_to_a_deleted_comment_stay_readable() {
    let app = TestApp::spawn().await;
    let token = editor(&app).await;
    let (_, list) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    let reply = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["parent_id"].is_null())
        .expect("a reply")
        .clone();
    let parent = reply["parent_id"].as_str().unwrap();
    let (status, _, _) = post_json(
        &app,
        &action_path(parent),
        json!({ "action": "delete", "reason": "insultes" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    let still = after["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == reply["id"])
        .expect("the reply is still there");
    assert!(still["parent_id"].is_null(), "it now starts its own thread");
    assert!(
        !after["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == parent)
    );
}

#[tokio::test]
async fn partner_keys_may_not_moderate_post_report_or_share() {
    let app = TestApp::spawn().await;
    editor(&app).await;
    let admin = app.token(Role::Admin).await;
    let (status, _, created) = post_json(
        &app,
        "/v1/api-keys",
        json!({ "name": "Partenaire", "scopes": ["articles:read", "comments:read"] }),
        Some(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created:#}");
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    let (_, list) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let writes = [
        (
            comments_path(fx::COMMENTED_SLUG),
            json!({ "body": "Un partenaire parle." }),
        ),
        (
            format!("/v1/comments/{id}/reports"),
            json!({ "reason": "x" }),
        ),
        (
            format!("/v1/articles/{}/share", fx::COMMENTED_SLUG),
            json!({ "recipient_email": "a@example.fr", "sender_name": "P" }),
        ),
        (action_path(&id), json!({ "action": "reject" })),
    ];
    for (path, body) in writes {
        let response = app
            .client
            .post(app.url(&path))
            .header("x-api-key", &key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    let response = app
        .client
        .get(app.url(&queue_path("")))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
