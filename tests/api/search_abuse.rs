//! Search cannot take the API down: a document of many searches is refused before any SQL,
//! searches are rate-limited per client on both doors, a request past its deadline stops its
//! SQL and gives its connection back, and readers stay served while searches run.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

/// A word found in many articles of the synthetic corpus, in both languages, and not a stop
/// word for PostgreSQL's French or English configuration.
const COMMON_WORD: &str = "plan";

/// One GraphQL document with `n` aliased `search(first: 1)`.
fn aliased_searches(n: usize) -> String {
    let mut doc = String::from("{");
    for i in 0..n {
        doc.push_str(&format!(
            " s{i}: search(query: \"{COMMON_WORD}\", first: 1) {{ nodes {{ slug }} }}"
        ));
    }
    doc.push_str(" }");
    doc
}

#[tokio::test]
async fn a_document_of_a_thousand_searches_is_refused_before_any_sql() {
    let app = TestApp::spawn().await;
    let flood = aliased_searches(1_000);
    // Twice: the second time the document is cached, and it must not reach the fast path.
    for _ in 0..2 {
        let before = app.statements();
        let body = app.graphql(&flood, json!({})).await;
        assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{body}");
        assert!(body["data"].is_null(), "{body}");
        assert_eq!(app.statements(), before, "no SQL for a refused document");
    }
    // More than a handful is refused too; a couple of searches in one page is fine.
    let body = app.graphql(&aliased_searches(10), json!({})).await;
    assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{body}");
    let body = app.graphql(&aliased_searches(2), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn searches_are_rate_limited_per_client_on_both_doors_each_alias_counting() {
    let app = TestApp::spawn_with(|c| c.searches_per_client = 3).await;
    let rest = format!("/v1/search?q={COMMON_WORD}&first=1");
    assert_eq!(app.get(&rest).await.status(), 200);
    assert_eq!(app.get(&rest).await.status(), 200);
    // The third search passes, the fourth (second alias of the same document) is refused.
    let body = app.graphql(&aliased_searches(2), json!({})).await;
    assert!(body["data"]["s0"]["nodes"].is_array(), "{body}");
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["s1"]), "{body}");
    let refused = app.get(&rest).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    // Over GET too.
    let body: Value = app
        .get(&format!(
            "/graphql?query={}",
            urlencode(&aliased_searches(1))
        ))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    // Other reads are not limited.
    assert_eq!(app.get("/v1/articles?first=1").await.status(), 200);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_request_past_its_deadline_gives_its_connection_back_at_once() {
    let app = TestApp::spawn_with(|c| {
        c.request_timeout = Duration::from_millis(400);
        c.pool.max_connections = 1;
        c.hardening.test_routes = true;
    })
    .await;
    let started = Instant::now();
    let slow = app.get("/__test/slow-statement").await;
    assert_eq!(slow.status(), 408, "{:?}", slow.text().await);
    assert!(started.elapsed() < Duration::from_secs(2));
    // The only connection is back: the next reads succeed at once, not after the
    // statement's minute (or the pool's 2 s wait and a 503). The bound leaves room for a
    // loaded 2-core machine and stays under the pool's wait.
    for _ in 0..3 {
        let started = Instant::now();
        let page = app.get("/v1/articles?first=1").await;
        assert_eq!(page.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }
}

/// Reads article pages one after the other until `stop`, and returns (latencies, statuses
/// other than 200).
async fn read_pages(app: &TestApp, slugs: &[String], stop: Instant) -> (Vec<Duration>, Vec<u16>) {
    let (mut latencies, mut failures) = (Vec::new(), Vec::new());
    let mut i = 0;
    while Instant::now() < stop {
        let started = Instant::now();
        let status = app
            .get(&format!("/v1/articles/{}", slugs[i % slugs.len()]))
            .await
            .status();
        latencies.push(started.elapsed());
        if status != 200 {
            failures.push(status.as_u16());
        }
        i += 1;
    }
    (latencies, failures)
}

#[tokio::test]
async fn a_search_flood_and_common_word_searches_leave_readers_served() {
    let app = TestApp::spawn_synthetic(3_000, 0).await;
    let list: Value = app
        .get("/v1/articles?first=50")
        .await
        .json()
        .await
        .expect("JSON");
    let slugs: Vec<String> = list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["slug"].as_str().map(str::to_owned))
        .collect();
    assert!(!slugs.is_empty());
    // The common word is common, so each search has real work to do.
    let found: Value = app
        .get(&format!(
            "/v1/search?q={COMMON_WORD}&first=1&include_total=true"
        ))
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        found["page"]["total"].as_i64().unwrap_or(0) > 300,
        "{found}"
    );
    // Warm up the page reads, then read for the length of the attack.
    read_pages(&app, &slugs, Instant::now() + Duration::from_millis(200)).await;
    let stop = Instant::now() + Duration::from_secs(3);
    let flood = aliased_searches(1_000);
    let attack = async {
        let refused = app.graphql(&flood, json!({}));
        let search = format!("/v1/search?q={COMMON_WORD}&first=1&include_total=true");
        let searches = futures_util::future::join_all((0..8).map(|_| app.get(&search)));
        let (refused, searches) = tokio::join!(refused, searches);
        assert_eq!(error_code(&refused), "QUERY_TOO_COMPLEX");
        // Searches beyond their share of the pool wait for a slot, and past the pool's
        // acquire timeout are turned away (503 with Retry-After): never the reader.
        let statuses: Vec<u16> = searches.iter().map(|r| r.status().as_u16()).collect();
        eprintln!("searches: {statuses:?}");
        assert!(
            statuses.iter().all(|s| [200, 503].contains(s)),
            "{statuses:?}"
        );
        assert!(statuses.contains(&200), "{statuses:?}");
    };
    let ((mut latencies, failures), ()) = tokio::join!(read_pages(&app, &slugs, stop), attack);
    assert!(failures.is_empty(), "the reader got {failures:?}");
    latencies.sort();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    eprintln!("reader: {} reads, p99 {p99:?}", latencies.len());
    assert!(
        p99 < Duration::from_millis(500),
        "reader p99 {p99:?} over {} reads",
        latencies.len()
    );
}
