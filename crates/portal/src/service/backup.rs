//! Backups (`meterport admin backup --to FILE`): a copy of a SQLite database taken while the
//! portal runs. PostgreSQL is backed up with `pg_dump` (README, "Operating meterport").

use std::path::Path;

use meterport_store::{Backend, StoreError};

use crate::service::Services;

/// Why a backup was not made; nothing was written then.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already: a backup never overwrites a file")]
    Exists(String),
    #[error("the database is PostgreSQL: back it up with pg_dump (README, \"Backups\")")]
    Postgres,
    #[error("the backup failed: {0}")]
    Store(#[from] StoreError),
}

/// Copies the database to the new file `to`; its size in bytes.
pub async fn backup(svc: &Services, to: &Path) -> Result<u64, BackupError> {
    let store = svc.store();
    if store.backend() != Backend::Sqlite {
        return Err(BackupError::Postgres);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.display().to_string()));
    }
    store.backup_sqlite_into(to).await?;
    Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
}
