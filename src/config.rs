//! One typed configuration, read once from `KIOSQUE_*` environment variables. Every value has
//! a default that works on a fresh clone; secrets are never printed (see the `Debug` impl).
//!
//! Each variable is written once, in [`settings!`]: its name, its type, its default and its
//! doc. From that one list come [`Settings`] (the typed values), [`VARIABLES`] (what
//! `kiosque config` prints and the README's table, which a test compares), and the errors
//! that name a variable. [`Config`] is what the server uses: the settings turned into
//! durations, pool and hardening settings.

use std::net::SocketAddr;
use std::time::Duration;

use crate::content::webhooks::targets::AllowedNetworks;
use crate::db::PoolSettings;

/// One environment variable, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    /// The default as the table shows it (a value in backticks, or what happens when unset).
    pub default: &'static str,
    /// Whether the default is a value (else it describes what happens when unset).
    pub has_value: bool,
    pub doc: &'static str,
}

/// Declares every variable: `/// doc` then `"NAME" field: value Type = "default";` (the
/// default is parsed like a value from the environment), `"NAME" field: unset Type = "what
/// happens when unset";` (an `Option`; a blank value counts as unset), or `secret String`
/// (the same, but taken as it is: never trimmed).
macro_rules! settings {
    ($( $(#[doc = $doc:literal])+ $var:literal $field:ident: $mode:ident $t:ty = $default:literal; )*) => {
        /// Every `KIOSQUE_*` variable, typed (secrets included: no `Debug`).
        #[derive(Clone)]
        pub struct Settings {
            $( $(#[doc = $doc])+ pub $field: settings!(@ty $mode $t), )*
        }

        impl Settings {
            /// Reads every variable from `get` (the environment, or a map in tests).
            pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
                Ok(Self {
                    $( $field: settings!(@read $mode $t, get, $var, $default)?, )*
                })
            }
        }

        /// Every variable, in the order of the README's table.
        pub const VARIABLES: &[Variable] = &[
            $( Variable {
                name: $var,
                default: $default,
                has_value: settings!(@has_value $mode),
                doc: concat!($($doc, "\n"),+),
            }, )*
        ];
    };
    (@ty value $t:ty) => { $t };
    (@ty unset $t:ty) => { Option<$t> };
    (@ty secret $t:ty) => { Option<$t> };
    (@read value $t:ty, $get:ident, $var:literal, $default:literal) => { value::<$t>($get, $var, $default) };
    (@read unset $t:ty, $get:ident, $var:literal, $default:literal) => { optional::<$t>($get, $var) };
    (@read secret $t:ty, $get:ident, $var:literal, $default:literal) => { Ok::<_, ConfigError>(secret($get, $var)) };
    (@has_value value) => { true };
    (@has_value unset) => { false };
    (@has_value secret) => { false };
}

settings! {
    /// database: `sqlite://FILE?mode=rwc` or `postgres://user@host/db`
    "KIOSQUE_DATABASE_URL" database_url: value String = "sqlite://kiosque.db?mode=rwc";
    /// listen address (`serve --bind` overrides it)
    "KIOSQUE_BIND" bind: value SocketAddr = "127.0.0.1:8080";
    /// base URL used in links, feeds and the sitemap
    "KIOSQUE_PUBLIC_URL" public_url: unset String = "`http://{bind}`";
    /// the publication's name, in feed titles
    "KIOSQUE_SITE_NAME" site_name: value String = "Kiosque";
    /// demo mode: GraphiQL, introspection (`serve --demo` also seeds)
    "KIOSQUE_DEMO" demo: value bool = "false";
    /// secret that signs access tokens; required outside demo mode
    "KIOSQUE_JWT_SECRET" jwt_secret: secret String = "generated in demo mode";
    /// the signing secret being rotated out: tokens it signed are still accepted
    "KIOSQUE_JWT_PREVIOUS_SECRET" jwt_previous_secret: secret String = "(unset)";
    /// the `iss` claim of access tokens
    "KIOSQUE_JWT_ISSUER" jwt_issuer: value String = "kiosque";
    /// the `aud` claim of access tokens
    "KIOSQUE_JWT_AUDIENCE" jwt_audience: value String = "kiosque-api";
    /// lifetime of an access token, in seconds
    "KIOSQUE_ACCESS_TOKEN_TTL_SECS" access_token_ttl_secs: value i64 = "900";
    /// database pool size
    "KIOSQUE_DB_MAX_CONNECTIONS" db_max_connections: unset u32 = "4 × cores, at least 8";
    /// longest wait for a pooled connection before answering 503
    "KIOSQUE_DB_ACQUIRE_TIMEOUT_MS" db_acquire_timeout_ms: value u64 = "2000";
    /// PostgreSQL statement timeout
    "KIOSQUE_DB_STATEMENT_TIMEOUT_MS" db_statement_timeout_ms: value u64 = "10000";
    /// deadline of a whole request (408 past it)
    "KIOSQUE_REQUEST_TIMEOUT_SECS" request_timeout_secs: value u64 = "15";
    /// largest request body (413 past it)
    "KIOSQUE_BODY_LIMIT_BYTES" body_limit_bytes: value usize = "262144";
    /// cap on `first`/`last` (a larger value is a `BAD_USER_INPUT` error)
    "KIOSQUE_MAX_PAGE_SIZE" max_page_size: value u32 = "100";
    /// deepest GraphQL selection accepted
    "KIOSQUE_GRAPHQL_MAX_DEPTH" graphql_max_depth: value usize = "12";
    /// costliest GraphQL query accepted (lists cost `first × child`)
    "KIOSQUE_GRAPHQL_MAX_COMPLEXITY" graphql_max_complexity: value usize = "10000";
    /// serve proven hot read queries without the general executor (see *Performance*)
    "KIOSQUE_GRAPHQL_FAST_PATH" graphql_fast_path: value bool = "true";
    /// `max-age` of public reads
    "KIOSQUE_CACHE_MAX_AGE_SECS" cache_max_age_secs: value u32 = "30";
    /// Redis for rate-limit counters shared by all instances, e.g. `redis://127.0.0.1:6379`
    "KIOSQUE_REDIS_URL" redis_url: unset String = "unset (in process)";
    /// prefix of every Redis key
    "KIOSQUE_REDIS_PREFIX" redis_prefix: value String = "kiosque:";
    /// `smtp://host:port` to send "send to a friend" emails; unset, they are written to the log
    "KIOSQUE_SMTP_URL" smtp_url: unset String = "unset (log transport)";
    /// sender of outgoing emails
    "KIOSQUE_MAIL_FROM" mail_from: value String = "Kiosque <no-reply@localhost>";
    /// how often the email worker looks for due shares
    "KIOSQUE_MAIL_POLL_MS" mail_poll_ms: value u64 = "5000";
    /// most links in one comment
    "KIOSQUE_COMMENT_MAX_LINKS" comment_max_links: value u32 = "3";
    /// publish at once comments from an account, or a guest proving a confirmed email (its
    /// guest key), with an approved comment
    "KIOSQUE_AUTO_APPROVE_KNOWN" auto_approve_known: value bool = "true";
    /// window of the limits below
    "KIOSQUE_RATE_LIMIT_WINDOW_SECS" rate_limit_window_secs: value u64 = "600";
    /// comments per client address per window (`0`: no limit)
    "KIOSQUE_COMMENTS_PER_CLIENT" comments_per_client: value u32 = "10";
    /// comments per article per window
    "KIOSQUE_COMMENTS_PER_ARTICLE" comments_per_article: value u32 = "200";
    /// "send to a friend" emails per client address per window
    "KIOSQUE_SHARES_PER_CLIENT" shares_per_client: value u32 = "10";
    /// comment reports per client address per window
    "KIOSQUE_REPORTS_PER_CLIENT" reports_per_client: value u32 = "20";
    /// full-text searches per client address per minute, REST and GraphQL (each alias of
    /// `search` counts); 0: no limit
    "KIOSQUE_SEARCHES_PER_CLIENT" searches_per_client: value u32 = "60";
    /// behind one trusted reverse proxy, the client is the last `X-Forwarded-For` address
    "KIOSQUE_TRUST_FORWARDED_FOR" trust_forwarded_for: value bool = "false";
    /// bearer token that `GET /metrics` requires when set
    "KIOSQUE_METRICS_TOKEN" metrics_token: secret String = "unset (open)";
    /// how often the webhook worker looks for due deliveries
    "KIOSQUE_WEBHOOK_POLL_MS" webhook_poll_ms: value u64 = "2000";
    /// longest webhook delivery attempt (connect and answer)
    "KIOSQUE_WEBHOOK_TIMEOUT_SECS" webhook_timeout_secs: value u64 = "10";
    /// wait after a first failed delivery, doubled after each failure (at most an hour)
    "KIOSQUE_WEBHOOK_RETRY_BASE_MS" webhook_retry_base_ms: value u64 = "30000";
    /// attempts before a delivery is given up (`failed`)
    "KIOSQUE_WEBHOOK_MAX_ATTEMPTS" webhook_max_attempts: value i32 = "8";
    /// PEM root certificates that `https` webhook endpoints may also chain to (a private CA),
    /// besides the built-in Mozilla roots; checked at start
    "KIOSQUE_WEBHOOK_CA_FILE" webhook_ca_file: unset String = "(unset)";
    /// internal networks webhook endpoints may reach, as CIDR blocks or addresses,
    /// comma-separated (`10.20.0.0/16, 127.0.0.1`); by default only public addresses are;
    /// checked at start
    "KIOSQUE_WEBHOOK_ALLOW_NETWORKS" webhook_allow_networks: unset AllowedNetworks = "(unset)";
    /// a connection must send a whole request head within it, or is closed
    "KIOSQUE_HEADER_READ_TIMEOUT_SECS" header_read_timeout_secs: value u64 = "5";
    /// open connections at most (more wait in the listen backlog)
    "KIOSQUE_MAX_CONNECTIONS" max_connections: value usize = "4096";
    /// on SIGTERM, longest wait for in-flight requests and background workers
    "KIOSQUE_SHUTDOWN_TIMEOUT_SECS" shutdown_timeout_secs: value u64 = "20";
    /// largest GraphQL request body (413 past it)
    "KIOSQUE_GRAPHQL_BODY_LIMIT_BYTES" graphql_body_limit_bytes: value usize = "65536";
    /// introspection and field suggestions outside demo mode (development)
    "KIOSQUE_GRAPHQL_INTROSPECTION" graphql_introspection: value bool = "false";
    /// deepest nesting of GraphQL selection sets, fragments included
    "KIOSQUE_GRAPHQL_MAX_RECURSION" graphql_max_recursion: value usize = "32";
    /// most directives on one GraphQL field
    "KIOSQUE_GRAPHQL_MAX_DIRECTIVES" graphql_max_directives: value usize = "8";
    /// comma-separated origins allowed to call the API from a browser
    "KIOSQUE_CORS_ORIGINS" cors_origins: unset String = "none";
    /// password for `kiosque user create` when `--password` is not given (else one is
    /// generated)
    "KIOSQUE_USER_PASSWORD" user_password: secret String = "—";
    /// log filter; logs are JSON lines when stdout is not a terminal (read before the rest,
    /// by the logger)
    "RUST_LOG" log_filter: value String = "info";
}

/// The README's table of [`VARIABLES`], as `kiosque config` prints it.
pub fn markdown_table() -> String {
    let mut out = String::from("| variable | default | meaning |\n| --- | --- | --- |\n");
    for v in VARIABLES {
        let default = if v.has_value {
            format!("`{}`", v.default)
        } else {
            v.default.to_owned()
        };
        let doc = v.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!("| `{}` | {default} | {doc} |\n", v.name));
    }
    out
}

/// The lines around the table in README.md (`export-schema` rewrites what is between).
pub const README_TABLE_START: &str =
    "<!-- variables: generated by `kiosque export-schema` from src/config.rs -->";
pub const README_TABLE_END: &str = "<!-- /variables -->";

/// `readme` with its table of variables replaced by [`markdown_table`] (None without the
/// markers).
pub fn readme_with_table(readme: &str) -> Option<String> {
    let start = readme.find(README_TABLE_START)? + README_TABLE_START.len();
    let end = start + readme[start..].find(README_TABLE_END)?;
    Some(format!(
        "{}\n{}{}",
        &readme[..start],
        markdown_table(),
        &readme[end..]
    ))
}

fn value<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &'static str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = get(name).filter(|raw| !raw.trim().is_empty());
    let text = raw.as_deref().unwrap_or(default);
    text.trim().parse().map_err(|e: T::Err| ConfigError {
        name,
        reason: e.to_string(),
    })
}

fn secret(get: &impl Fn(&str) -> Option<String>, name: &'static str) -> Option<String> {
    get(name).filter(|raw| !raw.trim().is_empty())
}

fn optional<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match get(name).filter(|raw| !raw.trim().is_empty()) {
        None => Ok(None),
        Some(raw) => raw
            .trim()
            .parse()
            .map(Some)
            .map_err(|e: T::Err| ConfigError {
                name,
                reason: e.to_string(),
            }),
    }
}

