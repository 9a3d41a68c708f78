//! The operator's announcements (お知らせ, SPEC S5): shown to every customer user on the
//! welcome screen between their dates, newest first. Not tenant data: they come from the
//! service company to all its customers.

use sqlx::Row;

use crate::change::alone;
use crate::{Change, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Announcement {
    pub id: i64,
    pub text_ja: String,
    pub text_en: String,
    pub shown_from: i64,
    pub shown_until: Option<i64>,
    pub created_at: i64,
}

fn from_row(r: sqlx::any::AnyRow) -> Announcement {
    Announcement {
        id: r.get(0),
        text_ja: r.get(1),
        text_en: r.get(2),
        shown_from: r.get(3),
        shown_until: r.get(4),
        created_at: r.get(5),
    }
}

impl Store {
    /// Every announcement, newest first (for the operator).
    pub async fn list_announcements_all(&self) -> Result<Vec<Announcement>> {
        Ok(sqlx::query(
            "SELECT id, text_ja, text_en, shown_from, shown_until, created_at \
             FROM announcements ORDER BY shown_from DESC, id DESC",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(from_row)
        .collect())
    }

    /// The announcements shown at `now`, newest first.
    pub async fn current_announcements(&self, now: i64) -> Result<Vec<Announcement>> {
        Ok(sqlx::query(
            "SELECT id, text_ja, text_en, shown_from, shown_until, created_at \
             FROM announcements WHERE shown_from <= $1 AND (shown_until IS NULL OR shown_until > $1) \
             ORDER BY shown_from DESC, id DESC",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(from_row)
        .collect())
    }
}

impl Change<'_> {
    pub async fn create_announcement(
        &mut self,
        text_ja: &str,
        text_en: &str,
        shown_from: i64,
        shown_until: Option<i64>,
        now: i64,
    ) -> Result<Announcement> {
        let row = sqlx::query(
            "INSERT INTO announcements (text_ja, text_en, shown_from, shown_until, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, text_ja, text_en, shown_from, shown_until, created_at",
        )
        .bind(text_ja)
        .bind(text_en)
        .bind(shown_from)
        .bind(shown_until)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(from_row(row))
    }

    pub async fn delete_announcement(&mut self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM announcements WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

alone! {
    /// See [`Change::create_announcement`].
    fn create_announcement(text_ja: &str, text_en: &str, shown_from: i64, shown_until: Option<i64>, now: i64) -> Result<Announcement>;
    /// See [`Change::delete_announcement`].
    fn delete_announcement(id: i64) -> Result<()>;
}
