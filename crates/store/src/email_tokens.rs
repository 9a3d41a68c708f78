//! Single-use links mailed to a user (table `email_tokens`): confirm a new notification
//! address (SPEC S26) or reset a forgotten password (S4).
//!
//! A link carries a random 256-bit token; only its SHA-256 is stored, so the table alone
//! opens nothing. The token is the only key of a link, as a session id is of a session: it
//! names its user because only that user's mailbox received it. A link works once, until it
//! expires, and only while it is the user's newest of its purpose: asking again retires the
//! links sent before.
//!
//! A link and the mail that carries it are stored in one transaction
//! ([`Store::create_email_link`]), so there is never a link without its mail or a mail
//! with a dead link.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::change::alone;
use crate::outbox::{NewMail, insert_mail};
use crate::{Change, Result, Store, StoreError};

/// What a link is for (the column `purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Makes the address it was sent to the user's notification address (S26).
    ConfirmEmail,
    /// Lets the user set a new password without the old one (S4).
    ResetPassword,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::ConfirmEmail => "confirm_email",
            LinkPurpose::ResetPassword => "reset_password",
        }
    }
}

/// A link as stored, whatever its state: the pages tell an expired link from a used one.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailLink {
    pub user_id: i64,
    pub tenant_id: i64,
    pub purpose: LinkPurpose,
    /// The address the link was sent to (for a confirmation: the address to confirm).
    pub email: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// When it was used, or retired by a newer request of the same purpose.
    pub used_at: Option<i64>,
}

/// Leaves the address out: addresses do not go into logs.
impl std::fmt::Debug for EmailLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailLink")
            .field("user_id", &self.user_id)
            .field("tenant_id", &self.tenant_id)
            .field("purpose", &self.purpose)
            .field("expires_at", &self.expires_at)
            .field("used_at", &self.used_at)
            .finish_non_exhaustive()
    }
}

impl EmailLink {
    /// Unused and not expired at `now`.
    pub fn is_usable(&self, now: i64) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const LINK_COLUMNS: &str = "t.user_id, u.tenant_id, t.email, t.created_at, t.expires_at, t.used_at";

fn link_from_row(purpose: LinkPurpose, r: &sqlx::any::AnyRow) -> EmailLink {
    EmailLink {
        user_id: r.get(0),
        tenant_id: r.get(1),
        purpose,
        email: r.get(2),
        created_at: r.get(3),
        expires_at: r.get(4),
        used_at: r.get(5),
    }
}

impl Store {
    /// The link of a token for a purpose, used or not, expired or not; `None` when no such
    /// link was ever issued (or it has been purged).
    pub async fn email_link(&self, purpose: LinkPurpose, token: &str) -> Result<Option<EmailLink>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM email_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.purpose = $2"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash(token))
            .bind(purpose.as_str())
            .fetch_optional(self.pool())
            .await?
            .map(|r| link_from_row(purpose, &r)))
    }

    /// The user's newest link of a purpose that still works at `now` (the change-address
    /// screen shows the address waiting for confirmation).
    pub async fn pending_email_link(
        &self,
        tenant_id: i64,
        user_id: i64,
        purpose: LinkPurpose,
        now: i64,
    ) -> Result<Option<EmailLink>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM email_tokens t JOIN users u ON u.id = t.user_id \
             WHERE u.tenant_id = $1 AND t.user_id = $2 AND t.purpose = $3 \
             AND t.used_at IS NULL AND t.expires_at > $4 \
             ORDER BY t.created_at DESC LIMIT 1"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(now)
            .fetch_optional(self.pool())
            .await?
            .map(|r| link_from_row(purpose, &r)))
    }

    /// Deletes the links of every tenant that expired before `before` (housekeeping: an
    /// old link then reads as unknown rather than expired, which says the same to a user).
    pub async fn purge_email_links_all_tenants(&self, before: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM email_tokens WHERE expires_at < $1")
                .bind(before)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }
}

/// Marks a usable link used, inside a transaction, and returns it.
async fn use_in(
    conn: &mut sqlx::AnyConnection,
    purpose: LinkPurpose,
    token: &str,
    now: i64,
) -> Result<Option<EmailLink>> {
    let hash = token_hash(token);
    let done = sqlx::query(
        "UPDATE email_tokens SET used_at = $3 \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(&hash)
    .bind(purpose.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {LINK_COLUMNS} FROM email_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1"
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&hash)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| link_from_row(purpose, &r)))
}

impl Change<'_> {
    /// Stores a new link of a user of the tenant (only the SHA-256 of `token`) and queues
    /// `mail`, which carries it, in one transaction. The user's older unused links of the
    /// same purpose stop working: only the newest request counts. A user of another tenant
    /// is [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn create_email_link(
        &mut self,
        tenant_id: i64,
        user_id: i64,
        purpose: LinkPurpose,
        email: &str,
        token: &str,
        now: i64,
        expires_at: i64,
        mail: &NewMail,
    ) -> Result<()> {
        let exists = sqlx::query("SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(user_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE email_tokens SET used_at = $3 \
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(token))
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(email)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *self.tx)
        .await?;
        insert_mail(&mut self.tx, mail, now).await?;
        Ok(())
    }

    /// Uses a link: marks it used and returns it, if it is unused and unexpired at `now`;
    /// `None` otherwise. The check and the mark are one UPDATE, so of two requests racing
    /// with the same link (two instances, a double click) exactly one gets it.
    pub async fn use_email_link(
        &mut self,
        purpose: LinkPurpose,
        token: &str,
        now: i64,
    ) -> Result<Option<EmailLink>> {
        let link = use_in(&mut self.tx, purpose, token, now).await?;
        Ok(link)
    }

    /// Confirms a new notification address (S26): uses the link and makes the address it
    /// was sent to the user's, in one transaction. Returns the link and the address it
    /// replaced; `None` when the link is not usable.
    pub async fn confirm_email_link(
        &mut self,
        token: &str,
        now: i64,
    ) -> Result<Option<(EmailLink, Option<String>)>> {
        let Some(link) = use_in(&mut self.tx, LinkPurpose::ConfirmEmail, token, now).await? else {
            return Ok(None);
        };
        let old: Option<String> =
            sqlx::query("SELECT email FROM users WHERE tenant_id = $1 AND id = $2")
                .bind(link.tenant_id)
                .bind(link.user_id)
                .fetch_one(&mut *self.tx)
                .await?
                .get(0);
        sqlx::query("UPDATE users SET email = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(link.tenant_id)
            .bind(link.user_id)
            .bind(&link.email)
            .execute(&mut *self.tx)
            .await?;
        Ok(Some((link, old)))
    }
}

alone! {
    /// See [`Change::create_email_link`].
    fn create_email_link(tenant_id: i64, user_id: i64, purpose: LinkPurpose, email: &str, token: &str, now: i64, expires_at: i64, mail: &NewMail) -> Result<()>;
    /// See [`Change::use_email_link`].
    fn use_email_link(purpose: LinkPurpose, token: &str, now: i64) -> Result<Option<EmailLink>>;
    /// See [`Change::confirm_email_link`].
    fn confirm_email_link(token: &str, now: i64) -> Result<Option<(EmailLink, Option<String>)>>;
}
