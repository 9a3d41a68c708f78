//! Devices of a tenant (SPEC S7-S11, T2).

use std::collections::HashMap;

use meterport_domain::device::{DeviceType, LfpUnit, NewDevice, Protocol};
use meterport_domain::status::Status;
use sqlx::{AssertSqlSafe, Row};

use crate::change::alone;
use crate::counters::GroupFilter;
use crate::{Backend, Change, Result, Store, StoreError, unique_violation};

/// A device with everything the device screens and the read API show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: i64,
    pub tenant_id: i64,
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    pub protocol: Protocol,
    pub mac: Option<String>,
    pub host: Option<String>,
    pub building: Option<String>,
    pub location: Option<String>,
    pub remote_ui_url: Option<String>,
    pub lfp_unit: Option<LfpUnit>,
    pub group: Option<(i64, String)>,
    pub toner_admin: Option<TonerAdmin>,
    /// The status the device shows ([`Status::shown`]): screens, API and mails read it here.
    pub status: Status,
    pub last_reading_at: Option<i64>,
    /// When the last mail that stored a reading of the device arrived (SPEC I2).
    pub last_mail_at: Option<i64>,
    /// When the portal last heard from the device (a reading, status report or meter mail
    /// arrived; [`HEARD_SQL`]); `None`: never.
    pub last_report_at: Option<i64>,
    /// The device's own "not reporting" threshold in hours, set by the operator; `None`: the
    /// tenant's (`meterport_domain::reporting::late_after_hours`).
    pub late_after_hours: Option<i64>,
}

/// The user who looks after a device's toner (S10), as the device's pages name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TonerAdmin {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
}

/// [`HEARD_SQL`]'s text, for the statements that build on it with `concat!`.
macro_rules! heard_sql {
    () => {
        "(CASE WHEN rt.heard_at IS NULL THEN d.status_heard_at \
         WHEN d.status_heard_at IS NULL OR rt.heard_at >= d.status_heard_at THEN rt.heard_at \
         ELSE d.status_heard_at END)"
    };
}

const SELECT: &str = concat!(
    "SELECT d.id, d.tenant_id, d.serial, d.name, d.product, d.device_type, \
    d.protocol, d.mac, d.host, d.building, d.location, d.remote_ui_url, d.lfp_unit, \
    g.id AS group_id, g.name AS group_name, u.id AS admin_id, u.username AS admin_username, \
    u.first_name AS admin_first_name, u.last_name AS admin_last_name, u.email AS admin_email, \
    d.status, rt.last_at, mt.last_mail_at, d.late_after_hours, ",
    heard_sql!(),
    " AS last_report_at \
    FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id \
    LEFT JOIN users u ON u.id = d.toner_admin_id \
    LEFT JOIN device_reading_times rt ON rt.device_id = d.id \
    LEFT JOIN device_mail_times mt ON mt.device_id = d.id"
);

/// A stored enum's text read back. The columns hold only what `as_str` wrote, so a value
/// it does not know is damage, reported rather than shown as something it is not.
pub(crate) fn stored<T>(
    r: &sqlx::any::AnyRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T> {
    let text: String = r.get(column);
    parse(&text).ok_or_else(|| StoreError::Failed(format!("devices.{column} holds {text:?}")))
}

/// The LFP unit column (empty for other devices), read like [`stored`].
pub(crate) fn stored_lfp_unit(r: &sqlx::any::AnyRow) -> Result<Option<LfpUnit>> {
    match r.get::<Option<String>, _>("lfp_unit") {
        Some(u) => LfpUnit::parse(&u)
            .map(Some)
            .ok_or_else(|| StoreError::Failed(format!("devices.lfp_unit holds {u:?}"))),
        None => Ok(None),
    }
}

fn from_row(r: sqlx::any::AnyRow) -> Result<Device> {
    let protocol = stored(&r, "protocol", Protocol::parse)?;
    let lfp_unit = stored_lfp_unit(&r)?;
    Ok(Device {
        id: r.get("id"),
        tenant_id: r.get("tenant_id"),
        serial: r.get("serial"),
        name: r.get("name"),
        product: r.get("product"),
        device_type: stored(&r, "device_type", DeviceType::parse)?,
        protocol,
        mac: r.get("mac"),
        host: r.get("host"),
        building: r.get("building"),
        location: r.get("location"),
        remote_ui_url: r.get("remote_ui_url"),
        lfp_unit,
        group: r
            .get::<Option<i64>, _>("group_id")
            .map(|id| (id, r.get("group_name"))),
        toner_admin: r.get::<Option<i64>, _>("admin_id").map(|id| TonerAdmin {
            id,
            username: r.get("admin_username"),
            first_name: r.get("admin_first_name"),
            last_name: r.get("admin_last_name"),
            email: r.get("admin_email"),
        }),
        status: Status::shown(protocol, stored(&r, "status", Status::parse)?),
        last_reading_at: r.get("last_at"),
        last_mail_at: r.get("last_mail_at"),
        last_report_at: r.get("last_report_at"),
        late_after_hours: r.get("late_after_hours"),
    })
}

/// When the portal last heard from a device `d` (joined with its `device_reading_times` as
/// `rt`): the later of the arrival of its last stored reading (HTTP or meter mail) and of its
/// last applied status report; NULL when it never reported (migration 0016 says why two
/// columns).
pub const HEARD_SQL: &str = heard_sql!();

/// Where a serial is registered, across tenants (ingest must tell "unknown" from "another
/// tenant's").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialOwner {
    pub device_id: i64,
    pub tenant_id: i64,
    pub is_lfp: bool,
}

