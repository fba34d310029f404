//! The server loop: HTTP/1 over hyper with the protections `axum::serve` lacks — a
//! header-read timeout (a client trickling one header byte at a time loses its connection),
//! a cap on the size of a request head (431 past it), a cap on open connections, and a
//! graceful shutdown with a deadline of its own.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The most a request head (request line and headers) may take: past it, hyper answers
/// `431 Request Header Fields Too Large` and closes the connection. Room for long cookies,
/// tokens and a GraphQL GET as long as its body limit (64 KiB), not for a 200 KB header.
pub const MAX_HEAD_BYTES: usize = 96 * 1024;

/// How the loop treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    /// Longest wait for in-flight requests once shutdown begins.
    pub drain_timeout: Duration,
}

/// Accepts connections until `shutdown` resolves, then stops accepting and waits (at most
/// `drain_timeout`) for the open connections to finish their requests. Handlers see the
/// peer address as `ConnectInfo<SocketAddr>`.
pub async fn run(
    listener: TcpListener,
    service: crate::app::HttpService,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        // A connection is accepted only once a slot is free: past the cap, clients wait in
        // the kernel's backlog rather than being served badly.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait a little, do not spin.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            service.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("shutdown deadline reached with requests still in flight");
        }
    }
    Ok(())
}

/// Background workers (email delivery, webhooks…) stopped together by one watch channel.
pub struct Workers {
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    handles: Vec<(&'static str, tokio::task::JoinHandle<()>)>,
}

impl Default for Workers {
    fn default() -> Self {
        Self::new()
    }
}

impl Workers {
    pub fn new() -> Self {
        Self {
            stop: Arc::new(tokio::sync::watch::channel(false).0),
            handles: Vec::new(),
        }
    }

    /// The signal a worker watches: it turns `true` when the worker should finish its
    /// current job and return.
    pub fn stopped(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stop.subscribe()
    }

    pub fn add(&mut self, name: &'static str, handle: tokio::task::JoinHandle<()>) {
        self.handles.push((name, handle));
    }

    /// Tells every worker to finish its current job and stop (callable from elsewhere, e.g.
    /// when shutdown begins).
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let stop = self.stop.clone();
        move || {
            let _ = stop.send(true);
        }
    }

    /// Tells every worker to stop and waits for them, until `deadline` at most.
    pub async fn stop(self, deadline: tokio::time::Instant) {
        let _ = self.stop.send(true);
        for (name, handle) in self.handles {
            if tokio::time::timeout_at(deadline, handle).await.is_err() {
                tracing::warn!(worker = name, "a background worker did not stop in time");
            }
        }
    }
}
