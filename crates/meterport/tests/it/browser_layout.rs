//! The screens over the demo data in a real browser, at 1280 px and on a phone (390 px), in
//! Japanese and English: the counter table's Total row and name column stay in view while it
//! scrolls, the phone's menu folds behind a button and a wide graph says that it scrolls, the
//! header's language switch (saved to the profile) and the language chosen on the login
//! screen, the time zones with their offsets and cities, the full-width e-mail message,
//! supplies and conditions in the user's language, and no badge wider than its cell from
//! 390 to 1920 px. `manual_screens` takes the manual's screenshots from the same demo.
//!
//! Screenshots go to `artifacts/screenshots/`; the manual's to
//! `crates/portal/static/manual/{ja,en}/`, which the portal embeds.

use std::collections::BTreeMap;

use crate::harness::chromium::{Browser, DESKTOP, PHONE};
use crate::harness::{PASSWORD, T0, TestApp};
use meterport::demo;
use meterport_portal::web::manual::{SHOT_SIZE, SHOTS};
use serde_json::{Value, json};

/// The demo's twelve months up to T0 (2021-12-01), all devices, usage.
const TWELVE_MONTHS: &str = "unit=month&from=2020-12&to=2021-11&kind=usage&group=all&class=mfp";

/// The demo on a fresh app, and its devices' ids by serial.
async fn demo_app() -> (TestApp, BTreeMap<String, i64>) {
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
    let (status, body) = app.get("/api/v1/devices", &token).await;
    assert_eq!(status, 200, "{body}");
    let ids = body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["serial"].as_str().unwrap().to_string(),
                d["id"].as_i64().unwrap(),
            )
        })
        .collect();
    (app, ids)
}

