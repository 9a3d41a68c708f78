//! The device screens' queries (SPEC S7-S11): one page of the device list with its counts by
//! status, a device's latest reading, and the two settings a customer may change on a device
//! (its group and its toner/ink administrator).
//!
//! The device list must stay fast for a fleet of 10,000 devices, so the database does the
//! work: the filter, the sort and the page are one `ORDER BY .. LIMIT .. OFFSET` query, and the
//! counts by status are one `GROUP BY`; no more than a page of rows ever reaches Rust.
//!
//! "Not reporting" (`meterport_domain::reporting`) is selected, counted and sorted here with
//! the domain's inequality in SQL ([`late_sql`]); the list's rows carry the flag the same
//! query computed, so a row, the filter and the count never disagree.

use meterport_domain::counters::CounterSet;
use meterport_domain::device::DeviceType;
use meterport_domain::reporting::{HOUR_MS, Reporting};
use meterport_domain::status::Status;
use sqlx::{AssertSqlSafe, Row};

use crate::change::alone;
use crate::counters::GroupFilter;
use crate::{Backend, Change, Result, Store, StoreError, list_placeholders};

/// The columns of the device list a user can sort by (S7: every heading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceSort {
    #[default]
    Name,
    /// By severity ([`Status::rank`]), not by the status's name.
    Status,
    /// Devices with a Remote UI first (ascending).
    RemoteUi,
    Product,
    Building,
    Location,
    Group,
    /// Devices not reporting first, then the oldest last report first (ascending); devices
    /// never heard from last in both directions.
    LastReport,
}

impl DeviceSort {
    pub const ALL: [DeviceSort; 8] = [
        DeviceSort::Name,
        DeviceSort::Status,
        DeviceSort::RemoteUi,
        DeviceSort::Product,
        DeviceSort::Building,
        DeviceSort::Location,
        DeviceSort::Group,
        DeviceSort::LastReport,
    ];

    /// The name in URLs (`sort=`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceSort::Name => "name",
            DeviceSort::Status => "status",
            DeviceSort::RemoteUi => "remote",
            DeviceSort::Product => "product",
            DeviceSort::Building => "building",
            DeviceSort::Location => "location",
            DeviceSort::Group => "group",
            DeviceSort::LastReport => "last_report",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceSort> {
        DeviceSort::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which devices of a tenant the list shows, in which order, and which page of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceListQuery {
    pub group: GroupFilter,
    /// Matched, ignoring case, as a substring of the name, serial, product, building and
    /// location. Blank means no filter.
    pub text: Option<String>,
    /// Only devices that show this status.
    pub status: Option<Status>,
    /// Only devices that report ([`Reporting::Ok`]) or do not ([`Reporting::Late`]).
    pub reporting: Option<Reporting>,
    /// The instant "not reporting" is judged at.
    pub now: i64,
    pub sort: DeviceSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A row of the device list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: i64,
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    /// The status the device shows: see [`STATUS_SQL`].
    pub status: Status,
    pub remote_ui_url: Option<String>,
    pub building: Option<String>,
    pub location: Option<String>,
    pub group: Option<(i64, String)>,
    /// When the portal last heard from the device (`None`: never).
    pub last_report_at: Option<i64>,
    /// Not reporting at the query's `now`.
    pub late: bool,
}

/// How many devices of a selection show each status (the counts above the device list), and
/// how many of them are not reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusCounts {
    pub normal: i64,
    pub unknown: i64,
    pub warning: i64,
    pub error: i64,
    pub service_call: i64,
    /// Devices not reporting, whatever their status (so not part of [`StatusCounts::total`]).
    pub late: i64,
}

impl StatusCounts {
    pub fn get(&self, status: Status) -> i64 {
        match status {
            Status::Normal => self.normal,
            Status::Unknown => self.unknown,
            Status::Warning => self.warning,
            Status::Error => self.error,
            Status::ServiceCall => self.service_call,
        }
    }

