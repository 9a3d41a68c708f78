//! The demo tenant (SPEC O2) and the benchmark's smoke run, through the front door.
//!
//! Each test fills a fresh database with the demo as of [`crate::harness::T0`] and reads it back
//! through the read API with the demo's own read token, as a newcomer would.

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::{T0, TestApp, TestDb, each};
use jiff::Span;
use jiff::civil::Date;
use meterport::demo::{self, DemoFacts};
use meterport_bench::{BenchArgs, run};
use meterport_store::counters::GroupFilter;
use serde_json::Value;

/// The demo on a fresh app; returns the app, the demo's read token and its dates.
async fn demo_app() -> (TestApp, String, DemoFacts) {
    let app = TestApp::spawn().await;
    let text = demo::ensure_demo(&app.store, T0)
        .await
        .expect("demo created");
    let token = text
        .split("read token: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no read token in {text:?}"))
        .to_string();
    (app, token, demo::facts(T0))
}

fn month(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).unwrap()
}

fn add_months(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().months(n)).unwrap()
}

/// The devices of the demo by serial, as the device list answers.
async fn devices(app: &TestApp, token: &str) -> BTreeMap<String, Value> {
    let (status, body) = app.get("/api/v1/devices", token).await;
    assert_eq!(status, 200, "{body}");
    body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["serial"].as_str().unwrap().to_string(), d.clone()))
        .collect()
}

