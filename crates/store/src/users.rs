//! Customer users (SPEC §2, S1-S3, S24) and their password hashes (Q4).
//!
//! A user belongs to one tenant, but the user name is unique across the portal because the
//! login screen asks for no tenant; that is why [`Store::user_by_username_any_tenant`] exists
//! and says so in its name.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use sqlx::Row;

use crate::change::alone;
use crate::{Change, Result, Store, StoreError, unique_violation};

/// A user row. `Debug` leaves the password hash out, so that a user logged by mistake does
/// not put a hash into the logs.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub tenant_id: i64,
    /// Lower case (policy::normalize_username).
    pub username: String,
    /// An Argon2id PHC string (`$argon2id$v=19$...`).
    pub password_hash: String,
    pub password_changed_at: i64,
    /// Set by an operator's reset: the next login leads only to the change-password screen.
    pub must_change_password: bool,
    /// The confirmed notification address.
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    /// Display language, `ja` or `en` (S25).
    pub language: String,
    pub locale: String,
    /// `None`: the tenant's zone.
    pub timezone: Option<String>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub previous_login_at: Option<i64>,
    pub created_at: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("password_changed_at", &self.password_changed_at)
            .field("must_change_password", &self.must_change_password)
            .field("language", &self.language)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, tenant_id, username, password_hash, password_changed_at, \
    must_change_password, email, first_name, last_name, language, locale, timezone, \
    failed_logins, locked_until, last_login_at, previous_login_at, created_at";

fn from_row(r: sqlx::any::AnyRow) -> User {
    User {
        id: r.get(0),
        tenant_id: r.get(1),
        username: r.get(2),
        password_hash: r.get(3),
        password_changed_at: r.get(4),
        must_change_password: r.get::<i64, _>(5) != 0,
        email: r.get(6),
        first_name: r.get(7),
        last_name: r.get(8),
        language: r.get(9),
        locale: r.get(10),
        timezone: r.get(11),
        failed_logins: r.get(12),
        locked_until: r.get(13),
        last_login_at: r.get(14),
        previous_login_at: r.get(15),
        created_at: r.get(16),
    }
}

/// Hashes a password with Argon2id and the crate's default parameters (19 MiB, 2 passes),
/// with a fresh random salt, as a PHC string.
///
/// This takes tens of milliseconds of CPU on purpose: call it inside
/// `tokio::task::spawn_blocking`, never directly on an async worker.
pub fn hash_password(pw: &str) -> String {
    Argon2::default()
        .hash_password(pw.as_bytes())
        // Only the OS random source can fail here, and without it no salt can be made:
        // there is nothing sensible to do but stop.
        .expect("the system random source is available for a password salt")
        .to_string()
}

/// Whether `pw` matches a PHC hash made by [`hash_password`]. The parameters are read from
/// the hash, so hashes made with older parameters keep working. A malformed hash matches
/// nothing. Slow on purpose, like [`hash_password`]: use `spawn_blocking`.
pub fn verify_password(pw: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(pw.as_bytes(), hash)
        .is_ok()
}

impl Store {
    /// The user of a (normalised) user name, in whichever tenant: login asks for no tenant.
    /// Callers that act for a tenant must check `tenant_id` themselves.
    pub async fn user_by_username_any_tenant(&self, username: &str) -> Result<Option<User>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE username = $1"));
        Ok(sqlx::query(sql)
            .bind(username)
            .fetch_optional(self.pool())
            .await?
            .map(from_row))
    }

    /// One user of the tenant; another tenant's id is [`StoreError::NotFound`].
    pub async fn user(&self, tenant_id: i64, user_id: i64) -> Result<User> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"
        ));
        sqlx::query(sql)
            .bind(tenant_id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .map(from_row)
            .ok_or(StoreError::NotFound)
    }

    /// The tenant's users, by user name.
    pub async fn list_users(&self, tenant_id: i64) -> Result<Vec<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY username"
        ));
        Ok(sqlx::query(sql)
            .bind(tenant_id)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(from_row)
            .collect())
    }
}

