//! The level history of each supply (SPEC B1), kept for the days-to-empty forecast.
//!
//! A status report that sets a device's supply list ([`Store::replace_supplies`]) also hands
//! each supply's level to its history, in the same transaction: the rule of what is kept
//! (level changes only, a replaced supply starts anew, at most 120 changes, no point for
//! "some remaining" or an unknown level) is `meterport_domain::supply_forecast`'s; this
//! module reads the rows, applies it and writes back the rows it changed. A report that
//! repeats the levels reads one small row per supply and writes nothing.
//!
//! A supply is known by [`SupplyKey`]: kind, colour and name, as the screens show it, and its
//! rank among the supplies of a report that share those three. Positions are not used: a
//! device may list its supplies in another order from one report to the next.

use std::collections::HashMap;

use meterport_domain::supply_forecast::{LevelHistory, Recorded};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::supplies::{Supply, SupplyKind, SupplyState};
use crate::{Result, Store};

/// Which supply of a device a history belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupplyKey {
    pub kind: SupplyKind,
    /// `""` when the supply names no colour.
    pub color: String,
    pub name: String,
    /// 0 for the first supply of the report with this kind, colour and name, 1 for a
    /// second one, and so on.
    pub nth: i64,
}

/// The key of each supply of a list, in its order.
pub fn supply_keys(supplies: &[Supply]) -> Vec<SupplyKey> {
    let mut seen: HashMap<(SupplyKind, &str, &str), i64> = HashMap::new();
    supplies
        .iter()
        .map(|s| {
            let color = s.color.as_deref().unwrap_or("");
            let nth = seen.entry((s.kind, color, &s.name)).or_insert(0);
            let key = SupplyKey {
                kind: s.kind,
                color: color.to_string(),
                name: s.name.clone(),
                nth: *nth,
            };
            *nth += 1;
            key
        })
        .collect()
}

impl Supply {
    /// The level the history takes from this report: a percentage the device measured.
    /// A supply reported as "some remaining" or unknown has none, whatever number came with
    /// it; no percentage is made up for it.
    pub fn measured_level(&self) -> Option<i64> {
        match self.reported_state {
            Some(SupplyState::SomeRemaining | SupplyState::Unknown) => None,
            _ => self.level_percent,
        }
    }
}

fn decode(device_id: i64, bytes: &[u8]) -> LevelHistory {
    // A row this version cannot read starts anew rather than stop the device's reports or
    // screens: a history is an aid, and the next reports rebuild it.
    LevelHistory::decode(bytes).unwrap_or_else(|_| {
        tracing::warn!(
            device.id = device_id,
            "unreadable supply history, started anew"
        );
        LevelHistory::new()
    })
}

fn key_from_row(r: &sqlx::any::AnyRow, first: usize) -> SupplyKey {
    SupplyKey {
        kind: SupplyKind::parse(&r.get::<String, _>(first)).unwrap_or(SupplyKind::Other),
        color: r.get(first + 1),
        name: r.get(first + 2),
        nth: r.get(first + 3),
    }
}