/// What the server uses, made from [`Settings`]: each field is documented where its variable
/// is declared (`settings!`), with its default.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub public_url: String,
    pub demo: bool,
    pub jwt_secret: Option<String>,
    pub jwt_previous_secret: Option<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl_secs: i64,
    pub pool: PoolSettings,
    pub request_timeout: Duration,
    pub body_limit: usize,
    pub max_page_size: u32,
    pub graphql_max_depth: usize,
    pub graphql_fast_path: bool,
    pub graphql_max_complexity: usize,
    pub cache_max_age: u32,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_poll: Duration,
    pub comment_max_links: u32,
    pub auto_approve_known: bool,
    pub rate_limit_window_secs: u64,
    pub comments_per_client: u32,
    pub comments_per_article: u32,
    pub shares_per_client: u32,
    pub reports_per_client: u32,
    pub searches_per_client: u32,
    pub webhook_poll: Duration,
    pub webhook_timeout: Duration,
    pub webhook_retry_base: Duration,
    pub webhook_max_attempts: i32,
    pub webhook_roots: Vec<reqwest::Certificate>,
    pub webhook_networks: crate::content::webhooks::targets::AllowedNetworks,
    pub trust_forwarded_for: bool,
    pub metrics_token: Option<String>,
    pub site_name: String,
    /// URLs per sitemap file (50,000, the protocol's limit; tests lower it). Past it,
    /// `/sitemap.xml` is an index of `/sitemap-{n}.xml` files.
    pub sitemap_urls_per_file: usize,
    /// Server and GraphQL hardening (see `server.rs`, `security.rs`, `graphql/guard.rs`).
    pub hardening: Hardening,
    pub user_password: Option<String>,
}

