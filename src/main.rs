//! The `kiosque` command: parses arguments, then calls into the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kiosque::commands;
use kiosque::config::Config;

/// mimalloc: measurably faster than the system allocator for the many small allocations of
/// request handling (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Kiosque — a headless content API for news and opinion publishers.
///
/// Configuration comes from KIOSQUE_* environment variables (see the README); the defaults
/// run on an embedded SQLite file with no set-up.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server (migrations run first).
    Serve {
        /// Demo mode: seed demo content if the database is empty, enable GraphiQL.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (overrides KIOSQUE_BIND), e.g. 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load a deterministic synthetic corpus (for benchmarks) into an empty database.
    Seed {
        /// Number of articles.
        #[arg(long, default_value_t = 1000)]
        articles: u32,
        /// Number of comments.
        #[arg(long, default_value_t = 10000)]
        comments: u32,
    },
    /// Manage accounts from the command line (e.g. the first admin).
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Print every environment variable with its default and meaning (Markdown).
    Config,
    /// Write schema/schema.graphql and openapi.yaml from the code (and the README's table of
    /// variables).
    ExportSchema {
        /// Folder to write into (the repository root by default).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. Without --password, the password is read from
    /// KIOSQUE_USER_PASSWORD, or generated and printed once.
    Create {
        /// The account's email (trimmed and lowercased).
        #[arg(long)]
        email: String,
        /// The account's role.
        #[arg(long, value_parser = ["admin", "editor", "author", "reader"])]
        role: String,
        /// The password (10 to 256 characters); beware that it stays in the shell history.
        #[arg(long)]
        password: Option<String>,
        /// The name shown in the back office (the email's local part by default).
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::init_tracing();
    let result = match cli.command {
        Command::ExportSchema { out } => commands::export_schema(&out),
        Command::Config => commands::print_config(),
        command => run_async(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_async(command: Command) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match command {
            Command::Serve { demo, bind } => commands::serve(config, demo, bind).await,
            Command::Migrate => commands::migrate(config).await,
            Command::Seed { articles, comments } => {
                commands::seed(config, articles, comments).await
            }
            Command::User {
                action:
                    UserCommand::Create {
                        email,
                        role,
                        password,
                        name,
                    },
            } => commands::create_user(config, &email, &role, password, name).await,
            Command::ExportSchema { .. } | Command::Config => {
                unreachable!("handled without a runtime")
            }
        }
    })
}