/// Hands the levels of a report taken at `at` to the device's supply histories, on the
/// connection of the transaction that stores the report's list: changed histories are
/// written, those of supplies the list no longer names are deleted.
pub(crate) async fn record_levels(
    conn: &mut AnyConnection,
    tenant_id: i64,
    device_id: i64,
    at: i64,
    supplies: &[Supply],
) -> Result<()> {
    let mut stored: HashMap<SupplyKey, LevelHistory> = sqlx::query(
        "SELECT kind, color, name, nth, points FROM supply_history \
         WHERE tenant_id = $1 AND device_id = $2",
    )
    .bind(tenant_id)
    .bind(device_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        (
            key_from_row(r, 0),
            decode(device_id, &r.get::<Vec<u8>, _>(4)),
        )
    })
    .collect();
    for (supply, key) in supplies.iter().zip(supply_keys(supplies)) {
        let mut history = stored.remove(&key).unwrap_or_default();
        if history.record(at, supply.measured_level()) == Recorded::Unchanged {
            continue;
        }
        sqlx::query(
            "INSERT INTO supply_history (device_id, kind, color, name, nth, tenant_id, points) \
             VALUES ($2, $3, $4, $5, $6, $1, $7) \
             ON CONFLICT (device_id, kind, color, name, nth) \
             DO UPDATE SET points = excluded.points",
        )
        .bind(tenant_id)
        .bind(device_id)
        .bind(key.kind.as_str())
        .bind(&key.color)
        .bind(&key.name)
        .bind(key.nth)
        .bind(history.encode())
        .execute(&mut *conn)
        .await?;
    }
    // What is left was not named by this list: gone, as the supply is.
    for key in stored.keys() {
        sqlx::query(
            "DELETE FROM supply_history WHERE tenant_id = $1 AND device_id = $2 \
             AND kind = $3 AND color = $4 AND name = $5 AND nth = $6",
        )
        .bind(tenant_id)
        .bind(device_id)
        .bind(key.kind.as_str())
        .bind(&key.color)
        .bind(&key.name)
        .bind(key.nth)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The supply histories of these devices of the tenant, by device and supply. A supply
    /// without a history (it never reported a measured level) is absent.
    pub async fn supply_histories(
        &self,
        tenant_id: i64,
        device_ids: &[i64],
    ) -> Result<HashMap<(i64, SupplyKey), LevelHistory>> {
        let mut out = HashMap::new();
        for chunk in device_ids.chunks(500) {
            let sql = format!(
                "SELECT device_id, kind, color, name, nth, points FROM supply_history \
                 WHERE tenant_id = {} AND device_id IN ({})",
                crate::param(self.backend, 1),
                crate::bulk_list(self.backend, 2, chunk.len()),
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .persistent(false)
                .bind(tenant_id);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                let device_id: i64 = r.get(0);
                let history = decode(device_id, &r.get::<Vec<u8>, _>(5));
                out.insert((device_id, key_from_row(&r, 1)), history);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(name: &str, kind: SupplyKind, color: Option<&str>) -> Supply {
        Supply {
            name: name.into(),
            kind,
            color: color.map(str::to_string),
            level_percent: Some(50),
            reported_state: None,
        }
    }

    #[test]
    fn supplies_are_known_by_kind_colour_and_name_and_twins_by_their_rank() {
        let list = [
            supply("Toner", SupplyKind::Toner, Some("black")),
            supply("Toner", SupplyKind::Toner, Some("cyan")),
            supply("Toner", SupplyKind::Toner, Some("black")),
            supply("Drum", SupplyKind::Drum, None),
        ];
        let keys = supply_keys(&list);
        let short: Vec<(&str, &str, i64)> = keys
            .iter()
            .map(|k| (k.color.as_str(), k.name.as_str(), k.nth))
            .collect();
        assert_eq!(
            short,
            [
                ("black", "Toner", 0),
                ("cyan", "Toner", 0),
                ("black", "Toner", 1),
                ("", "Drum", 0)
            ]
        );
        // The same supplies in another order keep their keys.
        let mut reordered = list.clone();
        reordered.swap(1, 3);
        let again = supply_keys(&reordered);
        assert_eq!(again[3], keys[1]);
        assert_eq!(again[1], keys[3]);
    }

    #[test]
    fn some_remaining_or_unknown_is_no_measured_level() {
        let mut s = supply("T", SupplyKind::Toner, None);
        assert_eq!(s.measured_level(), Some(50));
        s.reported_state = Some(SupplyState::Low);
        assert_eq!(s.measured_level(), Some(50));
        s.reported_state = Some(SupplyState::SomeRemaining);
        assert_eq!(s.measured_level(), None);
        s.reported_state = Some(SupplyState::Unknown);
        assert_eq!(s.measured_level(), None);
        s.reported_state = None;
        s.level_percent = None;
        assert_eq!(s.measured_level(), None);
    }
}
