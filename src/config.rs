//! One typed configuration, read once from `KIOSQUE_*` environment variables. Every value has
//! a default that works on a fresh clone; secrets are never printed (see the `Debug` impl).

use std::net::SocketAddr;
use std::time::Duration;

use crate::db::PoolSettings;

#[derive(Clone)]
pub struct Config {
    /// `KIOSQUE_DATABASE_URL`: `sqlite://kiosque.db?mode=rwc` by default.
    pub database_url: String,
    /// `KIOSQUE_BIND`: `127.0.0.1:8080` by default.
    pub bind: SocketAddr,
    /// `KIOSQUE_PUBLIC_URL`: the base of links in payloads (defaults to `http://{bind}`).
    pub public_url: String,
    /// `KIOSQUE_DEMO`: demo mode (GraphiQL, introspection, generated secret).
    pub demo: bool,
    /// `KIOSQUE_JWT_SECRET`: signs access tokens; required outside demo mode.
    pub jwt_secret: Option<String>,
    /// `KIOSQUE_JWT_PREVIOUS_SECRET`: the key being rotated out, still accepted.
    pub jwt_previous_secret: Option<String>,
    /// `KIOSQUE_JWT_ISSUER` (default `kiosque`) and `KIOSQUE_JWT_AUDIENCE` (default `kiosque-api`).
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// `KIOSQUE_ACCESS_TOKEN_TTL_SECS` (default 900).
    pub access_token_ttl_secs: i64,
    pub pool: PoolSettings,
    /// `KIOSQUE_REQUEST_TIMEOUT_SECS` (default 15).
    pub request_timeout: Duration,
    /// `KIOSQUE_BODY_LIMIT_BYTES` (default 256 KiB).
    pub body_limit: usize,
    /// `KIOSQUE_MAX_PAGE_SIZE` (default 100): the cap on `first`/`last`/`limit`.
    pub max_page_size: u32,
    /// `KIOSQUE_GRAPHQL_MAX_DEPTH` (default 12) and `KIOSQUE_GRAPHQL_MAX_COMPLEXITY` (default 10000).
    pub graphql_max_depth: usize,
    /// `KIOSQUE_GRAPHQL_FAST_PATH` (default true): serve proven hot queries without the
    /// general executor (see `graphql/fast`).
    pub graphql_fast_path: bool,
    pub graphql_max_complexity: usize,
    /// `KIOSQUE_CACHE_MAX_AGE_SECS` (default 30): `max-age` of public reads.
    pub cache_max_age: u32,
    /// `KIOSQUE_REDIS_URL`: rate-limit counters shared by every instance (in process when unset).
    pub redis_url: Option<String>,
    /// `KIOSQUE_REDIS_PREFIX` (default `kiosque:`): the prefix of every Redis key.
    pub redis_prefix: String,
    /// `KIOSQUE_SMTP_URL` (`smtp://host:port`): "send to a friend" emails go out by SMTP;
    /// unset, they are written to the log.
    pub smtp_url: Option<String>,
    /// `KIOSQUE_MAIL_FROM` (default `Kiosque <no-reply@localhost>`).
    pub mail_from: String,
    /// `KIOSQUE_MAIL_POLL_MS` (default 5000): how often the share worker looks for due emails.
    pub mail_poll: Duration,
    /// `KIOSQUE_COMMENT_MAX_LINKS` (default 3): more links in a comment is a 422.
    pub comment_max_links: u32,
    /// `KIOSQUE_AUTO_APPROVE_KNOWN` (default true): comments from an email or account with an
    /// approved comment are published at once.
    pub auto_approve_known: bool,
    /// `KIOSQUE_RATE_LIMIT_WINDOW_SECS` (default 600): the window of the limits below.
    pub rate_limit_window_secs: u64,
    /// `KIOSQUE_COMMENTS_PER_CLIENT` (10), `KIOSQUE_COMMENTS_PER_ARTICLE` (200),
    /// `KIOSQUE_SHARES_PER_CLIENT` (10), `KIOSQUE_REPORTS_PER_CLIENT` (20): events per window;
    /// 0 turns a limit off.
    pub comments_per_client: u32,
    pub comments_per_article: u32,
    pub shares_per_client: u32,
    pub reports_per_client: u32,
    /// `KIOSQUE_SEARCHES_PER_CLIENT` (default 60): full-text searches per client address per
    /// minute, on both doors (each alias of a GraphQL `search` counts); 0 turns it off.
    pub searches_per_client: u32,
    /// `KIOSQUE_WEBHOOK_POLL_MS` (default 2000): how often the webhook worker looks for due
    /// deliveries.
    pub webhook_poll: Duration,
    /// `KIOSQUE_WEBHOOK_TIMEOUT_SECS` (default 10): the longest a delivery attempt may take.
    pub webhook_timeout: Duration,
    /// `KIOSQUE_WEBHOOK_RETRY_BASE_MS` (default 30000): the wait after a first failed
    /// attempt, doubled after each one (at most an hour).
    pub webhook_retry_base: Duration,
    /// `KIOSQUE_WEBHOOK_MAX_ATTEMPTS` (default 8): attempts before a delivery is `failed`.
    pub webhook_max_attempts: i32,
    /// `KIOSQUE_WEBHOOK_CA_FILE` (unset): a PEM file of root certificates that `https`
    /// endpoints may also chain to (a partner's private CA), besides Mozilla's built-in roots.
    /// Read and checked at start.
    pub webhook_roots: Vec<reqwest::Certificate>,
    /// `KIOSQUE_WEBHOOK_ALLOW_NETWORKS` (unset): networks (CIDR blocks or addresses,
    /// comma-separated, e.g. `10.20.0.0/16, 127.0.0.1`) that webhook endpoints may reach
    /// although they are not public; by default deliveries go to public addresses only.
    pub webhook_networks: crate::content::webhooks::targets::AllowedNetworks,
    /// `KIOSQUE_TRUST_FORWARDED_FOR` (default false): behind one trusted reverse proxy, the
    /// client is the last address of `X-Forwarded-For` rather than the peer.
    pub trust_forwarded_for: bool,
    /// `KIOSQUE_METRICS_TOKEN` (unset): when set, `GET /metrics` wants it as a bearer token.
    pub metrics_token: Option<String>,
    /// `KIOSQUE_SITE_NAME` (default `Kiosque`): the publication's name, in feed titles.
    pub site_name: String,
    /// URLs per sitemap file (50,000, the protocol's limit; tests lower it). Past it,
    /// `/sitemap.xml` is an index of `/sitemap-{n}.xml` files.
    pub sitemap_urls_per_file: usize,
    /// Server and GraphQL hardening (see `server.rs`, `security.rs`, `graphql/guard.rs`).
    pub hardening: Hardening,
}

