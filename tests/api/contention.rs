//! Contention over HTTP, on both engines: two editors racing edits of one article (optimistic
//! concurrency through both doors), and concurrent comment posts sharing an `Idempotency-Key`.

use kiosque::auth::Role;
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const ROUNDS: usize = 50;

/// How a racer sends its edit: REST with `If-Match`, REST with `version` in the body, or the
/// GraphQL mutation.
#[derive(Clone, Copy, Debug)]
enum Door {
    IfMatch,
    BodyVersion,
    Graphql,
}

/// The outcome of one edit: the HTTP status, and the GraphQL error code if any.
#[derive(Debug)]
struct Outcome {
    status: u16,
    code: Option<String>,
    version: Option<i64>,
}

impl Outcome {
    fn won(&self) -> bool {
        self.status == 200 && self.code.is_none()
    }
}

async fn edit(
    app: &TestApp,
    token: &str,
    id: &str,
    door: Door,
    version: i64,
    text: &str,
) -> Outcome {
    let request = match door {
        Door::IfMatch => app
            .client
            .patch(app.url(&format!("/v1/articles/{id}")))
            .header("if-match", format!("\"{version}\""))
            .json(&json!({ "standfirst": text })),
        Door::BodyVersion => app
            .client
            .patch(app.url(&format!("/v1/articles/{id}")))
            .json(&json!({ "version": version, "standfirst": text })),
        Door::Graphql => app.client.post(app.url("/graphql")).json(&json!({
            "query": "mutation($id: ID!, $v: Int!, $input: UpdateArticleInput!) { updateArticle(id: $id, version: $v, input: $input) { version } }",
            "variables": { "id": id, "v": version, "input": { "standfirst": text } },
        })),
    };
    let response = request.bearer_auth(token).send().await.expect("request");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match door {
        Door::Graphql => Outcome {
            status,
            code: body["errors"][0]["extensions"]["code"]
                .as_str()
                .map(str::to_owned),
            version: body["data"]["updateArticle"]["version"].as_i64(),
        },
        _ => Outcome {
            status,
            code: body["code"].as_str().map(str::to_owned),
            version: body["data"]["version"].as_i64(),
        },
    }
}

/// What a loser must answer through each door.
fn lost_as_expected(door: Door, outcome: &Outcome) -> bool {
    let code = outcome.code.as_deref();
    match door {
        Door::IfMatch => outcome.status == 412 && code == Some("CONFLICT"),
        Door::BodyVersion => outcome.status == 409 && code == Some("CONFLICT"),
        Door::Graphql => code == Some("CONFLICT"),
    }
}

