//! Brings a PostgreSQL database's schema up to date: the files of `migrations/postgres/`
//! in order, each applied once, recorded in `schema_migrations`.

use crate::store::OpenError;
use postgres::Client;

/// The migrations, in order. Append only: a released file is never edited.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "client_requests",
        include_str!("../../../migrations/postgres/0002_client_requests.sql"),
    ),
    (
        3,
        "report_lifecycle",
        include_str!("../../../migrations/postgres/0003_report_lifecycle.sql"),
    ),
    (
        4,
        "comments_followers",
        include_str!("../../../migrations/postgres/0004_comments_followers.sql"),
    ),
];

/// Applies every migration the database has not had, in one transaction. Instances
/// starting together queue on an advisory lock, so each migration runs once; PostgreSQL's
/// DDL is transactional, so a failure leaves the schema as it was.
pub(super) fn to_latest(client: &mut Client) -> Result<usize, OpenError> {
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, 0)",
        &[&super::locks::MIGRATE],
    )?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let applied: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    let mut ran = 0;
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, ..)| *v > applied) {
        tx.batch_execute(sql)
            .map_err(|source| OpenError::PostgresMigration {
                version: *version,
                source,
            })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )?;
        ran += 1;
    }
    tx.commit()?;
    if ran > 0 {
        tracing::info!(applied = ran, "migrated the PostgreSQL schema");
    }
    Ok(ran)
}
