//! A throwaway PostgreSQL cluster made with `initdb` in a temporary folder, on its own port
//! (55432 unless `KIOSQUE_RELIABILITY_PG_PORT` says otherwise), so that the suite can stop it
//! abruptly without touching any other PostgreSQL of the machine. As root, the cluster runs
//! as the `postgres` user (PostgreSQL refuses root).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

pub struct Cluster {
    bin: PathBuf,
    pub dir: PathBuf,
    pub port: u16,
    run_as: Option<String>,
}

/// The folder of `initdb` and `pg_ctl`: `KIOSQUE_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin`, else the `PATH`.
fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("KIOSQUE_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Ok(bin);
    }
    let which = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()?;
    let path = String::from_utf8_lossy(&which.stdout).trim().to_owned();
    match Path::new(&path).parent() {
        Some(dir) if !path.is_empty() => Ok(dir.to_owned()),
        _ => bail!(
            "PostgreSQL's initdb was not found (install PostgreSQL, or set KIOSQUE_PG_BIN, or run with --engine sqlite)"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    /// Creates and starts the cluster.
    pub fn create(work: &Path) -> anyhow::Result<Self> {
        let bin = bin_dir()?;
        let port = std::env::var("KIOSQUE_RELIABILITY_PG_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(55432);
        let dir = work.join("pgdata");
        std::fs::create_dir_all(&dir)?;
        let run_as = is_root().then(|| "postgres".to_owned());
        if let Some(user) = &run_as {
            let status = Command::new("chown")
                .arg("-R")
                .arg(format!("{user}:{user}"))
                .arg(work)
                .status()?;
            if !status.success() {
                bail!("could not give {} to the {user} user", work.display());
            }
        }
        let cluster = Self {
            bin,
            dir,
            port,
            run_as,
        };
        let dir = cluster.dir.display().to_string();
        cluster.run(
            "initdb",
            &[
                "-D",
                &dir,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        cluster.start()?;
        Ok(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let program = self.bin.join(tool);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let output = command
            .args(args)
            .current_dir(&self.dir)
            .output()
            .with_context(|| format!("could not run {tool}"))?;
        if !output.status.success() {
            bail!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// Starts PostgreSQL and waits until it accepts connections.
    pub fn start(&self) -> anyhow::Result<()> {
        let dir = self.dir.display().to_string();
        let options = format!(
            "-p {} -k {dir} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port
        );
        let log = format!("{dir}/postgres.log");
        self.run(
            "pg_ctl",
            &[
                "-D", &dir, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
        )
    }

    /// Stops PostgreSQL abruptly (`-m immediate`: no checkpoint, clients cut off).
    pub fn stop_abruptly(&self) -> anyhow::Result<()> {
        let dir = self.dir.display().to_string();
        self.run("pg_ctl", &["-D", &dir, "-m", "immediate", "-w", "stop"])
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn create_database(&self, name: &str) -> anyhow::Result<String> {
        self.run(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ],
        )?;
        Ok(self.url(name))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        let _ = self.run("pg_ctl", &["-D", &dir, "-m", "fast", "-w", "stop"]);
    }
}
