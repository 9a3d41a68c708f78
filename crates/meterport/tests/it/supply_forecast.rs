//! Days to empty (SPEC B1) through the front doors, on SQLite or PostgreSQL
//! (`METERPORT_TEST_BACKEND`): supply levels sent day by day to the status ingest with the
//! test's clock, the history the store keeps of them, and the day each supply is expected to
//! run out on the toner/ink screen, the device page and in the read API.

use std::collections::HashMap;

use crate::harness::web::{Browser, attrs, texts};
use crate::harness::{T0, TestApp, mfp};
use meterport_domain::supply_forecast::{LevelHistory, LevelPoint, MAX_POINTS};
use meterport_store::supplies::{Supply, SupplyKind, SupplyState};
use meterport_store::supply_history::{SupplyKey, supply_keys};
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;
const PASSWORD: &str = "secret123";

struct Fleet {
    app: TestApp,
    tenant: Tenant,
    ingest: String,
    read: String,
    device: i64,
}

/// A tenant in Tokyo with one colour MFP (serial SN-F), a reader in English and one in
/// Japanese. T0 is 09:00 in Tokyo.
async fn fleet() -> Fleet {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let device = app.device(&tenant, mfp("SN-F", "Floor 2 MFP")).await;
    for (name, lang) in [("yamada", "en"), ("suzuki", "ja")] {
        app.store
            .create_user(tenant.id, name, &hash_password(PASSWORD), None, lang, T0)
            .await
            .unwrap();
    }
    Fleet {
        app,
        tenant,
        ingest,
        read,
        device,
    }
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

fn toner(name: &str, color: &str, level: Option<i64>) -> Value {
    json!({"name": name, "kind": "toner", "color": color, "level_percent": level})
}

fn some_remaining(name: &str, color: &str) -> Value {
    json!({"name": name, "kind": "toner", "color": color, "level_percent": null,
           "state": "some_remaining"})
}

impl Fleet {
    /// Moves the clock to `at` and sends a status report taken then, with these supplies.
    async fn report(&self, at: i64, supplies: Vec<Value>) {
        self.app.clock.set(at);
        let (status, answer) = self
            .app
            .post(
                "/api/v1/ingest/status",
                &self.ingest,
                &json!({"serial": "SN-F", "at": rfc3339(at), "conditions": [],
                        "supplies": supplies}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    /// Each supply's `expected_empty` in the read API, by name.
    async fn expected_empty(&self) -> HashMap<String, Value> {
        let (status, body) = self
            .app
            .get(&format!("/api/v1/devices/{}", self.device), &self.read)
            .await;
        assert_eq!(status, 200, "{body}");
        body["supplies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["expected_empty"].clone(),
                )
            })
            .collect()
    }

    /// A browser logged in now (the clock moves by weeks, past any session's lifetime).
    async fn screens(&self, user: &str) -> Browser {
        let browser = Browser::on(&self.app);
        browser.login(user, PASSWORD).await;
        browser
    }

    async fn histories(&self) -> HashMap<(i64, SupplyKey), LevelHistory> {
        self.app
            .store
            .supply_histories(self.tenant.id, &[self.device])
            .await
            .unwrap()
    }
}

/// The plain least squares of the issue, in f64 over (days, level): the day, in Tokyo, at
/// which the line through these points reaches 0.
fn oracle_day(points: &[(i64, i64)]) -> jiff::civil::Date {
    let n = points.len() as f64;
    let xs: Vec<f64> = points.iter().map(|(t, _)| *t as f64 / DAY as f64).collect();
    let ys: Vec<f64> = points.iter().map(|(_, l)| *l as f64).collect();
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = ys.iter().sum::<f64>() / n;
    let sxy: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let sxx: f64 = xs.iter().map(|x| (x - mean_x) * (x - mean_x)).sum();
    let slope = sxy / sxx;
    let zero_days = mean_x - mean_y / slope;
    jiff::Timestamp::from_millisecond((zero_days * DAY as f64).round() as i64)
        .unwrap()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Tokyo").unwrap())
        .date()
}

#[tokio::test]
async fn a_toner_falling_two_points_a_day_shows_the_day_it_runs_out_on_every_screen_and_in_the_api()
{
    let f = fleet().await;
    // Black falls 2 points a day from 100 % at 09:00 Tokyo: 0 % on 2022-01-20, 09:00. Cyan
    // only ever says "some remaining"; magenta stays at 80 %.
    for d in 0..=20 {
        let supplies = vec![
            toner("Black Toner", "black", Some(100 - 2 * d)),
            some_remaining("Cyan Toner", "cyan"),
            toner("Magenta Toner", "magenta", Some(80)),
        ];
        f.report(T0 + d * DAY, supplies.clone()).await;
        // A device reports far more often than its levels change.
        f.report(T0 + d * DAY + 3_600_000, supplies).await;
        if d == 13 {
            let api = f.expected_empty().await;
            assert_eq!(
                api["Black Toner"],
                Value::Null,
                "13 days are not enough data"
            );
        }
    }

    let api = f.expected_empty().await;
    let web = f.screens("yamada").await;
    let screen = web.get_ok("/supplies").await.html;
    let page = web.get_ok(&format!("/devices/{}", f.device)).await.html;
    let ja = f
        .screens("suzuki")
        .await
        .get_ok(&format!("/devices/{}", f.device))
        .await
        .html;

    assert_eq!(api["Black Toner"], json!("2022-01-20"));
    assert_eq!(api["Cyan Toner"], Value::Null, "no percentage, no forecast");
    assert_eq!(api["Magenta Toner"], Value::Null, "one level");
    // The clock stands at 2021-12-21 10:00 in Tokyo: thirty days to go.
    assert!(screen.contains("<th scope=\"col\">Expected empty</th>"));
    // Each supply under the screen's name for its kind and colour.
    assert_eq!(
        texts(&screen, "#supply-list ul.forecasts li"),
        [
            "Black toner 20 Jan 2022 (in 30 days)",
            "Cyan toner not enough data yet",
            "Magenta toner not enough data yet"
        ]
    );
    assert_eq!(
        attrs(&screen, "#supply-list .forecast time", "datetime"),
        ["2022-01-20"]
    );
    assert_eq!(
        texts(&page, "#device-supplies .supply-forecast"),
        [
            "Expected empty 20 Jan 2022 (in 30 days)",
            "Expected empty not enough data yet",
            "Expected empty not enough data yet"
        ]
    );
    assert_eq!(
        texts(&ja, "#device-supplies .supply-forecast"),
        [
            "交換目安日 2022/01/20 （あと30日）",
            "交換目安日 データ不足",
            "交換目安日 データ不足"
        ]
    );
    // "Some remaining" stays words: no level and no bar length is made up for it.
    let cyan = texts(&page, "#device-supplies li")[1].clone();
    assert!(
        cyan.contains("some remaining") && !cyan.contains('%'),
        "{cyan}"
    );

    // The store kept one point per change, none for "some remaining" or the repeats.
    let histories = f.histories().await;
    let black = histories
        .iter()
        .find(|((_, k), _)| k.name == "Black Toner")
        .unwrap()
        .1;
    assert_eq!(black.points().len(), 21);
    assert_eq!(black.points()[20], LevelPoint::new(T0 + 20 * DAY, 60));
    let magenta = histories
        .iter()
        .find(|((_, k), _)| k.name == "Magenta Toner")
        .unwrap()
        .1;
    assert_eq!(magenta.points(), [LevelPoint::new(T0, 80)]);
    assert!(histories.keys().all(|(_, k)| k.name != "Cyan Toner"));
}

#[tokio::test]
async fn a_noisy_decline_is_forecast_on_the_day_of_the_plain_least_squares_line() {
    let f = fleet().await;
    // 1.7 points a day from 90 %, read up to 3 points off, at 09:00 and a few hours later.
    let noise = [0, 3, -2, 1, -3, 2, 0, -1, 3, -2, 1];
    let mut points = Vec::new();
    for d in 0..30i64 {
        let at = T0 + d * DAY + (d % 5) * 3_600_000;
        let level = (90.0 - 1.7 * d as f64).round() as i64 + noise[d as usize % noise.len()];
        if points.last().is_some_and(|(_, l)| *l == level) {
            continue;
        }
        points.push((at, level));
        f.report(at, vec![toner("Black Toner", "black", Some(level))])
            .await;
    }
    let api = f.expected_empty().await;
    assert_eq!(
        api["Black Toner"],
        json!(oracle_day(&points).to_string()),
        "{points:?}"
    );
}

#[tokio::test]
async fn a_replaced_cartridge_starts_a_new_history_and_has_no_forecast_until_it_has_one() {
    let f = fleet().await;
    for d in 0..=20 {
        f.report(
            T0 + d * DAY,
            vec![toner("Black Toner", "black", Some(60 - d))],
        )
        .await;
    }
    assert_eq!(f.expected_empty().await["Black Toner"], json!("2022-01-30"));

    // A new cartridge: the level jumps from 40 % to 100 %.
    f.report(
        T0 + 21 * DAY,
        vec![toner("Black Toner", "black", Some(100))],
    )
    .await;
    assert_eq!(f.expected_empty().await["Black Toner"], Value::Null);
    let histories = f.histories().await;
    assert_eq!(histories.len(), 1);
    assert_eq!(
        histories.values().next().unwrap().points(),
        [LevelPoint::new(T0 + 21 * DAY, 100)]
    );
    let web = f.screens("yamada").await;
    let screen = web.get_ok("/supplies").await.html;
    assert_eq!(
        texts(&screen, "#supply-list ul.forecasts li"),
        ["Black toner not enough data yet"]
    );

    // Its own two weeks later, at 3 points a day, it has a day of its own.
    for d in 1..=14 {
        f.report(
            T0 + (21 + d) * DAY,
            vec![toner("Black Toner", "black", Some(100 - 3 * d))],
        )
        .await;
    }
    // 100 % on 2021-12-22 09:00 Tokyo, 3 points a day: 0 % 33⅓ days later.
    assert_eq!(f.expected_empty().await["Black Toner"], json!("2022-01-24"));
}

#[tokio::test]
async fn a_level_that_stops_falling_moves_its_day_later_and_a_rising_one_has_none() {
    let f = fleet().await;
    // Black falls a point a day from 50 %; cyan rises a point every other day (a device
    // re-measuring, not a new cartridge).
    let supplies = |d: i64| {
        vec![
            toner("Black Toner", "black", Some((50 - d).max(36))),
            toner("Cyan Toner", "cyan", Some(40 + d.min(20) / 2)),
        ]
    };
    for d in 0..=14 {
        f.report(T0 + d * DAY, supplies(d)).await;
    }
    let falling = f.expected_empty().await;
    assert_eq!(falling["Black Toner"], json!("2022-01-20"));
    assert_eq!(falling["Cyan Toner"], Value::Null);
    // The device goes on reporting black at 36 % for two weeks: the last level lasted, the
    // line flattens and the day moves later, with no new point stored.
    for d in 15..=28 {
        f.report(T0 + d * DAY, supplies(d)).await;
    }
    let stretched = f.expected_empty().await["Black Toner"].clone();
    let (before, after) = (
        falling["Black Toner"].as_str().unwrap(),
        stretched.as_str().unwrap(),
    );
    assert!(after > before, "{after} after {before}");
    let histories = f.histories().await;
    let black = histories
        .iter()
        .find(|((_, k), _)| k.name == "Black Toner")
        .unwrap()
        .1;
    assert_eq!(black.points().len(), 15);

    let web = f.screens("yamada").await;
    let page = web.get_ok(&format!("/devices/{}", f.device)).await.html;
    assert_eq!(
        texts(&page, "#device-supplies .supply-forecast")[1],
        "Expected empty no decrease seen"
    );
}

fn supply(name: &str, color: Option<&str>, level: Option<i64>) -> Supply {
    Supply {
        name: name.into(),
        kind: SupplyKind::Toner,
        color: color.map(str::to_string),
        level_percent: level,
        reported_state: None,
    }
}

#[tokio::test]
async fn the_store_keeps_only_changes_of_measured_levels_at_most_a_capped_number_per_supply() {
    let f = fleet().await;
    let store = &f.app.store;
    let (tenant, device) = (f.tenant.id, f.device);
    let history = |h: &HashMap<(i64, SupplyKey), LevelHistory>, s: &Supply| {
        let key = supply_keys(std::slice::from_ref(s)).remove(0);
        h.get(&(device, key)).cloned()
    };
    let black = |level| supply("Black", Some("black"), level);

    // The same level a thousand times is one point; "some remaining" and no level none.
    for i in 0..1_000 {
        store
            .replace_supplies(tenant, device, T0 + i * 60_000, &[black(Some(70))])
            .await
            .unwrap();
    }
    let mut some = black(None);
    some.reported_state = Some(SupplyState::SomeRemaining);
    store
        .replace_supplies(tenant, device, T0 + 2_000 * 60_000, &[some])
        .await
        .unwrap();
    store
        .replace_supplies(tenant, device, T0 + 2_001 * 60_000, &[black(None)])
        .await
        .unwrap();
    let h = store.supply_histories(tenant, &[device]).await.unwrap();
    assert_eq!(
        history(&h, &black(None)).unwrap().points(),
        [LevelPoint::new(T0, 70)]
    );

    // A level flickering between two values keeps only the latest changes.
    let start = T0 + 2 * DAY;
    for i in 0..300 {
        store
            .replace_supplies(
                tenant,
                device,
                start + i * 60_000,
                &[black(Some(69 + i % 2))],
            )
            .await
            .unwrap();
    }
    let h = store.supply_histories(tenant, &[device]).await.unwrap();
    let kept = history(&h, &black(None)).unwrap();
    assert_eq!(kept.points().len(), MAX_POINTS);
    assert_eq!(
        kept.points().last(),
        Some(&LevelPoint::new(start + 299 * 60_000, 70))
    );

    // A late report changes nothing; a rise of 20 points starts anew.
    store
        .replace_supplies(tenant, device, T0, &[black(Some(10))])
        .await
        .unwrap();
    assert_eq!(
        history(
            &store.supply_histories(tenant, &[device]).await.unwrap(),
            &black(None)
        ),
        Some(kept)
    );
    let at = start + DAY;
    store
        .replace_supplies(tenant, device, at, &[black(Some(90))])
        .await
        .unwrap();
    let h = store.supply_histories(tenant, &[device]).await.unwrap();
    assert_eq!(
        history(&h, &black(None)).unwrap().points(),
        [LevelPoint::new(at, 90)]
    );

    // Listed in another order, with a twin and a new supply, each keeps its own history;
    // a supply the list no longer names loses it.
    let cyan = |level| supply("Cyan", Some("cyan"), Some(level));
    store
        .replace_supplies(tenant, device, at + 1, &[black(Some(89)), cyan(50)])
        .await
        .unwrap();
    store
        .replace_supplies(
            tenant,
            device,
            at + 2,
            &[cyan(49), black(Some(88)), black(Some(30))],
        )
        .await
        .unwrap();
    let h = store.supply_histories(tenant, &[device]).await.unwrap();
    assert_eq!(h.len(), 3);
    let levels = |key: SupplyKey| -> Vec<i64> {
        h[&(device, key)].points().iter().map(|p| p.level).collect()
    };
    let keys = supply_keys(&[cyan(49), black(Some(88)), black(Some(30))]);
    assert_eq!(levels(keys[0].clone()), [50, 49]);
    assert_eq!(levels(keys[1].clone()), [90, 89, 88]);
    assert_eq!(levels(keys[2].clone()), [30], "the second black toner");
    store
        .replace_supplies(tenant, device, at + 3, &[cyan(48)])
        .await
        .unwrap();
    let h = store.supply_histories(tenant, &[device]).await.unwrap();
    assert_eq!(h.len(), 1);

    // Another tenant reads none of them.
    let other = f.app.tenant("Other", "UTC").await;
    assert!(
        store
            .supply_histories(other.id, &[device])
            .await
            .unwrap()
            .is_empty()
    );
}

/// The page is no wider than the window: nothing to scroll sideways to.
async fn assert_fits(b: &crate::harness::chromium::Browser, screen: &str) {
    let sizes = b
        .js("const d = document.documentElement; return [d.scrollWidth, d.clientWidth];")
        .await;
    let [scroll, client] = [0, 1].map(|i| sizes[i].as_i64().unwrap());
    assert!(
        scroll <= client,
        "{screen}: {scroll} px wide in a {client} px window"
    );
}

#[tokio::test]
async fn in_a_browser_each_supply_shows_its_day_beside_its_level_on_a_desktop_and_a_phone() {
    use crate::harness::chromium::{Browser, DESKTOP, PHONE};
    let f = fleet().await;
    for d in 0..=20 {
        f.report(
            T0 + d * DAY,
            vec![
                toner("Black Toner", "black", Some(100 - 2 * d)),
                toner("Cyan Toner", "cyan", Some(70 - d)),
                some_remaining("Magenta Toner", "magenta"),
                toner(
                    "Yellow Toner (high capacity, second tray)",
                    "yellow",
                    Some(55),
                ),
            ],
        )
        .await;
    }
    let mut b = Browser::start("supply-forecast", &f.app.base).await;
    b.goto("/login").await;
    b.type_into("#username", "suzuki").await;
    b.type_into("#password", PASSWORD).await;
    b.click_and_wait("#login button[type=submit]").await;

    for (size, name) in [(DESKTOP, "desktop"), (PHONE, "phone")] {
        b.viewport(size).await;
        b.goto("/supplies").await;
        assert_eq!(
            b.texts("#supply-list ul.forecasts .forecast").await,
            [
                "2022/01/20 （あと30日）",
                "2022/02/09 （あと50日）",
                "データ不足",
                "データ不足"
            ]
        );
        assert_fits(&b, &format!("supplies on a {name}")).await;
        b.screenshot(&format!("supplies-{name}")).await;
        b.goto(&format!("/devices/{}", f.device)).await;
        assert_eq!(
            b.attrs("#device-supplies .forecast time", "datetime").await,
            ["2022-01-20", "2022-02-09"]
        );
        assert_fits(&b, &format!("device on a {name}")).await;
        b.screenshot(&format!("device-{name}")).await;
    }
    b.close().await;
}
