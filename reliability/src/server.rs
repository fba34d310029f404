//! The real `kiosque` binary as a child process: built or found, seeded, started, probed
//! until ready, and killed with SIGKILL (so that a crash is a real crash).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A JWT secret for the runs (nothing signs in; the server only requires one).
const JWT_SECRET: &str = "reliability-suite-secret-not-for-production";

/// The `kiosque` binary: `KIOSQUE_BIN`, or the one built next to this suite (built now, in
/// the same profile, so that it is current).
pub fn kiosque_binary() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("KIOSQUE_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe().context("where is this binary?")?;
    let dir = exe
        .parent()
        .context("this binary has no folder")?
        .to_owned();
    let release = dir.file_name().is_some_and(|n| n == "release");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the suite lives in the Kiosque workspace")?
        .to_owned();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .args([
            "build",
            "-q",
            "-p",
            "kiosque",
            "--bin",
            "kiosque",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"));
    if release {
        build.arg("--release");
    }
    println!(
        "building the kiosque binary ({})…",
        if release { "release" } else { "debug" }
    );
    let status = build.status().context("could not run cargo")?;
    if !status.success() {
        bail!("`cargo build -p kiosque` failed");
    }
    let bin = dir.join("kiosque");
    if !bin.exists() {
        bail!("no kiosque binary at {}", bin.display());
    }
    Ok(bin)
}

/// A free TCP port on the loopback (kept across restarts so that clients keep their URL).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// One Kiosque server over one database.
pub struct Kiosque {
    bin: PathBuf,
    pub database_url: String,
    port: u16,
    log: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
    http: reqwest::Client,
}

impl Kiosque {
    pub fn new(bin: &Path, database_url: String, log: PathBuf) -> anyhow::Result<Self> {
        Ok(Self {
            bin: bin.to_owned(),
            database_url,
            port: free_port()?,
            log,
            env: vec![
                // Many clients share 127.0.0.1: the per-client limit would stop the load.
                ("KIOSQUE_COMMENTS_PER_CLIENT".into(), "0".into()),
                ("KIOSQUE_COMMENTS_PER_ARTICLE".into(), "0".into()),
                ("KIOSQUE_JWT_SECRET".into(), JWT_SECRET.into()),
                ("RUST_LOG".into(), "warn".into()),
            ],
            child: None,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()?,
        })
    }

    /// Sets (or overrides) one environment variable of the server and its commands.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .env("KIOSQUE_DATABASE_URL", &self.database_url)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null());
        command
    }

    fn log_file(&self) -> anyhow::Result<std::fs::File> {
        Ok(std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?)
    }

    /// `kiosque seed --articles N --comments 0` into the (empty) database.
    pub async fn seed(&self, articles: u32) -> anyhow::Result<()> {
        let log = self.log_file()?;
        let mut command = self.command();
        command
            .args([
                "seed",
                "--articles",
                &articles.to_string(),
                "--comments",
                "0",
            ])
            .stdout(log.try_clone()?)
            .stderr(log);
        let status = tokio::task::spawn_blocking(move || command.status()).await??;
        if !status.success() {
            bail!("seeding failed (see {})", self.log.display());
        }
        Ok(())
    }

    /// Starts the server and waits until `/readyz` answers 200: the time that took.
    pub async fn start(&mut self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let log = self.log_file()?;
        let child = self
            .command()
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("could not start kiosque")?;
        self.child = Some(child);
        let ready = format!("{}/readyz", self.base());
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!(
                    "kiosque exited at start ({status}); see {}",
                    self.log.display()
                );
            }
            if let Ok(response) = self.http.get(&ready).send().await
                && response.status() == 200
            {
                return Ok(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!(
            "kiosque was not ready within 60 s; see {}",
            self.log.display()
        )
    }

    /// SIGKILL: no graceful shutdown, no flush, nothing.
    pub async fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            tokio::task::spawn_blocking(move || child.wait()).await??;
        }
        Ok(())
    }

    /// Lines of the server's log that contain `needle`.
    pub fn log_lines_with(&self, needle: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|text| text.lines().filter(|l| l.contains(needle)).count())
            .unwrap_or(0)
    }
}

impl Drop for Kiosque {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Slugs of up to `max` published articles, read through the public API.
pub async fn slugs(http: &reqwest::Client, base: &str, max: usize) -> anyhow::Result<Vec<String>> {
    let mut slugs = Vec::new();
    let mut url = format!("{base}/v1/articles?first=100");
    while slugs.len() < max {
        let page: serde_json::Value = http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        for article in page["data"].as_array().context("an article list")? {
            if let Some(slug) = article["slug"].as_str() {
                slugs.push(slug.to_owned());
            }
        }
        match page["links"]["next"].as_str() {
            Some(next) if !next.is_empty() => url = next.to_owned(),
            _ => break,
        }
    }
    if slugs.is_empty() {
        bail!("no published article to work on");
    }
    Ok(slugs)
}
