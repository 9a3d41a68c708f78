//! Online backup of a SQLite database (`meterport admin backup --to FILE`). PostgreSQL has
//! its own tool for this, `pg_dump`.

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the whole SQLite database to the new file `to`, while
    /// the portal keeps running. SQLite's `VACUUM INTO` reads the database in one read
    /// transaction (a snapshot that includes what the WAL holds; writers go on beside it)
    /// and writes a compact copy without a WAL of its own, so the copy is one file. The
    /// copy is synced to disk before this returns. Fails when `to` exists.
    pub async fn backup_sqlite_into(&self, to: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Failed(
                "only a SQLite database is backed up this way; use pg_dump for PostgreSQL".into(),
            ));
        }
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::Failed(format!("{} is not a UTF-8 path", to.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        std::fs::File::open(to)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::Failed(format!("{}: {e}", to.display())))?;
        Ok(())
    }
}