impl Store {
    /// One device of the tenant; another tenant's id is [`StoreError::NotFound`].
    pub async fn device(&self, tenant_id: i64, device_id: i64) -> Result<Device> {
        let sql = format!("{SELECT} WHERE d.tenant_id = $1 AND d.id = $2");
        sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(device_id)
            .fetch_optional(self.pool())
            .await?
            .map(from_row)
            .ok_or(StoreError::NotFound)?
    }

    /// These devices of the tenant (the others are left out), in id order.
    pub async fn devices_by_ids(&self, tenant_id: i64, ids: &[i64]) -> Result<Vec<Device>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "{SELECT} WHERE d.tenant_id = {} AND d.id IN ({}) ORDER BY d.id",
                crate::param(self.backend, 1),
                crate::bulk_list(self.backend, 2, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .persistent(false)
                .bind(tenant_id);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(self.pool()).await? {
                out.push(from_row(row)?);
            }
        }
        Ok(out)
    }

    /// The tenant's devices in a group selection, by name.
    pub async fn list_devices(&self, tenant_id: i64, group: GroupFilter) -> Result<Vec<Device>> {
        let (filter, param) = match group {
            GroupFilter::All => ("", None),
            GroupFilter::NoGroup => (" AND d.group_id IS NULL", None),
            GroupFilter::Group(g) => (" AND d.group_id = $2", Some(g)),
        };
        let sql = format!("{SELECT} WHERE d.tenant_id = $1{filter} ORDER BY d.name, d.id");
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if let Some(g) = param {
            q = q.bind(g);
        }
        q.fetch_all(self.pool())
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// Finds the devices of the given serials in any tenant.
    pub async fn serial_owners_any_tenant(
        &self,
        serials: &[&str],
    ) -> Result<HashMap<String, SerialOwner>> {
        let mut out = HashMap::with_capacity(serials.len());
        // One JSON array per statement rather than one row per device: rows cross from the
        // database thread one at a time, and a bulk request names thousands of serials.
        let aggregate = match self.backend() {
            Backend::Sqlite => {
                "json_group_array(json_array(serial, id, tenant_id, \
                 CASE WHEN device_type = 'lfp' THEN 1 ELSE 0 END))"
            }
            Backend::Postgres => {
                "CAST(COALESCE(json_agg(json_build_array(serial, id, tenant_id, \
                 CASE WHEN device_type = 'lfp' THEN 1 ELSE 0 END)), '[]') AS TEXT)"
            }
        };
        for chunk in serials.chunks(1000) {
            let sql = format!(
                "SELECT {aggregate} FROM devices WHERE serial IN ({})",
                crate::bulk_list(self.backend(), 1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for s in chunk {
                q = q.bind(*s);
            }
            let text: String = q.fetch_one(self.pool()).await?.get(0);
            let rows: Vec<(String, i64, i64, u8)> = serde_json::from_str(&text)
                .map_err(|_| crate::StoreError::Codec(meterport_domain::counters::CodecError))?;
            for (serial, device_id, tenant_id, lfp) in rows {
                out.insert(
                    serial,
                    SerialOwner {
                        device_id,
                        tenant_id,
                        is_lfp: lfp == 1,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Records serials that tried to report to this tenant without being registered (I5).
    /// The caller has checked them against the serial rule; the list keeps at most
    /// [`MAX_UNKNOWN_SERIALS`] per tenant, dropping the longest unseen first and counting
    /// what it dropped, so that made-up serials cannot grow the database.
    pub async fn record_unknown_serials(
        &self,
        tenant_id: i64,
        serials: &[&str],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let kept = serials.len().min(MAX_UNKNOWN_SERIALS);
        for s in &serials[..kept] {
            sqlx::query(
                "INSERT INTO unknown_serials (tenant_id, serial, first_seen, last_seen, attempts) \
                 VALUES ($1, $2, $3, $3, 1) ON CONFLICT (tenant_id, serial) DO UPDATE \
                 SET last_seen = excluded.last_seen, attempts = unknown_serials.attempts + 1",
            )
            .bind(tenant_id)
            .bind(*s)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM unknown_serials WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
        let over = (count - MAX_UNKNOWN_SERIALS as i64).max(0);
        if over > 0 {
            sqlx::query(
                "DELETE FROM unknown_serials WHERE tenant_id = $1 AND serial IN \
                 (SELECT serial FROM unknown_serials WHERE tenant_id = $1 \
                  ORDER BY last_seen, serial LIMIT $2)",
            )
            .bind(tenant_id)
            .bind(over)
            .execute(&mut *tx)
            .await?;
        }
        let dropped = over + (serials.len() - kept) as i64;
        if dropped > 0 {
            sqlx::query(
                "UPDATE tenants SET unknown_serials_dropped = unknown_serials_dropped + $2 \
                 WHERE id = $1",
            )
            .bind(tenant_id)
            .bind(dropped)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One page of the serials that tried to report unregistered, the latest first.
    pub async fn unknown_serials(&self, tenant_id: i64, page: Page) -> Result<UnknownSerials> {
        let serials = sqlx::query(
            "SELECT serial, first_seen, last_seen, attempts FROM unknown_serials \
             WHERE tenant_id = $1 ORDER BY last_seen DESC, serial LIMIT $2 OFFSET $3",
        )
        .bind(tenant_id)
        .bind(page.per_page)
        .bind((page.page - 1) * page.per_page)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| UnknownSerial {
            serial: r.get(0),
            first_seen: r.get(1),
            last_seen: r.get(2),
            attempts: r.get(3),
        })
        .collect();
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM unknown_serials WHERE tenant_id = $1), \
             unknown_serials_dropped FROM tenants WHERE id = $1",
        )
        .bind(tenant_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(crate::StoreError::NotFound)?;
        Ok(UnknownSerials {
            serials,
            total: row.get(0),
            dropped: row.get(1),
        })
    }
}

/// The most serials kept per tenant in the list of unregistered serials.
pub const MAX_UNKNOWN_SERIALS: usize = 1000;

/// A serial that tried to report without being registered (I5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSerial {
    pub serial: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub attempts: i64,
}

/// One page of a tenant's unregistered serials, how many are listed in all, and how many
/// were dropped to keep the list bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSerials {
    pub serials: Vec<UnknownSerial>,
    pub total: i64,
    pub dropped: i64,
}

/// A page of a listing, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub const MAX_PER_PAGE: i64 = 1000;

    /// A page from untrusted numbers: `None` when out of range (page from 1, 1 to
    /// [`Page::MAX_PER_PAGE`] per page).
    pub fn new(page: i64, per_page: i64) -> Option<Page> {
        ((1..=1_000_000).contains(&page) && (1..=Page::MAX_PER_PAGE).contains(&per_page))
            .then_some(Page { page, per_page })
    }
}

impl Change<'_> {
    pub async fn create_device(
        &mut self,
        tenant_id: i64,
        d: &NewDevice,
        now: i64,
    ) -> Result<Device> {
        let row = sqlx::query(
            "INSERT INTO devices (tenant_id, serial, name, product, device_type, protocol, mac, \
             host, building, location, remote_ui_url, lfp_unit, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(tenant_id)
        .bind(&d.serial)
        .bind(&d.name)
        .bind(&d.product)
        .bind(d.device_type.as_str())
        .bind(d.protocol.as_str())
        .bind(&d.mac)
        .bind(&d.host)
        .bind(&d.building)
        .bind(&d.location)
        .bind(&d.remote_ui_url)
        .bind(d.lfp_unit.map(|u| u.as_str()))
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, "serial"))?;
        // Read back in the transaction: the new row is not yet seen from outside it.
        let sql = format!("{SELECT} WHERE d.tenant_id = $1 AND d.id = $2");
        sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(row.get::<i64, _>(0))
            .fetch_optional(&mut *self.tx)
            .await?
            .map(from_row)
            .ok_or(StoreError::NotFound)?
    }

    /// Sets a device's own "not reporting" threshold in hours (validated by the caller);
    /// `None`: the tenant's. Another tenant's device is [`StoreError::NotFound`].
    pub async fn set_device_late_after_hours(
        &mut self,
        tenant_id: i64,
        device_id: i64,
        hours: Option<i64>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE devices SET late_after_hours = $3 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(device_id)
        .bind(hours)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes a device with its readings, roll-ups and conditions.
    pub async fn delete_device(&mut self, tenant_id: i64, device_id: i64) -> Result<()> {
        let found = sqlx::query("SELECT id FROM devices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(device_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let backend = self.backend();
        crate::readings::delete_device_data(&mut self.tx, backend, tenant_id, device_id).await?;
        for sql in [
            "DELETE FROM conditions WHERE device_id = $1",
            "DELETE FROM devices WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(device_id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }
}

alone! {
    /// See [`Change::create_device`].
    fn create_device(tenant_id: i64, d: &NewDevice, now: i64) -> Result<Device>;
    /// See [`Change::delete_device`].
    fn delete_device(tenant_id: i64, device_id: i64) -> Result<()>;
}
