//! Bearer tokens (ingest and read tokens of a tenant): who a presented token speaks for.

use meterport_store::tokens::{TokenKind, TokenOwner};
use meterport_store::{Store, StoreError};

/// The owner of a valid, unrevoked token of `kind`, or `None` (an unknown, revoked or
/// other kind of token: the caller answers the same for all three).
pub async fn verify(
    store: &Store,
    kind: TokenKind,
    token: &str,
) -> Result<Option<TokenOwner>, StoreError> {
    store.verify_token(kind, token).await
}
