//! `TestApp::spawn()`: a server on 127.0.0.1:0 over a fresh database, and typed helpers.

use std::sync::atomic::{AtomicU32, Ordering};

use kiosque::app::{AppState, serve};
use kiosque::config::Config;
use kiosque::db::{Db, PoolSettings};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// An account made by [`TestApp::user`], and a token for it.
pub struct TestUser {
    pub id: i64,
    pub token: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, migrated database: a new PostgreSQL database next to the one named by
/// `KIOSQUE_TEST_DATABASE_URL`, or a new SQLite file in the temporary folder.
pub async fn fresh_database_url() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let unique = format!(
        "{}_{}_{}",
        std::process::id(),
        n,
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    match std::env::var("KIOSQUE_TEST_DATABASE_URL") {
        Ok(base) if !base.trim().is_empty() => {
            let (server, rest) = base
                .rsplit_once('/')
                .expect("KIOSQUE_TEST_DATABASE_URL has a database name");
            let base_name = rest.split('?').next().unwrap_or(rest);
            let name = format!("{base_name}_t{unique}");
            let admin = sea_orm::Database::connect(base.clone())
                .await
                .expect("PostgreSQL is reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            format!("{server}/{name}")
        }
        _ => {
            let path = std::env::temp_dir().join(format!("kiosque-test-{unique}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
    }
}

impl TestApp {
    /// A server over a fresh database seeded with the demo content.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let (config, db) = Self::database(adjust).await;
        kiosque::seed::demo(&db).await.expect("seed demo content");
        Self::start(config, db).await
    }

    /// A server over a fresh database seeded with the synthetic benchmark corpus by
    /// `kiosque seed`'s code, then served over a new pool, as `kiosque serve` would after it.
    pub async fn spawn_synthetic(articles: u32, comments: u32) -> Self {
        let (config, db) = Self::database(|_| {}).await;
        kiosque::seed::synthetic(&db, articles, comments, &mut |_, _, _| {})
            .await
            .expect("seed the synthetic corpus");
        db.conn.close().await.expect("close the seeding pool");
        let db = Db::connect(&config.database_url, &config.pool)
            .await
            .expect("connect");
        Self::start(config, db).await
    }

    /// The configuration of a test server and its fresh, migrated (empty) database.
    async fn database(adjust: impl FnOnce(&mut Config)) -> (Config, Db) {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
            .try_init();
        let url = fresh_database_url().await;
        let mut config = Config::from_lookup(|_| None).expect("default config");
        config.database_url = url.clone();
        config.pool = PoolSettings {
            max_connections: 4,
            ..PoolSettings::default()
        };
        adjust(&mut config);
        let db = Db::connect(&config.database_url, &config.pool)
            .await
            .expect("connect");
        db.migrate().await.expect("migrate");
        (config, db)
    }

    /// Serves `db` on a random port.
    async fn start(mut config: Config, db: Db) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        config.public_url = format!("http://{addr}");
        let state = AppState::new(config, db);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            client: reqwest::Client::new(),
            state,
            _shutdown: tx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// An access token of an account with this role: the role's account is created on first
    /// use (`{role}@tokens.test`, no byline) and signed for afterwards. The server reads the
    /// role of every token from its account, so a token is only worth the account behind it.
    pub async fn token(&self, role: kiosque::auth::Role) -> String {
        self.role_account(role).await.token
    }

    /// The account [`TestApp::token`] signs for, and a token.
    pub async fn role_account(&self, role: kiosque::auth::Role) -> TestUser {
        use kiosque::entities::user;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let email = format!("{}@tokens.test", role.as_str());
        let existing = user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .one(&self.state.db().conn)
            .await
            .expect("read users");
        let id = match existing {
            Some(account) => account.id,
            None => self.insert_account(&email, role, role.as_str(), None).await,
        };
        TestUser {
            id,
            token: self.sign(id, role, None),
        }
    }

    /// A new account with this role, display name and byline (an author's id), and an
    /// access token for it.
    pub async fn user(
        &self,
        role: kiosque::auth::Role,
        name: &str,
        author_id: Option<i64>,
    ) -> TestUser {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let email = format!("user{n}@tokens.test");
        let id = self.insert_account(&email, role, name, author_id).await;
        TestUser {
            id,
            token: self.sign(id, role, author_id),
        }
    }

    /// Inserts an account without a usable password (no one signs in as it: tests sign its
    /// tokens), cheaply: no password hashing.
    async fn insert_account(
        &self,
        email: &str,
        role: kiosque::auth::Role,
        name: &str,
        author_id: Option<i64>,
    ) -> i64 {
        use kiosque::entities::user;
        use sea_orm::{ActiveModelTrait, Set};
        let at = kiosque::content::now();
        user::ActiveModel {
            email: Set(email.to_owned()),
            password_hash: Set("!".into()),
            display_name: Set(name.to_owned()),
            role: Set(role.as_str().to_owned()),
            author_id: Set(author_id),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&self.state.db().conn)
        .await
        .expect("insert an account")
        .id
    }

    fn sign(&self, id: i64, role: kiosque::auth::Role, author_id: Option<i64>) -> String {
        let user = kiosque::auth::UserActor {
            id,
            role,
            author_id,
        };
        self.state.keys.issue(&user).expect("token")
    }

    /// Statements executed on the database so far.
    pub fn statements(&self) -> u64 {
        self.state.db().statement_count()
    }

    /// Posts a GraphQL query and returns the whole response body (`data` and `errors`).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        response.json().await.expect("JSON body")
    }

    /// Posts a GraphQL query with request `extensions`, and returns the whole response body.
    pub async fn graphql_with_extensions(&self, query: &str, extensions: &Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "extensions": extensions }))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON body")
    }

    /// Posts a GraphQL query that must succeed, and returns its `data`.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

/// The `extensions.code` of the first error of a GraphQL response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// The slugs of a list of articles (`[{slug}]` or a connection's `nodes`).
pub fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["slug"].as_str().expect("slug").to_owned())
        .collect()
}
