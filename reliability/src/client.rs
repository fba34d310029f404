//! What the suite's clients send: comment posts with an `Idempotency-Key`, article reads
//! through both doors, and the classification of what comes back.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// A comment as one client writes it; `key` and `body` are unique to it.
#[derive(Clone, Debug)]
pub struct Post {
    pub slug: String,
    pub key: String,
    pub email: String,
    pub body: String,
}

/// What came back from one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 2xx, with the comment's global id when a comment was posted.
    Ok { status: u16, id: Option<String> },
    /// 503 (or GraphQL `UNAVAILABLE`, whose HTTP status is kept), and whether
    /// `Retry-After` (GraphQL: `extensions.retryAfter`) came with it.
    Unavailable { status: u16, retry_after: bool },
    /// Any other status; `code` is the problem's or GraphQL error's code; `locked` says
    /// whether the answer mentioned "database is locked".
    Error {
        status: u16,
        code: String,
        locked: bool,
    },
    /// No HTTP answer at all (server down, connection cut).
    Transport,
}

impl Answer {
    /// A short label for tallies: the status, `GRAPHQL_<CODE>` or `transport`.
    pub fn label(&self) -> String {
        match self {
            Self::Ok { status, .. } => status.to_string(),
            Self::Unavailable { status: 503, .. } => "503".into(),
            Self::Unavailable { status, .. } => format!("{status} UNAVAILABLE"),
            Self::Error { status, code, .. } if *status == 200 => format!("200 {code}"),
            Self::Error { status, .. } => status.to_string(),
            Self::Transport => "transport".into(),
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok { .. })
    }
}

/// The global id of a comment, as the API writes it.
pub fn comment_gid(id: i64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("Comment:{id}"))
}

pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .pool_max_idle_per_host(256)
        .build()
        .expect("an HTTP client")
}

/// What came back; `want_id`: a REST answer whose `data.id` the caller needs.
async fn classify(
    response: Result<reqwest::Response, reqwest::Error>,
    graphql: bool,
    want_id: bool,
) -> Answer {
    let Ok(response) = response else {
        return Answer::Transport;
    };
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let Ok(text) = response.text().await else {
        return Answer::Transport;
    };
    let locked = text.contains("database is locked");
    // The load generator shares the server's cores: a successful read is not parsed (a
    // GraphQL answer only when it carries errors), a comment post only for its id.
    let success = (200..300).contains(&status);
    let needed = if graphql {
        text.contains("\"errors\"")
    } else {
        !success || want_id
    };
    if success && !needed {
        return Answer::Ok { status, id: None };
    }
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if graphql {
        if let Some(code) = body["errors"][0]["extensions"]["code"].as_str() {
            if code == "UNAVAILABLE" {
                let hinted = body["errors"][0]["extensions"]["retryAfter"].is_number();
                return Answer::Unavailable {
                    status,
                    retry_after: retry_after || hinted,
                };
            }
            return Answer::Error {
                status,
                code: code.to_owned(),
                locked,
            };
        }
    }
    match status {
        200..=299 => Answer::Ok {
            status,
            id: body["data"]["id"].as_str().map(str::to_owned),
        },
        503 => Answer::Unavailable {
            status,
            retry_after,
        },
        _ => Answer::Error {
            status,
            code: body["code"].as_str().unwrap_or("").to_owned(),
            locked,
        },
    }
}

/// POSTs a comment with its `Idempotency-Key`; `body` overrides the post's body (to send
/// the same key with another comment).
pub async fn post_comment(
    http: &reqwest::Client,
    base: &str,
    post: &Post,
    body: Option<&str>,
) -> (Answer, Duration) {
    let started = Instant::now();
    let response = http
        .post(format!("{base}/v1/articles/{}/comments", post.slug))
        .header("Idempotency-Key", &post.key)
        .json(&json!({
            "author_name": "Fiabilité",
            "author_email": post.email,
            "body": body.unwrap_or(&post.body),
        }))
        .send()
        .await;
    (classify(response, false, true).await, started.elapsed())
}

/// Reads an article page: REST `GET /v1/articles/{slug}`, or the GraphQL article query.
pub async fn read_article(
    http: &reqwest::Client,
    base: &str,
    slug: &str,
    graphql: bool,
) -> (Answer, Duration) {
    let started = Instant::now();
    let response = if graphql {
        http.post(format!("{base}/graphql"))
            .json(&json!({
                "query": "query($slug: String!) { article(slug: $slug) { title standfirst publishedAt body(format: HTML) rubric { name slug } authors { name slug } tags { name slug } commentCount } }",
                "variables": { "slug": slug },
            }))
            .send()
            .await
    } else {
        http.get(format!("{base}/v1/articles/{slug}")).send().await
    };
    (classify(response, graphql, false).await, started.elapsed())
}

/// Reads a list page (REST), a database-bound request that touches many rows.
pub async fn read_list(http: &reqwest::Client, base: &str) -> (Answer, Duration) {
    let started = Instant::now();
    let response = http
        .get(format!("{base}/v1/articles?first=10&include_total=true"))
        .send()
        .await;
    (classify(response, false, false).await, started.elapsed())
}

/// An ordinary reader until `end`: random article pages, REST and GraphQL in turn (starting
/// with reader number `reader`'s parity), 20 ms apart (not a load test: the CPU is left to the
/// server). Answers by label, and each read's time.
pub async fn read_articles_until(
    http: &reqwest::Client,
    base: &str,
    slugs: &[String],
    reader: usize,
    end: Instant,
) -> (crate::report::Tally, Vec<Duration>) {
    let (mut tally, mut took) = (crate::report::Tally::default(), Vec::new());
    let mut i = reader;
    while Instant::now() < end {
        i += 1;
        let slug = &slugs[fastrand::usize(..slugs.len())];
        let (answer, t) = read_article(http, base, slug, i % 2 == 0).await;
        tally.add(answer.label());
        took.push(t);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (tally, took)
}
