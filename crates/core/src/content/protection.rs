//! What protects readers' writes (comments, reports, "send to a friend") and searches from
//! floods: the rate limits and how a client is known to them. A client is known by a salted
//! hash of its address, never the address itself (neither in the database nor in Redis).

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::error::AppResult;
use crate::ratelimit::{Limit, RateLimiter};

/// The protections and policy knobs of readers' writes, from the configuration.
#[derive(Debug, Clone)]
pub struct Protection {
    pub limiter: RateLimiter,
    /// Salts client hashes (so that a leaked hash does not give the address back).
    secret: String,
    pub comment_max_links: u32,
    pub auto_approve_known: bool,
    pub comments_per_client: Limit,
    pub comments_per_article: Limit,
    pub shares_per_client: Limit,
    pub reports_per_client: Limit,
    /// Full-text searches per client address per minute (see `articles::searching`).
    pub searches_per_client: Limit,
    /// Searches running at once, all clients together: a quarter of the database pool, at
    /// least one (see `articles::searching`).
    pub search_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// The longest a search waits for a slot (the pool's own acquire timeout).
    pub search_wait: std::time::Duration,
    /// The base of links in emails.
    pub public_url: String,
    /// Internal networks webhook endpoints may reach besides public addresses.
    pub webhook_networks: crate::content::webhooks::targets::AllowedNetworks,
}

/// What the configuration says about readers' writes and searches (the server reads it from
/// `KIOSQUE_*` variables; the defaults are the documented ones).
#[derive(Debug, Clone, PartialEq)]
pub struct ProtectionSettings {
    pub comment_max_links: u32,
    pub auto_approve_known: bool,
    /// The window of the comment, share and report limits, in seconds.
    pub rate_limit_window_secs: u64,
    pub comments_per_client: u32,
    pub comments_per_article: u32,
    pub shares_per_client: u32,
    pub reports_per_client: u32,
    /// Per minute.
    pub searches_per_client: u32,
    /// Searches running at once: a quarter of this pool size, at least one.
    pub pool_max_connections: u32,
    /// The longest a search waits for a slot (the pool's own acquire timeout).
    pub search_wait: std::time::Duration,
    /// The base of links in emails.
    pub public_url: String,
    pub webhook_networks: crate::content::webhooks::targets::AllowedNetworks,
}

impl Default for ProtectionSettings {
    fn default() -> Self {
        let pool = crate::db::PoolSettings::default();
        Self {
            comment_max_links: 3,
            auto_approve_known: true,
            rate_limit_window_secs: 600,
            comments_per_client: 10,
            comments_per_article: 200,
            shares_per_client: 10,
            reports_per_client: 20,
            searches_per_client: 60,
            // The pool's own defaults, not a copy of them.
            pool_max_connections: pool.max_connections,
            search_wait: pool.acquire_timeout,
            public_url: "http://127.0.0.1:8080".into(),
            webhook_networks: Default::default(),
        }
    }
}

impl Default for Protection {
    fn default() -> Self {
        Self::new(
            &ProtectionSettings::default(),
            RateLimiter::memory(),
            random_secret(),
        )
    }
}

/// 32 random bytes, hex: a secret for salting client hashes or signing tokens when the
/// configuration gives none.
pub fn random_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Protection {
    /// The protections of `settings`, counting in `limiter`; `secret` salts client hashes.
    pub fn new(settings: &ProtectionSettings, limiter: RateLimiter, secret: String) -> Self {
        let window = settings.rate_limit_window_secs.max(1);
        Self {
            limiter,
            secret,
            comment_max_links: settings.comment_max_links,
            auto_approve_known: settings.auto_approve_known,
            comments_per_client: Limit::per(settings.comments_per_client, window),
            comments_per_article: Limit::per(settings.comments_per_article, window),
            shares_per_client: Limit::per(settings.shares_per_client, window),
            reports_per_client: Limit::per(settings.reports_per_client, window),
            searches_per_client: Limit::per(
                settings.searches_per_client,
                crate::content::articles::SEARCH_WINDOW_SECS,
            ),
            search_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(
                (settings.pool_max_connections as usize / 4).max(1),
            )),
            search_wait: settings.search_wait,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
            webhook_networks: settings.webhook_networks.clone(),
        }
    }

    /// The salted hash that stands for a client address (`unknown` when there is none).
    pub fn client_hash(&self, ip: Option<IpAddr>) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.secret.as_bytes());
        hasher.update(b"|");
        match ip {
            Some(ip) => hasher.update(ip.to_string().as_bytes()),
            None => hasher.update(b"unknown"),
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Counts one `what` (e.g. `comment:client`) for `who`; past `limit`, `RATE_LIMITED`.
    pub async fn hit(&self, what: &str, who: &str, limit: Limit) -> AppResult<()> {
        self.limiter.hit(&format!("{what}:{who}"), limit).await
    }
}
