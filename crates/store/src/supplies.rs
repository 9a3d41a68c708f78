//! Supply levels (SPEC B1, S28): the toner, ink, drum and other supplies a device reports with
//! its status (`"supplies"` in `POST /api/v1/ingest/status`).
//!
//! A report replaces the device's whole list: what the device no longer mentions is gone. A
//! report without the `supplies` member says nothing about supplies and leaves the list as it
//! was. The time of the report that set the list is kept (`supply_reports`), so that a late
//! report never overwrites a newer list, and the screens can say how old the levels are.
//!
//! [`SupplyInput::parse`] validates one supply of the wire format. It sits here, beside its
//! table, because the domain crate's wire types are owned elsewhere; it has no I/O and can
//! move to `meterport_domain::status` unchanged.

use std::collections::HashMap;

use meterport_domain::policy::{FieldError, Problem, invalid_choice, is_control_char, required};
use sqlx::{AssertSqlSafe, Row};

use crate::counters::GroupFilter;
use crate::{Result, Store, list_placeholders};

/// What a supply is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SupplyKind {
    Toner,
    Ink,
    Drum,
    Other,
}

impl SupplyKind {
    pub const ALL: [SupplyKind; 4] = [
        SupplyKind::Toner,
        SupplyKind::Ink,
        SupplyKind::Drum,
        SupplyKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupplyKind::Toner => "toner",
            SupplyKind::Ink => "ink",
            SupplyKind::Drum => "drum",
            SupplyKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<SupplyKind> {
        SupplyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The colours a supply may name (the domain's list, shared with the collector).
pub use meterport_domain::device::SUPPLY_COLORS;

/// A supply's state, as the screens and the read API show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SupplyState {
    Ok,
    Low,
    Empty,
    /// The device says some is left but not how much (Printer-MIB level -3).
    SomeRemaining,
    Unknown,
}

impl SupplyState {
    pub const ALL: [SupplyState; 5] = [
        SupplyState::Ok,
        SupplyState::Low,
        SupplyState::Empty,
        SupplyState::SomeRemaining,
        SupplyState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupplyState::Ok => "ok",
            SupplyState::Low => "low",
            SupplyState::Empty => "empty",
            SupplyState::SomeRemaining => "some_remaining",
            SupplyState::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<SupplyState> {
        SupplyState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The most supplies one report may list (a 12-colour LFP with its maintenance parts fits).
pub const MAX_SUPPLIES: usize = 32;
pub const SUPPLY_NAME_MAX_CHARS: usize = 100;
/// At or below this level a supply is low (S28): the screens warn.
pub const LOW_LEVEL_PERCENT: i64 = 10;

/// One supply as a status report carries it, before validation.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub color: Option<String>,
    /// A whole number 0..=100, or null when the device cannot tell.
    pub level_percent: Option<serde_json::Value>,
    /// What the device says of it (`ok`, `low`, `empty`, `some_remaining`, `unknown`):
    /// absent, the level decides ([`Supply::state`]).
    pub state: Option<String>,
}

/// One supply, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supply {
    pub name: String,
    pub kind: SupplyKind,
    pub color: Option<String>,
    pub level_percent: Option<i64>,
    /// The state the device reported, if it did.
    pub reported_state: Option<SupplyState>,
}

impl Supply {
    /// The supply's state, the one rule of the screens and the read API: what the device
    /// reported, when it did (a collector knows a waste receptacle at 5 % is not low, and
    /// that "some remaining" has no percentage); else 0 % is empty, up to
    /// [`LOW_LEVEL_PERCENT`] low, above it ok, and no level unknown.
    pub fn state(&self) -> SupplyState {
        if let Some(state) = self.reported_state {
            return state;
        }
        match self.level_percent {
            Some(0) => SupplyState::Empty,
            Some(l) if l <= LOW_LEVEL_PERCENT => SupplyState::Low,
            Some(_) => SupplyState::Ok,
            None => SupplyState::Unknown,
        }
    }

    /// Low or empty: the screens warn.
    pub fn is_low(&self) -> bool {
        matches!(self.state(), SupplyState::Low | SupplyState::Empty)
    }
}

impl SupplyInput {
    /// Validates a supply, naming every broken rule (typed, worded by the front door):
    /// `name` required, at most 100 characters without control characters; `kind` one of
    /// toner, ink, drum, other; `color` absent or one of [`SUPPLY_COLORS`]; `level_percent`
    /// absent, null or a whole number from 0 to 100.
    pub fn parse(self) -> std::result::Result<Supply, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.as_deref().map(str::trim).unwrap_or("");
        if name.is_empty() {
            errors.push(required("name"));
        } else if name.chars().count() > SUPPLY_NAME_MAX_CHARS {
            errors.push(FieldError::new(
                "name",
                Problem::TooLong {
                    max: SUPPLY_NAME_MAX_CHARS,
                },
            ));
        } else if name.chars().any(is_control_char) {
            errors.push(FieldError::new("name", Problem::ControlCharacterNotNamed));
        }
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(required("kind"));
                None
            }
            Some(k) => {
                let kind = SupplyKind::parse(k);
                if kind.is_none() {
                    errors.push(invalid_choice("kind", &["toner", "ink", "drum", "other"]));
                }
                kind
            }
        };
        let color = match self.color.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) if SUPPLY_COLORS.contains(&c) => Some(c.to_string()),
            Some(_) => {
                errors.push(invalid_choice("color", &SUPPLY_COLORS));
                None
            }
        };
        let level_percent = match &self.level_percent {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(l) if (0..=100).contains(&l) => Some(l),
                _ => {
                    errors.push(FieldError::new(
                        "level_percent",
                        Problem::OutOfRangeOrNull { min: 0, max: 100 },
                    ));
                    None
                }
            },
        };
        let reported_state = match self.state.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => {
                let state = SupplyState::parse(s);
                if state.is_none() {
                    errors.push(invalid_choice(
                        "state",
                        &["ok", "low", "empty", "some_remaining", "unknown"],
                    ));
                }
                state
            }
        };
        match kind {
            Some(kind) if errors.is_empty() => Ok(Supply {
                name: name.to_string(),
                kind,
                color,
                level_percent,
                reported_state,
            }),
            _ => Err(errors),
        }
    }
}

