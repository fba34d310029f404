//! What protects readers' writes (comments, reports, "send to a friend") and searches from
//! floods: the rate limits and how a client is known to them. A client is known by a salted
//! hash of its address, never the address itself (neither in the database nor in Redis).

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::config::Config;
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

impl Default for Protection {
    fn default() -> Self {
        Self::from_config(
            &Config::from_lookup(|_| None).unwrap_or_else(|_| unreachable!()),
            crate::app::random_secret(),
        )
    }
}

impl Protection {
    /// The protections of `config`; `secret` salts client hashes.
    pub fn from_config(config: &Config, secret: String) -> Self {
        let limiter = match &config.redis_url {
            Some(url) => RateLimiter::redis(url, &config.redis_prefix).unwrap_or_else(|err| {
                tracing::warn!(error = %err, "KIOSQUE_REDIS_URL is not usable: rate limits are per instance");
                RateLimiter::memory()
            }),
            None => RateLimiter::memory(),
        };
        let window = config.rate_limit_window_secs.max(1);
        Self {
            limiter,
            secret,
            comment_max_links: config.comment_max_links,
            auto_approve_known: config.auto_approve_known,
            comments_per_client: Limit::per(config.comments_per_client, window),
            comments_per_article: Limit::per(config.comments_per_article, window),
            shares_per_client: Limit::per(config.shares_per_client, window),
            reports_per_client: Limit::per(config.reports_per_client, window),
            searches_per_client: Limit::per(
                config.searches_per_client,
                crate::content::articles::SEARCH_WINDOW_SECS,
            ),
            search_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(
                (config.pool.max_connections as usize / 4).max(1),
            )),
            search_wait: config.pool.acquire_timeout,
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            webhook_networks: config.webhook_networks.clone(),
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
