//! Which database the tests run on, and a look behind the API at it.
//!
//! `LINLI_TEST_DATABASE=postgres` runs every `TestPlatform` on a database of its own on a
//! throwaway PostgreSQL server (one per test binary, see `linli_platform::testing`); anything
//! else (or nothing) on SQLite in the test's data dir.

use std::path::PathBuf;

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    linli_platform::testing::requested()
}

/// The `database_url` a new test platform gets: a fresh PostgreSQL database, or `None` for
/// SQLite in its data dir.
pub fn fresh_database_url() -> Option<String> {
    on_postgres().then(linli_platform::testing::fresh_database_url)
}

/// The database a test platform runs on, opened beside it.
pub enum TestDb {
    Sqlite(rusqlite::Connection),
    Postgres(String),
}

impl TestDb {
    pub fn open(config: &linli_platform::Config) -> Self {
        match &config.database_url {
            Some(url) if url.starts_with("postgres") => TestDb::Postgres(url.clone()),
            Some(other) => panic!("tests open SQLite by data dir, not {other}"),
            None => TestDb::Sqlite(
                rusqlite::Connection::open(config.data_dir.join("linli.sqlite3")).unwrap(),
            ),
        }
    }

    /// Runs a PostgreSQL client on a thread of its own: its runtime may not start inside
    /// the async test.
    fn with_pg<T: Send>(url: &str, work: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                work(&mut client)
            })
            .join()
            .unwrap()
        })
    }

    /// The one integer `sql` answers (a count, a number).
    pub fn number(&self, sql: &str) -> i64 {
        match self {
            TestDb::Sqlite(db) => db.query_row(sql, [], |r| r.get(0)).unwrap(),
            TestDb::Postgres(url) => {
                Self::with_pg(url, |c| c.query_one(sql, &[]).unwrap().get::<_, i64>(0))
            }
        }
    }

    /// The byte columns of the one row `sql` answers.
    pub fn bytes(&self, sql: &str) -> Vec<Vec<u8>> {
        match self {
            TestDb::Sqlite(db) => db
                .query_row(sql, [], |r| {
                    (0..r.as_ref().column_count())
                        .map(|i| r.get(i))
                        .collect::<rusqlite::Result<Vec<Vec<u8>>>>()
                })
                .unwrap(),
            TestDb::Postgres(url) => Self::with_pg(url, |c| {
                let row = c.query_one(sql, &[]).unwrap();
                (0..row.len()).map(|i| row.get(i)).collect()
            }),
        }
    }

    /// Runs statements (plain SQL both databases read alike).
    pub fn execute_batch(&self, sql: &str) {
        match self {
            TestDb::Sqlite(db) => db.execute_batch(sql).unwrap(),
            TestDb::Postgres(url) => Self::with_pg(url, |c| c.batch_execute(sql).unwrap()),
        }
    }

    /// Bytes written as an SQL literal in this database's dialect.
    pub fn bytes_literal(&self, bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        match self {
            TestDb::Sqlite(_) => format!("X'{hex}'"),
            TestDb::Postgres(_) => format!("'\\x{hex}'::bytea"),
        }
    }

    /// Files the database writes what it stores to: SQLite's file and its WAL, or the
    /// PostgreSQL cluster's write-ahead log (everything stored passes through it) and its
    /// table files.
    pub fn storage_files(&self, data_dir: &std::path::Path) -> Vec<PathBuf> {
        match self {
            TestDb::Sqlite(_) => ["linli.sqlite3", "linli.sqlite3-wal"]
                .map(|f| data_dir.join(f))
                .into(),
            TestDb::Postgres(url) => {
                // Written out now, rather than whenever the server gets round to it.
                Self::with_pg(url, |c| c.batch_execute("CHECKPOINT").unwrap());
                let cluster = linli_platform::testing::shared_server().data_dir();
                let mut files = Vec::new();
                let mut dirs = vec![cluster.join("pg_wal"), cluster.join("base")];
                while let Some(dir) = dirs.pop() {
                    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                        let path = entry.path();
                        if path.is_dir() {
                            dirs.push(path);
                        } else {
                            files.push(path);
                        }
                    }
                }
                assert!(!files.is_empty(), "the cluster has files");
                files
            }
        }
    }
}
