//! The audit log (SPEC Q4): logins, lockouts, password and e-mail changes, operator actions.
//!
//! An entry names who acted (`actor`: a user name, `operator-api`, `operator-cli:<os user>`),
//! what happened (`action`: a short snake_case word such as `tenant_created`,
//! `password_reset`, `token_revoked`) and the particulars (`detail`: a JSON object of ids and
//! names). Callers never put passwords, tokens or hashes into `detail`.
//!
//! `tenant_id` is `None` for actions outside any tenant. The log is append-only: there is no
//! function to change or delete an entry.

use sqlx::{AssertSqlSafe, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// UTC milliseconds.
    pub at: i64,
    pub tenant_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

impl Store {
    /// The newest `limit` entries, newest first, of one tenant or (with `None`) of the whole
    /// portal, which only the operator may see; with `since`, only entries at or after it.
    pub async fn list_audit(
        &self,
        tenant_id: Option<i64>,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        // Built from fixed pieces: which filters are present decides the placeholders, so
        // that no parameter is ever an untyped NULL (PostgreSQL cannot infer its type).
        let mut filters = Vec::new();
        if tenant_id.is_some() {
            filters.push(format!("tenant_id = ${}", filters.len() + 1));
        }
        if since.is_some() {
            filters.push(format!("at >= ${}", filters.len() + 1));
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", filters.join(" AND "))
        };
        let sql = format!(
            "SELECT id, at, tenant_id, actor, action, detail FROM audit_log{filter} \
             ORDER BY at DESC, id DESC LIMIT ${}",
            filters.len() + 1
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        if let Some(t) = tenant_id {
            q = q.bind(t);
        }
        if let Some(s) = since {
            q = q.bind(s);
        }
        Ok(q.bind(limit.max(0))
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                tenant_id: r.get(2),
                actor: r.get(3),
                action: r.get(4),
                detail: r.get(5),
            })
            .collect())
    }
}