/// A counters query that must answer 200.
async fn counters(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/counters?{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

/// The non-null period objects of a device row.
fn cells(row: &Value) -> Vec<(&String, &serde_json::Map<String, Value>)> {
    row["periods"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(p, c)| c.as_object().map(|c| (p, c)))
        .collect()
}

// Each test pays for a demo of 130,000 readings, so the fleet's checks share one.
#[tokio::test]
async fn the_demo_fleet_has_every_device_type_status_and_unit_and_a_second_run_adds_nothing() {
    let (app, token, facts) = demo_app().await;
    let tenant = app.store.list_tenants_all().await.unwrap().remove(0);
    let snapshot = || async {
        (
            app.store
                .list_devices(tenant.id, GroupFilter::All)
                .await
                .unwrap(),
            app.store.list_users(tenant.id).await.unwrap().len(),
            app.store.list_groups(tenant.id).await.unwrap(),
            app.store.list_tokens(tenant.id).await.unwrap().len(),
        )
    };
    let before = snapshot().await;

    let list = devices(&app, &token).await;
    let mut details = Vec::new();
    for d in list.values() {
        let id = d["id"].as_i64().unwrap();
        let (status, detail) = app.get(&format!("/api/v1/devices/{id}"), &token).await;
        assert_eq!(status, 200);
        details.push(detail);
    }
    let again = demo::ensure_demo(&app.store, T0 + 86_400_000)
        .await
        .unwrap();

    // Sixty devices of the five types, in four groups and in none.
    assert_eq!(list.len(), 60);
    let types: BTreeSet<&str> = list
        .values()
        .map(|d| d["device_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        BTreeSet::from(["color_lbp", "color_mfp", "lfp", "mono_lbp", "mono_mfp"])
    );
    let groups: BTreeSet<Option<&str>> =
        list.values().map(|d| d["group"]["name"].as_str()).collect();
    assert_eq!(
        groups,
        BTreeSet::from([
            None,
            Some("Design"),
            Some("倉庫"),
            Some("支店"),
            Some("本社")
        ])
    );
    assert!(
        details
            .iter()
            .any(|d| d["remote_ui_url"].is_string() && d["mac"].is_string()),
        "devices have addresses and a Remote UI"
    );

    // Every status of S9; the silent devices are unknown, the SMTP ones normal.
    let status_of = |serial: &str| list[serial]["status"].as_str().unwrap().to_string();
    let statuses: BTreeSet<String> = list.keys().map(|s| status_of(s)).collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["error", "normal", "service_call", "unknown", "warning"].map(String::from))
    );
    let unknown: Vec<&String> = list.keys().filter(|s| status_of(s) == "unknown").collect();
    assert_eq!(unknown, facts.silent_serials.iter().collect::<Vec<_>>());
    let reported = list
        .values()
        .filter(|d| d["last_reading_at"].is_string())
        .count();
    assert_eq!(
        reported, 57,
        "every device but the three silent ones reported"
    );
    assert_eq!(facts.smtp_serials.len(), 2);
    for serial in &facts.smtp_serials {
        assert_eq!(status_of(serial), "normal", "{serial}");
        let detail = details.iter().find(|d| d["serial"] == *serial).unwrap();
        assert_eq!(detail["protocol"], "smtp");
    }

    // Conditions of each severity; several at once show the most severe; a cleared one
    // is gone.
    let severities: BTreeSet<&str> = details
        .iter()
        .flat_map(|d| d["conditions"].as_array().unwrap())
        .map(|c| c["severity"].as_str().unwrap())
        .collect();
    assert_eq!(
        severities,
        BTreeSet::from(["error", "service_call", "warning"])
    );
    let several = details
        .iter()
        .find(|d| d["conditions"].as_array().unwrap().len() > 1)
        .expect("a device with several conditions");
    assert_eq!(
        several["status"], "service_call",
        "the most severe is shown"
    );
    let jammed = details.iter().find(|d| d["serial"] == "DEMO-CM04").unwrap();
    assert_eq!(
        each(&jammed["conditions"], "code"),
        ["jam.tray2"],
        "last week's jam was cleared"
    );

    // Tanaka looks after the toner of four devices; their groups stayed.
    let looked_after: Vec<&Value> = details
        .iter()
        .filter(|d| d["toner_admin"]["email"] == "tanaka@example.com")
        .collect();
    assert_eq!(looked_after.len(), 4);
    assert!(
        looked_after
            .iter()
            .all(|d| d["toner_admin"]["name"] == "田中 花子")
    );
    assert!(looked_after.iter().all(|d| d["group"].is_object()));

    // Supply levels came with the status reports: the device warned of low cyan toner
    // reports it low; SMTP devices and the small LBP162s report none.
    let cm02 = details.iter().find(|d| d["serial"] == "DEMO-CM02").unwrap();
    let cm02_id = cm02["id"].as_i64().unwrap();
    let report = app.store.device_supplies(tenant.id, cm02_id).await.unwrap();
    let cyan = report
        .expect("CM02 reported its supplies")
        .supplies
        .into_iter()
        .find(|s| s.color.as_deref() == Some("cyan"))
        .expect("a cyan toner");
    assert!(cyan.is_low(), "{cyan:?}");
    let without = app
        .store
        .devices_without_supplies(tenant.id, GroupFilter::All, 100)
        .await
        .unwrap();
    // Two SMTP devices, three LBP162s and the three that never reported.
    assert_eq!(without.len(), 8, "{without:?}");

    // Three LFPs in three units.
    let mut units: Vec<&str> = details
        .iter()
        .filter(|d| d["device_type"] == "lfp")
        .map(|d| d["lfp_unit"].as_str().unwrap())
        .collect();
    units.sort();
    assert_eq!(units, ["a4", "m2", "sqft"]);

    // A second run finds the demo and changes nothing.
    assert_eq!(app.store.list_tenants_all().await.unwrap().len(), 1);
    assert_eq!(snapshot().await, before);
    assert!(again.starts_with("Demo tenant ready: user demo / password demo1234"));
    assert!(!again.contains("mpr_"), "a token is shown only once");
}

#[tokio::test]
async fn the_demo_counters_have_gaps_resets_decimals_and_no_copy_counters_on_printers() {
    let (app, token, facts) = demo_app().await;
    let list = devices(&app, &token).await;
    let id_of = |serial: &str| list[serial]["id"].as_i64().unwrap();
    let last_month = add_months(facts.today.first_of_month(), -1);
    let year = format!(
        "unit=month&from={}&to={}",
        month(add_months(last_month, -11)),
        month(last_month)
    );

    // Printers report neither copies nor scans: "-" in every period.
    let lbp = list
        .values()
        .find(|d| d["device_type"] == "color_lbp")
        .unwrap();
    let row = &counters(
        &app,
        &token,
        &format!("{year}&kind=cumulative&device={}", lbp["id"]),
    )
    .await["devices"][0];
    assert_eq!(cells(row).len(), 12);
    for (period, c) in cells(row) {
        for key in [
            "copy",
            "scan",
            "receive",
            "color_copy",
            "mono_copy",
            "scan_send",
        ] {
            assert!(c[key].is_null(), "{period} {key}");
        }
        assert!(c["print"].as_i64().unwrap() > 0);
        assert_eq!(c["print"], c["total1"]);
    }

    // A colour MFP's counters keep the relations of C2 in every reading.
    let mfp = &counters(
        &app,
        &token,
        &format!("{year}&kind=cumulative&device={}", id_of("DEMO-CM02")),
    )
    .await["devices"][0];
    for (period, c) in cells(mfp) {
        let v = |k: &str| c[k].as_i64().unwrap_or_else(|| panic!("{period} {k}"));
        let paper: i64 = c
            .iter()
            .filter(|(k, _)| k.starts_with("paper_"))
            // Sizes the device does not report are null.
            .filter_map(|(_, v)| v.as_i64())
            .sum();
        assert_eq!(v("total1"), v("color") + v("mono"), "{period}");
        assert_eq!(
            v("total1"),
            v("copy") + v("receive") + v("print"),
            "{period}"
        );
        assert_eq!(
            v("total1"),
            v("color_copy") + v("color_print") + v("mono_copy") + v("mono_print"),
            "{period}"
        );
        assert_eq!(v("color"), v("color_large") + v("color_small"), "{period}");
        assert_eq!(v("mono"), v("mono_large") + v("mono_small"), "{period}");
        assert_eq!(paper, v("total1"), "{period}");
    }

    // The device switched off for two weeks has no reading on those days, and has them
    // around them.
    let days = counters(
        &app,
        &token,
        &format!(
            "unit=day&from={}&to={}&device={}",
            add_days(facts.off_first, -3),
            add_days(facts.off_last, 3),
            id_of(&facts.off_serial)
        ),
    )
    .await;
    let periods = days["devices"][0]["periods"].as_object().unwrap();
    let missing: Vec<&String> = periods
        .iter()
        .filter(|(_, c)| c.is_null())
        .map(|(p, _)| p)
        .collect();
    assert_eq!(missing.len(), 14, "{missing:?}");
    assert_eq!(missing[0], &facts.off_first.to_string());
    assert_eq!(missing[13], &facts.off_last.to_string());

    // On the day of the network outage no device reported.
    let outage = counters(&app, &token, &format!("period={}", facts.outage_day)).await;
    let reported: Vec<&Value> = outage["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["periods"][facts.outage_day.to_string()].is_null())
        .collect();
    assert!(reported.is_empty(), "{reported:?}");

    // Two resets: the odometer went down in that month, and its usage is still at least
    // what the new board counted.
    assert_eq!(facts.resets.len(), 2);
    for (serial, day) in &facts.resets {
        let m = day.first_of_month();
        let range = format!(
            "unit=month&from={}&to={}&device={}",
            month(add_months(m, -1)),
            month(m),
            id_of(serial)
        );
        let cumulative = &counters(&app, &token, &format!("{range}&kind=cumulative")).await["devices"]
            [0]["periods"];
        let usage =
            &counters(&app, &token, &format!("{range}&kind=usage")).await["devices"][0]["periods"];
        let before = cumulative[month(add_months(m, -1))]["total1"]
            .as_i64()
            .unwrap();
        let after = cumulative[month(m)]["total1"].as_i64().unwrap();
        let used = usage[month(m)]["total1"].as_i64().unwrap();
        assert!(after < before, "{serial}: {before} then {after}");
        assert!(used >= after, "{serial}: usage {used}, new counter {after}");
    }

    // Usage is never negative, for any device, counter or month of the two years.
    for class in ["mfp", "lfp"] {
        for first in [facts.first_day, add_months(facts.first_day, 12)] {
            let body = counters(
                &app,
                &token,
                &format!(
                    "unit=month&from={}&to={}&class={class}",
                    month(first),
                    month(add_months(first, 11))
                ),
            )
            .await;
            for d in body["devices"].as_array().unwrap() {
                for (period, c) in cells(d) {
                    for (key, v) in c {
                        assert!(
                            v.as_f64().is_none_or(|v| v >= 0.0),
                            "{} {period} {key}: {v}",
                            d["serial"]
                        );
                    }
                }
            }
        }
    }

    // Large-format printers count in their own units, with decimals for areas.
    let last_month = month(last_month);

    let body = counters(
        &app,
        &token,
        &format!("period={last_month}&class=lfp&kind=cumulative"),
    )
    .await;

    let rows = body["devices"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let m2 = rows.iter().find(|d| d["lfp_unit"] == "m2").unwrap();
    let a4 = rows.iter().find(|d| d["lfp_unit"] == "a4").unwrap();
    let m2_total = &m2["periods"][&last_month]["total1"];
    let a4_total = &a4["periods"][&last_month]["total1"];
    assert!(m2_total.is_f64(), "m² have decimals: {m2_total}");
    assert!(
        a4_total.is_u64(),
        "A4-equivalent sheets are whole: {a4_total}"
    );
    let duties: f64 = ["duty_a", "duty_b", "duty_c", "duty_d"]
        .iter()
        .map(|k| m2["periods"][&last_month][k].as_f64().unwrap())
        .sum();
    assert!((duties - m2_total.as_f64().unwrap()).abs() < 0.0005);
    assert!(body["total"].is_null(), "no totals across units");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_benchmark_runs_to_its_report() {
    let db = TestDb::new().await;
    let args = BenchArgs {
        database: db.url.clone(),
        devices: 20,
        years: 1,
        runs: 2,
        skip_ingest: false,
        ingest_seconds: 1,
        clients: 64,
        streams: 2,
        server_binary: Some(env!("CARGO_BIN_EXE_meterport").into()),
    };

    let result = run(args).await;

    result.expect("the benchmark completes");
    let store = meterport_store::Store::open(&db.url).await.unwrap();
    let tenant = store.list_tenants_all().await.unwrap().remove(0);
    let devices = store
        .list_devices(tenant.id, GroupFilter::All)
        .await
        .unwrap();
    assert_eq!(devices.len(), 20);
    assert!(devices.iter().all(|d| d.last_reading_at.is_some()));
}
