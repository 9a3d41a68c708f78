//! The counter engine through the real ingest path and database: readings that arrive late,
//! out of order, in random batches, give exactly what the naive oracle computes from the
//! full history (SPEC C3-C6), in a zone with daylight saving time.

use std::collections::HashMap;

use crate::harness::{TestApp, mfp};
use jiff::tz::TimeZone;
use meterport_domain::counters::{CounterSet, Key};
use meterport_domain::engine::Kind;
use meterport_domain::oracle;
use meterport_domain::period::{Period, PeriodRange, Unit, day_start_ms};
use meterport_store::tenants::Tenant;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

const KEYS: [Key; 3] = [Key::Total1, Key::Mono, Key::Scan];

/// A random history: about 70 days across Berlin's spring DST change, with resets, gaps and
/// counters that some readings leave out.
fn history(rng: &mut StdRng, tz: &TimeZone) -> Vec<(i64, CounterSet)> {
    let start = day_start_ms(jiff::civil::date(2021, 2, 20), tz);
    let n = rng.random_range(1..60);
    let mut minutes: Vec<i64> = (0..n).map(|_| rng.random_range(0..70 * 24 * 60)).collect();
    minutes.sort();
    minutes.dedup();
    let mut values = [5000i64, 3000, 100];
    minutes
        .into_iter()
        .map(|m| {
            let mut pairs = Vec::new();
            for (i, key) in KEYS.iter().enumerate() {
                match rng.random_range(0..20) {
                    0 => values[i] = rng.random_range(0..50),
                    1 => continue,
                    _ => values[i] += rng.random_range(0..400),
                }
                pairs.push((*key, values[i]));
            }
            if pairs.is_empty() {
                pairs.push((Key::Total1, values[0]));
            }
            (start + m * 60_000, CounterSet::new(pairs))
        })
        .collect()
}

fn to_json(serial: &str, r: &(i64, CounterSet)) -> Value {
    let counters: serde_json::Map<String, Value> =
        r.1.iter()
            .map(|(k, v)| (k.name().to_string(), json!(v)))
            .collect();
    json!({
        "serial": serial,
        "read_at": jiff::Timestamp::from_millisecond(r.0).unwrap().to_string(),
        "counters": counters,
    })
}

