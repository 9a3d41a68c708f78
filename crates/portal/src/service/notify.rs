//! Status notifications (SPEC S23): the notifier tells each user, by mail, of the device
//! conditions they chose to hear about (service call, error, warning; for all devices or the
//! devices of chosen groups), once per condition, after the tenant's hold-down
//! (`meterport_domain::notify`). It runs beside ingest, never inside it: status reports only
//! open and close conditions, and a round of the notifier decides what became of them.
//!
//! A round decides a tenant's conditions, queues the mails in the outbox and records the
//! decisions in one transaction: a mail is queued exactly when its conditions are marked
//! sent, so a crash neither loses nor repeats one.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use meterport_domain::notify::{Pending, decide};
use meterport_domain::status::Severity;
use meterport_store::devices::Device;
use meterport_store::notices::{Notice, PendingNotice};
use meterport_store::notifications::{Event, NotificationSettings, Scope};
use meterport_store::tenants::Tenant;
use meterport_store::{Store, StoreError};

use crate::clock::Clock;
use crate::mail::messages::{ConditionNotice, Recipient, conditions_opened};
use crate::service::Services;

/// Conditions read per round at most; a larger backlog takes several rounds.
const ROUND_LIMIT: i64 = 50_000;

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Mails queued.
    pub mails: usize,
    /// Conditions reported.
    pub sent: usize,
    /// Conditions that closed within the hold-down.
    pub dropped: usize,
    /// Users who would have been told but have no confirmed notification address.
    pub without_address: usize,
    /// Toner/ink mails queued (one per administrator).
    pub supply_mails: usize,
    /// Low or empty supplies reported in them.
    pub supplies: usize,
}

impl std::ops::AddAssign for Round {
    fn add_assign(&mut self, o: Round) {
        self.mails += o.mails;
        self.sent += o.sent;
        self.dropped += o.dropped;
        self.without_address += o.without_address;
        self.supply_mails += o.supply_mails;
        self.supplies += o.supplies;
    }
}

/// Runs rounds every `every` until the process ends, waking the mail sender when a round
/// queued mail.
pub async fn run(
    svc: Services,
    clock: Arc<dyn Clock>,
    mailer: crate::mail::Mailer,
    public_url: String,
    every: Duration,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match round(&svc, &public_url, clock.now_ms()).await {
            Ok(r) if r.mails + r.supply_mails > 0 => mailer.wake(),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "notification round failed"),
        }
    }
}

/// One round at `now`: decides every tenant's conditions whose hold-down has passed.
pub async fn round(svc: &Services, public_url: &str, now: i64) -> Result<Round, StoreError> {
    let store = svc.store();
    let pending = store.pending_notices(ROUND_LIMIT).await?;
    let mut by_tenant: BTreeMap<i64, Vec<PendingNotice>> = BTreeMap::new();
    for p in pending {
        by_tenant.entry(p.tenant_id).or_default().push(p);
    }
    let mut total = Round::default();
    for (tenant_id, conditions) in by_tenant {
        total += tenant_round(store, public_url, tenant_id, &conditions, now).await?;
    }
    for tenant_id in store.toner_mail_tenants().await? {
        total += supply_round(svc, public_url, tenant_id, now).await?;
    }
    total += late_round(store, public_url, now).await?;
    if total.sent + total.dropped > 0 {
        tracing::info!(
            mails = total.mails,
            sent = total.sent,
            dropped = total.dropped,
            without_address = total.without_address,
            "status notifications decided"
        );
    }
    Ok(total)
}

/// The event a condition's severity is, for the users' choices.
fn event(severity: Severity) -> Event {
    match severity {
        Severity::ServiceCall => Event::ServiceCall,
        Severity::Error => Event::Error,
        Severity::Warning => Event::Warning,
    }
}