/// Limits of the server loop and of the GraphQL door, and the CORS allow-list.
#[derive(Debug, Clone)]
pub struct Hardening {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_timeout: Duration,
    pub graphql_body_limit: usize,
    pub graphql_introspection: bool,
    pub graphql_max_recursion: usize,
    pub graphql_max_directives: usize,
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
            pool_max_connections: self.pool.max_connections,
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
        let s = Settings::from_lookup(&get)?;
        let defaults = PoolSettings::default();
        Ok(Self {
            public_url: s.public_url.unwrap_or_else(|| format!("http://{}", s.bind)),
            database_url: s.database_url,
            bind: s.bind,
            demo: s.demo,
            jwt_secret: s.jwt_secret,
            jwt_previous_secret: s.jwt_previous_secret,
            jwt_issuer: s.jwt_issuer,
            jwt_audience: s.jwt_audience,
            access_token_ttl_secs: s.access_token_ttl_secs,
            pool: PoolSettings {
                max_connections: s.db_max_connections.unwrap_or(defaults.max_connections),
                acquire_timeout: Duration::from_millis(s.db_acquire_timeout_ms),
                statement_timeout: Duration::from_millis(s.db_statement_timeout_ms),
            },
            request_timeout: Duration::from_secs(s.request_timeout_secs),
            body_limit: s.body_limit_bytes,
            max_page_size: s.max_page_size,
            graphql_max_depth: s.graphql_max_depth,
            graphql_fast_path: s.graphql_fast_path,
            graphql_max_complexity: s.graphql_max_complexity,
            cache_max_age: s.cache_max_age_secs,
            redis_url: s.redis_url,
            redis_prefix: s.redis_prefix,
            smtp_url: s.smtp_url,
            mail_from: s.mail_from,
            mail_poll: Duration::from_millis(s.mail_poll_ms),
            comment_max_links: s.comment_max_links,
            auto_approve_known: s.auto_approve_known,
            rate_limit_window_secs: s.rate_limit_window_secs,
            comments_per_client: s.comments_per_client,
            comments_per_article: s.comments_per_article,
            shares_per_client: s.shares_per_client,
            reports_per_client: s.reports_per_client,
            searches_per_client: s.searches_per_client,
            trust_forwarded_for: s.trust_forwarded_for,
            metrics_token: s.metrics_token,
            site_name: s.site_name,
            sitemap_urls_per_file: crate::content::articles::MAX_SITEMAP_URLS_PER_FILE,
            webhook_poll: Duration::from_millis(s.webhook_poll_ms),
            webhook_timeout: Duration::from_secs(s.webhook_timeout_secs),
            webhook_retry_base: Duration::from_millis(s.webhook_retry_base_ms),
            webhook_max_attempts: s.webhook_max_attempts,
            webhook_roots: match &s.webhook_ca_file {
                Some(path) => roots_from_file(path.trim())?,
                None => Vec::new(),
            },
            webhook_networks: s.webhook_allow_networks.unwrap_or_default(),
            hardening: Hardening {
                header_read_timeout: Duration::from_secs(s.header_read_timeout_secs),
                max_connections: s.max_connections,
                shutdown_timeout: Duration::from_secs(s.shutdown_timeout_secs),
                graphql_body_limit: s.graphql_body_limit_bytes,
                graphql_introspection: s.graphql_introspection,
                graphql_max_recursion: s.graphql_max_recursion,
                graphql_max_directives: s.graphql_max_directives,
                cors_origins: s
                    .cors_origins
                    .map(|raw| {
                        raw.split(',')
                            .map(|o| o.trim().trim_end_matches('/').to_owned())
                            .filter(|o| !o.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                test_routes: false,
            },
            user_password: s.user_password,
        })
    }
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
    fn every_default_parses_and_the_readme_table_is_the_code_s() {
        let settings = Settings::from_lookup(&|_| None).expect("the defaults parse");
        assert_eq!(settings.max_page_size, 100);
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let expected = readme_with_table(&readme).expect("README.md has the table's markers");
        assert!(
            readme == expected,
            "README.md's table of variables differs from src/config.rs: run `cargo run -- export-schema`"
        );
        let mut names: Vec<_> = VARIABLES.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VARIABLES.len(), "a variable is declared twice");
    }

    #[test]
    fn every_variable_is_read_and_blank_means_default() {
        // Each variable set to a value other than its default changes what is read.
        let config = Config::from_lookup(|n| match n {
            "KIOSQUE_MAX_PAGE_SIZE" => Some("7".into()),
            "KIOSQUE_WEBHOOK_POLL_MS" => Some(" 250 ".into()),
            "KIOSQUE_JWT_SECRET" => Some(" keep my spaces ".into()),
            "KIOSQUE_SITE_NAME" => Some("   ".into()),
            "KIOSQUE_CORS_ORIGINS" => Some("https://a.example/, https://b.example".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.max_page_size, 7);
        assert_eq!(config.webhook_poll, Duration::from_millis(250));
        assert_eq!(config.jwt_secret.as_deref(), Some(" keep my spaces "));
        assert_eq!(config.site_name, "Kiosque");
        assert_eq!(
            config.hardening.cors_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
    }

    #[test]
    fn a_bad_number_names_its_variable() {
        let err = Config::from_lookup(|n| (n == "KIOSQUE_MAX_PAGE_SIZE").then(|| "lots".into()))
            .unwrap_err();
        assert_eq!(err.name, "KIOSQUE_MAX_PAGE_SIZE");
    }
}
