//! Meter mails (SPEC I2): the use cases behind the SMTP listener. A recipient names a tenant
//! by one of its ingest tokens; a message is read by `meterport-meter-mail` into the body of
//! an ingest request and handed to the one ingest service, so a mail is judged by exactly
//! the rules of `POST /api/v1/ingest/readings` and is stored, all or nothing, before it is
//! answered. A refused message is kept for the operator.

use meterport_meter_mail::{MeterMail, Refusal};
use meterport_store::mail_rejects::{MailReject, NewMailReject};
use meterport_store::readings::Stored;
use meterport_store::tenants::Tenant;
use meterport_store::tokens::TokenKind;
use meterport_store::{Store, StoreError};

use crate::i18n::Lang;
use crate::service::Services;
use crate::service::ingest::{IngestError, IngestWriter, ingest_devices};

/// Messages larger than this are read on a blocking thread, not on the server's tasks.
const READ_INLINE_BYTES: usize = 256 * 1024;

/// The tenant a recipient address speaks for: its local part is one of the tenant's ingest
/// tokens (`mpi_...@any.domain`). `None` for anything else: an unknown, revoked or other
/// kind of token answers exactly like an address that is no token at all.
pub async fn recipient(svc: &Services, address: &str) -> Result<Option<Tenant>, StoreError> {
    let store = svc.store();
    let local = address.rsplit_once('@').map_or(address, |(local, _)| local);
    let local = local.trim_matches('"');
    if local.is_empty() || local.len() > 200 {
        return Ok(None);
    }
    let Some(owner) = crate::service::tokens::verify(svc, TokenKind::Ingest, local).await? else {
        return Ok(None);
    };
    match store.tenant(owner.tenant_id).await {
        Ok(tenant) => Ok(Some(tenant)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A message received for a tenant.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub tenant: &'a Tenant,
    /// The envelope's sender (`MAIL FROM`), empty for the null sender.
    pub sender: &'a str,
    /// The client's address.
    pub client: &'a str,
    pub message: &'a [u8],
    pub now_ms: i64,
}

/// A message whose readings are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub stored: Stored,
    /// CSV rows with a serial but no counter, skipped.
    pub skipped_rows: usize,
    /// Columns and labels that map to no counter key.
    pub unused_columns: Vec<String>,
}

/// Why a message was refused; nothing of it was stored.
#[derive(Debug, Clone, PartialEq)]
pub enum MailRefusal {
    /// The message holds no report that can be read.
    Mail(Refusal),
    /// The reports break the ingest contract (unknown serial, bad value, conflict, ...).
    Ingest(IngestRefusal),
}

/// The ingest service's refusal of a mail's readings, with the serial of each bad reading
/// where the body names one.
#[derive(Debug, Clone, PartialEq)]
pub enum IngestRefusal {
    Body(meterport_domain::ingest::BodyError),
    Items(Vec<(meterport_domain::ingest::ItemError, Option<String>)>),
}

/// What became of a message.
#[derive(Debug)]
pub enum Outcome {
    Delivered(Delivered),
    /// Refused and kept for the operator under `kept` (the reject's id).
    Refused {
        refusal: MailRefusal,
        kept: i64,
    },
}

/// Reads a message and stores its readings; a refused message is kept for the operator
/// (`meterport admin mail-rejects`). `Err` only when the database failed: then nothing is
/// known to be stored, and the client should send again later.
pub async fn deliver(
    svc: &Services,
    writer: &IngestWriter,
    mail_times: &MailTimes,
    received: Received<'_>,
) -> Result<Outcome, StoreError> {
    let store = svc.store();
    let tenant = received.tenant;
    let zone = tenant.tz();
    let read = if received.message.len() > READ_INLINE_BYTES {
        let message = received.message.to_vec();
        tokio::task::spawn_blocking(move || meterport_meter_mail::read(&message, &zone))
            .await
            .map_err(|e| StoreError::Failed(e.to_string()))?
    } else {
        meterport_meter_mail::read(received.message, &zone)
    };
    let mail: MeterMail = match read {
        Ok(mail) => mail,
        Err(refusal) => return refuse(store, received, MailRefusal::Mail(refusal)).await,
    };
    match ingest_devices(store, writer, tenant, &mail.body, received.now_ms).await {
        Ok(ingested) => {
            mail_times.note(tenant.id, &ingested.devices, received.now_ms);
            tracing::debug!(
                tenant.id = tenant.id,
                accepted = ingested.stored.accepted,
                duplicates = ingested.stored.duplicates,
                format = ?mail.format,
                "meter mail stored"
            );
            Ok(Outcome::Delivered(Delivered {
                stored: ingested.stored,
                skipped_rows: mail.skipped_rows,
                unused_columns: mail.unused_columns,
            }))
        }
        Err(IngestError::Store(e)) => Err(e),
        Err(IngestError::Malformed(e)) => {
            refuse(store, received, MailRefusal::Ingest(IngestRefusal::Body(e))).await
        }
        Err(IngestError::Invalid(items)) => {
            let serials = serials_by_index(&mail.body);
            let items = items
                .into_iter()
                .map(|e| {
                    let serial = serials.get(e.index).cloned().flatten();
                    (e, serial)
                })
                .collect();
            refuse(
                store,
                received,
                MailRefusal::Ingest(IngestRefusal::Items(items)),
            )
            .await
        }
    }
}

/// When each device's last accepted mail arrived, gathered in memory and written once a
/// second in one transaction ([`MailTimes::flush`]), not once per mail: a mail's readings
/// are what must be durable before its 250; the time shown beside them may lag a second.
#[derive(Debug, Default)]
pub struct MailTimes {
    noted: std::sync::Mutex<std::collections::BTreeMap<(i64, i64), i64>>,
}

impl MailTimes {
    /// Notes that a mail stored readings of these devices of the tenant at `at`.
    pub fn note(&self, tenant_id: i64, devices: &[i64], at: i64) {
        let mut noted = self.noted.lock().expect("mail times");
        for d in devices {
            let slot = noted.entry((tenant_id, *d)).or_insert(at);
            *slot = (*slot).max(at);
        }
    }

    /// Writes what was noted since the last flush.
    pub async fn flush(&self, svc: &Services) -> Result<(), StoreError> {
        let store = svc.store();
        let noted = std::mem::take(&mut *self.noted.lock().expect("mail times"));
        if noted.is_empty() {
            return Ok(());
        }
        // One statement per tenant and time, in one transaction.
        let mut groups: std::collections::BTreeMap<(i64, i64), Vec<i64>> = Default::default();
        for ((tenant, device), at) in noted {
            groups.entry((tenant, at)).or_default().push(device);
        }
        let mut change = store.change().await?;
        for ((tenant, at), devices) in &groups {
            change
                .touch_device_mail_times(*tenant, devices, *at)
                .await?;
        }
        change.commit().await
    }

    /// Flushes every second until `stop` turns true, then once more.
    pub async fn run(
        self: std::sync::Arc<Self>,
        svc: Services,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => {}
            }
            if let Err(e) = self.flush(&svc).await {
                tracing::warn!(error = %e, "could not note the devices' last mail");
            }
            if *stop.borrow() {
                return;
            }
        }
    }
}

