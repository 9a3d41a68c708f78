//! All of meterport's SQL, on SQLite and PostgreSQL.
//!
//! One set of queries serves both databases through sqlx's `Any` driver: `$1` placeholders,
//! BIGINT ids, times as BIGINT UTC milliseconds, flags as 0/1, and `INSERT .. ON CONFLICT`,
//! which both speak. Where they differ (schema types, transaction start, row locks) the
//! [`Backend`] says so. Migrations live in `migrations/sqlite` and `migrations/postgres`.
//!
//! Tenancy: every function that touches a tenant's data takes the tenant id first and filters
//! on it in SQL (SPEC T1). A function that crosses tenants says so in its name.
//!
//! Modules:
//! - [`tenants`], [`users`], [`groups`], [`devices`], [`tokens`], [`audit`]: the directory.
//! - [`readings`]: storing readings and keeping the day and month roll-ups (SPEC C, I4).
//! - [`rollups`]: how roll-ups are stored, per block of neighbouring devices.
//! - [`conditions`]: status reports and open conditions (I6).
//! - [`supplies`], [`supply_history`]: the supply list of a device's latest report, and each
//!   supply's level changes for the days-to-empty forecast (B1).
//! - [`counters`]: reading roll-ups back for the counters query.
//! - [`email_tokens`], [`outbox`]: mailed single-use links, and mail waiting to be sent.
//! - [`late_notices`]: devices that stop reporting, and what the notifier told of each stop.
//! - [`monitoring`]: what the `/metrics` scrape reads: devices per tenant by status and
//!   reporting state, and the connection pools' use.

