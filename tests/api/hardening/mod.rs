//! Hardening, through HTTP: GraphQL request-level failures and limits, media types and
//! methods, body limits and the trusted-document allow-list (`graphql`); the server loop —
//! slow headers, slow bodies, panics, connection cap, graceful shutdown (`server`); security
//! headers and CORS (`headers`). Shared here: raw-socket readers and an admin token.

mod consistency;
mod graphql;
mod headers;
mod server;

use std::time::Duration;

use kiosque::auth::{Role, UserActor};
use kiosque::content::accounts::NewUser;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// Reads until the end of a response head (or the connection closes).
pub async fn read_head(stream: &mut TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 1024];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(30), stream.read(&mut byte)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => buffer.extend_from_slice(&byte[..n]),
        }
    }
    String::from_utf8_lossy(&buffer).into_owned()
}

/// Reads one whole response with a `content-length` body; returns the head and the body.
pub async fn read_response(stream: &mut TcpStream) -> (String, String) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]);
                return (head, body.into_owned());
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .expect("an answer")
            .expect("read");
        assert!(n > 0, "the connection closed before a whole response");
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// Whether the server closes this connection (EOF or reset) before `deadline`.
pub async fn closed_within(stream: &mut TcpStream, deadline: Duration) -> bool {
    let mut byte = [0u8; 256];
    let until = tokio::time::Instant::now() + deadline;
    loop {
        match tokio::time::timeout_at(until, stream.read(&mut byte)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // An answer (a 408) before closing is fine; keep reading to the close.
            Ok(Ok(_)) => continue,
        }
    }
}

/// An admin account and a token for it.
pub async fn admin_token(app: &TestApp) -> String {
    let user = app
        .state
        .content
        .users()
        .register(NewUser {
            email: "admin@example.org".into(),
            password: "correct horse battery staple".into(),
            display_name: "Une administratrice".into(),
            role: Role::Admin,
            author_id: None,
        })
        .await
        .expect("admin account");
    app.state
        .keys
        .issue(&UserActor {
            id: user.id,
            role: Role::Admin,
            author_id: None,
        })
        .expect("token")
}
