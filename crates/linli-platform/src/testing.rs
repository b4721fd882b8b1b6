//! Test support (feature `testing`): a throwaway PostgreSQL server, so the platform's tests,
//! and anyone else's, run against the real thing.
//!
//! [`PostgresServer::start`] runs Debian's PostgreSQL (`/usr/lib/postgresql/*/bin`, or
//! `initdb` on the `PATH`) on a fresh temporary cluster, listening on 127.0.0.1 only, on a
//! free port, with `fsync=off` (a crash loses nothing a test cares about). PostgreSQL refuses
//! to run as root, so under root it runs as the `postgres` user the package created (or a
//! `linli-pg` system user created for it). [`shared_server`] starts one per test process and
//! a small watchdog stops it and removes its files when the process ends, however it ends;
//! [`fresh_database_url`] gives each test a database of its own on it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Why a throwaway server could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A step failed (`initdb`, `pg_ctl`, creating the user or a database).
    #[error("{step}: {detail}")]
    Step {
        /// What was being done.
        step: String,
        /// What went wrong, with the tool's own output.
        detail: String,
    },
}

fn fail(step: impl Into<String>, detail: impl std::fmt::Display) -> ServerError {
    ServerError::Step {
        step: step.into(),
        detail: detail.to_string(),
    }
}

/// A PostgreSQL server on a temporary cluster; stopped and removed when dropped.
#[derive(Debug)]
pub struct PostgresServer {
    root: PathBuf,
    bin: PathBuf,
    port: u16,
    /// The unprivileged user the server runs as when we are root.
    run_as: Option<String>,
    /// Whether dropping it stops it (the shared server leaves that to its watchdog).
    stop_on_drop: bool,
}

/// The superuser of throwaway clusters (trusted on loopback: nothing else can reach it).
const SUPERUSER: &str = "linli";

impl PostgresServer {
    /// Starts a server on a fresh cluster that never flushes to disk (for tests).
    pub fn start() -> Result<Self, ServerError> {
        Self::start_with(false)
    }

    /// Starts a server on a fresh cluster with PostgreSQL's durable defaults (every commit
    /// flushed), as a deployment runs it: for benchmarks.
    pub fn start_durable() -> Result<Self, ServerError> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Self, ServerError> {
        let bin = find_bin()?;
        let run_as = unprivileged_user()?;
        let root = std::env::temp_dir().join(format!(
            "linli-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&root).map_err(|e| fail(format!("creating {root:?}"), e))?;
        let mut server = Self {
            root,
            bin,
            port: 0,
            run_as,
            stop_on_drop: true,
        };
        if let Some(user) = &server.run_as {
            let (uid, gid) = (id_of(user, "-u")?, id_of(user, "-g")?);
            std::os::unix::fs::chown(&server.root, Some(uid), Some(gid))
                .map_err(|e| fail(format!("giving {:?} to {user}", server.root), e))?;
        }
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                server.data_dir().as_os_str(),
                "-U".as_ref(),
                SUPERUSER.as_ref(),
                "--auth=trust".as_ref(),
                "--no-locale".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        // Loopback only, no Unix socket (no system directory to write to), and for tests
        // nothing flushed to disk: the cluster lives as long as the tests.
        let settings = "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n\
             max_connections = 300\n";
        let durability = if durable {
            "shared_buffers = 256MB\n"
        } else {
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
        };
        append(
            &server.data_dir().join("postgresql.conf"),
            &format!("{settings}{durability}"),
        )?;
        // A port is free when we look and may be taken before the server binds: try again.
        let mut last = None;
        for _ in 0..5 {
            server.port = free_port()?;
            append(
                &server.data_dir().join("postgresql.conf"),
                &format!("port = {}\n", server.port),
            )?;
            let log = server.root.join("server.log");
            match server.run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    server.data_dir().as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "start".as_ref(),
                ],
            ) {
                Ok(()) => return Ok(server),
                Err(e) => {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    last = Some(fail(e.to_string(), log));
                }
            }
        }
        Err(last.expect("tried at least once"))
    }