pub mod announcements;
pub mod audit;
pub mod backup;
pub mod change;
pub mod conditions;
pub mod counters;
pub mod device_settings;
pub mod devices;
pub mod email_tokens;
pub mod fingerprint;
pub mod groups;
pub mod late_notices;
pub mod mail_rejects;
pub mod monitoring;
pub mod notices;
pub mod notifications;
pub mod outbox;
pub mod profiles;
pub mod readings;
pub mod rollups;
pub mod sessions;
pub mod supplies;
pub mod supply_alerts;
pub mod supply_history;
pub mod tenants;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod webhooks;
mod writer_cache;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use change::{Change, NewAuditEntry};
pub use sqlx::{Any, AnyConnection, Transaction};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A storage failure. Validation failures are not errors of the store: functions that
/// validate return them in their `Ok` value or as [`StoreError::Conflict`] for uniqueness.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be decoded")]
    Codec(#[from] meterport_domain::counters::CodecError),
    #[error("unsupported database URL {0:?}: use sqlite:PATH or postgres://...")]
    BadUrl(String),
    /// A uniqueness rule was broken (the constraint's name says which).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    /// A failure shared by several requests (a group commit that failed), as text.
    #[error("{0}")]
    Failed(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The storage handle: a connection pool and the backend behind it. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// Write transactions ([`Store::begin_write`]): on SQLite a pool of one connection, on
    /// PostgreSQL the same pool as `pool`.
    writer: AnyPool,
    /// Write transactions started by [`Store::begin_write`]: the ingest writer's cache is
    /// not trusted after one ([`writer_cache`]).
    write_generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// What the ingest writer keeps between its transactions (SQLite only).
    writer_cache: std::sync::Arc<std::sync::Mutex<writer_cache::WriterCache>>,
    backend: Backend,
    /// Large tenants' device lists as the counters query reads them ([`counters`]).
    directory: std::sync::Arc<counters::DirectoryCache>,
    /// Whether any tenant has an active webhook, as last read ([`webhooks`]).
    hooks: std::sync::Arc<webhooks::HooksSeen>,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens `sqlite:PATH` (created if missing) or `postgres://...`, and runs migrations.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                // Readers: WAL lets them run beside the writer.
                let pool = sqlite_pool(8, READER_PRAGMAS)
                    .connect_with(options.clone())
                    .await?;
                // One connection for every write transaction. SQLite has a single writer
                // anyway; keeping it on one connection keeps that connection's page cache
                // valid from one transaction to the next (a connection drops its whole cache
                // when another connection has written since its last transaction).
                let writer = sqlite_pool(1, WRITER_PRAGMAS).connect_with(options).await?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                (pool.clone(), pool)
            }
        };
        let store = Store {
            pool,
            writer,
            write_generation: Default::default(),
            writer_cache: Default::default(),
            backend,
            directory: Default::default(),
            hooks: Default::default(),
        };
        match backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&store.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&store.pool).await?,
        }
        store.rebuild_rollups_if_pending().await?;
        store.fill_rollup_heads().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that two writers queue on the busy timeout instead of failing when a
    /// read lock cannot be upgraded.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        let tx = self.begin_ingest().await?;
        // Counted once the writer connection is ours: the ingest writer reads the count
        // only while it holds that connection, so it sees every transaction before its own.
        self.write_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(tx)
    }

    /// [`Store::begin_write`] for the ingest writer, which keeps its cache valid itself.
    pub(crate) async fn begin_ingest(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// Checks that the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Copies committed WAL frames into the database file without waiting for anyone
    /// (SQLite's passive checkpoint), on a reader connection. The server calls it every
    /// second, so that the writer's commits seldom have to do it themselves (their own
    /// threshold, [`WRITER_PRAGMAS`], is the safety net). Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// Every SQLite connection: WAL lets readers run beside the writer; synchronous=FULL makes a
/// commit durable before it returns, so a 200 survives a crash or a power cut (SPEC Q5). The
/// busy timeout covers writes made outside [`Store::begin_write`] (single statements on a
/// reader connection) and other processes (admin commands).
const COMMON_PRAGMAS: &str = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
     PRAGMA busy_timeout=15000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";

/// Readers: an 8 MiB page cache each. A fleet-wide query reads tens of megabytes of roll-up
/// rows once, which no connection's cache keeps for the next query on another connection;
/// the operating system's file cache does. At 32 MiB, eight connections filled by such
/// queries pushed the server past its memory budget, and the queries were no faster.
const READER_PRAGMAS: &str = "PRAGMA cache_size=-8192;";

/// The writer: its cache stays valid between transactions, so it holds the pages a batch
/// touches (the newest readings, roll-up and device pages). Its commits checkpoint only
/// once the WAL has grown past 64 MiB, a backstop for [`Store::checkpoint`].
const WRITER_PRAGMAS: &str = "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=16384;";

fn sqlite_pool(connections: u32, pragmas: &'static str) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                conn.execute(COMMON_PRAGMAS).await?;
                conn.execute(pragmas).await?;
                Ok(())
            })
        })
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`] with a stable name.
pub(crate) fn unique_violation(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Db(e),
    }
}

/// Placeholders of a bulk multi-row list, `rows` rows of `cols` values, whose first value
/// is parameter `first`: `($4,$5),($6,$7)` on PostgreSQL, `(?,?),(?,?)` on SQLite.
///
/// Why anonymous on SQLite: it finds the number of a named parameter by walking the list of
/// names, so binding n of them costs n²; a 4,000-parameter insert spent most of an ingest's
/// time there. Anonymous parameters are bound in the order they appear in the text, so
/// every other parameter of such a statement is written with [`param`], and all are bound
/// in text order.
///
/// Such statements are run with `.persistent(false)`: their text changes with the number
/// of rows, and a cache of a hundred prepared 1,000-row statements per connection held
/// hundreds of megabytes.
pub(crate) fn bulk_values(backend: Backend, first: usize, rows: usize, cols: usize) -> String {
    match backend {
        Backend::Postgres => values_from(first, rows, cols),
        Backend::Sqlite => {
            let row = format!("({})", vec!["?"; cols].join(","));
            vec![row.as_str(); rows].join(",")
        }
    }
}

/// Parameter `n` of a statement that also holds a bulk list: `$n` on PostgreSQL, `?` on
/// SQLite (see [`bulk_values`]).
pub(crate) fn param(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Postgres => format!("${n}"),
        Backend::Sqlite => "?".into(),
    }
}

/// Placeholders of a bulk `IN (...)` list of `count` values from parameter `first`; see
/// [`bulk_values`].
pub(crate) fn bulk_list(backend: Backend, first: usize, count: usize) -> String {
    match backend {
        Backend::Postgres => list_placeholders(first, count),
        Backend::Sqlite => vec!["?"; count].join(","),
    }
}

/// `($first,$first+1),...`: `rows` rows of `cols` numbered parameters from `$first`.
fn values_from(first: usize, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 6);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(first + r * cols + c).to_string());
        }
        s.push(')');
    }
    s
}

/// Builds `$n,$n+1,...` for an `IN (...)` list of `count` values starting at `$first`.
pub(crate) fn list_placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_value_in_order() {
        assert_eq!(values_from(1, 2, 3), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(list_placeholders(3, 2), "$3,$4");
        assert_eq!(bulk_values(Backend::Postgres, 2, 2, 2), "($2,$3),($4,$5)");
        assert_eq!(bulk_values(Backend::Sqlite, 2, 2, 2), "(?,?),(?,?)");
        assert_eq!(bulk_list(Backend::Postgres, 3, 2), "$3,$4");
        assert_eq!(bulk_list(Backend::Sqlite, 3, 2), "?,?");
    }
}