    fn slot(&mut self, status: Status) -> &mut i64 {
        match status {
            Status::Normal => &mut self.normal,
            Status::Unknown => &mut self.unknown,
            Status::Warning => &mut self.warning,
            Status::Error => &mut self.error,
            Status::ServiceCall => &mut self.service_call,
        }
    }

    pub fn total(&self) -> i64 {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// The status a device shows, in SQL. The device row keeps the status derived from its open
/// conditions; a device whose protocol is SMTP shows normal whatever the row says (S9), since
/// it cannot send status: a newly registered SMTP device's row still says `unknown` until its
/// first counter mail arrives.
pub const STATUS_SQL: &str = "(CASE WHEN d.protocol = 'smtp' THEN 'normal' ELSE d.status END)";

/// Whether a device `d` (joined with its `device_reading_times` as `rt` and its tenant as
/// `t`) is not reporting at the instant in the parameter `now`: the inequality of
/// [`meterport_domain::reporting::reporting`], `heard + threshold < now`, the threshold the
/// device's own or its tenant's. NULL (neither true nor false) for a device never heard from.
pub fn late_sql(now: &str) -> String {
    format!(
        "({} + COALESCE(d.late_after_hours, t.late_after_hours) * {HOUR_MS} < {now})",
        crate::devices::HEARD_SQL
    )
}

/// The joins [`late_sql`] needs, after `FROM devices d`.
const LATE_JOINS: &str = " LEFT JOIN device_reading_times rt ON rt.device_id = d.id \
    JOIN tenants t ON t.id = d.tenant_id";

/// [`Status::rank`] in SQL, built from the domain's own ranks so the two cannot drift apart.
fn rank_sql() -> String {
    let mut sql = format!("(CASE {STATUS_SQL}");
    for s in Status::ALL {
        sql.push_str(&format!(" WHEN '{}' THEN {}", s.as_str(), s.rank()));
    }
    sql.push_str(" ELSE 0 END)");
    sql
}

/// Escapes `%`, `_` and `\` for a `LIKE .. ESCAPE '\'` pattern, so that a user's `50%`
/// matches those three characters and nothing else.
fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The WHERE clause of a selection (tenant, group, text, status, reporting) and its
/// parameters, numbered after `$1`, the tenant, and, when `now_bound`, `$2`, the instant "not
/// reporting" is judged at (a filter on reporting needs it, and [`LATE_JOINS`]).
fn selection_sql(
    backend: Backend,
    now_bound: bool,
    group: GroupFilter,
    text: Option<&str>,
    status: Option<Status>,
    reporting: Option<Reporting>,
) -> (String, Vec<SqlParam>) {
    debug_assert!(now_bound || reporting.is_none());
    let before = if now_bound { 2 } else { 1 };
    let mut sql = String::from("d.tenant_id = $1");
    let mut params = Vec::new();
    match group {
        GroupFilter::All => {}
        GroupFilter::NoGroup => sql.push_str(" AND d.group_id IS NULL"),
        GroupFilter::Group(g) => {
            params.push(SqlParam::Int(g));
            sql.push_str(&format!(" AND d.group_id = ${}", params.len() + before));
        }
    }
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
        params.push(SqlParam::Text(like_pattern(text)));
        let n = params.len() + before;
        // Case-insensitive on both: SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE
        // ignores case in every script (full-width Latin letters too).
        let op = match backend {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        };
        let cols = [
            "d.name",
            "d.serial",
            "d.product",
            "d.building",
            "d.location",
        ];
        let ors: Vec<String> = cols
            .iter()
            .map(|c| format!("{c} {op} ${n} ESCAPE '\\'"))
            .collect();
        sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
    }
    if let Some(status) = status {
        params.push(SqlParam::Text(status.as_str().to_string()));
        sql.push_str(&format!(" AND {STATUS_SQL} = ${}", params.len() + before));
    }
    match reporting {
        None => {}
        Some(Reporting::Late) => sql.push_str(&format!(" AND {}", late_sql("$2"))),
        Some(Reporting::Ok) => sql.push_str(&format!(
            " AND {} IS NOT NULL AND NOT {}",
            crate::devices::HEARD_SQL,
            late_sql("$2")
        )),
    }
    (sql, params)
}

#[derive(Debug, Clone)]
enum SqlParam {
    Int(i64),
    Text(String),
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    params: &[SqlParam],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for p in params {
        q = match p {
            SqlParam::Int(v) => q.bind(*v),
            SqlParam::Text(v) => q.bind(v.clone()),
        };
    }
    q
}

/// The ORDER BY of a sort. Empty optional texts sort last in both directions (a list sorted
/// by building should start with buildings, not with blanks), and ties go by name, then id,
/// so that paging is stable.
fn order_sql(sort: DeviceSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let text = |col: &str| {
        format!(
            "CASE WHEN {col} IS NULL OR {col} = '' THEN 1 ELSE 0 END, LOWER({col}) {dir}, \
             {col} {dir}, "
        )
    };
    let primary = match sort {
        DeviceSort::Name => format!("LOWER(d.name) {dir}, d.name {dir}, "),
        DeviceSort::Status => format!("{} {dir}, ", rank_sql()),
        DeviceSort::RemoteUi => format!(
            "CASE WHEN d.remote_ui_url IS NULL OR d.remote_ui_url = '' THEN 1 ELSE 0 END {dir}, "
        ),
        DeviceSort::Product => text("d.product"),
        DeviceSort::Building => text("d.building"),
        DeviceSort::Location => text("d.location"),
        DeviceSort::Group => text("g.name"),
        DeviceSort::LastReport => {
            // Ascending: the devices not reporting first (late 1 before 0), then the oldest
            // report first; descending reverses both. Never heard from: last either way.
            let late_dir = if descending { "ASC" } else { "DESC" };
            format!(
                "CASE WHEN {heard} IS NULL THEN 1 ELSE 0 END, \
                 CASE WHEN {late} THEN 1 ELSE 0 END {late_dir}, {heard} {dir}, ",
                heard = crate::devices::HEARD_SQL,
                late = late_sql("$2"),
            )
        }
    };
    format!("{primary}LOWER(d.name), d.name, d.id")
}

/// What a customer may change on a device was refused: the group or the user is not one of
/// the tenant's (another tenant's is answered exactly like one that does not exist, T1).
#[derive(Debug, thiserror::Error)]
pub enum DeviceSettingsError {
    /// The device is not one of the tenant's.
    #[error("no such device")]
    NotFound,
    #[error("unknown group or user")]
    Refused {
        unknown_group: bool,
        unknown_user: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DeviceSettingsError {
    fn from(e: sqlx::Error) -> Self {
        DeviceSettingsError::Store(StoreError::Db(e))
    }
}

impl Store {
    /// One page of the tenant's devices (S7).
    pub async fn device_page(&self, tenant_id: i64, q: &DeviceListQuery) -> Result<Vec<DeviceRow>> {
        // When neither the filter nor the order needs to know which devices report, the page
        // is chosen without the reading times (10,000 devices joined with them cost
        // PostgreSQL more than the page itself), and only its rows are looked up after.
        let joined = q.reporting.is_some() || q.sort == DeviceSort::LastReport;
        let (filter, params) = selection_sql(
            self.backend(),
            joined,
            q.group,
            q.text.as_deref(),
            q.status,
            q.reporting,
        );
        let n = params.len() + if joined { 3 } else { 2 };
        let (reporting, joins) = if joined {
            (
                format!(
                    "{} AS last_report_at, \
                     CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS late",
                    crate::devices::HEARD_SQL,
                    late_sql("$2")
                ),
                LATE_JOINS,
            )
        } else {
            (
                "CAST(NULL AS BIGINT) AS last_report_at, CAST(0 AS BIGINT) AS late".into(),
                "",
            )
        };
        let sql = format!(
            "SELECT d.id, d.serial, d.name, d.product, d.device_type, {STATUS_SQL} AS status, \
             d.remote_ui_url, d.building, d.location, g.id AS group_id, g.name AS group_name, \
             {reporting} FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id{joins} \
             WHERE {filter} ORDER BY {} LIMIT ${n} OFFSET ${}",
            order_sql(q.sort, q.descending),
            n + 1,
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if joined {
            query = query.bind(q.now);
        }
        let mut rows: Vec<DeviceRow> = bind_all(query, &params)
            .bind(q.limit.max(0))
            .bind(q.offset.max(0))
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| {
                Ok(DeviceRow {
                    id: r.get("id"),
                    serial: r.get("serial"),
                    name: r.get("name"),
                    product: r.get("product"),
                    device_type: crate::devices::stored(&r, "device_type", DeviceType::parse)?,
                    status: crate::devices::stored(&r, "status", Status::parse)?,
                    remote_ui_url: r.get("remote_ui_url"),
                    building: r.get("building"),
                    location: r.get("location"),
                    group: r
                        .get::<Option<i64>, _>("group_id")
                        .map(|id| (id, r.get("group_name"))),
                    last_report_at: r.get("last_report_at"),
                    late: r.get::<i64, _>("late") != 0,
                })
            })
            .collect::<Result<_>>()?;
        if !joined && !rows.is_empty() {
            let sql = format!(
                "SELECT d.id, {} AS last_report_at, \
                 CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS late \
                 FROM devices d{LATE_JOINS} WHERE d.tenant_id = $1 AND d.id IN ({})",
                crate::devices::HEARD_SQL,
                late_sql("$2"),
                list_placeholders(3, rows.len())
            );
            let mut query = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id).bind(q.now);
            for r in &rows {
                query = query.bind(r.id);
            }
            let mut found: std::collections::HashMap<i64, (Option<i64>, bool)> = query
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .map(|r| (r.get(0), (r.get(1), r.get::<i64, _>(2) != 0)))
                .collect();
            for row in &mut rows {
                if let Some((last_report_at, late)) = found.remove(&row.id) {
                    row.last_report_at = last_report_at;
                    row.late = late;
                }
            }
        }
        Ok(rows)
    }

    /// How many of the tenant's devices in a group and text selection show each status
    /// (`late` is not counted: see [`Store::device_counts`]).
    pub async fn device_status_counts(
        &self,
        tenant_id: i64,
        group: GroupFilter,
        text: Option<&str>,
    ) -> Result<StatusCounts> {
        self.counts(tenant_id, group, text, None).await
    }

    /// How many of the tenant's devices in a group and text selection show each status, and
    /// how many are not reporting at `now`.
    pub async fn device_counts(
        &self,
        tenant_id: i64,
        group: GroupFilter,
        text: Option<&str>,
        now: i64,
    ) -> Result<StatusCounts> {
        self.counts(tenant_id, group, text, Some(now)).await
    }

    async fn counts(
        &self,
        tenant_id: i64,
        group: GroupFilter,
        text: Option<&str>,
        now: Option<i64>,
    ) -> Result<StatusCounts> {
        let (filter, params) =
            selection_sql(self.backend(), now.is_some(), group, text, None, None);
        // The joins of "not reporting" only when it is counted.
        let (late, joins) = match now {
            Some(_) => (
                format!(
                    "CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT)",
                    late_sql("$2")
                ),
                LATE_JOINS,
            ),
            None => ("CAST(0 AS BIGINT)".to_string(), ""),
        };
        let sql = format!(
            "SELECT {STATUS_SQL}, COUNT(*), {late} FROM devices d{joins} WHERE {filter} \
             GROUP BY {STATUS_SQL}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if let Some(now) = now {
            q = q.bind(now);
        }
        let rows = bind_all(q, &params).fetch_all(self.pool()).await?;
        let mut counts = StatusCounts::default();
        for r in rows {
            let status = Status::parse(&r.get::<String, _>(0)).unwrap_or(Status::Unknown);
            *counts.slot(status) += r.get::<i64, _>(1);
            counts.late += r.get::<Option<i64>, _>(2).unwrap_or(0);
        }
        Ok(counts)
    }

    /// The latest reading of a device of the tenant: its time and counters (S11). `None`
    /// when the device has sent none (or another tenant's device is asked for).
    pub async fn latest_reading(
        &self,
        tenant_id: i64,
        device_id: i64,
    ) -> Result<Option<(i64, CounterSet)>> {
        // The device's reading times know when its latest reading was taken: primary-key lookups.
        let row = sqlx::query(
            "SELECT r.read_at, r.counters FROM devices d \
             JOIN device_reading_times t ON t.device_id = d.id \
             JOIN readings r ON r.day = t.last_at / 86400000 AND r.device_id = d.id \
             AND r.read_at = t.last_at \
             WHERE d.tenant_id = $1 AND d.id = $2",
        )
        .bind(tenant_id)
        .bind(device_id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                r.get(0),
                CounterSet::decode(&r.get::<Vec<u8>, _>(1))?,
            ))),
        }
    }
}

