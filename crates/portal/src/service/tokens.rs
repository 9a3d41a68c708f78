//! Bearer tokens (ingest and read tokens of a tenant): who a presented token speaks for.

use meterport_store::StoreError;
use meterport_store::tokens::{TokenKind, TokenOwner};

use crate::service::Services;

/// The owner of a valid, unrevoked token of `kind`, or `None` (an unknown, revoked or
/// other kind of token: the caller answers the same for all three).
pub async fn verify(
    svc: &Services,
    kind: TokenKind,
    token: &str,
) -> Result<Option<TokenOwner>, StoreError> {
    let store = svc.store();
    store.verify_token(kind, token).await
}