/// These devices of the tenant, by id.
async fn devices_by_id(
    store: &Store,
    tenant_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, Device>, StoreError> {
    Ok(store
        .devices_by_ids(tenant_id, ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect())
}

/// The tenant's users, by id.
async fn users_by_id(
    store: &Store,
    tenant_id: i64,
) -> Result<HashMap<i64, meterport_store::users::User>, StoreError> {
    Ok(store
        .list_users(tenant_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Where a device stands, as its mails say it: building and location.
fn place(d: &Device) -> String {
    [d.building.as_deref(), d.location.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a user's choices cover this condition of this device.
fn wants(settings: &NotificationSettings, severity: Severity, device: &Device) -> bool {
    match settings.scope(event(severity)) {
        Scope::Off => false,
        Scope::AllDevices => true,
        Scope::Groups(groups) => device
            .group
            .as_ref()
            .is_some_and(|(g, _)| groups.contains(g)),
    }
}

async fn tenant_round(
    store: &Store,
    public_url: &str,
    tenant_id: i64,
    conditions: &[PendingNotice],
    now: i64,
) -> Result<Round, StoreError> {
    let tenant: Tenant = store.tenant(tenant_id).await?;
    let holddown_ms = tenant.notify.holddown_minutes * 60_000;
    let pending: Vec<Pending> = conditions
        .iter()
        .map(|c| Pending {
            id: c.condition_id,
            since: c.since,
            closed_at: c.closed_at,
        })
        .collect();
    let decision = decide(&pending, now, holddown_ms);
    if decision.is_empty() {
        return Ok(Round::default());
    }
    let by_id: HashMap<i64, &PendingNotice> =
        conditions.iter().map(|c| (c.condition_id, c)).collect();
    let sent: Vec<&PendingNotice> = decision.send.iter().map(|id| by_id[id]).collect();
    let mut device_ids: Vec<i64> = sent.iter().map(|c| c.device_id).collect();
    device_ids.sort_unstable();
    device_ids.dedup();
    let devices = devices_by_id(store, tenant_id, &device_ids).await?;
    let audience = store.notification_audience(tenant_id).await?;
    let users = if audience.is_empty() {
        HashMap::new()
    } else {
        users_by_id(store, tenant_id).await?
    };
    let mut round = Round {
        sent: decision.send.len(),
        dropped: decision.drop.len(),
        ..Round::default()
    };
    let mut mails = Vec::new();
    for (user_id, settings) in &audience {
        let Some(user) = users.get(user_id) else {
            continue;
        };
        let notices: Vec<ConditionNotice> = sent
            .iter()
            .filter_map(|c| {
                let severity = Severity::parse(&c.severity)?;
                let device = devices.get(&c.device_id)?;
                wants(settings, severity, device).then(|| ConditionNotice {
                    device_name: device.name.clone(),
                    product: device.product.clone(),
                    place: place(device),
                    group: device.group.as_ref().map(|(_, name)| name.clone()),
                    severity,
                    code: c.code.clone(),
                    message: c.message.clone(),
                    since: c.since,
                    link: format!("{public_url}/devices/{}", device.id),
                })
            })
            .collect();
        if notices.is_empty() {
            continue;
        }
        let Some(address) = user.email.as_deref() else {
            round.without_address += 1;
            continue;
        };
        let to = Recipient::user(user, &tenant, address);
        mails.push(conditions_opened(
            &to,
            &notices,
            &format!("{public_url}/devices"),
        ));
    }
    let mut change = store.change().await?;
    change
        .decide_notices(tenant_id, &decision.send, Notice::Sent)
        .await?;
    change
        .decide_notices(tenant_id, &decision.drop, Notice::Dropped)
        .await?;
    for mail in &mails {
        change.enqueue_mail(mail, now).await?;
    }
    change.commit().await?;
    round.mails = mails.len();
    if round.without_address > 0 {
        tracing::warn!(
            tenant.id = tenant_id,
            users = round.without_address,
            "users chose status mail but have no confirmed address"
        );
    }
    Ok(round)
}

/// The toner/ink part of a round for a tenant where some user chose to tell the toner/ink
/// administrators: a supply that went low or empty since the last round is noted (due at
/// once when empty, at the tenant's digest hour when low); one whose level rose is
/// forgotten, so that it is news again when it next runs low; the due ones reach each
/// device's administrator in one mail. A device without an administrator tells nobody, as
/// the seed says (its supplies wait, in case one is named).
async fn supply_round(
    svc: &Services,
    public_url: &str,
    tenant_id: i64,
    now: i64,
) -> Result<Round, StoreError> {
    let store = svc.store();
    use meterport_store::supplies::SupplyState;
    use meterport_store::supply_alerts::{SupplyAlert, supply_key};
    let tenant = store.tenant(tenant_id).await?;
    let low = store.low_supplies(tenant_id).await?;
    let mut alerts: BTreeMap<(i64, String), SupplyAlert> = store
        .supply_alerts(tenant_id)
        .await?
        .into_iter()
        .map(|a| ((a.device_id, a.supply.clone()), a))
        .collect();
    let digest_at = meterport_domain::notify::next_hour(
        now,
        &tenant.tz(),
        tenant.notify.toner_digest_hour.clamp(0, 23) as i8,
    );
    let mut changed: Vec<SupplyAlert> = Vec::new();
    let mut names: HashMap<(i64, String), String> = HashMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for l in &low {
        let key = (l.device_id, supply_key(&l.supply));
        names.insert(key.clone(), l.supply.name.clone());
        seen.insert(key.clone());
        let state = l.supply.state();
        match alerts.get(&key) {
            None => {
                let alert = SupplyAlert {
                    device_id: l.device_id,
                    supply: key.1.clone(),
                    state,
                    level_percent: l.supply.level_percent,
                    opened_at: now,
                    due_at: if state == SupplyState::Empty {
                        now
                    } else {
                        digest_at
                    },
                    mailed_at: None,
                };
                alerts.insert(key, alert.clone());
                changed.push(alert);
            }
            Some(a) if a.state != state || a.level_percent != l.supply.level_percent => {
                let mut a = a.clone();
                // A low supply that empties before its digest goes at once.
                if state == SupplyState::Empty && a.mailed_at.is_none() {
                    a.due_at = now;
                }
                a.state = state;
                a.level_percent = l.supply.level_percent;
                alerts.insert(key, a.clone());
                changed.push(a);
            }
            Some(_) => {}
        }
    }
    let risen: Vec<(i64, String)> = alerts
        .keys()
        .filter(|k| !seen.contains(*k))
        .cloned()
        .collect();
    for k in &risen {
        alerts.remove(k);
    }
    let due: Vec<&SupplyAlert> = alerts
        .values()
        .filter(|a| a.mailed_at.is_none() && a.due_at <= now)
        .collect();
    let mut round = Round::default();
    let mut mails = Vec::new();
    let mut mailed: Vec<SupplyAlert> = Vec::new();
    if !due.is_empty() {
        let mut device_ids: Vec<i64> = due.iter().map(|a| a.device_id).collect();
        device_ids.dedup();
        let devices = devices_by_id(store, tenant_id, &device_ids).await?;
        let users = users_by_id(store, tenant_id).await?;
        let mut by_admin: BTreeMap<i64, Vec<&SupplyAlert>> = BTreeMap::new();
        for a in &due {
            if let Some(admin) = devices
                .get(&a.device_id)
                .and_then(|d| d.toner_admin.as_ref())
            {
                by_admin.entry(admin.id).or_default().push(a);
            }
        }
        for (admin_id, list) in by_admin {
            let Some(user) = users.get(&admin_id) else {
                continue;
            };
            let Some(address) = user.email.as_deref() else {
                round.without_address += 1;
                continue;
            };
            // The days to empty of the devices' supplies (B1), by supply.
            let mut expected: HashMap<(i64, String), jiff::civil::Date> = HashMap::new();
            let mut seen_devices: Vec<i64> = list.iter().map(|a| a.device_id).collect();
            seen_devices.dedup();
            for device_id in seen_devices {
                let forecasts = crate::service::supplies::device_forecasts(
                    svc,
                    &tenant,
                    meterport_domain::ids::DeviceId(device_id),
                    now,
                )
                .await
                .map_err(|e| match e {
                    crate::service::ServiceError::Store(e) => e,
                    other => StoreError::Failed(other.to_string()),
                })?;
                for f in forecasts {
                    if let Some(day) = f.forecast.date() {
                        expected.insert((device_id, supply_key(&f.supply)), day);
                    }
                }
            }
            let notices: Vec<crate::mail::messages::SupplyNotice> = list
                .iter()
                .map(|a| {
                    let d = &devices[&a.device_id];
                    crate::mail::messages::SupplyNotice {
                        device_name: d.name.clone(),
                        product: d.product.clone(),
                        place: place(d),
                        supply: names
                            .get(&(a.device_id, a.supply.clone()))
                            .cloned()
                            .unwrap_or_default(),
                        empty: a.state == SupplyState::Empty,
                        level_percent: a.level_percent,
                        expected_empty: expected.get(&(a.device_id, a.supply.clone())).copied(),
                        link: format!("{public_url}/devices/{}", d.id),
                    }
                })
                .collect();
            let to = Recipient::user(user, &tenant, address);
            mails.push(crate::mail::messages::supplies_low(
                &to,
                &notices,
                &format!("{public_url}/supplies"),
            ));
            round.supplies += list.len();
            mailed.extend(list.iter().map(|a| SupplyAlert {
                mailed_at: Some(now),
                ..(*a).clone()
            }));
        }
    }
    if changed.is_empty() && risen.is_empty() && mails.is_empty() {
        return Ok(round);
    }
    let mut change = store.change().await?;
    for a in changed.iter().chain(&mailed) {
        change.put_supply_alert(tenant_id, a).await?;
    }
    for (device_id, supply) in &risen {
        change
            .drop_supply_alert(tenant_id, *device_id, supply)
            .await?;
    }
    for mail in &mails {
        change.enqueue_mail(mail, now).await?;
    }
    change.commit().await?;
    round.supply_mails = mails.len();
    Ok(round)
}

/// The "not reporting" part of a round ("Fleet health by e-mail"): every device that stopped
/// reporting since the last round (`meterport_domain::reporting`) is decided once per stop,
/// in every tenant, whether or not anyone chose to hear of it, so that a user who chooses
/// later is not told of stops that are old news. The users who chose it (all devices, or the
/// devices of their groups) get one mail listing their devices; the decisions and the mails
/// are one transaction per tenant, so a crash neither loses nor repeats a mail. A device that
/// reports again and later stops again is a new stop. Its mails count in [`Round::mails`].
async fn late_round(store: &Store, public_url: &str, now: i64) -> Result<Round, StoreError> {
    use meterport_store::late_notices::{LateDevice, LateNotice};
    // Stops that ended: recorded once each (with the webhooks' event) before new stops are
    // decided, so that a device that resumed and stopped again is both.
    let resumed = store.resumed_devices_any_tenant(ROUND_LIMIT).await?;
    if !resumed.is_empty() {
        let mut change = store.change().await?;
        for r in &resumed {
            change.record_resumed(r).await?;
            let kind = meterport_store::webhooks::EventKind::ResumedReporting;
            change
                .record_device_event(r.tenant_id, r.device_id, kind, r.heard_at, now)
                .await?;
        }
        change.commit().await?;
    }
    let stops = store
        .undecided_late_devices_any_tenant(now, ROUND_LIMIT)
        .await?;
    let mut by_tenant: BTreeMap<i64, Vec<LateDevice>> = BTreeMap::new();
    for stop in stops {
        by_tenant.entry(stop.tenant_id).or_default().push(stop);
    }
    let mut round = Round::default();
    for (tenant_id, stops) in by_tenant {
        let audience = store.notification_audience(tenant_id).await?;
        let listeners: Vec<(&i64, &NotificationSettings)> = audience
            .iter()
            .filter(|(_, s)| s.late != Scope::Off)
            .collect();
        let mut mails = Vec::new();
        let mut told = std::collections::BTreeSet::new();
        if !listeners.is_empty() {
            let tenant = store.tenant(tenant_id).await?;
            let ids: Vec<i64> = stops.iter().map(|s| s.device_id).collect();
            let devices = devices_by_id(store, tenant_id, &ids).await?;
            let users = users_by_id(store, tenant_id).await?;
            for (user_id, settings) in listeners {
                let Some(user) = users.get(user_id) else {
                    continue;
                };
                let covers = |d: &Device| match &settings.late {
                    Scope::Off => false,
                    Scope::AllDevices => true,
                    Scope::Groups(groups) => {
                        d.group.as_ref().is_some_and(|(g, _)| groups.contains(g))
                    }
                };
                let mine: Vec<(&LateDevice, &Device)> = stops
                    .iter()
                    .filter_map(|s| devices.get(&s.device_id).map(|d| (s, d)))
                    .filter(|(_, d)| covers(d))
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let Some(address) = user.email.as_deref() else {
                    round.without_address += 1;
                    continue;
                };
                let notices: Vec<crate::mail::messages::LateDeviceNotice> = mine
                    .iter()
                    .map(|(s, d)| crate::mail::messages::LateDeviceNotice {
                        device_name: d.name.clone(),
                        product: d.product.clone(),
                        place: place(d),
                        group: d.group.as_ref().map(|(_, name)| name.clone()),
                        last_report_at: s.last_report_at,
                        late_after_hours: meterport_domain::reporting::late_after_hours(
                            tenant.notify.late_after_hours,
                            d.late_after_hours,
                        ),
                        link: format!("{public_url}/devices/{}", d.id),
                    })
                    .collect();
                let to = Recipient::user(user, &tenant, address);
                mails.push(crate::mail::messages::devices_not_reporting(
                    &to,
                    &notices,
                    &format!("{public_url}/devices?reporting=late"),
                ));
                told.extend(mine.iter().map(|(s, _)| s.device_id));
            }
        }
        let (sent, unheard): (Vec<LateDevice>, Vec<LateDevice>) =
            stops.iter().partition(|s| told.contains(&s.device_id));
        let mut change = store.change().await?;
        change
            .decide_late(tenant_id, &sent, LateNotice::Sent, now)
            .await?;
        change
            .decide_late(tenant_id, &unheard, LateNotice::None, now)
            .await?;
        for mail in &mails {
            change.enqueue_mail(mail, now).await?;
        }
        for stop in &stops {
            let kind = meterport_store::webhooks::EventKind::StoppedReporting;
            change
                .record_device_event(tenant_id, stop.device_id, kind, now, now)
                .await?;
        }
        change.commit().await?;
        tracing::info!(
            tenant.id = tenant_id,
            devices = stops.len(),
            told = sent.len(),
            mails = mails.len(),
            "devices stopped reporting"
        );
        round.mails += mails.len();
    }
    Ok(round)
}