/// Limits of the server loop and of the GraphQL door, and the CORS allow-list.
#[derive(Debug, Clone)]
pub struct Hardening {
    /// `KIOSQUE_HEADER_READ_TIMEOUT_SECS` (default 5): a connection that has not sent a whole
    /// request head within it is closed.
    pub header_read_timeout: Duration,
    /// `KIOSQUE_MAX_CONNECTIONS` (default 4096): open connections at most; more wait in the
    /// listen backlog.
    pub max_connections: usize,
    /// `KIOSQUE_SHUTDOWN_TIMEOUT_SECS` (default 20): on SIGTERM, the longest wait for
    /// in-flight requests and background workers before exiting anyway.
    pub shutdown_timeout: Duration,
    /// `KIOSQUE_GRAPHQL_BODY_LIMIT_BYTES` (default 64 KiB): largest GraphQL request body.
    pub graphql_body_limit: usize,
    /// `KIOSQUE_GRAPHQL_INTROSPECTION` (default false; always on in demo mode): introspection
    /// and field suggestions, for development.
    pub graphql_introspection: bool,
    /// `KIOSQUE_GRAPHQL_MAX_RECURSION` (default 32): deepest nesting of selection sets
    /// (fragments included).
    pub graphql_max_recursion: usize,
    /// `KIOSQUE_GRAPHQL_MAX_DIRECTIVES` (default 8): directives on one field at most.
    pub graphql_max_directives: usize,
    /// `KIOSQUE_CORS_ORIGINS`: comma-separated origins allowed to call from a browser
    /// (none by default: no CORS headers).
    pub cors_origins: Vec<String>,
    /// Not read from the environment: tests turn it on to mount `/__test/panic`.
    pub test_routes: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("demo", &self.demo)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("pool", &self.pool)
            .field("request_timeout", &self.request_timeout)
            .field("body_limit", &self.body_limit)
            .field("max_page_size", &self.max_page_size)
            .finish_non_exhaustive()
    }
}

