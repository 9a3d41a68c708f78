//! Server-side web sessions (SPEC S6, Q4). The cookie holds a random id; the database holds
//! its SHA-256, the user, the CSRF token and the times the timeouts are checked against.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::change::alone;
use crate::{Change, Result, Store};

/// A live session as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub tenant_id: i64,
    pub csrf: String,
    /// Only the change-password screen is open to this session (S3).
    pub restricted: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
}

fn hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// 256 random bits in hex.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

impl Store {
    /// The session of a cookie id, if it exists (timeouts are the caller's policy).
    pub async fn session(&self, id: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT s.user_id, u.tenant_id, s.csrf, s.restricted, s.created_at, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
        )
        .bind(hash(id))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| Session {
            user_id: r.get(0),
            tenant_id: r.get(1),
            csrf: r.get(2),
            restricted: r.get::<i64, _>(3) != 0,
            created_at: r.get(4),
            last_seen_at: r.get(5),
        }))
    }

    /// Records activity (for the idle timeout).
    pub async fn touch_session(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(hash(id))
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes sessions idle since before `idle_before` or created before `created_before`.
    pub async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(idle_before)
                .bind(created_before)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }
}

impl Change<'_> {
    /// Opens a session for a user; returns the cookie's id (shown once) and the CSRF token.
    /// A fresh id at every login defeats session fixation.
    pub async fn create_session(
        &mut self,
        user_id: i64,
        restricted: bool,
        now: i64,
    ) -> Result<(String, String)> {
        let id = random_token();
        let csrf = random_token();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, restricted, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(hash(&id))
        .bind(user_id)
        .bind(&csrf)
        .bind(restricted as i64)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok((id, csrf))
    }

    pub async fn delete_session(&mut self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash(id))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Ends every session of a user but one (after a password change or reset).
    pub async fn delete_other_sessions(&mut self, user_id: i64, keep: Option<&str>) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep.map(hash).unwrap_or_default())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Opens the whole portal to a session whose password has just been changed.
    pub async fn unrestrict_session(&mut self, id: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET restricted = 0 WHERE id_hash = $1")
            .bind(hash(id))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

alone! {
    /// See [`Change::create_session`].
    fn create_session(user_id: i64, restricted: bool, now: i64) -> Result<(String, String)>;
    /// See [`Change::delete_session`].
    fn delete_session(id: &str) -> Result<()>;
    /// See [`Change::delete_other_sessions`].
    fn delete_other_sessions(user_id: i64, keep: Option<&str>) -> Result<()>;
    /// See [`Change::unrestrict_session`].
    fn unrestrict_session(id: &str) -> Result<()>;
}