/// A device's latest supply list and when it was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyReport {
    pub reported_at: i64,
    pub supplies: Vec<Supply>,
}

/// A device of the supplies screen with its supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSupplies {
    pub device_id: i64,
    pub name: String,
    pub product: String,
    pub location: Option<String>,
    pub group: Option<(i64, String)>,
    pub report: SupplyReport,
}

/// The figures above the supplies screen, for a group selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SupplySummary {
    /// Devices whose last report listed supplies.
    pub reporting: i64,
    /// Devices that never reported supplies (or whose last list was empty).
    pub silent: i64,
    /// Supplies at or below [`LOW_LEVEL_PERCENT`], and the devices that have them.
    pub low_supplies: i64,
    pub low_devices: i64,
    /// Of those, the supplies that are empty, and the devices that have one.
    pub empty_supplies: i64,
    pub empty_devices: i64,
}

/// Which devices the supplies screen lists: those with a low or empty supply
/// ([`Supply::is_low`]), or with an empty one. Without a filter, every device that reports
/// supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplyFilter {
    Low,
    Empty,
}

impl SupplyFilter {
    pub const ALL: [SupplyFilter; 2] = [SupplyFilter::Low, SupplyFilter::Empty];

    /// The name in the supplies screen's URL (`supply=`).
    pub fn as_str(self) -> &'static str {
        match self {
            SupplyFilter::Low => "low",
            SupplyFilter::Empty => "empty",
        }
    }

    pub fn parse(s: &str) -> Option<SupplyFilter> {
        SupplyFilter::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether a supply `s` is one the filter looks for, in SQL ([`Supply::state`]'s rule).
    fn supply_sql(self) -> String {
        match self {
            SupplyFilter::Low => low_sql(),
            SupplyFilter::Empty => EMPTY_SQL.to_string(),
        }
    }
}

/// A supply `s` that is low or empty, as [`Supply::is_low`] decides it: a reported state,
/// else the level.
fn low_sql() -> String {
    format!(
        "(s.state IN ('low', 'empty') \
         OR (s.state IS NULL AND s.level_percent <= {LOW_LEVEL_PERCENT}))"
    )
}

/// A supply `s` that is empty, as [`Supply::state`] decides it.
const EMPTY_SQL: &str = "(s.state = 'empty' OR (s.state IS NULL AND s.level_percent = 0))";

fn group_sql(group: GroupFilter) -> (&'static str, Option<i64>) {
    match group {
        GroupFilter::All => ("", None),
        GroupFilter::NoGroup => (" AND d.group_id IS NULL", None),
        GroupFilter::Group(g) => (" AND d.group_id = $2", Some(g)),
    }
}

pub(crate) fn supply_from_row(r: &sqlx::any::AnyRow, first: usize) -> Supply {
    Supply {
        name: r.get(first),
        kind: SupplyKind::parse(&r.get::<String, _>(first + 1)).unwrap_or(SupplyKind::Other),
        color: r.get(first + 2),
        level_percent: r.get(first + 3),
        reported_state: r
            .get::<Option<String>, _>(first + 4)
            .as_deref()
            .and_then(SupplyState::parse),
    }
}

impl Store {
    /// Replaces a device's supply list with the one of a report taken at `at`, and hands
    /// its levels to the supplies' histories ([`crate::supply_history`]). Returns `false`,
    /// changing nothing, when a report as new or newer has already set the list.
    pub async fn replace_supplies(
        &self,
        tenant_id: i64,
        device_id: i64,
        at: i64,
        supplies: &[Supply],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found = sqlx::query("SELECT id FROM devices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(device_id)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(crate::StoreError::NotFound);
        }
        let last: Option<i64> = sqlx::query(
            "SELECT reported_at FROM supply_reports WHERE tenant_id = $1 AND device_id = $2",
        )
        .bind(tenant_id)
        .bind(device_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.get(0));
        if last.is_some_and(|last| at <= last) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO supply_reports (device_id, tenant_id, reported_at) VALUES ($2, $1, $3) \
             ON CONFLICT (device_id) DO UPDATE SET reported_at = excluded.reported_at",
        )
        .bind(tenant_id)
        .bind(device_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM supplies WHERE tenant_id = $1 AND device_id = $2")
            .bind(tenant_id)
            .bind(device_id)
            .execute(&mut *tx)
            .await?;
        for (position, s) in supplies.iter().enumerate() {
            sqlx::query(
                "INSERT INTO supplies (device_id, position, tenant_id, name, kind, color, \
                 level_percent, state) VALUES ($2, $3, $1, $4, $5, $6, $7, $8)",
            )
            .bind(tenant_id)
            .bind(device_id)
            .bind(position as i64)
            .bind(&s.name)
            .bind(s.kind.as_str())
            .bind(&s.color)
            .bind(s.level_percent)
            .bind(s.reported_state.map(SupplyState::as_str))
            .execute(&mut *tx)
            .await?;
        }
        // Each supply's level history (B1) changes with the list it comes from.
        crate::supply_history::record_levels(&mut tx, tenant_id, device_id, at, supplies).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A device's supply list, in the order reported; `None` when it has never reported one.
    pub async fn device_supplies(
        &self,
        tenant_id: i64,
        device_id: i64,
    ) -> Result<Option<SupplyReport>> {
        let reported_at: Option<i64> = sqlx::query(
            "SELECT reported_at FROM supply_reports WHERE tenant_id = $1 AND device_id = $2",
        )
        .bind(tenant_id)
        .bind(device_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.get(0));
        let Some(reported_at) = reported_at else {
            return Ok(None);
        };
        let supplies = sqlx::query(
            "SELECT name, kind, color, level_percent, state FROM supplies \
             WHERE tenant_id = $1 AND device_id = $2 ORDER BY position",
        )
        .bind(tenant_id)
        .bind(device_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| supply_from_row(r, 0))
        .collect();
        Ok(Some(SupplyReport {
            reported_at,
            supplies,
        }))
    }

    /// The figures of the supplies screen for a group selection.
    pub async fn supply_summary(
        &self,
        tenant_id: i64,
        group: GroupFilter,
    ) -> Result<SupplySummary> {
        let (filter, param) = group_sql(group);
        let low = low_sql();
        let sql = format!(
            "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM supplies s WHERE s.device_id = d.id) \
                 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM((SELECT COUNT(*) FROM supplies s WHERE s.device_id = d.id \
                 AND {low})) AS BIGINT), \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM supplies s WHERE s.device_id = d.id \
                 AND {low}) THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM((SELECT COUNT(*) FROM supplies s WHERE s.device_id = d.id \
                 AND {EMPTY_SQL})) AS BIGINT), \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM supplies s WHERE s.device_id = d.id \
                 AND {EMPTY_SQL}) THEN 1 ELSE 0 END) AS BIGINT) \
             FROM devices d WHERE d.tenant_id = $1{filter}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if let Some(g) = param {
            q = q.bind(g);
        }
        let r = q.fetch_one(self.pool()).await?;
        // SUM over no rows is NULL on both databases; PostgreSQL's SUM of a BIGINT is a
        // NUMERIC, hence the casts.
        let total: i64 = r.get(0);
        let reporting: i64 = r.get::<Option<i64>, _>(1).unwrap_or(0);
        Ok(SupplySummary {
            reporting,
            silent: total - reporting,
            low_supplies: r.get::<Option<i64>, _>(2).unwrap_or(0),
            low_devices: r.get::<Option<i64>, _>(3).unwrap_or(0),
            empty_supplies: r.get::<Option<i64>, _>(4).unwrap_or(0),
            empty_devices: r.get::<Option<i64>, _>(5).unwrap_or(0),
        })
    }

    /// One page of the devices that report supplies (with `only`, those with such a
    /// supply), the device with the lowest known level first (levels the device cannot tell
    /// come after every known level), then by name.
    pub async fn supply_page(
        &self,
        tenant_id: i64,
        group: GroupFilter,
        only: Option<SupplyFilter>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DeviceSupplies>> {
        let (group_filter, param) = group_sql(group);
        let filter = match only {
            None => group_filter.to_string(),
            Some(f) => format!(
                "{group_filter} AND EXISTS (SELECT 1 FROM supplies s WHERE s.device_id = d.id \
                 AND {})",
                f.supply_sql()
            ),
        };
        let n = if param.is_some() { 3 } else { 2 };
        let sql = format!(
            "SELECT d.id, d.name, d.product, d.location, g.id, g.name, r.reported_at, \
             (SELECT MIN(s.level_percent) FROM supplies s WHERE s.device_id = d.id) AS lowest \
             FROM devices d JOIN supply_reports r ON r.device_id = d.id \
             LEFT JOIN device_groups g ON g.id = d.group_id \
             WHERE d.tenant_id = $1{filter} \
             AND EXISTS (SELECT 1 FROM supplies s WHERE s.device_id = d.id) \
             ORDER BY CASE WHEN (SELECT MIN(s.level_percent) FROM supplies s \
                 WHERE s.device_id = d.id) IS NULL THEN 1 ELSE 0 END, \
             lowest, LOWER(d.name), d.id LIMIT ${n} OFFSET ${}",
            n + 1
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if let Some(g) = param {
            q = q.bind(g);
        }
        let rows = q
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(self.pool())
            .await?;
        let mut devices: Vec<DeviceSupplies> = rows
            .into_iter()
            .map(|r| DeviceSupplies {
                device_id: r.get(0),
                name: r.get(1),
                product: r.get(2),
                location: r.get(3),
                group: r.get::<Option<i64>, _>(4).map(|id| (id, r.get(5))),
                report: SupplyReport {
                    reported_at: r.get(6),
                    supplies: Vec::new(),
                },
            })
            .collect();
        if devices.is_empty() {
            return Ok(devices);
        }
        let ids: Vec<i64> = devices.iter().map(|d| d.device_id).collect();
        let sql = format!(
            "SELECT device_id, name, kind, color, level_percent, state FROM supplies \
             WHERE tenant_id = $1 AND device_id IN ({}) ORDER BY device_id, position",
            list_placeholders(2, ids.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        for id in &ids {
            q = q.bind(*id);
        }
        let mut by_device: HashMap<i64, Vec<Supply>> = HashMap::new();
        for r in q.fetch_all(self.pool()).await? {
            by_device
                .entry(r.get(0))
                .or_default()
                .push(supply_from_row(&r, 1));
        }
        for d in &mut devices {
            d.report.supplies = by_device.remove(&d.device_id).unwrap_or_default();
        }
        Ok(devices)
    }

    /// The devices of a group selection that report no supply levels, by name: at most
    /// `limit` of them (the screen names a few and counts the rest).
    pub async fn devices_without_supplies(
        &self,
        tenant_id: i64,
        group: GroupFilter,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        let (filter, param) = group_sql(group);
        let n = if param.is_some() { 3 } else { 2 };
        let sql = format!(
            "SELECT d.id, d.name FROM devices d WHERE d.tenant_id = $1{filter} \
             AND NOT EXISTS (SELECT 1 FROM supplies s WHERE s.device_id = d.id) \
             ORDER BY LOWER(d.name), d.id LIMIT ${n}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if let Some(g) = param {
            q = q.bind(g);
        }
        Ok(q.bind(limit.max(0))
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> SupplyInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_supply_with_a_level_parses_and_a_null_level_is_unknown() {
        let s = input(
            r#"{"name": " Black toner ", "kind": "toner", "color": "black", "level_percent": 8}"#,
        )
        .parse()
        .unwrap();
        assert_eq!(s.name, "Black toner");
        assert_eq!(s.level_percent, Some(8));
        assert!(s.is_low());
        let unknown = input(r#"{"name": "Drum", "kind": "drum", "level_percent": null}"#)
            .parse()
            .unwrap();
        assert_eq!(unknown.level_percent, None);
        assert!(!unknown.is_low());
    }

    #[test]
    fn a_reported_state_decides_and_without_one_the_level_does() {
        let state = |json: &str| input(json).parse().unwrap().state();
        assert_eq!(
            state(
                r#"{"name": "T", "kind": "toner", "level_percent": null, "state": "some_remaining"}"#
            ),
            SupplyState::SomeRemaining
        );
        assert_eq!(
            state(r#"{"name": "Waste", "kind": "other", "level_percent": 5, "state": "ok"}"#),
            SupplyState::Ok
        );
        assert_eq!(
            state(r#"{"name": "T", "kind": "toner", "level_percent": 0}"#),
            SupplyState::Empty
        );
        assert_eq!(
            state(r#"{"name": "T", "kind": "toner", "level_percent": 10}"#),
            SupplyState::Low
        );
        assert_eq!(
            state(r#"{"name": "T", "kind": "toner", "level_percent": 11}"#),
            SupplyState::Ok
        );
        assert_eq!(
            state(r#"{"name": "T", "kind": "toner"}"#),
            SupplyState::Unknown
        );
        let bad = input(r#"{"name": "T", "kind": "toner", "state": "half"}"#)
            .parse()
            .unwrap_err();
        assert_eq!(bad[0].field, "state");
    }

    #[test]
    fn every_broken_rule_of_a_supply_is_named() {
        let errors = input(r#"{"kind": "paper", "color": "beige", "level_percent": 101}"#)
            .parse()
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "kind", "color", "level_percent"]);
        let fractional = input(r#"{"name": "Ink", "kind": "ink", "level_percent": 50.5}"#)
            .parse()
            .unwrap_err();
        assert_eq!(fractional[0].field, "level_percent");
        let text = input(r#"{"name": "Ink", "kind": "ink", "level_percent": "50"}"#)
            .parse()
            .unwrap_err();
        assert_eq!(text[0].field, "level_percent");
    }

    #[test]
    fn an_unknown_member_of_a_supply_is_refused() {
        let r = serde_json::from_str::<SupplyInput>(r#"{"name": "x", "kind": "ink", "pct": 3}"#);
        assert!(r.is_err());
    }
}