async fn check(
    app: &TestApp,
    read: &str,
    histories: &HashMap<i64, Vec<(i64, CounterSet)>>,
    tz: &TimeZone,
    unit: Unit,
    from: &str,
    to: &str,
) {
    let range = PeriodRange::parse(unit, from, to).unwrap();
    for kind in [Kind::Usage, Kind::Cumulative] {
        let url = format!(
            "/api/v1/counters?unit={}&from={from}&to={to}&kind={}",
            unit.as_str(),
            kind.as_str()
        );
        let (status, body) = app.get(&url, read).await;
        assert_eq!(status, 200, "{body}");
        for dev in body["devices"].as_array().unwrap() {
            let id = dev["id"].as_i64().unwrap();
            let readings = &histories[&id];
            for p in range.periods() {
                let label = p.to_string();
                let mut any = false;
                for key in KEYS {
                    let (want, oldest) = oracle::value(readings, tz, p, key, kind);
                    any |= want.is_some();
                    let got = dev["periods"][&label][key.name()].as_i64();
                    assert_eq!(got, want, "device {id} {label} {key} {kind:?}");
                    if oldest {
                        let marked = dev["oldest"].as_array().unwrap().contains(&json!(label));
                        assert!(marked, "device {id} {label} should be marked oldest");
                    }
                }
                // Each reset is dated: the days on which each counter went down.
                let mut want_resets = std::collections::BTreeSet::new();
                for day in p.days() {
                    for key in KEYS {
                        if oracle::reset(readings, tz, Period::Day(day), key) {
                            want_resets.insert((day.to_string(), key.name().to_string()));
                        }
                    }
                }
                let got_resets: std::collections::BTreeSet<(String, String)> = dev["resets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["period"] == json!(label))
                    .flat_map(|r| {
                        let date = r["date"].as_str().unwrap().to_string();
                        r["keys"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(move |k| (date.clone(), k.as_str().unwrap().to_string()))
                    })
                    .collect();
                assert_eq!(got_resets, want_resets, "device {id} {label} resets");
                if !any
                    && readings.iter().all(|(at, _)| {
                        let (s, e) = p.bounds_ms(tz);
                        *at < s || *at >= e
                    })
                {
                    assert!(
                        dev["periods"][&label].is_null(),
                        "no reading: the period is null"
                    );
                }
            }
        }
    }
}

/// [`check`] over the histories' months and their days.
async fn check_months_and_days(
    app: &TestApp,
    read: &str,
    histories: &HashMap<i64, Vec<(i64, CounterSet)>>,
    tz: &TimeZone,
) {
    check(app, read, histories, tz, Unit::Month, "2021-02", "2021-05").await;
    check(
        app,
        read,
        histories,
        tz,
        Unit::Day,
        "2021-02-19",
        "2021-05-05",
    )
    .await;
}

/// A portal with one tenant in the time zone `zone`, and its zone, ingest and read tokens.
async fn tenant_in(name: &str, zone: &str) -> (TestApp, Tenant, TimeZone, String, String) {
    let app = TestApp::spawn().await;
    let tenant = app.tenant(name, zone).await;
    let tz = tenant.tz();
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    (app, tenant, tz, ingest, read)
}

#[tokio::test]
async fn readings_in_any_order_and_batching_give_the_oracle_s_numbers() {
    let (app, tenant, tz, ingest, read) = tenant_in("Berlin GmbH", "Europe/Berlin").await;
    let mut rng = StdRng::seed_from_u64(0x006d_6574_6572);
    let mut histories = HashMap::new();
    let mut items: Vec<Value> = Vec::new();
    // More than 64 devices: roll-ups are stored per block of 64 device ids, so some devices
    // share a block and some do not.
    for d in 0..70 {
        let serial = format!("P-{d}");
        let id = app.device(&tenant, mfp(&serial, &serial)).await;
        let h = history(&mut rng, &tz);
        items.extend(h.iter().map(|r| to_json(&serial, r)));
        histories.insert(id, h);
    }
    // Shuffle everything and send it in random batches, some readings twice.
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
    let mut sent_twice = 0;
    let mut rest = &items[..];
    while !rest.is_empty() {
        let n = rng.random_range(1..=rest.len().min(120));
        let (batch, tail) = rest.split_at(n);
        let mut batch = batch.to_vec();
        if rng.random_range(0..4) == 0 {
            batch.push(batch[0].clone());
            sent_twice += 1;
        }
        app.ingest_ok("readings", &ingest, &json!(batch)).await;
        rest = tail;
    }
    assert!(sent_twice > 0);
    check_months_and_days(&app, &read, &histories, &tz).await;
}

#[tokio::test]
async fn usage_totals_add_up_over_devices_and_periods() {
    let app = TestApp::spawn().await;
    let (read, _) = tenant_with_histories(&app, 5, 7).await;
    let (status, body) = app.get(MONTHS, &read).await;
    assert_eq!(status, 200, "{body}");
    let periods: Vec<String> = body["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let mut grand = 0;
    for p in &periods {
        let sum: i64 = body["devices"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["periods"][p]["total1"].as_i64())
            .sum();
        let total = body["total"]["periods"][p]["total1"].as_i64().unwrap_or(0);
        assert_eq!(total, sum, "{p}");
        grand += sum;
    }
    assert_eq!(body["total"]["total"]["total1"].as_i64().unwrap(), grand);
    let row_totals: i64 = body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["total"]["total1"].as_i64())
        .sum();
    assert_eq!(row_totals, grand);
    let (_, cum) = app
        .get(
            "/api/v1/counters?unit=month&from=2021-02&to=2021-05&kind=cumulative",
            &read,
        )
        .await;
    assert!(cum["total"].is_null(), "no totals for cumulative values");
    assert!(cum["devices"][0]["total"].is_null());
}

/// A tenant of `n` devices with random histories, ingested in one request per device.
async fn tenant_with_histories(app: &TestApp, n: usize, seed: u64) -> (String, Vec<i64>) {
    let tenant = app.tenant("Kyoto KK", "Asia/Tokyo").await;
    let tz = tenant.tz();
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ids = Vec::new();
    for d in 0..n {
        let serial = format!("K-{d}");
        ids.push(app.device(&tenant, mfp(&serial, &serial)).await);
        let items: Vec<Value> = history(&mut rng, &tz)
            .iter()
            .map(|r| to_json(&serial, r))
            .collect();
        app.ingest_ok("readings", &ingest, &json!(items)).await;
    }
    (read, ids)
}

const MONTHS: &str = "/api/v1/counters?unit=month&from=2021-02&to=2021-05&kind=usage";
const DAYS: &str = "/api/v1/counters?unit=day&from=2021-02-19&to=2021-05-05&kind=cumulative";

#[tokio::test]
async fn roll_ups_rebuilt_from_the_readings_give_the_same_numbers() {
    let app = TestApp::spawn().await;
    let (read, _) = tenant_with_histories(&app, 70, 11).await;
    let (_, months) = app.get(MONTHS, &read).await;
    let (_, days) = app.get(DAYS, &read).await;
    assert!(months["total"]["total"]["total1"].as_i64().unwrap() > 0);

    // Lose every roll-up and ask for a rebuild, as a migration that changes them does.
    for sql in [
        "DELETE FROM day_rollups",
        "DELETE FROM month_rollups",
        "INSERT INTO rollup_rebuild (pending) VALUES (1)",
    ] {
        sqlx::query(sql).execute(app.store.pool()).await.unwrap();
    }
    let (_, lost) = app.get(MONTHS, &read).await;
    assert!(lost["total"]["total"]["total1"].is_null());
    let reopened = meterport_store::Store::open(&app.db.url).await.unwrap();
    reopened.close().await;

    assert_eq!(app.get(MONTHS, &read).await.1, months);
    assert_eq!(app.get(DAYS, &read).await.1, days);
}

/// The billing counters of an answer: its devices' cells and the totals, per period.
fn billing_cells(answer: &Value) -> Value {
    let pick = |cells: &Value| match cells {
        Value::Object(m) => json!(
            ["total1", "color", "mono"]
                .iter()
                .map(|k| m.get(*k).cloned().unwrap_or(Value::Null))
                .collect::<Vec<_>>()
        ),
        other => other.clone(),
    };
    let periods = |p: &Value| -> Value {
        p.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), pick(v)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "devices": answer["devices"].as_array().unwrap().iter()
            .map(|d| json!([d["id"], periods(&d["periods"]), pick(&d["total"]), d["incomplete"]]))
            .collect::<Vec<_>>(),
        "total": answer["total"].get("periods").map(periods),
    })
}

