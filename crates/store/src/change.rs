//! A change to the directory (tenants, users, devices, groups, tokens, sessions, links,
//! settings) and the audit entry that records it, committed together: an action that is
//! done is in the log, and an entry in the log names an action that is done.
//!
//! [`Store::change`] starts one; the operations of the other modules are methods of
//! [`Change`], and [`Change::commit`] ends it. Each operation also exists on [`Store`] alone
//! in a transaction of its own (see the `alone!` lists), for callers that record nothing.

use sqlx::{Any, Transaction};

use crate::{Backend, Result, Store};

/// A write transaction of the directory. Dropped without [`Change::commit`], it changes
/// nothing. On SQLite it holds the one writer connection: a use case takes one only after
/// its slow work (password hashing) is done, and makes no other write until it commits.
pub struct Change<'s> {
    pub(crate) store: &'s Store,
    pub(crate) tx: Transaction<'static, Any>,
}

/// An audit entry to write with a change (see [`crate::audit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub tenant_id: Option<i64>,
    pub actor: String,
    pub action: &'static str,
    pub detail: String,
    pub at: i64,
}

impl Store {
    /// Starts a change (a write transaction, see [`Store::begin_write`]).
    pub async fn change(&self) -> Result<Change<'_>> {
        Ok(Change {
            store: self,
            tx: self.begin_write().await?,
        })
    }
}

impl Change<'_> {
    pub(crate) fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Appends the entry that records this change.
    pub async fn audit(&mut self, entry: &NewAuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, tenant_id, actor, action, detail) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(entry.at)
        .bind(entry.tenant_id)
        .bind(&entry.actor)
        .bind(entry.action)
        .bind(&entry.detail)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// `Store::op(args)`: the [`Change`] operation of the same name in a transaction of its own.
macro_rules! alone {
    ($( $(#[$meta:meta])* fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty; )*) => {
        impl $crate::Store {
            $(
                $(#[$meta])*
                // The signature is the change's own; its length is decided there.
                #[allow(clippy::too_many_arguments)]
                pub async fn $name(&self, $($arg: $ty),*) -> $ret {
                    let mut change = self.change().await?;
                    let out = change.$name($($arg),*).await?;
                    change.commit().await?;
                    Ok(out)
                }
            )*
        }
    };
}
pub(crate) use alone;
