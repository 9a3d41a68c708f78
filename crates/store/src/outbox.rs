//! The mail outbox (table `outbox`): mail a request wants sent, waiting for the sender task.
//!
//! A request stores its mail here, in its own transaction where it has one (a mailed link and
//! its mail are stored together or not at all), and returns at once. The portal's sender task
//! ([`Store::claim_due_mail`], then [`Store::mark_mail_sent`] or [`Store::mark_mail_failed`])
//! delivers it with retries, so a slow or absent mail server never blocks nor loses a mail.
//!
//! Several portal instances may share one database: each claims a row by moving its
//! `next_attempt_at` a lease into the future in one statement, so no two instances send the
//! same mail at once. If an instance dies while sending, the lease runs out and another one
//! sends the mail again: delivery is at least once, never silently lost.
//!
//! A mail that will never be attempted again keeps its row (with `last_error`) and has
//! `next_attempt_at` = [`GAVE_UP`]. Once a mail is sent or given up its bodies are blanked:
//! they may hold a single-use link, which the database should not keep in clear any longer
//! than needed (only the link's hash is kept in `email_tokens`).

use sqlx::{AnyConnection, Row};

use crate::{Backend, Change, Result, Store, StoreError};

/// `next_attempt_at` of a mail that will never be attempted again.
pub const GAVE_UP: i64 = i64::MAX;

/// A mail to be queued: the recipient and both parts, already rendered.
#[derive(Clone, PartialEq, Eq)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Leaves the bodies out: they may hold a single-use link.
impl std::fmt::Debug for NewMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMail")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A mail claimed for one delivery attempt.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub created_at: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

impl std::fmt::Debug for OutboxMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMail")
            .field("id", &self.id)
            .field("subject", &self.subject)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// How many mails are in each state (for tests, health and metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Not sent yet, still to be attempted (waiting, or being sent now).
    pub pending: i64,
    pub sent: i64,
    /// Given up: never to be attempted again.
    pub failed: i64,
    /// Pending mails with at least one failed attempt behind them.
    pub retrying: i64,
}

/// Stores a mail on an open connection or transaction, due at once. Used by the functions
/// that store a mail together with what it announces (`email_tokens`).
pub(crate) async fn insert_mail(conn: &mut AnyConnection, mail: &NewMail, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO outbox (to_addr, subject, text_body, html_body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.get(0))
}

impl Change<'_> {
    /// Queues a mail with the change it reports (due at once once committed); its id.
    pub async fn enqueue_mail(&mut self, mail: &NewMail, now: i64) -> Result<i64> {
        insert_mail(&mut self.tx, mail, now).await
    }
}

impl Store {
    /// Queues a mail, due at once; returns its id. The caller wakes the sender.
    pub async fn enqueue_mail(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: &str,
        now: i64,
    ) -> Result<i64> {
        let mut conn = self.pool().acquire().await?;
        let mail = NewMail {
            to: to.into(),
            subject: subject.into(),
            text: text.into(),
            html: html.into(),
        };
        insert_mail(&mut conn, &mail, now).await
    }

    /// Claims the mail that has been due longest, if any, for one attempt: counts the
    /// attempt and moves `next_attempt_at` to `now + lease_ms`, so that no other sender
    /// takes it meanwhile. The sender must finish (sent or failed) within the lease.
    ///
    /// The row is chosen and claimed in one statement. On PostgreSQL, `FOR UPDATE SKIP
    /// LOCKED` lets concurrent senders each take a different row instead of queueing behind
    /// one another; SQLite has a single writer, so its UPDATE is atomic as it is.
    pub async fn claim_due_mail(&self, now: i64, lease_ms: i64) -> Result<Option<OutboxMail>> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
                         ORDER BY next_attempt_at, id LIMIT 1{lock}) \
             RETURNING id, to_addr, subject, text_body, html_body, created_at, attempts"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(now.saturating_add(lease_ms))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| OutboxMail {
            id: r.get(0),
            to: r.get(1),
            subject: r.get(2),
            text: r.get(3),
            html: r.get(4),
            created_at: r.get(5),
            attempts: r.get(6),
        }))
    }

    /// Records a delivered mail, and blanks its bodies (see the module's notes).
    pub async fn mark_mail_sent(&self, id: i64, now: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE outbox SET sent_at = $2, last_error = NULL, text_body = '', html_body = '' \
             WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a failed attempt: the next one at `retry_at`, or none (`None`: given up; the
    /// row stays, with the error, and its bodies are blanked).
    pub async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<()> {
        let sql = match retry_at {
            Some(_) => "UPDATE outbox SET next_attempt_at = $3, last_error = $2 WHERE id = $1",
            None => {
                "UPDATE outbox SET next_attempt_at = $3, last_error = $2, \
                 text_body = '', html_body = '' WHERE id = $1"
            }
        };
        // An error text from a remote server can be long; the first 1000 characters say
        // what went wrong.
        let error: String = error.chars().take(1000).collect();
        let done = sqlx::query(sql)
            .bind(id)
            .bind(error)
            .bind(retry_at.unwrap_or(GAVE_UP))
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// How many mails are pending, sent, retrying and given up.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN sent_at IS NULL AND next_attempt_at < $1 THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN sent_at IS NULL AND next_attempt_at = $1 THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN sent_at IS NULL AND next_attempt_at < $1 \
                                  AND last_error IS NOT NULL THEN 1 ELSE 0 END), 0) \
             FROM outbox",
        )
        .bind(GAVE_UP)
        .fetch_one(self.pool())
        .await?;
        Ok(OutboxCounts {
            pending: row.get(0),
            sent: row.get(1),
            failed: row.get(2),
            retrying: row.get(3),
        })
    }

    /// The last error of the newest mail that has one (what an operator wants to see when
    /// mail does not go out).
    pub async fn last_mail_error(&self) -> Result<Option<String>> {
        Ok(sqlx::query(
            "SELECT last_error FROM outbox WHERE last_error IS NOT NULL \
             ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.get(0)))
    }

    /// Deletes mails sent before `before`, and given-up ones created before it.
    pub async fn purge_outbox(&self, before: i64) -> Result<u64> {
        Ok(sqlx::query(
            "DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < $1) \
             OR (sent_at IS NULL AND next_attempt_at = $2 AND created_at < $1)",
        )
        .bind(before)
        .bind(GAVE_UP)
        .execute(self.pool())
        .await?
        .rows_affected())
    }
}