/// A configuration value that could not be understood.
#[derive(Debug, thiserror::Error)]
#[error("{name} is invalid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    /// What the content services need to protect readers' writes and searches.
    pub fn protection(&self) -> crate::content::protection::ProtectionSettings {
        crate::content::protection::ProtectionSettings {
            comment_max_links: self.comment_max_links,
            auto_approve_known: self.auto_approve_known,
            rate_limit_window_secs: self.rate_limit_window_secs,
            comments_per_client: self.comments_per_client,
            comments_per_article: self.comments_per_article,
            shares_per_client: self.shares_per_client,
            reports_per_client: self.reports_per_client,
            searches_per_client: self.searches_per_client,
            pool_max_connections: self.pool.max_connections as u32,
            search_wait: self.pool.acquire_timeout,
            public_url: self.public_url.clone(),
            webhook_networks: self.webhook_networks.clone(),
        }
    }

    /// The rate-limit counters: in Redis when configured (shared by every instance), else in
    /// this process.
    pub fn rate_limiter(&self) -> crate::ratelimit::RateLimiter {
        use crate::ratelimit::RateLimiter;
        match &self.redis_url {
            Some(url) => RateLimiter::redis(url, &self.redis_prefix).unwrap_or_else(|err| {
                tracing::warn!(error = %err, "KIOSQUE_REDIS_URL is not usable: rate limits are per instance");
                RateLimiter::memory()
            }),
            None => RateLimiter::memory(),
        }
    }

    /// Reads the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads from any lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind: SocketAddr = parse(
            &get,
            "KIOSQUE_BIND",
            "127.0.0.1:8080".parse().unwrap_or_else(|_| unreachable!()),
        )?;
        let defaults = PoolSettings::default();
        Ok(Self {
            database_url: get("KIOSQUE_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://kiosque.db?mode=rwc".into()),
            public_url: get("KIOSQUE_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}")),
            bind,
            demo: parse(&get, "KIOSQUE_DEMO", false)?,
            jwt_secret: get("KIOSQUE_JWT_SECRET").filter(|s| !s.is_empty()),
            jwt_previous_secret: get("KIOSQUE_JWT_PREVIOUS_SECRET").filter(|s| !s.is_empty()),
            jwt_issuer: get("KIOSQUE_JWT_ISSUER").unwrap_or_else(|| "kiosque".into()),
            jwt_audience: get("KIOSQUE_JWT_AUDIENCE").unwrap_or_else(|| "kiosque-api".into()),
            access_token_ttl_secs: parse(&get, "KIOSQUE_ACCESS_TOKEN_TTL_SECS", 900)?,
            pool: PoolSettings {
                max_connections: parse(
                    &get,
                    "KIOSQUE_DB_MAX_CONNECTIONS",
                    defaults.max_connections,
                )?,
                acquire_timeout: Duration::from_millis(parse(
                    &get,
                    "KIOSQUE_DB_ACQUIRE_TIMEOUT_MS",
                    defaults.acquire_timeout.as_millis() as u64,
                )?),
                statement_timeout: Duration::from_millis(parse(
                    &get,
                    "KIOSQUE_DB_STATEMENT_TIMEOUT_MS",
                    defaults.statement_timeout.as_millis() as u64,
                )?),
            },
            request_timeout: Duration::from_secs(parse(&get, "KIOSQUE_REQUEST_TIMEOUT_SECS", 15)?),
            body_limit: parse(&get, "KIOSQUE_BODY_LIMIT_BYTES", 256 * 1024)?,
            max_page_size: parse(&get, "KIOSQUE_MAX_PAGE_SIZE", 100)?,
            graphql_max_depth: parse(&get, "KIOSQUE_GRAPHQL_MAX_DEPTH", 12)?,
            graphql_fast_path: parse(&get, "KIOSQUE_GRAPHQL_FAST_PATH", true)?,
            graphql_max_complexity: parse(&get, "KIOSQUE_GRAPHQL_MAX_COMPLEXITY", 10_000)?,
            cache_max_age: parse(&get, "KIOSQUE_CACHE_MAX_AGE_SECS", 30)?,
            redis_url: get("KIOSQUE_REDIS_URL").filter(|s| !s.trim().is_empty()),
            redis_prefix: get("KIOSQUE_REDIS_PREFIX").unwrap_or_else(|| "kiosque:".into()),
            smtp_url: get("KIOSQUE_SMTP_URL").filter(|s| !s.trim().is_empty()),
            mail_from: get("KIOSQUE_MAIL_FROM")
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "Kiosque <no-reply@localhost>".into()),
            mail_poll: Duration::from_millis(parse(&get, "KIOSQUE_MAIL_POLL_MS", 5_000)?),
            comment_max_links: parse(&get, "KIOSQUE_COMMENT_MAX_LINKS", 3)?,
            auto_approve_known: parse(&get, "KIOSQUE_AUTO_APPROVE_KNOWN", true)?,
            rate_limit_window_secs: parse(&get, "KIOSQUE_RATE_LIMIT_WINDOW_SECS", 600)?,
            comments_per_client: parse(&get, "KIOSQUE_COMMENTS_PER_CLIENT", 10)?,
            comments_per_article: parse(&get, "KIOSQUE_COMMENTS_PER_ARTICLE", 200)?,
            shares_per_client: parse(&get, "KIOSQUE_SHARES_PER_CLIENT", 10)?,
            reports_per_client: parse(&get, "KIOSQUE_REPORTS_PER_CLIENT", 20)?,
            searches_per_client: parse(&get, "KIOSQUE_SEARCHES_PER_CLIENT", 60)?,
            trust_forwarded_for: parse(&get, "KIOSQUE_TRUST_FORWARDED_FOR", false)?,
            metrics_token: get("KIOSQUE_METRICS_TOKEN").filter(|s| !s.trim().is_empty()),
            site_name: get("KIOSQUE_SITE_NAME")
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "Kiosque".into()),
            sitemap_urls_per_file: crate::content::articles::MAX_SITEMAP_URLS_PER_FILE,
            webhook_poll: Duration::from_millis(parse(&get, "KIOSQUE_WEBHOOK_POLL_MS", 2_000)?),
            webhook_timeout: Duration::from_secs(parse(&get, "KIOSQUE_WEBHOOK_TIMEOUT_SECS", 10)?),
            webhook_retry_base: Duration::from_millis(parse(
                &get,
                "KIOSQUE_WEBHOOK_RETRY_BASE_MS",
                30_000,
            )?),
            webhook_max_attempts: parse(&get, "KIOSQUE_WEBHOOK_MAX_ATTEMPTS", 8)?,
            webhook_roots: match get("KIOSQUE_WEBHOOK_CA_FILE").filter(|s| !s.trim().is_empty()) {
                Some(path) => roots_from_file(path.trim())?,
                None => Vec::new(),
            },
            webhook_networks: parse(&get, "KIOSQUE_WEBHOOK_ALLOW_NETWORKS", Default::default())?,
            hardening: Hardening {
                header_read_timeout: Duration::from_secs(parse(
                    &get,
                    "KIOSQUE_HEADER_READ_TIMEOUT_SECS",
                    5,
                )?),
                max_connections: parse(&get, "KIOSQUE_MAX_CONNECTIONS", 4096)?,
                shutdown_timeout: Duration::from_secs(parse(
                    &get,
                    "KIOSQUE_SHUTDOWN_TIMEOUT_SECS",
                    20,
                )?),
                graphql_body_limit: parse(&get, "KIOSQUE_GRAPHQL_BODY_LIMIT_BYTES", 64 * 1024)?,
                graphql_introspection: parse(&get, "KIOSQUE_GRAPHQL_INTROSPECTION", false)?,
                graphql_max_recursion: parse(&get, "KIOSQUE_GRAPHQL_MAX_RECURSION", 32)?,
                graphql_max_directives: parse(&get, "KIOSQUE_GRAPHQL_MAX_DIRECTIVES", 8)?,
                cors_origins: get("KIOSQUE_CORS_ORIGINS")
                    .map(|raw| {
                        raw.split(',')
                            .map(|o| o.trim().trim_end_matches('/').to_owned())
                            .filter(|o| !o.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                test_routes: false,
            },
        })
    }

    /// The environment variables understood, with their defaults, for `--help` and README.
    pub const VARIABLES: &'static [(&'static str, &'static str, &'static str)] = &[
        (
            "KIOSQUE_DATABASE_URL",
            "sqlite://kiosque.db?mode=rwc",
            "database: `sqlite://FILE?mode=rwc` or `postgres://user@host/db`",
        ),
        (
            "KIOSQUE_BIND",
            "127.0.0.1:8080",
            "address the server listens on (`--bind` overrides it)",
        ),
        (
            "KIOSQUE_PUBLIC_URL",
            "http://{bind}",
            "base URL used in links and feeds",
        ),
        (
            "KIOSQUE_SITE_NAME",
            "Kiosque",
            "the publication's name, in feed titles",
        ),
        (
            "KIOSQUE_DEMO",
            "false",
            "demo mode: GraphiQL, introspection (`serve --demo` also seeds)",
        ),
        (
            "KIOSQUE_JWT_SECRET",
            "(generated in demo mode)",
            "secret that signs access tokens; required in production",
        ),
        (
            "KIOSQUE_DB_MAX_CONNECTIONS",
            "4 × cores, at least 8",
            "size of the database pool",
        ),
        (
            "KIOSQUE_DB_ACQUIRE_TIMEOUT_MS",
            "2000",
            "longest wait for a pooled connection before answering 503",
        ),
        (
            "KIOSQUE_DB_STATEMENT_TIMEOUT_MS",
            "10000",
            "PostgreSQL statement timeout",
        ),
        (
            "KIOSQUE_REQUEST_TIMEOUT_SECS",
            "15",
            "deadline of a whole request (408 past it)",
        ),
        (
            "KIOSQUE_BODY_LIMIT_BYTES",
            "262144",
            "largest accepted request body (413 past it)",
        ),
        (
            "KIOSQUE_MAX_PAGE_SIZE",
            "100",
            "cap on `first`/`last`/`limit`",
        ),
        (
            "KIOSQUE_GRAPHQL_MAX_DEPTH",
            "12",
            "deepest GraphQL selection accepted",
        ),
        (
            "KIOSQUE_GRAPHQL_MAX_COMPLEXITY",
            "10000",
            "costliest GraphQL query accepted (lists cost first × child)",
        ),
        (
            "KIOSQUE_CACHE_MAX_AGE_SECS",
            "30",
            "`max-age` of public reads",
        ),
        (
            "KIOSQUE_REDIS_URL",
            "(unset: in process)",
            "Redis for rate-limit counters shared by all instances, e.g. `redis://127.0.0.1:6379`",
        ),
        (
            "KIOSQUE_REDIS_PREFIX",
            "kiosque:",
            "prefix of every Redis key",
        ),
        (
            "KIOSQUE_SMTP_URL",
            "(unset: log transport)",
            "`smtp://host:port` to send \"send to a friend\" emails; unset, they are logged",
        ),
        (
            "KIOSQUE_MAIL_FROM",
            "Kiosque <no-reply@localhost>",
            "sender of outgoing emails",
        ),
        (
            "KIOSQUE_MAIL_POLL_MS",
            "5000",
            "how often the email worker looks for due shares",
        ),
        (
            "KIOSQUE_COMMENT_MAX_LINKS",
            "3",
            "most links allowed in one comment",
        ),
        (
            "KIOSQUE_AUTO_APPROVE_KNOWN",
            "true",
            "publish at once comments from an email or account with an approved comment",
        ),
        (
            "KIOSQUE_RATE_LIMIT_WINDOW_SECS",
            "600",
            "window of the comment, share and report limits",
        ),
        (
            "KIOSQUE_COMMENTS_PER_CLIENT",
            "10",
            "comments per client address per window (0: no limit)",
        ),
        (
            "KIOSQUE_COMMENTS_PER_ARTICLE",
            "200",
            "comments per article per window (0: no limit)",
        ),
        (
            "KIOSQUE_SHARES_PER_CLIENT",
            "10",
            "\"send to a friend\" emails per client address per window (0: no limit)",
        ),
        (
            "KIOSQUE_REPORTS_PER_CLIENT",
            "20",
            "comment reports per client address per window (0: no limit)",
        ),
        (
            "KIOSQUE_SEARCHES_PER_CLIENT",
            "60",
            "full-text searches per client address per minute, both doors, each GraphQL alias counted (0: no limit)",
        ),
        (
            "KIOSQUE_TRUST_FORWARDED_FOR",
            "false",
            "behind one trusted proxy: the client is the last `X-Forwarded-For` address",
        ),
        (
            "KIOSQUE_METRICS_TOKEN",
            "(unset: open)",
            "bearer token that `GET /metrics` requires when set",
        ),
        (
            "KIOSQUE_WEBHOOK_POLL_MS",
            "2000",
            "how often the webhook worker looks for due deliveries",
        ),
        (
            "KIOSQUE_WEBHOOK_TIMEOUT_SECS",
            "10",
            "longest webhook delivery attempt",
        ),
        (
            "KIOSQUE_WEBHOOK_RETRY_BASE_MS",
            "30000",
            "wait after a first failed delivery, doubled each time (at most an hour)",
        ),
        (
            "KIOSQUE_WEBHOOK_MAX_ATTEMPTS",
            "8",
            "attempts before a webhook delivery is given up (`failed`)",
        ),
        (
            "KIOSQUE_WEBHOOK_CA_FILE",
            "(unset)",
            "PEM root certificates that `https` webhook endpoints may also chain to",
        ),
        (
            "KIOSQUE_WEBHOOK_ALLOW_NETWORKS",
            "(unset)",
            "internal networks (CIDR or addresses, comma-separated) webhooks may reach",
        ),
        (
            "KIOSQUE_HEADER_READ_TIMEOUT_SECS",
            "5",
            "a connection must send a whole request head within it, or is closed",
        ),
        (
            "KIOSQUE_MAX_CONNECTIONS",
            "4096",
            "open connections at most (more wait in the listen backlog)",
        ),
        (
            "KIOSQUE_SHUTDOWN_TIMEOUT_SECS",
            "20",
            "on SIGTERM, longest wait for in-flight requests and workers",
        ),
        (
            "KIOSQUE_GRAPHQL_BODY_LIMIT_BYTES",
            "65536",
            "largest GraphQL request body (413 past it)",
        ),
        (
            "KIOSQUE_GRAPHQL_INTROSPECTION",
            "false",
            "introspection and field suggestions outside demo mode (development)",
        ),
        (
            "KIOSQUE_GRAPHQL_MAX_RECURSION",
            "32",
            "deepest nesting of GraphQL selection sets, fragments included",
        ),
        (
            "KIOSQUE_GRAPHQL_MAX_DIRECTIVES",
            "8",
            "most directives on one GraphQL field",
        ),
        (
            "KIOSQUE_CORS_ORIGINS",
            "(none)",
            "comma-separated origins allowed to call the API from a browser",
        ),
        (
            "RUST_LOG",
            "info",
            "log filter; logs are JSON when stdout is not a terminal",
        ),
    ];
}