async fn log_in_demo(b: &Browser) {
    b.log_in(demo::USER, demo::PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
}

/// Switches the display language with the header's switch, staying on the same page.
async fn switch_language(b: &Browser, lang: &str) {
    let before = b.path().await;
    b.click_and_wait(&format!("#lang-switch button[value={lang}]"))
        .await;
    assert_eq!(b.path().await, before, "the switch stays on the page");
    assert_eq!(
        b.js("return document.documentElement.lang;").await,
        json!(lang)
    );
}

/// Badges (status tags, "low" flags, status chips, the not-reporting tag) that reach out of
/// the cell or item they stand in, as "text: badge's right edge > cell's right edge".
async fn overflowing_badges(b: &Browser) -> Vec<String> {
    let found = b
        .js("return [...document.querySelectorAll('.status-tag, .low-flag, .chip')]
               .filter(e => e.offsetParent !== null)
               .map(e => {
                 const cell = e.closest('td, th, li, dd, p') || e.parentElement;
                 const r = e.getBoundingClientRect(), c = cell.getBoundingClientRect();
                 const out = r.right > c.right + 0.5 || r.left < c.left - 0.5 || r.width > c.width + 0.5;
                 return out ? `${e.textContent.trim()}: ${Math.round(r.left)}-${Math.round(r.right)} in ${Math.round(c.left)}-${Math.round(c.right)}` : null;
               })
               .filter(x => x);")
        .await;
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn the_demo_s_screens_read_well_at_1280_and_390_px_in_japanese_and_english() {
    let (app, ids) = demo_app().await;
    let mut b = Browser::start("layout", &app.base).await;
    log_in_demo(&b).await;
    let cm02 = ids["DEMO-CM02"];
    let lf01 = ids["DEMO-LF01"];

    for lang in ["ja", "en"] {
        if lang == "en" {
            switch_language(&b, "en").await;
        }
        for (size, width) in [(DESKTOP, "desktop"), (PHONE, "phone")] {
            b.viewport(size).await;
            let step = |what: &str| format!("{what}-{lang}-{width}");

            // The twelve-month table scrolls inside its box; the headings, the Total row and
            // the names stay in view.
            b.goto(&format!("/counters?{TWELVE_MONTHS}")).await;
            b.find("#counters-table.sticky-total").await;
            b.screenshot(&step("table")).await;
            let placed = b
                .js("const wrap = document.querySelector('.counters-wrap');
                     wrap.scrollTop = 600; wrap.scrollLeft = 500;
                     const w = wrap.getBoundingClientRect();
                     const head = document.querySelector('#counters-table thead th').getBoundingClientRect();
                     const total = document.querySelector('#counters-table tr.total > :first-child').getBoundingClientRect();
                     const name = [...document.querySelectorAll('#counters-table tbody tr:not(.total) > th')]
                       .map(t => t.getBoundingClientRect()).find(r => r.top > total.bottom);
                     return {scrolled: [wrap.scrollTop, wrap.scrollLeft], wrap: [w.left, w.top],
                             head: [head.top, head.bottom], total: [total.left, total.top],
                             name: name ? name.left : null};")
                .await;
            let f = |v: &Value| v.as_f64().unwrap();
            assert!(
                f(&placed["scrolled"][0]) > 100.0 && f(&placed["scrolled"][1]) > 100.0,
                "{lang} {width}: the table scrolls inside its box both ways: {placed}"
            );
            assert!(
                (f(&placed["head"][0]) - f(&placed["wrap"][1])).abs() < 2.0,
                "the headings stay at the top of the box: {placed}"
            );
            assert!(
                (f(&placed["total"][1]) - f(&placed["head"][1])).abs() < 2.0,
                "the Total row stays right under the headings: {placed}"
            );
            assert!(
                (f(&placed["total"][0]) - f(&placed["wrap"][0])).abs() < 2.0
                    && (f(&placed["name"]) - f(&placed["wrap"][0])).abs() < 2.0,
                "the name column stays at the left edge: {placed}"
            );
            b.screenshot(&step("table-scrolled")).await;
            b.assert_fits_width("the twelve-month table").await;

            // The graph: it fits at 1280 px; on a phone it scrolls in its frame, and a line
            // above it says so.
            b.goto(&format!(
                "/counters/period/2021-11?{TWELVE_MONTHS}&view=color_mode&graph=1"
            ))
            .await;
            b.find("#chart svg").await;
            let hint = b.texts(".scroll-hint").await;
            if size == PHONE {
                let expected = if lang == "ja" {
                    "左右にスクロール"
                } else {
                    "Scroll sideways"
                };
                assert!(
                    hint.iter().any(|h| h.contains(expected)),
                    "{lang}: the hint above the graph: {hint:?}"
                );
                let before_chart = b
                    .js("const c = document.querySelector('figure.chart');
                         return c.previousElementSibling.classList.contains('scroll-hint');")
                    .await;
                assert_eq!(before_chart, json!(true));
            } else {
                let fits = b
                    .js("const c = document.querySelector('figure.chart'); return c.scrollWidth <= c.clientWidth + 1;")
                    .await;
                assert_eq!(fits, json!(true), "the graph fits at 1280 px");
            }
            b.assert_fits_width("the graph").await;
            b.screenshot(&step("graph")).await;

            // The device list with its last report column; supplies named in the user's
            // language; a device's conditions likewise, the device's text kept.
            b.goto("/devices?sort=last_report&dir=desc").await;
            // On a phone the list is one card per device, each cell under its heading's
            // name: the headings are read from the document, not the screen.
            let heads: Vec<String> = serde_json::from_value(
                b.js("return [...document.querySelectorAll('#device-list thead th')].map(h => h.textContent);")
                    .await,
            )
            .unwrap();
            let last = if lang == "ja" {
                "最終報告日時"
            } else {
                "Last report"
            };
            assert!(heads.iter().any(|h| h.contains(last)), "{heads:?}");
            b.assert_fits_width("the device list").await;
            b.screenshot(&step("devices")).await;

            b.goto("/supplies").await;
            let names = b.texts("#supply-list .supply-name").await;
            let (black, cyan) = if lang == "ja" {
                ("ブラックトナー", "シアントナー")
            } else {
                ("Black toner", "Cyan toner")
            };
            assert!(
                names.iter().any(|n| n.starts_with(black))
                    && names.iter().any(|n| n.starts_with(cyan)),
                "{lang}: {names:?}"
            );
            if lang == "ja" {
                // The device's own words stay, small, beside the label.
                let details = b.texts("#supply-list .supply-name small.device-text").await;
                assert!(details.iter().any(|d| d == "black toner"), "{details:?}");
            }
            b.assert_fits_width("supplies").await;
            b.screenshot(&step("supplies")).await;

            b.goto(&format!("/devices/{cm02}")).await;
            let condition = b.text("#conditions li .message").await;
            let details = b.texts("#conditions li .device-text").await;
            if lang == "ja" {
                assert_eq!(condition, "シアントナーが少なくなっています");
                assert!(details.is_empty(), "the same words once: {details:?}");
            } else {
                assert_eq!(condition, "Cyan toner is low");
                assert_eq!(
                    details,
                    ["シアントナーが少なくなっています"],
                    "the device's own text as a detail"
                );
            }
            b.assert_fits_width("a device").await;
            b.screenshot(&step("device")).await;

            b.goto(&format!("/devices/{lf01}")).await;
            let ink = b.texts("#device-supplies .supply-name").await;
            let matte = if lang == "ja" {
                "ブラックインク"
            } else {
                "Black ink"
            };
            assert!(
                ink.iter()
                    .any(|n| n.starts_with(matte) && n.contains("PFI-1700 MBK")),
                "{ink:?}"
            );
            b.screenshot(&step("lfp")).await;
        }
        b.viewport(DESKTOP).await;
    }

    // No badge wider than its cell at any width from a phone to a wide desktop.
    for width in [390, 480, 600, 760, 761, 900, 1024, 1280, 1440, 1600, 1920] {
        b.viewport((width, 900)).await;
        for path in [
            "/welcome".to_string(),
            "/devices".to_string(),
            "/devices?sort=status&dir=desc".to_string(),
            "/supplies".to_string(),
            format!("/devices/{cm02}"),
        ] {
            b.goto(&path).await;
            let out = overflowing_badges(&b).await;
            if !out.is_empty() {
                b.screenshot(&format!("badges-{width}")).await;
            }
            assert!(out.is_empty(), "{path} at {width} px: {out:?}");
        }
    }
    b.close().await;
}

#[tokio::test]
async fn the_header_switch_and_the_login_screen_s_choice_set_the_profile_s_language() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.acme_yamada(None).await;
    app.user(&tenant, "smith", None, "en").await;
    let mut b = Browser::start("language", &app.base).await;
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");

    // The header's switch: the same page in English, and the profile says English.
    b.goto("/devices?sort=name&dir=desc").await;
    assert_eq!(b.text("#lang-switch .lang-current").await, "日本語");
    b.screenshot("switch-ja").await;
    switch_language(&b, "en").await;
    assert_eq!(b.path().await, "/devices?sort=name&dir=desc");
    assert_eq!(b.text("main h1").await, "Device list");
    let saved = |name: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .user_by_username_any_tenant(name)
                .await
                .unwrap()
                .unwrap()
                .language
        }
    };
    assert_eq!(saved("yamada").await, "en");
    b.goto("/account/profile").await;
    assert_eq!(b.value("#language").await, "en");
    b.screenshot("switch-en").await;
    b.viewport(PHONE).await;
    b.assert_fits_width("the header with the switch on a phone")
        .await;
    b.screenshot("switch-en-phone").await;
    b.viewport(DESKTOP).await;

    // After logout the login screen speaks English; 日本語 chosen there is kept at login.
    b.click_and_wait("header.top form[action='/logout'] button")
        .await;
    assert!(b.path().await.starts_with("/login"));
    assert_eq!(
        b.js("return document.documentElement.lang;").await,
        json!("en")
    );
    b.click_and_wait("header.top a[hreflang=ja]").await;
    b.screenshot("login-ja-chosen").await;
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
    assert_eq!(
        b.js("return document.documentElement.lang;").await,
        json!("ja"),
        "the choice of the login screen is not lost"
    );
    assert_eq!(saved("yamada").await, "ja");
    b.screenshot("welcome-ja-after-login").await;

    // The choice is spent: the next user of the same browser keeps their own language,
    // although the login screen still speaks Japanese.
    b.click_and_wait("header.top form[action='/logout'] button")
        .await;
    assert_eq!(
        b.js("return document.documentElement.lang;").await,
        json!("ja")
    );
    b.log_in("smith", PASSWORD).await;
    assert_eq!(
        b.js("return document.documentElement.lang;").await,
        json!("en")
    );
    assert_eq!(saved("smith").await, "en");
    b.close().await;
}

#[tokio::test]
async fn the_time_zone_is_chosen_from_common_zones_with_offsets_and_the_email_says_full_width() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.acme_yamada(Some("yamada@example.com")).await;
    app.user(&tenant, "smith", None, "en").await;
    let mut b = Browser::start("zones_email", &app.base).await;

    for (user, lang) in [("yamada", "ja"), ("smith", "en")] {
        b.log_in(user, PASSWORD).await;
        assert_eq!(b.path().await, "/welcome");
        b.goto("/account/profile").await;
        // The tenant's zone, selected in the short list, as the seed wrote it.
        let selected = b
            .js("const s = document.querySelector('#timezone'); const o = s.options[s.selectedIndex];
                 return [o.textContent, o.parentElement.label];")
            .await;
        let (tokyo, common, new_york) = if lang == "ja" {
            (
                "(UTC+09:00) 大阪、札幌、東京",
                "主なタイムゾーン",
                "(UTC-05:00) ニューヨーク、ワシントン D.C.、トロント",
            )
        } else {
            (
                "(UTC+09:00) Osaka, Sapporo, Tokyo",
                "Common time zones",
                "(UTC-05:00) New York, Washington D.C., Toronto",
            )
        };
        assert_eq!(selected, json!([tokyo, common]));
        // Offsets at today's date (T0 is in December: New York is on standard time), the
        // common zones ordered by offset, and every zone of the database in a second group.
        let groups = b
            .js("return [...document.querySelectorAll('#timezone optgroup')]
                   .map(g => [...g.querySelectorAll('option')].map(o => o.textContent));")
            .await;
        let common_zones: Vec<String> = serde_json::from_value(groups[0].clone()).unwrap();
        let all_zones: Vec<String> = serde_json::from_value(groups[1].clone()).unwrap();
        assert!(
            common_zones.contains(&new_york.to_string()),
            "{common_zones:?}"
        );
        let offsets: Vec<i32> = common_zones
            .iter()
            .map(|z| {
                let o = &z[4..10];
                let minutes =
                    o[1..3].parse::<i32>().unwrap() * 60 + o[4..6].parse::<i32>().unwrap();
                if o.starts_with('-') {
                    -minutes
                } else {
                    minutes
                }
            })
            .collect();
        assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "{offsets:?}");
        assert!(
            all_zones.contains(&"(UTC+05:45) Asia/Kathmandu".to_string()) && all_zones.len() > 300,
            "{} zones",
            all_zones.len()
        );
        b.screenshot(&format!("profile-{lang}")).await;

        // A zone of the full list is saved and shown selected there.
        b.type_into("#first_name", "Taro").await;
        b.type_into("#last_name", "Yamada").await;
        b.js("const s = document.querySelector('#timezone');
              s.value = 'Asia/Kathmandu';")
            .await;
        b.click_and_wait("form[action='/account/profile'] button[type=submit]")
            .await;
        assert!(b.exists("#saved").await);
        let selected = b
            .js("const s = document.querySelector('#timezone'); return s.options[s.selectedIndex].textContent;")
            .await;
        assert_eq!(selected, json!("(UTC+05:45) Asia/Kathmandu"));

        // A full-width address is named as such, next to the field.
        b.goto("/account/email").await;
        b.type_into("#email", "ｔａｒｏ@example.com").await;
        b.type_into("#confirmation", "ｔａｒｏ@example.com").await;
        b.type_into("#password", PASSWORD).await;
        b.click_and_wait("form[action='/account/email'] button[type=submit]")
            .await;
        let error = b.text("#error-email").await;
        let expected = if lang == "ja" { "全角" } else { "full-width" };
        assert!(error.contains(expected), "{lang}: {error}");
        b.viewport(PHONE).await;
        b.screenshot(&format!("email-full-width-{lang}-phone"))
            .await;
        b.viewport(DESKTOP).await;
        b.click_and_wait("header.top form[action='/logout'] button")
            .await;
    }
    b.close().await;
}

/// The manual's screenshots (item 5 of the manual: one per section that shows a screen),
/// taken from the demo at 1280 x 800 and saved at half scale into
/// `crates/portal/static/manual/{ja,en}/`, which the next build embeds. Run by the test
/// command like every test, so the pictures follow the screens.
#[tokio::test]
async fn manual_screens_are_taken_from_the_demo_in_both_languages() {
    let (app, ids) = demo_app().await;
    let mut b = Browser::start("manual_screens", &app.base).await;
    let cm02 = ids["DEMO-CM02"];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../portal/static/manual");
    let window = (SHOT_SIZE.0 * 2, SHOT_SIZE.1 * 2);
    b.viewport(window).await;
    b.goto("/lang/ja?next=/login").await;
    for lang in ["ja", "en"] {
        let mut shots: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
        b.goto(&format!("/lang/{lang}?next=/login")).await;
        assert_eq!(
            b.js("return document.documentElement.lang;").await,
            json!(lang),
            "the login screen in the language chosen"
        );
        shots.insert("login", b.window_png(0.5).await);
        b.log_in(demo::USER, demo::PASSWORD).await;
        assert_eq!(b.path().await, "/welcome");
        assert_eq!(
            b.js("return document.documentElement.lang;").await,
            json!(lang)
        );
        for (topic, path) in [
            ("welcome", "/welcome".to_string()),
            ("devices", "/devices".to_string()),
            ("device", format!("/devices/{cm02}")),
            ("counters", format!("/counters?{TWELVE_MONTHS}")),
            (
                "counter-device",
                format!("/counters/device/{cm02}?{TWELVE_MONTHS}"),
            ),
            (
                "counter-period",
                format!("/counters/period/2021-11?{TWELVE_MONTHS}"),
            ),
            (
                "graph",
                format!("/counters/period/2021-11?{TWELVE_MONTHS}&view=function&graph=1"),
            ),
            ("supplies", "/supplies".to_string()),
            ("notifications", "/settings/notifications".to_string()),
            ("groups", "/settings/groups".to_string()),
            ("paper-sizes", "/settings/paper-sizes".to_string()),
            ("profile", "/account/profile".to_string()),
            ("password", "/account/password".to_string()),
            ("email", "/account/email".to_string()),
        ] {
            b.goto(&path).await;
            b.find("main h1").await;
            shots.insert(topic, b.window_png(0.5).await);
        }
        let topics: Vec<&str> = SHOTS.iter().map(|s| s.topic).collect();
        assert_eq!(
            shots.keys().copied().collect::<Vec<_>>(),
            {
                let mut t = topics.clone();
                t.sort();
                t
            },
            "one picture for each section with a screen"
        );
        for (topic, png) in shots {
            assert_eq!(png_size(&png), SHOT_SIZE, "{topic}");
            keep_picture(&dir.join(lang).join(format!("{topic}.png")), &png);
        }
        b.click_and_wait("header.top form[action='/logout'] button")
            .await;
    }
    b.close().await;
}

/// Saves a new screenshot at `path` unless the picture there shows the same screen: a few
/// pixels of anti-aliasing differ from one run of the browser to the next, and such a
/// difference is no reason for a new file in the repository. (Recompressing the browser's
/// PNG with the best zlib level and adaptive filters saved nothing measurable: 1.43 MB for
/// the thirty pictures either way.)
fn keep_picture(path: &std::path::Path, png: &[u8]) {
    // METERPORT_MANUAL_SHOTS=rewrite saves every picture anew.
    let rewrite = std::env::var("METERPORT_MANUAL_SHOTS").is_ok_and(|v| v == "rewrite");
    if let Ok(old) = std::fs::read(path)
        && !rewrite
    {
        let (width, height, rgb) = decode_rgb(png);
        let (w, h, old_rgb) = decode_rgb(&old);
        if (w, h) == (width, height) {
            // The browser rounds fractional positions differently from one run to the next:
            // a line a few shades lighter, or rows drawn one pixel higher. Neither is a change
            // anyone could see, so a pixel differs only when it is more than 16 levels off
            // the old picture's pixel at its place and at the places above and below it.
            let (w, h) = (width as usize, height as usize);
            fn px(img: &[u8], w: usize, x: usize, y: usize) -> &[u8] {
                &img[(y * w + x) * 3..(y * w + x) * 3 + 3]
            }
            let near = |a: &[u8], b: &[u8]| a.iter().zip(b).all(|(p, q)| p.abs_diff(*q) <= 16);
            let differing = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .filter(|&(x, y)| {
                    let new = px(&rgb, w, x, y);
                    !(y.saturating_sub(1)..=(y + 1).min(h - 1))
                        .any(|oy| near(new, px(&old_rgb, w, x, oy)))
                })
                .count();
            // 0.1% of the pixels: a shifted line, not a changed screen.
            if differing * 1000 <= (width * height) as usize {
                return;
            }
        }
    }
    std::fs::write(path, png).unwrap();
}

/// A PNG's width, height and pixels as 8-bit RGB.
fn decode_rgb(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a picture of a sane size")
    ];
    let info = reader.next_frame(&mut buf).expect("PNG pixels");
    buf.truncate(info.buffer_size());
    let rgb = match (info.color_type, info.bit_depth) {
        (png::ColorType::Rgb, png::BitDepth::Eight) => buf,
        (png::ColorType::Rgba, png::BitDepth::Eight) => {
            buf.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
        }
        other => panic!("a screenshot in RGB(A), 8 bits: {other:?}"),
    };
    (info.width, info.height, rgb)
}

/// A PNG's width and height, from its header.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// What the window shows, through the DevTools protocol alone (no script in the page).
async fn picture(b: &Browser) -> String {
    b.cdp("Page.captureScreenshot", json!({"format": "png"}))
        .await["data"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The phone's menu button is a checkbox and its label: it opens the menu in a browser that
/// runs no script at all. While scripts are off the test uses the DevTools protocol alone
/// (WebDriver's element commands run scripts of their own): a click at the button's place,
/// and pictures of the window.
#[tokio::test]
async fn without_script_the_phone_s_menu_still_opens_from_its_button() {
    let app = TestApp::spawn().await;
    app.acme_yamada(None).await;
    let mut b = Browser::start("menu_without_script", &app.base).await;
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
    b.viewport(PHONE).await;
    let button = b
        .js(
            "const r = document.querySelector('#menu-button').getBoundingClientRect();
             return [r.left + r.width / 2, r.top + r.height / 2];",
        )
        .await;
    let folded = b
        .js("return document.querySelector('nav.menu').getBoundingClientRect().height;")
        .await;
    assert_eq!(folded, json!(0), "folded");

    b.cdp(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": true}),
    )
    .await;
    b.goto("/welcome").await;
    let before = picture(&b).await;
    for kind in ["mousePressed", "mouseReleased"] {
        b.cdp(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": button[0], "y": button[1], "button": "left", "clickCount": 1}),
        )
        .await;
    }
    let after = picture(&b).await;
    b.cdp(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": false}),
    )
    .await;
    b.screenshot("menu-opened").await;
    assert_ne!(before, after, "the click changed the screen");
    // The page's own script did not run, and the menu is open: the checkbox did it.
    let state = b
        .js("return [document.querySelector('#menu-toggle').checked,
                     document.querySelector('#menu-toggle').getAttribute('aria-expanded'),
                     document.querySelector('nav.menu').getBoundingClientRect().height];")
        .await;
    assert_eq!(state[0], json!(true), "{state}");
    assert_eq!(state[1], json!("false"), "app.js did not run: {state}");
    assert!(
        state[2].as_f64().unwrap() > 200.0,
        "the menu is open: {state}"
    );
    b.close().await;
}
