//! Webhooks (SPEC B4): an operator registers, per tenant, a URL that receives a JSON POST
//! for every condition opened or closed and every device that stops or resumes reporting.
//! Each body is signed with HMAC-SHA256 under the webhook's secret (shown once, when it is
//! registered): `X-Meterport-Signature: sha256=<hex>`. Events are recorded with the change
//! that caused them (`store::webhooks`), so ingest never waits for a receiver; the sender
//! here posts them, retrying with backoff from the deliveries table.

use std::sync::Arc;
use std::time::Duration;

use hmac::{KeyInit, Mac};
use meterport_domain::ids::TenantId;
use meterport_domain::policy::{FieldError, Problem};
use meterport_store::StoreError;
use meterport_store::webhooks::{DueDelivery, EventKind, MAX_ATTEMPTS, Webhook};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::service::Services;
use crate::service::audit::{self, AuditAction};
use crate::service::operator::require_tenant;
use crate::service::{Missing, Refused, ServiceError, ServiceResult};

/// The longest URL taken.
const MAX_URL_CHARS: usize = 2_000;

/// Checks a receiver's URL: https, or http to this machine (a local relay, tests); no
/// user name or password in it.
fn check_url(raw: &str) -> Result<String, FieldError> {
    let bad = || FieldError::new("url", Problem::InvalidUrl);
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > MAX_URL_CHARS {
        return Err(bad());
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    let local = matches!(url.host(), Some(url::Host::Domain("localhost")))
        || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
    if !scheme_ok || !url.username().is_empty() || url.password().is_some() || url.host().is_none()
    {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// Registers a webhook of the tenant; returns it with its secret, which is not shown again.
pub async fn register(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    url: &str,
    now: i64,
) -> ServiceResult<(Webhook, String)> {
    let store = svc.store();
    let tenant = require_tenant(svc, tenant_id).await?;
    let url = check_url(url)
        .map_err(|e| ServiceError::invalid(Refused::WebhookNotRegistered, vec![e]))?;
    let secret = {
        let bytes: [u8; 32] = rand::random();
        hex::encode(bytes)
    };
    let mut change = store.change().await?;
    let hook = change.create_webhook(tenant.id, &url, &secret, now).await?;
    audit::record(
        &mut change,
        Some(tenant.id),
        actor,
        AuditAction::WebhookCreated,
        &json!({"webhook_id": hook.id, "url": hook.url}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok((hook, secret))
}

/// Revokes a webhook of the tenant.
pub async fn revoke(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    webhook_id: i64,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let tenant = require_tenant(svc, tenant_id).await?;
    let mut change = store.change().await?;
    change
        .revoke_webhook(tenant.id, webhook_id, now)
        .await
        .map_err(ServiceError::missing(Missing::Webhook))?;
    audit::record(
        &mut change,
        Some(tenant.id),
        actor,
        AuditAction::WebhookRevoked,
        &json!({"webhook_id": webhook_id}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

/// The tenant's webhooks.
pub async fn list(svc: &Services, tenant_id: TenantId) -> ServiceResult<Vec<Webhook>> {
    let store = svc.store();
    let tenant = require_tenant(svc, tenant_id).await?;
    Ok(store.list_webhooks(tenant.id).await?)
}

/// The event's name in the body and the `X-Meterport-Event` header.
fn event_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::ConditionOpened => "condition.opened",
        EventKind::ConditionClosed => "condition.closed",
        EventKind::StoppedReporting => "device.stopped_reporting",
        EventKind::ResumedReporting => "device.resumed_reporting",
    }
}

/// The JSON body of a delivery.
pub fn body(d: &DueDelivery) -> Value {
    json!({
        "id": d.event_id,
        "event": event_name(d.kind),
        "at": crate::shapes::iso(Some(d.at)),
        "tenant_id": d.tenant_id,
        "device": {"id": d.device_id, "serial": d.serial, "name": d.device_name},
        "condition": d.condition.as_ref().map(|c| json!({
            "code": c.code, "severity": c.severity, "message": c.message,
        })),
    })
}

/// `sha256=<hex>`: HMAC-SHA256 of the body under the secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts due deliveries every `every` until the process ends.
pub async fn run(svc: Services, clock: Arc<dyn Clock>, every: Duration) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: no HTTP client");
            return;
        }
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&svc, &client, clock.now_ms()).await {
            tracing::error!(error = %e, "webhook deliveries failed");
        }
    }
}

/// One pass: posts every due delivery once; what was posted.
pub async fn deliver_due(
    svc: &Services,
    client: &reqwest::Client,
    now: i64,
) -> Result<usize, StoreError> {
    let store = svc.store();
    let due = store.claim_webhook_deliveries(now, 60_000, 100).await?;
    let n = due.len();
    for d in due {
        let body = serde_json::to_vec(&body(&d)).expect("JSON");
        let sent = client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-meterport-event", event_name(d.kind))
            .header("x-meterport-delivery", d.id.to_string())
            .header("x-meterport-signature", signature(&d.secret, &body))
            .body(body)
            .send()
            .await;
        let failure = match sent {
            Ok(res) if res.status().is_success() => None,
            Ok(res) => Some(format!("answered {}", res.status())),
            // Without the URL: a receiver's URL often carries its secret (a token in the
            // path or query), and the error goes to the log and the database.
            Err(e) => Some(e.without_url().to_string()),
        };
        match failure {
            None => store.mark_webhook_delivered(d.id, now).await?,
            Some(error) => {
                let next = (d.attempts < MAX_ATTEMPTS).then(|| {
                    // 10 s, 20 s, 40 s, ... at most an hour between attempts.
                    let delay = 10_000_i64.saturating_mul(1 << (d.attempts - 1).clamp(0, 20));
                    now + delay.min(3_600_000)
                });
                // The receiver by host only, for the same reason.
                let host = url::Url::parse(&d.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default();
                tracing::warn!(delivery = d.id, url.host = %host, %error, "webhook not delivered");
                store.mark_webhook_failed(d.id, next, &error).await?;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_are_https_or_this_machine() {
        assert!(check_url("https://hooks.example.com/fleet").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        for bad in [
            "http://hooks.example.com/fleet",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "not a url",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
