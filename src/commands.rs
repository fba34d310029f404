//! The command-line commands, called by `main.rs` once arguments are parsed. Each returns
//! an error with one clear sentence; `main` prints it and exits non-zero.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

use crate::app::{self, AppState};
use crate::config::{Config, redact_url};
use crate::db::Db;

/// Logs as JSON lines when stdout is not a terminal, human-readable otherwise.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if std::io::stdout().is_terminal() {
        builder.try_init()
    } else {
        builder.json().try_init()
    };
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, &config.pool)
        .await
        .with_context(|| {
            format!(
                "could not connect to the database at {}",
                redact_url(&config.database_url)
            )
        })?;
    db.migrate()
        .await
        .context("could not run the database migrations")?;
    Ok(db)
}

/// `kiosque serve`: migrate, optionally seed demo content, and serve until SIGTERM.
pub async fn serve(mut config: Config, demo: bool, bind: Option<SocketAddr>) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        if config.public_url == format!("http://{}", config.bind) {
            config.public_url = format!("http://{bind}");
        }
        config.bind = bind;
    }
    config.demo |= demo;
    if config.jwt_secret.is_none() {
        if !config.demo {
            anyhow::bail!(
                "KIOSQUE_JWT_SECRET must be set outside demo mode (use `serve --demo` to try Kiosque)"
            );
        }
        tracing::warn!(
            "KIOSQUE_JWT_SECRET is not set: a random secret was generated for this demo run"
        );
        // A signing secret must come from a CSPRNG (fastrand is predictable).
        config.jwt_secret = Some(app::random_secret());
    }
    let db = connect(&config).await?;
    if config.demo {
        let report = crate::seed::demo(&db)
            .await
            .context("could not seed the demo content")?;
        if report.skipped {
            tracing::info!("demo content already present");
        } else {
            tracing::info!(?report, "demo content seeded");
        }
        let accounts = crate::seed::demo_users(&db)
            .await
            .map_err(|err| anyhow::anyhow!("could not create the demo accounts: {err}"))?;
        if accounts.is_empty() {
            println!(
                "Demo accounts already exist (their passwords were printed when they were created)."
            );
        } else {
            println!("Demo accounts (passwords shown once):");
            for account in &accounts {
                println!(
                    "  {:<7} {:<28} {}",
                    account.role.as_str(),
                    account.email,
                    account.password
                );
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("could not listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let base = config.public_url.trim_end_matches('/').to_owned();
    let state = AppState::new(config, db);
    println!("Kiosque is listening on http://{addr}");
    println!(
        "  GraphQL   POST {base}/graphql   (GraphiQL: open {base}/graphql in a browser{})",
        if state.config.demo {
            ""
        } else {
            " — demo mode only"
        }
    );
    println!("  REST      GET  {base}/v1/articles");
    println!("  Health    GET  {base}/healthz , {base}/readyz");
    app::serve(listener, state, app::shutdown_signal())
        .await
        .context("the server stopped on an error")?;
    tracing::info!("stopped");
    Ok(())
}

/// `kiosque migrate`.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    connect(&config).await?;
    println!("migrations applied to {}", redact_url(&config.database_url));
    Ok(())
}

/// `kiosque seed --articles N --comments M`: the synthetic corpus for benchmarks.
pub async fn seed(config: Config, articles: u32, comments: u32) -> anyhow::Result<()> {
    let db = connect(&config).await?;
    let started = Instant::now();
    let mut last_line = Instant::now();
    let mut progress = |stage: &str, done: u64, total: u64| {
        if last_line.elapsed().as_secs_f32() >= 1.0 || done == total {
            println!("{stage}: {done}/{total}");
            last_line = Instant::now();
        }
    };
    let report = crate::seed::synthetic(&db, articles, comments, &mut progress)
        .await
        .context("could not seed the synthetic corpus")?;
    println!(
        "seeded {report:?} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `kiosque user create`: an account from the command line (the first admin, typically).
/// The password comes from `--password`, else `KIOSQUE_USER_PASSWORD`, else is generated
/// and printed once.
pub async fn create_user(
    config: Config,
    email: &str,
    role: &str,
    password: Option<String>,
    name: Option<String>,
) -> anyhow::Result<()> {
    use crate::content::accounts::{NewUser, random_token};
    use crate::error::AppError;
    let role = crate::auth::Role::parse(role)
        .with_context(|| format!("unknown role `{role}`: use admin, editor, author or reader"))?;
    let given = password.or(config.user_password.clone());
    let generated = given.is_none();
    let password = given.unwrap_or_else(|| random_token(18));
    let display_name = name.unwrap_or_else(|| {
        email
            .trim()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let db = connect(&config).await?;
    let content = crate::content::Content::new(db, config.max_page_size);
    let user = content
        .users()
        .register(NewUser {
            email: email.to_owned(),
            password: password.clone(),
            display_name,
            role,
            author_id: None,
        })
        .await
        .map_err(|err| match err {
            AppError::Conflict(_) => anyhow::anyhow!(
                "an account with the email {} already exists",
                email.trim().to_lowercase()
            ),
            AppError::InvalidInput { message, .. } => anyhow::anyhow!("{message}"),
            other => anyhow::anyhow!("could not create the account: {other}"),
        })?;
    println!(
        "created the {} account {} (id {})",
        role.as_str(),
        user.email,
        user.id
    );
    if generated {
        println!("password: {password}");
        println!("(shown once: store it now)");
    }
    Ok(())
}

/// `kiosque config`: the environment variables, their defaults and meanings (the README's
/// table).
pub fn print_config() -> anyhow::Result<()> {
    print!("{}", crate::config::markdown_table());
    Ok(())
}

/// `kiosque export-schema`: writes `schema/schema.graphql` and `openapi.yaml` under `dir`,
/// and the table of environment variables into `README.md` there if it has one.
pub fn export_schema(dir: &Path) -> anyhow::Result<()> {
    let schema_dir = dir.join("schema");
    std::fs::create_dir_all(&schema_dir)
        .with_context(|| format!("could not create {}", schema_dir.display()))?;
    let sdl_path = schema_dir.join("schema.graphql");
    std::fs::write(&sdl_path, crate::graphql::sdl())
        .with_context(|| format!("could not write {}", sdl_path.display()))?;
    let openapi_path = dir.join("openapi.yaml");
    std::fs::write(&openapi_path, crate::rest::openapi::openapi_yaml())
        .with_context(|| format!("could not write {}", openapi_path.display()))?;
    println!(
        "wrote {} and {}",
        sdl_path.display(),
        openapi_path.display()
    );
    let readme_path = dir.join("README.md");
    if let Ok(readme) = std::fs::read_to_string(&readme_path)
        && let Some(updated) = crate::config::readme_with_table(&readme)
    {
        if updated != readme {
            std::fs::write(&readme_path, updated)
                .with_context(|| format!("could not write {}", readme_path.display()))?;
        }
        println!("wrote the table of variables in {}", readme_path.display());
    }
    Ok(())
}