impl Change<'_> {
    /// Creates a user. The caller has validated the fields and hashed the password; a user
    /// name taken anywhere in the portal is [`StoreError::Conflict`]`("username")`.
    pub async fn create_user(
        &mut self,
        tenant_id: i64,
        username: &str,
        password_hash: &str,
        email: Option<&str>,
        language: &str,
        now: i64,
    ) -> Result<User> {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (tenant_id, username, password_hash, password_changed_at, \
             email, language, created_at) VALUES ($1, $2, $3, $4, $5, $6, $4) \
             RETURNING {COLUMNS}"
        ));
        let row = sqlx::query(sql)
            .bind(tenant_id)
            .bind(username)
            .bind(password_hash)
            .bind(now)
            .bind(email)
            .bind(language)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(|e| unique_violation(e, "username"))?;
        Ok(from_row(row))
    }

    /// Deletes a user and returns it. Its read tokens are revoked at `now` and kept (without
    /// the user) in the token list as history: a read token without a user would otherwise
    /// still read the tenant's data. The user's sessions and e-mail links go; devices that
    /// named the user as toner administrator keep no administrator.
    pub async fn delete_user(&mut self, tenant_id: i64, user_id: i64, now: i64) -> Result<User> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"
        ));
        let user = sqlx::query(sql)
            .bind(tenant_id)
            .bind(user_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .map(from_row)
            .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "UPDATE tokens SET revoked_at = COALESCE(revoked_at, $3), user_id = NULL \
             WHERE tenant_id = $1 AND user_id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        // The user's web sessions and mailed links die with the user.
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM email_tokens WHERE user_id = $1",
        ] {
            sqlx::query(sql)
                .bind(user_id)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query(
            "UPDATE devices SET toner_admin_id = NULL WHERE tenant_id = $1 AND toner_admin_id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(user)
    }

    /// Stores a new password hash. The expiry clock (S3) starts again at `now`, and a lock
    /// or a count of failed logins goes: a new password is a fresh start. `must_change`
    /// is set for an operator's reset, so that only the user knows the password in use.
    pub async fn set_password(
        &mut self,
        tenant_id: i64,
        user_id: i64,
        password_hash: &str,
        now: i64,
        must_change: bool,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET password_hash = $3, password_changed_at = $4, \
             must_change_password = $5, failed_logins = 0, locked_until = NULL \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(password_hash)
        .bind(now)
        .bind(i64::from(must_change))
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a wrong password: the count of consecutive failures and, on the fifth, the
    /// end of the lock, as `meterport_domain::login::decide` decided them.
    pub async fn record_login_failure(
        &mut self,
        tenant_id: i64,
        user_id: i64,
        failures: i64,
        locked_until: Option<i64>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET failed_logins = $3, locked_until = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(failures)
        .bind(locked_until)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a successful login: the one before becomes the "previous login" that the
    /// welcome screen shows (S5), and the failure count starts again.
    pub async fn record_login_success(
        &mut self,
        tenant_id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET previous_login_at = last_login_at, last_login_at = $3, \
             failed_logins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Lifts a lockout (S2) and forgets the failed attempts.
    pub async fn unlock_user(&mut self, tenant_id: i64, user_id: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

alone! {
    /// See [`Change::create_user`].
    fn create_user(tenant_id: i64, username: &str, password_hash: &str, email: Option<&str>, language: &str, now: i64) -> Result<User>;
    /// See [`Change::delete_user`].
    fn delete_user(tenant_id: i64, user_id: i64, now: i64) -> Result<User>;
    /// See [`Change::set_password`].
    fn set_password(tenant_id: i64, user_id: i64, password_hash: &str, now: i64, must_change: bool) -> Result<()>;
    /// See [`Change::record_login_failure`].
    fn record_login_failure(tenant_id: i64, user_id: i64, failures: i64, locked_until: Option<i64>) -> Result<()>;
    /// See [`Change::record_login_success`].
    fn record_login_success(tenant_id: i64, user_id: i64, now: i64) -> Result<()>;
    /// See [`Change::unlock_user`].
    fn unlock_user(tenant_id: i64, user_id: i64) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_argon2id_hash_only() {
        let hash = hash_password("abc123");

        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(verify_password("abc123", &hash));
        assert!(!verify_password("abc124", &hash));
        assert!(!verify_password("abc123", "not a hash"));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let a = hash_password("abc123");
        let b = hash_password("abc123");

        assert_ne!(a, b, "each hash has its own salt");
    }
}
