//! Attempts per client address (the login rate limit of S2), kept in the database so that
//! the limit survives a restart and holds across every instance sharing the database.
//!
//! One row per address and the generic cell rate algorithm (GCRA): `tat`, the theoretical
//! arrival time, moves forward by `window / attempts` with each allowed attempt; an attempt
//! is allowed while `max(tat, now) + interval - now` stays within the window. That allows
//! `attempts` at once from a fresh address, then one per interval, in a single atomic
//! upsert on either database: two instances cannot both take the last attempt.

use crate::{Result, Store};

impl Store {
    /// Counts an attempt from `addr` at `now`: `true` when it is within `attempts` per
    /// `window_ms`, `false` (and nothing counted) when it is over.
    pub async fn throttle_attempt(
        &self,
        addr: &str,
        now: i64,
        attempts: i64,
        window_ms: i64,
    ) -> Result<bool> {
        let interval = (window_ms / attempts.max(1)).max(1);
        // Tells this attempt's own update from a refusal that left another's nonce.
        let nonce: i64 = rand::random::<i64>();
        let got: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle (addr, tat, nonce) VALUES ($1, $2 + $3, $4) \
             ON CONFLICT (addr) DO UPDATE SET \
             tat = CASE WHEN (CASE WHEN login_throttle.tat > $2 THEN login_throttle.tat ELSE $2 END) \
                             + $3 - $2 <= $5 \
                   THEN (CASE WHEN login_throttle.tat > $2 THEN login_throttle.tat ELSE $2 END) + $3 \
                   ELSE login_throttle.tat END, \
             nonce = CASE WHEN (CASE WHEN login_throttle.tat > $2 THEN login_throttle.tat ELSE $2 END) \
                               + $3 - $2 <= $5 \
                     THEN $4 ELSE login_throttle.nonce END \
             RETURNING nonce",
        )
        .bind(addr)
        .bind(now)
        .bind(interval)
        .bind(nonce)
        .bind(window_ms)
        .fetch_one(self.pool())
        .await?;
        // Rows whose time has passed say nothing more than an absent row: swept now and then.
        if nonce.rem_euclid(64) == 0 {
            sqlx::query("DELETE FROM login_throttle WHERE tat < $1")
                .bind(now)
                .execute(self.pool())
                .await?;
        }
        Ok(got == nonce)
    }
}