/// Rewrites a roll-up table's rows in the form stored before heads were kept (whole in
/// `data`, `head` NULL), and without their months' covered and reset days if `days_too`.
async fn to_old_rows(app: &TestApp, table: &str, days_too: bool) {
    use meterport_store::rollups::Block;
    use sqlx::Row;
    let period = if table == "day_rollups" {
        "day"
    } else {
        "month"
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT tenant_id, block, {period}, head, data FROM {table}"
    )))
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    for row in rows {
        let head: Option<Vec<u8>> = row.get(3);
        let mut block = Block::decode_stored(head.as_deref(), &row.get::<Vec<u8>, _>(4)).unwrap();
        if days_too {
            let slots: Vec<u8> = block.slots().collect();
            for slot in slots {
                let mut stats = block.get(slot).unwrap().unwrap();
                stats.take_days_of(&meterport_domain::engine::PeriodStats::default());
                block.set(slot, &stats);
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET head = NULL, data = $1 \
             WHERE tenant_id = $2 AND block = $3 AND {period} = $4"
        )))
        .bind(block.encode())
        .bind(row.get::<i64, _>(0))
        .bind(row.get::<i64, _>(1))
        .bind(row.get::<i64, _>(2))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
}

/// Each query's answer asking for the billing counters only, and asking for every counter.
async fn answers(app: &TestApp, read: &str, queries: &[String]) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for q in queries {
        let (_, head) = app.get(&format!("{q}&keys=total1,color,mono"), read).await;
        let (_, whole) = app.get(q, read).await;
        out.push((head, whole));
    }
    out
}

#[tokio::test]
async fn billing_counters_read_from_the_rows_heads_are_the_whole_rows_numbers() {
    let app = TestApp::spawn().await;
    let (read, _) = tenant_with_histories(&app, 70, 13).await;
    let queries = [
        MONTHS.to_string(),
        DAYS.to_string(),
        MONTHS.replace("usage", "cumulative"),
        format!("{MONTHS}&oldest=exclude"),
    ];
    let before = answers(&app, &read, &queries).await;
    for ((head, whole), q) in before.iter().zip(&queries) {
        assert!(!head["devices"].as_array().unwrap().is_empty());
        assert_eq!(billing_cells(head), billing_cells(whole), "{q}");
    }
    let wholes: Vec<&Value> = before.iter().map(|(_, whole)| whole).collect();
    let dated = wholes[0]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["resets"].as_array().unwrap().is_empty())
        .count();
    assert!(dated > 0, "the histories have resets");

    // Rows stored before heads were kept: whole in `data`, no head. They read as their whole
    // data until the portal, opening the database, splits them.
    to_old_rows(&app, "day_rollups", false).await;
    to_old_rows(&app, "month_rollups", false).await;
    sqlx::query("INSERT INTO rollup_heads_pending (pending) VALUES (1)")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(answers(&app, &read, &queries).await, before);

    // Months stored before they kept their covered and reset days: their resets are dated
    // from the days, until the portal, opening the database, derives what they lack.
    to_old_rows(&app, "month_rollups", true).await;
    let (_, old_form) = app.get(&queries[0], &read).await;
    assert_eq!(
        billing_cells(&old_form)["total"],
        billing_cells(wholes[0])["total"]
    );
    let resets = |a: &Value| -> Vec<Value> {
        a["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["resets"].clone())
            .collect()
    };
    assert_eq!(resets(&old_form), resets(wholes[0]), "dated from the days");
    let reopened = meterport_store::Store::open(&app.db.url).await.unwrap();
    reopened.close().await;
    for table in ["day_rollups", "month_rollups"] {
        let missing: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE head IS NULL"
        )))
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(missing, 0, "{table}");
    }
    assert_eq!(answers(&app, &read, &queries).await, before);
}