#[tokio::test]
async fn two_editors_racing_fifty_edits_get_one_success_per_version_and_lose_no_change() {
    let app = TestApp::spawn().await;
    // Two editors, two accounts.
    let one = app.user(Role::Editor, "Une", None).await.token;
    let two = app.user(Role::Editor, "Deux", None).await.token;
    let created = app
        .client
        .post(app.url("/v1/articles"))
        .bearer_auth(&one)
        .json(&json!({ "title": "Course d'édition", "rubric": fx::RUBRIC_SLUG, "authors": [fx::AUTHOR_SLUG], "body": "Un corps." }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    let id = created["data"]["id"].as_str().expect("id").to_owned();

    let mut winners = Vec::new();
    for round in 0..ROUNDS {
        let version = round as i64 + 1;
        let rest_door = if round % 2 == 0 {
            Door::IfMatch
        } else {
            Door::BodyVersion
        };
        // Alternate who goes first, so that neither door always wins.
        let (a_text, b_text) = (format!("A{round}"), format!("B{round}"));
        let (a, b) = if round % 3 == 0 {
            let (b, a) = tokio::join!(
                edit(&app, &two, &id, Door::Graphql, version, &b_text),
                edit(&app, &one, &id, rest_door, version, &a_text),
            );
            (a, b)
        } else {
            tokio::join!(
                edit(&app, &one, &id, rest_door, version, &a_text),
                edit(&app, &two, &id, Door::Graphql, version, &b_text),
            )
        };
        let winner = match (a.won(), b.won()) {
            (true, false) => {
                assert!(lost_as_expected(Door::Graphql, &b), "round {round}: {b:?}");
                a_text
            }
            (false, true) => {
                assert!(lost_as_expected(rest_door, &a), "round {round}: {a:?}");
                b_text
            }
            _ => panic!("round {round}: not exactly one success: {a:?} {b:?}"),
        };
        let new_version = a.version.or(b.version);
        assert_eq!(new_version, Some(version + 1), "round {round}");
        winners.push(winner);
    }

    let revisions: Value = app
        .client
        .get(app.url(&format!("/v1/articles/{id}/revisions")))
        .bearer_auth(&one)
        .send()
        .await
        .expect("revisions")
        .json()
        .await
        .expect("JSON");
    let mut list = revisions["data"].as_array().expect("revisions").clone();
    list.reverse();
    let versions: Vec<i64> = list
        .iter()
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, (1..=ROUNDS as i64 + 1).collect::<Vec<_>>());
    // Each saved version records the winner's change over the previous winner's: nothing was
    // overwritten behind anyone's back.
    for (round, winner) in winners.iter().enumerate() {
        let change = &list[round + 1]["changes"]["standfirst"];
        assert_eq!(change["new"], json!(winner), "version {}", round + 2);
        if round > 0 {
            assert_eq!(
                change["old"],
                json!(winners[round - 1]),
                "version {}",
                round + 2
            );
        }
    }
}

#[tokio::test]
async fn concurrent_posts_with_one_idempotency_key_store_one_comment_and_never_fail() {
    let app = TestApp::spawn_with(|c| {
        c.comments_per_client = 0;
        c.comments_per_article = 0;
    })
    .await;
    let path = format!("/v1/articles/{}/comments", fx::COMMENTED_SLUG);
    for attempt in 0..5 {
        let key = format!("same-key-{attempt}");
        let body = json!({ "author_name": "Zoé", "author_email": "zoe@example.fr", "body": format!("Une fois seulement ({attempt}).") });
        let posts = (0..8).map(|_| {
            app.client
                .post(app.url(&path))
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
        });
        let answers = futures_util::future::join_all(posts).await;
        let mut ids = Vec::new();
        for answer in answers {
            let answer = answer.expect("request");
            let status = answer.status();
            let body: Value = answer.json().await.expect("JSON");
            match status {
                StatusCode::CREATED => ids.push(body["data"]["id"].clone()),
                StatusCode::CONFLICT => assert_eq!(body["code"], "CONFLICT", "{body:#}"),
                other => panic!("attempt {attempt}: {other}: {body:#}"),
            }
        }
        assert!(
            !ids.is_empty(),
            "attempt {attempt}: someone got the comment"
        );
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        // A retry after the race answers the one comment.
        let retry = app
            .client
            .post(app.url(&path))
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await
            .expect("retry");
        assert_eq!(retry.status(), StatusCode::CREATED);
        let retry: Value = retry.json().await.expect("JSON");
        assert_eq!(retry["data"]["id"], ids[0]);
    }
    let stored = app
        .client
        .get(app.url("/v1/moderation/comments?status=pending&first=100"))
        .bearer_auth(app.token(Role::Editor).await)
        .send()
        .await
        .expect("queue")
        .json::<Value>()
        .await
        .expect("JSON");
    for attempt in 0..5 {
        let text = format!("Une fois seulement ({attempt}).");
        let n = stored["data"]
            .as_array()
            .expect("queue")
            .iter()
            .filter(|c| c["body"] == json!(text))
            .count();
        assert_eq!(n, 1, "attempt {attempt}: {stored:#}");
    }
}
