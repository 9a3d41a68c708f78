//! A digest of every table, for tests that show a refused request changed nothing.

use crate::{Backend, Result, Store};

impl Store {
    /// A digest of every row of every table, per table: what tests compare to show that a
    /// refused request changed nothing. Crosses tenants by design; not used by the portal.
    pub async fn table_fingerprints(&self) -> Result<std::collections::BTreeMap<String, String>> {
        use sha2::Digest;
        use sqlx::Row;
        let tables: Vec<String> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY table_name",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut out = std::collections::BTreeMap::new();
        for table in tables {
            // Table names come from the catalogue, not from a request.
            let sql = match self.backend {
                Backend::Sqlite => {
                    let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                    )))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect();
                    let row = columns
                        .iter()
                        .map(|c| format!("quote(\"{c}\")"))
                        .collect::<Vec<_>>()
                        .join(" || ',' || ");
                    format!("SELECT {row} AS r FROM \"{table}\" ORDER BY r")
                }
                Backend::Postgres => {
                    format!("SELECT CAST(t AS TEXT) AS r FROM \"{table}\" t ORDER BY r")
                }
            };
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?;
            let mut hash = sha2::Sha256::new();
            for r in &rows {
                hash.update(r.as_bytes());
                hash.update(b"\n");
            }
            out.insert(
                table,
                format!("{} rows {}", rows.len(), hex::encode(hash.finalize())),
            );
        }
        Ok(out)
    }
}