/// The root certificates of a PEM file (at least one).
fn roots_from_file(path: &str) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    let invalid = |reason: String| ConfigError {
        name: "KIOSQUE_WEBHOOK_CA_FILE",
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| invalid(format!("{path}: {e}")))?;
    let roots =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| invalid(format!("{path}: {e}")))?;
    if roots.is_empty() {
        return Err(invalid(format!("{path} holds no PEM certificate")));
    }
    Ok(roots)
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match get(name) {
        None => Ok(default),
        Some(raw) if raw.trim().is_empty() => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|e: T::Err| ConfigError {
            name,
            reason: e.to_string(),
        }),
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}://{}:***{}",
                    &url[..scheme],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://kiosque:s3cret@db/kiosque"),
            "postgres://kiosque:***@db/kiosque"
        );
        assert_eq!(
            redact_url("sqlite://kiosque.db?mode=rwc"),
            "sqlite://kiosque.db?mode=rwc"
        );
    }

    #[test]
    fn a_bad_number_names_its_variable() {
        let err = Config::from_lookup(|n| (n == "KIOSQUE_MAX_PAGE_SIZE").then(|| "lots".into()))
            .unwrap_err();
        assert_eq!(err.name, "KIOSQUE_MAX_PAGE_SIZE");
    }
}