/// The serial of each item of an ingest body, for the refusal's text (only read when a mail
/// was refused).
fn serials_by_index(body: &str) -> Vec<Option<String>> {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| i.get("serial").and_then(|s| s.as_str()).map(str::to_string))
            .collect(),
        Ok(item @ serde_json::Value::Object(_)) => {
            vec![
                item.get("serial")
                    .and_then(|s| s.as_str())
                    .map(str::to_string),
            ]
        }
        _ => Vec::new(),
    }
}

async fn refuse(
    store: &Store,
    received: Received<'_>,
    refusal: MailRefusal,
) -> Result<Outcome, StoreError> {
    let reason = crate::i18n::mail_refusal(Lang::En, &refusal).join("; ");
    tracing::warn!(
        tenant.id = received.tenant.id,
        // The sender's domain only: no e-mail address in the log (the whole sender is
        // kept with the refused mail for `meterport admin mail-rejects`).
        sender.domain = crate::mail::domain_of(received.sender),
        client = received.client,
        reason = %reason,
        "meter mail refused"
    );
    let kept = store
        .record_mail_reject(NewMailReject {
            tenant_id: received.tenant.id,
            received_at: received.now_ms,
            sender: bounded(received.sender, 320),
            client: bounded(received.client, 64),
            reason: bounded(&reason, 2_000),
            message: received.message,
        })
        .await?;
    Ok(Outcome::Refused { refusal, kept })
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn bounded(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The latest refused mails, newest first: of one tenant (by name or id), or of all.
pub async fn rejects(
    svc: &Services,
    tenant_id: Option<i64>,
    limit: i64,
) -> Result<Vec<MailReject>, StoreError> {
    let store = svc.store();
    store
        .list_mail_rejects(tenant_id, limit.clamp(1, 1_000))
        .await
}

/// One refused mail with its message as kept.
pub async fn reject(
    svc: &Services,
    id: i64,
) -> crate::service::ServiceResult<(MailReject, Vec<u8>)> {
    let store = svc.store();
    store
        .mail_reject(id)
        .await?
        .ok_or(crate::service::ServiceError::NotFound(
            crate::service::Missing::MailReject,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_at_a_character_boundary() {
        assert_eq!(bounded("abc", 5), "abc");
        assert_eq!(bounded("日本語", 4), "日");
        assert_eq!(bounded("日本語", 6), "日本");
    }

    #[test]
    fn serials_are_found_by_index() {
        let body = r#"[{"serial":"A1","read_at":"x"},{"read_at":"y"},{"serial":"C3"}]"#;
        assert_eq!(
            serials_by_index(body),
            vec![Some("A1".into()), None, Some("C3".into())]
        );
        assert!(serials_by_index("not json").is_empty());
    }
}