    /// The cluster's files (its write-ahead log included), for tests that look at what
    /// reached the disk.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates an empty database with a name of its own and returns its URL.
    pub fn create_database(&self) -> Result<String, ServerError> {
        let name = format!(
            "linli_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = self.url("postgres");
        let statement = format!("CREATE DATABASE {name}");
        // The synchronous client runs a runtime of its own, which tokio forbids inside
        // async code: tests call this from async tests, so it runs on a thread of its own.
        std::thread::scope(|scope| {
            scope
                .spawn(|| -> Result<(), postgres::Error> {
                    let mut client = postgres::Client::connect(&admin, postgres::NoTls)?;
                    client.batch_execute(&statement)
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .map_err(|e| fail(format!("creating database {name}"), e))?;
        Ok(self.url(&name))
    }

    /// Runs a PostgreSQL tool, as the unprivileged user when we are root.
    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> Result<(), ServerError> {
        let program = self.bin.join(tool);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        // The tools run in a directory the user may enter.
        command.current_dir(&self.root).args(args);
        let output = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| fail(format!("running {program:?}"), e))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(fail(
                format!("{tool} failed ({})", output.status),
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ),
            ))
        }
    }

    /// The shell words that stop the server at once and remove its files.
    fn teardown_script(&self) -> String {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = format!(
            "{} -D '{}' -m immediate -w stop",
            pg_ctl.display(),
            self.data_dir().display()
        );
        let stop = match &self.run_as {
            Some(user) => format!("runuser -u {user} -- {stop}"),
            None => stop,
        };
        format!("{stop} >/dev/null 2>&1; rm -rf '{}'", self.root.display())
    }

    /// Leaves stopping to a watchdog that waits for this process to end, whichever way it
    /// ends (a test binary never drops its statics, and may be killed).
    fn stop_when_process_ends(mut self) -> Result<Self, ServerError> {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {teardown}",
            pid = std::process::id(),
            teardown = self.teardown_script()
        );
        Command::new("sh")
            .args(["-c", &script])
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail("starting the watchdog", e))?;
        self.stop_on_drop = false;
        Ok(self)
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        if self.stop_on_drop {
            let _ = Command::new("sh")
                .args(["-c", &self.teardown_script()])
                .current_dir(std::env::temp_dir())
                .status();
        }
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Whether the tests were asked to run on PostgreSQL (`LINLI_TEST_DATABASE=postgres`); the
/// platform's test suite runs on SQLite otherwise, and tests that need PostgreSQL itself
/// return early.
pub fn requested() -> bool {
    std::env::var("LINLI_TEST_DATABASE").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// One server for the whole test process, started on first use and stopped when the
/// process ends.
pub fn shared_server() -> &'static PostgresServer {
    static SERVER: OnceLock<Result<PostgresServer, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            PostgresServer::start()
                .and_then(PostgresServer::stop_when_process_ends)
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .unwrap_or_else(|e| panic!("starting a throwaway PostgreSQL server: {e}"))
}

/// A new, empty database on the [`shared_server`], as a `postgres://` URL.
pub fn fresh_database_url() -> String {
    shared_server()
        .create_database()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Where PostgreSQL's server programs are: Debian keeps them out of the `PATH`, under
/// `/usr/lib/postgresql/<version>/bin` (the newest wins).
fn find_bin() -> Result<PathBuf, ServerError> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .ok_or_else(|| {
            fail(
                "finding PostgreSQL",
                "no initdb under /usr/lib/postgresql/*/bin or on the PATH; install Debian's \
                 postgresql package (scripts/setup does)",
            )
        })
}

/// `None` when we are not root; otherwise the user to run the server as, created if need be.
fn unprivileged_user() -> Result<Option<String>, ServerError> {
    let me = output("id", &["-u"])?;
    if me.trim() != "0" {
        return Ok(None);
    }
    for user in ["postgres", "linli-pg"] {
        if output("id", &["-u", user]).is_ok() {
            return Ok(Some(user.to_owned()));
        }
    }
    // Racing test processes may both try: the loser's failure is fine if the user exists.
    let _ = output(
        "useradd",
        &[
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "linli-pg",
        ],
    );
    output("id", &["-u", "linli-pg"]).map_err(|e| fail("creating the user linli-pg", e))?;
    Ok(Some("linli-pg".to_owned()))
}

fn id_of(user: &str, which: &str) -> Result<u32, ServerError> {
    output("id", &[which, user])?
        .trim()
        .parse()
        .map_err(|e| fail(format!("id {which} {user}"), e))
}

fn output(program: &str, args: &[&str]) -> Result<String, ServerError> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| fail(format!("running {program}"), e))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(fail(
            format!("{program} {}", args.join(" ")),
            String::from_utf8_lossy(&out.stderr),
        ))
    }
}

fn append(path: &Path, text: &str) -> Result<(), ServerError> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| fail(format!("writing {path:?}"), e))
}

fn free_port() -> Result<u16, ServerError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| fail("finding a free port", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throwaway_server_serves_separate_databases_and_goes_away() {
        if !requested() {
            return; // runs with LINLI_TEST_DATABASE=postgres
        }
        let server = PostgresServer::start().unwrap();
        let root = server.root.clone();
        let (a, b) = (
            server.create_database().unwrap(),
            server.create_database().unwrap(),
        );
        assert_ne!(a, b);
        for url in [&a, &b] {
            let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
            let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
            assert_eq!(one, 1);
        }
        drop(server);
        assert!(!root.exists(), "its files are gone");
        assert!(
            postgres::Client::connect(&a, postgres::NoTls).is_err(),
            "it stopped"
        );
    }
}