#[tokio::test]
async fn a_deleted_device_takes_its_numbers_away_and_leaves_its_neighbours_intact() {
    let app = TestApp::spawn().await;
    let (read, ids) = tenant_with_histories(&app, 3, 5).await;
    let (_, before) = app.get(MONTHS, &read).await;
    let victim = ids[2];
    let resp = app
        .client
        .delete(app.url(&format!(
            "/api/v1/admin/tenants/{}/devices/{victim}",
            before_tenant(&app).await
        )))
        .bearer_auth(crate::harness::OPERATOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        204,
        "{}",
        resp.text().await.unwrap()
    );

    let (_, after) = app.get(MONTHS, &read).await;
    let devices = after["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    for d in devices {
        let same = before["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == d["id"])
            .unwrap();
        assert_eq!(d, same, "a neighbour's numbers changed");
    }

    // A device registered afterwards may get the freed id: it starts with no readings.
    let tenant = app.store.list_tenants_all().await.unwrap().remove(0);
    let new_id = app.device(&tenant, mfp("K-NEW", "New")).await;
    let (_, fresh) = app.get(&format!("{MONTHS}&device={new_id}"), &read).await;
    let periods = fresh["devices"][0]["periods"].as_object().unwrap();
    assert!(periods.values().all(Value::is_null), "{fresh}");
    let (status, _) = app.get(&format!("/api/v1/devices/{new_id}"), &read).await;
    assert_eq!(status, 200);
}

async fn before_tenant(app: &TestApp) -> i64 {
    app.store.list_tenants_all().await.unwrap()[0].id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_portal_instances_writing_the_same_devices_at_once_lose_no_page() {
    use meterport_portal::service::Services;
    use meterport_portal::service::ingest::{IngestWriter, ingest_readings};

    let app = TestApp::spawn().await;
    let tenant = app.tenant("Twin KK", "Europe/Berlin").await;
    let tz = tenant.tz();
    let read = app.read_token(&tenant).await;
    let mut rng = StdRng::seed_from_u64(99);
    // Neighbouring devices share a roll-up block: both instances change the same rows.
    let mut histories = HashMap::new();
    let mut items: Vec<(i64, Value)> = Vec::new();
    for d in 0..6 {
        let serial = format!("TWIN-{d}");
        let id = app.device(&tenant, mfp(&serial, &serial)).await;
        let h = history(&mut rng, &tz);
        items.extend(h.iter().map(|r| (r.0, to_json(&serial, r))));
        histories.insert(id, h);
    }
    // Time order, dealt alternately to two instances over one database.
    items.sort_by_key(|(at, _)| *at);
    let second = meterport_store::Store::open(&app.db.url).await.unwrap();
    let instances = [app.services.clone(), Services::new(second.clone())];
    let mut tasks = Vec::new();
    for (k, services) in instances.into_iter().enumerate() {
        let mine: Vec<Value> = items
            .iter()
            .skip(k)
            .step_by(2)
            .map(|(_, v)| v.clone())
            .collect();
        let tenant = tenant.clone();
        tasks.push(tokio::spawn(async move {
            let writer = IngestWriter::start(&services);
            for chunk in mine.chunks(3) {
                let body = serde_json::to_string(chunk).unwrap();
                ingest_readings(&services, &writer, &tenant, &body, crate::harness::T0)
                    .await
                    .unwrap_or_else(|e| panic!("ingest failed: {e:?}"));
            }
            writer.shutdown().await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    second.close().await;
    check_months_and_days(&app, &read, &histories, &tz).await;
}

/// An instant `h` hours into 2021-11-20 in `tz`, with one Total 1 value.
fn nov_20(tz: &TimeZone, h: i64, total: i64) -> (i64, CounterSet) {
    let at = day_start_ms(jiff::civil::date(2021, 11, 20), tz) + h * 3_600_000;
    (at, CounterSet::new(vec![(Key::Total1, total)]))
}

/// Sends a device's readings to the ingest API and expects them stored.
async fn post_readings(app: &TestApp, ingest: &str, serial: &str, readings: &[(i64, CounterSet)]) {
    let items: Vec<Value> = readings.iter().map(|r| to_json(serial, r)).collect();
    app.ingest_ok("readings", ingest, &json!(items)).await;
}

/// A device deleted between two ingests, and a new one registered in its place (SQLite
/// gives it the freed id): the new device's numbers come from its own readings only, whoever
/// deleted the old one. Its first readings fall on the day of the old device's last, after
/// it, so that anything the ingest remembered of the old device would be added to them.
async fn new_device_in_a_deleted_device_s_place(deleted_by_another_instance: bool) {
    let (app, tenant, tz, ingest, read) = tenant_in("Reuse KK", "Asia/Tokyo").await;
    let reading = |h: i64, total: i64| nov_20(&tz, h, total);
    let neighbour = app.device(&tenant, mfp("R-1", "Neighbour")).await;
    let old = app.device(&tenant, mfp("R-2", "Old")).await;
    let neighbour_readings = vec![reading(8, 500), reading(9, 520)];
    post_readings(&app, &ingest, "R-1", &neighbour_readings).await;
    let old_readings = [reading(9, 1000), reading(10, 1100)];
    post_readings(&app, &ingest, "R-2", &old_readings).await;

    if deleted_by_another_instance {
        // An admin command, say: another process with its own connections.
        let other = meterport_store::Store::open(&app.db.url).await.unwrap();
        other.delete_device(tenant.id, old).await.unwrap();
        other.close().await;
    } else {
        app.store.delete_device(tenant.id, old).await.unwrap();
    }
    let new = app.device(&tenant, mfp("R-3", "New")).await;
    if crate::harness::backend() == "sqlite" {
        assert_eq!(new, old, "SQLite hands out the freed id again");
    }
    let new_readings = vec![reading(11, 50), reading(12, 80)];
    post_readings(&app, &ingest, "R-3", &new_readings).await;

    let histories = HashMap::from([(neighbour, neighbour_readings), (new, new_readings)]);
    for (unit, from, to) in [
        (Unit::Day, "2021-11-19", "2021-11-21"),
        (Unit::Month, "2021-10", "2021-11"),
    ] {
        check(&app, &read, &histories, &tz, unit, from, to).await;
    }
}

#[tokio::test]
async fn a_device_in_the_place_of_one_deleted_here_counts_only_its_own_readings() {
    new_device_in_a_deleted_device_s_place(false).await;
}

#[tokio::test]
async fn a_device_in_the_place_of_one_deleted_by_another_process_counts_only_its_own_readings() {
    new_device_in_a_deleted_device_s_place(true).await;
}

/// The ingest remembers what it wrote last, but never across another write transaction of
/// the same process: here one that clears every reading and roll-up behind its back.
#[tokio::test]
async fn the_next_ingest_sees_what_another_write_transaction_of_the_portal_changed() {
    let (app, tenant, tz, ingest, read) = tenant_in("Clear KK", "Asia/Tokyo").await;
    let reading = |h: i64, total: i64| nov_20(&tz, h, total);
    let id = app.device(&tenant, mfp("C-1", "Cleared")).await;
    post_readings(&app, &ingest, "C-1", &[reading(9, 1000), reading(10, 1100)]).await;

    let mut tx = app.store.begin_write().await.unwrap();
    for sql in [
        "DELETE FROM readings",
        "DELETE FROM day_rollups",
        "DELETE FROM month_rollups",
        "DELETE FROM device_reading_times",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();

    let after = vec![reading(11, 50), reading(12, 80)];
    post_readings(&app, &ingest, "C-1", &after).await;
    let histories = HashMap::from([(id, after)]);
    check(
        &app,
        &read,
        &histories,
        &tz,
        Unit::Day,
        "2021-11-20",
        "2021-11-20",
    )
    .await;
    check(
        &app,
        &read,
        &histories,
        &tz,
        Unit::Month,
        "2021-11",
        "2021-11",
    )
    .await;
}
