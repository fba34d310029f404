//! The server loop: slow request heads and bodies, panicking handlers, the connection cap,
//! graceful shutdown (in process, and the binary on SIGTERM).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{closed_within, read_head, read_response};
use crate::helpers::TestApp;

#[tokio::test]
async fn slow_header_connections_are_dropped_while_others_are_served() {
    let app = TestApp::spawn_with(|c| {
        c.hardening.header_read_timeout = Duration::from_millis(500);
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: kio")
            .await
            .unwrap();
        slow.push(stream);
    }
    // Fresh connections for the normal requests (idle keep-alive ones are closed too).
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let healthz = || fresh.get(app.url("/healthz")).send();
    assert_eq!(healthz().await.unwrap().status(), StatusCode::OK);
    for stream in &mut slow {
        // The head never completes: the server gives up on it (well before 10 s).
        let _ = stream.write_all(b"s").await;
        assert!(closed_within(stream, Duration::from_secs(10)).await);
    }
    assert_eq!(healthz().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_slow_body_gets_408() {
    let app = TestApp::spawn_with(|c| c.request_timeout = Duration::from_millis(500)).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /graphql HTTP/1.1\r\nhost: kiosque\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"query\":";
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_problem_and_the_connection_lives_on() {
    let app = TestApp::spawn_with(|c| c.hardening.test_routes = true).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /__test/panic HTTP/1.1\r\nhost: kiosque\r\n\r\n")
        .await
        .unwrap();
    let (head, body) = read_response(&mut stream).await;
    assert!(head.starts_with("http/1.1 500"), "{head}");
    assert!(head.contains("application/problem+json"), "{head}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["code"], "INTERNAL");
    assert!(!body.contains("panic"), "no internals leak: {body}");
    // The same connection serves the next request, and the process is alive.
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: kiosque\r\n\r\n")
        .await
        .unwrap();
    let (head, _) = read_response(&mut stream).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let app = TestApp::spawn_with(|c| c.hardening.max_connections = 1).await;
    let mut holder = TcpStream::connect(app.addr).await.unwrap();
    holder
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: kiosque\r\n\r\n")
        .await
        .unwrap();
    let (head, _) = read_response(&mut holder).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    // The only slot is taken by `holder` (kept alive): a second client is not served...
    let waiting = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/healthz");
        async move { client.get(url).send().await.map(|r| r.status()) }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the second connection waits");
    // ...until the first goes away.
    drop(holder);
    let status = waiting.await.unwrap().unwrap();
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish_then_stops() {
    let app = TestApp::spawn().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kiosque::app::serve(
        listener,
        app.state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    // A request in flight: its body arrives in two halves, around the signal.
    let body = json!({ "query": "{ articles(first: 1) { nodes { slug } } }" }).to_string();
    let (first, second) = body.split_at(10);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: kiosque\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{first}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stream.write_all(second.as_bytes()).await.unwrap();
    let (head, answer) = read_response(&mut stream).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(answer.contains("\"slug\""), "{answer}");
    drop(stream);
    let result = tokio::time::timeout(Duration::from_secs(25), server)
        .await
        .expect("serve returns within its deadline")
        .unwrap();
    assert!(result.is_ok());
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_exits_zero_on_sigterm() {
    use std::io::BufRead;
    let url = crate::helpers::fresh_database_url().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kiosque"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("KIOSQUE_DATABASE_URL", &url)
        .env(
            "KIOSQUE_JWT_SECRET",
            "a-test-secret-that-is-long-enough-0123456789",
        )
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    // Stdout is read to its end: a closed pipe would fail the server's later lines.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(addr) = line.strip_prefix("Kiosque is listening on http://")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let addr = rx.await.expect("the server says where it listens");
    let health = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