impl Change<'_> {
    /// Sets a device's group and toner/ink administrator (S11); `None` means no group / no
    /// administrator. Both must be the tenant's; if either is refused, nothing changes.
    ///
    /// The tenant's group lock is taken first, as every group change does
    /// (`groups::lock_tenant_groups`), so a group being deleted at the same moment cannot
    /// receive the device.
    pub async fn set_device_settings(
        &mut self,
        tenant_id: i64,
        device_id: i64,
        group_id: Option<i64>,
        toner_admin_id: Option<i64>,
    ) -> Result<(), DeviceSettingsError> {
        let lock = match self.backend() {
            Backend::Sqlite => "SELECT id FROM tenants WHERE id = $1",
            Backend::Postgres => "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE",
        };
        sqlx::query(lock)
            .bind(tenant_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        let device = sqlx::query("SELECT id FROM devices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(device_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        if device.is_none() {
            return Err(DeviceSettingsError::NotFound);
        }
        let mut unknown_group = false;
        if let Some(g) = group_id {
            unknown_group =
                sqlx::query("SELECT id FROM device_groups WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant_id)
                    .bind(g)
                    .fetch_optional(&mut *self.tx)
                    .await?
                    .is_none();
        }
        let mut unknown_user = false;
        if let Some(u) = toner_admin_id {
            unknown_user = sqlx::query("SELECT id FROM users WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(u)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_none();
        }
        if unknown_group || unknown_user {
            return Err(DeviceSettingsError::Refused {
                unknown_group,
                unknown_user,
            });
        }
        sqlx::query(
            "UPDATE devices SET group_id = $3, toner_admin_id = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(device_id)
        .bind(group_id)
        .bind(toner_admin_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

alone! {
    /// See [`Change::set_device_settings`].
    fn set_device_settings(tenant_id: i64, device_id: i64, group_id: Option<i64>, toner_admin_id: Option<i64>) -> Result<(), DeviceSettingsError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_the_user_s_percent_and_underscore_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern("iR"), "%iR%");
    }

    #[test]
    fn the_status_rank_in_sql_follows_the_domain_s_ranks() {
        let sql = rank_sql();
        for s in Status::ALL {
            assert!(
                sql.contains(&format!("WHEN '{}' THEN {}", s.as_str(), s.rank())),
                "{sql}"
            );
        }
    }

    #[test]
    fn sort_names_round_trip_and_ties_go_by_name_then_id() {
        for s in DeviceSort::ALL {
            assert_eq!(DeviceSort::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeviceSort::parse("serial"), None);
        assert!(order_sql(DeviceSort::Group, true).ends_with("LOWER(d.name), d.name, d.id"));
    }
}
