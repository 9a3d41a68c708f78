//! Ingest tokens and read tokens (SPEC §7). A token is 128 random bits shown once; only its
//! SHA-256 is stored.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::change::alone;
use crate::{Change, Result, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Submits readings and status for the tenant's devices.
    Ingest,
    /// Reads with the rights of one user.
    Read,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Ingest => "ingest",
            TokenKind::Read => "read",
        }
    }
}

/// Who a valid token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenOwner {
    pub token_id: i64,
    pub tenant_id: i64,
    pub user_id: Option<i64>,
}

/// A token as listed for the operator (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub kind: String,
    pub username: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: a prefix that tells its kind, then 160 random bits in hex.
fn generate(kind: TokenKind) -> String {
    let bytes: [u8; 20] = rand::random();
    let prefix = match kind {
        TokenKind::Ingest => "mpi_",
        TokenKind::Read => "mpr_",
    };
    format!("{prefix}{}", hex::encode(bytes))
}

impl Store {
    /// The owner of a valid, unrevoked token of the given kind.
    pub async fn verify_token(&self, kind: TokenKind, token: &str) -> Result<Option<TokenOwner>> {
        let row = sqlx::query(
            "SELECT id, tenant_id, user_id FROM tokens \
             WHERE token_hash = $1 AND kind = $2 AND revoked_at IS NULL",
        )
        .bind(hash(token))
        .bind(kind.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| TokenOwner {
            token_id: r.get(0),
            tenant_id: r.get(1),
            user_id: r.get(2),
        }))
    }

    pub async fn list_tokens(&self, tenant_id: i64) -> Result<Vec<TokenInfo>> {
        Ok(sqlx::query(
            "SELECT t.id, t.kind, u.username, t.created_at, t.revoked_at FROM tokens t \
             LEFT JOIN users u ON u.id = t.user_id WHERE t.tenant_id = $1 ORDER BY t.id",
        )
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| TokenInfo {
            id: r.get(0),
            kind: r.get(1),
            username: r.get(2),
            created_at: r.get(3),
            revoked_at: r.get(4),
        })
        .collect())
    }
}

impl Change<'_> {
    /// Issues a token and returns it; this is the only time it can be seen.
    pub async fn issue_token(
        &mut self,
        tenant_id: i64,
        kind: TokenKind,
        user_id: Option<i64>,
        now: i64,
    ) -> Result<(i64, String)> {
        let token = generate(kind);
        let row = sqlx::query(
            "INSERT INTO tokens (tenant_id, kind, user_id, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(tenant_id)
        .bind(kind.as_str())
        .bind(user_id)
        .bind(hash(&token))
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok((row.get(0), token))
    }

    pub async fn revoke_token(&mut self, tenant_id: i64, token_id: i64, now: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 \
             AND revoked_at IS NULL",
        )
        .bind(tenant_id)
        .bind(token_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

alone! {
    /// See [`Change::issue_token`].
    fn issue_token(tenant_id: i64, kind: TokenKind, user_id: Option<i64>, now: i64) -> Result<(i64, String)>;
    /// See [`Change::revoke_token`].
    fn revoke_token(tenant_id: i64, token_id: i64, now: i64) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_at_least_128_random_bits_and_differ() {
        let a = generate(TokenKind::Ingest);
        let b = generate(TokenKind::Ingest);
        assert_ne!(a, b);
        assert!(a.starts_with("mpi_"));
        assert_eq!(a.len() - 4, 40, "160 bits in hex");
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 64);
    }
}
