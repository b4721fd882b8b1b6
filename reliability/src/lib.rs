//! Proof under stress: the parts the reliability runs share.
//!
//! - [`device`]: a real [`linli_core::Core`] on a data dir, with a session that survives a
//!   `kill -9` of its process (a file standing in for the OS keychain, which this machine has
//!   not got), and the resident's moves: write a report, attach a photo, submit, comment.
//! - [`platform`]: a real platform in-process on loopback with limits that let one phone sign
//!   in again and again, what it holds (read from its own database file), and a second
//!   connection that holds the database's write lock as a stuck writer would.
//! - [`proxy`]: a fault-injecting HTTP proxy on loopback between a core and a platform.
//!
//! The runs themselves are the tests in `tests/` (`crash.rs`, `faults.rs`, `logs.rs`) and the
//! `crash-device` binary the crash run starts and kills. `LINLI_LONG=1` runs the long versions.

pub mod device;
pub mod platform;
pub mod proxy;

/// Whether the long versions of the runs were asked for (`LINLI_LONG=1`).
pub fn long_run() -> bool {
    std::env::var("LINLI_LONG").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A number from the environment, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
