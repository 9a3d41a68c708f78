//! The built-in manual (SPEC S27): `/manual` answers before and after login, in Japanese and
//! English, with a section for every screen of §3 under the ids that pages pass as their
//! manual topic.

use std::collections::BTreeSet;

use crate::harness::web::{assert_absent, attr, attrs, count, inline_code, page_lang, text, texts};
use crate::harness::{T0, TestApp};
use meterport_store::users::User;

/// Every manual topic a page may link to (`/manual#<topic>`), one per screen of SPEC §3.
const TOPICS: [&str; 20] = [
    "top",
    "login",
    "welcome",
    "devices",
    "device",
    "counters",
    "counter-device",
    "counter-period",
    "graph",
    "csv",
    "department-counters",
    "supplies",
    "notifications",
    "groups",
    "paper-sizes",
    "profile",
    "password",
    "email",
    "api",
    "trouble",
];

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    html: String,
}

async fn get(app: &TestApp, headers: &[(&str, &str)]) -> Page {
    let mut req = app.client.get(app.url("/manual"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("request");
    Page {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        html: res.text().await.unwrap(),
    }
}

/// The ids of the page's `<section>` elements, in page order.
fn section_ids(html: &str) -> Vec<String> {
    attrs(html, "section[id]", "id")
}

/// The targets of the table of contents (`<nav class="toc">`).
fn toc_targets(html: &str) -> BTreeSet<String> {
    assert_eq!(texts(html, "nav.toc").len(), 1, "a table of contents");
    attrs(html, "nav.toc a[href^=\"#\"]", "href")
        .into_iter()
        .map(|href| href[1..].to_string())
        .collect()
}

/// How many logout forms a page has (one in the layout of a logged-in user).
fn logout_forms(html: &str) -> usize {
    count(html, "form[action=\"/logout\"]")
}

/// A user of a fresh tenant with a live session; returns the session cookie.
async fn logged_in(app: &TestApp, language: &str, restricted: bool) -> (User, String) {
    let tenant = app.tenant("Manual Co", "Asia/Tokyo").await;
    // The hash is never checked: the session is made directly, without a login.
    let user = app
        .store
        .create_user(tenant.id, "reader", "not-a-hash", None, language, T0)
        .await
        .expect("create user");
    let (id, _csrf) = app
        .store
        .create_session(user.id, restricted, T0)
        .await
        .expect("create session");
    (user, format!("mp_session={id}"))
}

#[tokio::test]
async fn a_guest_gets_the_whole_manual_in_the_browser_s_language_with_a_section_for_every_topic() {
    let app = TestApp::spawn().await;
    // (section, phrase): what each topic must say, in the section of that topic.
    let english: &[(&str, &str)] = &[
        ("login", "locked for 12 minutes"),
        ("login", "valid for 3 months"),
        ("login", "From 7 days before it expires"),
        ("counters", "at most 12 months"),
        ("counters", "at most 3 months"),
        ("csv", "Shift_JIS"),
        ("csv", "UTF-8 (with BOM)"),
        ("csv", "apostrophe"),
        ("groups", "At most 200 groups"),
        ("groups", "at most 50 half-width characters"),
        ("password", "6 to 512 half-width characters"),
        ("counter-device", "A4-equivalent sheets"),
        ("api", "GET /api/v1/counters"),
        ("graph", "Duplex is not drawn"),
    ];
    let japanese: &[(&str, &str)] = &[
        ("login", "12分間ログインできなくなります"),
        ("login", "最後に変更した日から3ヶ月"),
        ("login", "有効期限の7日前から"),
        ("counters", "最大12ヶ月"),
        ("counters", "最大3ヶ月間"),
        ("csv", "Shift_JIS"),
        ("csv", "アポストロフィ"),
        ("groups", "最大で200のグループ"),
        ("groups", "半角50文字以内"),
        ("password", "半角6～512文字"),
        ("counter-device", "A4換算枚数"),
    ];
    for (accept, lang, title, toc, trouble, phrases) in [
        (
            "en-US,en;q=0.9",
            "en",
            "User manual",
            "Contents",
            "Troubleshooting",
            english,
        ),
        (
            "ja-JP,ja;q=0.9",
            "ja",
            "操作マニュアル",
            "目次",
            "困ったときは",
            japanese,
        ),
    ] {
        let page = get(&app, &[("accept-language", accept)]).await;

        assert_eq!(page.status, 200);
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
        );
        assert_eq!(page_lang(&page.html), lang);
        assert_eq!(text(&page.html, "main h1"), title);
        assert_eq!(text(&page.html, "#toc-title"), toc);
        assert_eq!(
            section_ids(&page.html),
            TOPICS,
            "{lang}: one section per topic, in the menu's order"
        );
        assert_eq!(
            toc_targets(&page.html),
            TOPICS.iter().map(|t| t.to_string()).collect(),
            "{lang}: the table of contents lists every section"
        );
        assert_eq!(
            text(&page.html, "#trouble-title"),
            format!("{}. {trouble}", TOPICS.len())
        );
        for (section, phrase) in phrases {
            assert!(
                text(&page.html, &format!("section#{section}")).contains(phrase),
                "{lang}: {phrase:?} in the section {section}"
            );
        }
    }
}

#[tokio::test]
async fn the_language_cookie_wins_over_the_browser_language_and_the_two_manuals_differ() {
    let app = TestApp::spawn().await;
    let ja = get(&app, &[("accept-language", "ja")]).await;
    let en = get(&app, &[("accept-language", "ja"), ("cookie", "mp_lang=en")]).await;

    assert_eq!(en.status, 200);
    assert_eq!(page_lang(&en.html), "en");
    assert_eq!(text(&en.html, "#trouble-title"), "20. Troubleshooting");
    assert_eq!(text(&ja.html, "#trouble-title"), "20. 困ったときは");
    assert_absent(&en.html, "困ったときは");
    assert_absent(&ja.html, "Troubleshooting");
    assert_ne!(ja.html, en.html);
    assert_eq!(section_ids(&ja.html), section_ids(&en.html));
}

#[tokio::test]
async fn the_manual_shows_no_raw_message_key_in_either_language() {
    let app = TestApp::spawn().await;
    for lang in ["ja", "en"] {
        let page = get(&app, &[("cookie", &format!("mp_lang={lang}"))]).await;
        // A message key is shown instead of its text when a catalogue lacks it.
        assert_absent(&page.html, "[manual-");
        assert_absent(&page.html, "[menu-");
    }
}

#[tokio::test]
async fn every_menu_entry_has_a_section_and_a_row_in_the_menu_table() {
    let app = TestApp::spawn().await;
    let page = get(&app, &[("accept-language", "en")]).await;
    let ids: BTreeSet<String> = section_ids(&page.html).into_iter().collect();
    let menu_table = attrs(&page.html, ".manual table a", "href");

    let entries: Vec<_> = meterport_portal::web::MENU
        .iter()
        .flat_map(|s| s.items.iter())
        .collect();
    assert!(entries.len() >= 10, "the menu was read");
    for item in entries {
        assert!(
            ids.contains(item.id),
            "no manual section for the menu entry {}",
            item.id
        );
        assert!(
            menu_table.contains(&format!("#{}", item.id)),
            "the overview's menu table does not link to {}",
            item.id
        );
    }
    assert!(ids.contains("welcome"), "Service top has its section too");
}

#[tokio::test]
async fn the_manual_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let page = get(&app, &[]).await;

    assert_eq!(page.status, 200);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(
        inline_code(&page.html),
        Vec::<String>::new(),
        "no inline script or style: the policy would block it"
    );
}

#[tokio::test]
async fn a_guest_sees_the_bare_layout_with_a_way_to_the_login_screen_and_the_language_switch() {
    let app = TestApp::spawn().await;
    let page = get(&app, &[("accept-language", "en")]).await;

    assert_eq!(
        text(&page.html, ".manual a[href=\"/login\"]"),
        "Go to the login screen"
    );
    assert_eq!(logout_forms(&page.html), 0, "no logout before login");
    assert_eq!(count(&page.html, "nav.menu"), 0, "no menu before login");
    // The switch comes back to the manual.
    assert_eq!(
        attr(&page.html, "header.top a[hreflang=\"ja\"]", "href"),
        "/lang/ja?next=/manual"
    );
}

#[tokio::test]
async fn a_logged_in_user_gets_the_manual_with_the_menu_in_their_own_language() {
    let app = TestApp::spawn().await;
    let (_user, cookie) = logged_in(&app, "en", false).await;
    // The user's setting wins over the browser's language.
    let page = get(&app, &[("cookie", &cookie), ("accept-language", "ja")]).await;

    assert_eq!(page.status, 200);
    assert_eq!(page_lang(&page.html), "en");
    assert_eq!(count(&page.html, "nav.menu"), 1, "the layout with the menu");
    assert_eq!(logout_forms(&page.html), 1);
    assert_eq!(
        attr(&page.html, "header.top a[href^=\"/manual\"]", "href"),
        "/manual#top",
        "the top-right link of this page"
    );
    assert_eq!(
        count(&page.html, "nav.menu [aria-current]"),
        0,
        "no menu entry is highlighted"
    );
    assert_eq!(count(&page.html, ".manual a[href=\"/login\"]"), 0);
    assert_eq!(section_ids(&page.html), TOPICS);
}

#[tokio::test]
async fn a_user_who_must_change_the_password_can_still_read_the_manual() {
    let app = TestApp::spawn().await;
    let (_user, cookie) = logged_in(&app, "ja", true).await;
    let page = get(&app, &[("cookie", &cookie)]).await;

    assert_eq!(page.status, 200);
    assert_eq!(page_lang(&page.html), "ja");
    assert_eq!(logout_forms(&page.html), 1);
    assert_eq!(
        (
            count(&page.html, "nav.menu"),
            count(&page.html, "a[href=\"/devices\"]")
        ),
        (0, 0),
        "a restricted session gets no menu"
    );
    assert_eq!(count(&page.html, "section#password"), 1);
}

#[tokio::test]
async fn an_expired_session_gets_the_guest_manual_instead_of_an_error() {
    let app = TestApp::spawn().await;
    let (_user, cookie) = logged_in(&app, "en", false).await;
    app.clock.advance(24 * 3600 * 1000);
    let page = get(&app, &[("cookie", &format!("{cookie}; mp_lang=en"))]).await;

    assert_eq!(page.status, 200);
    assert_eq!(logout_forms(&page.html), 0);
    assert_eq!(count(&page.html, ".manual a[href=\"/login\"]"), 1);
}

#[tokio::test]
async fn the_api_example_uses_the_portal_s_own_address() {
    let app = TestApp::spawn().await;
    let page = get(&app, &[("accept-language", "en")]).await;
    let base = app.state.web.public_url.trim_end_matches('/');

    assert!(
        texts(&page.html, "section#api pre code")
            .iter()
            .any(|code| code.contains(&format!("{base}/api/v1/counters?unit=month"))),
        "the example names {base}"
    );
    assert_absent(&page.html, "$BASE");
}

#[tokio::test]
async fn each_section_with_a_screen_shows_its_screenshot_a_png_of_the_screen_s_size() {
    use meterport_portal::web::manual::{SHOT_SIZE, SHOTS};
    let app = TestApp::spawn().await;
    for (lang, accept) in [("ja", "ja"), ("en", "en-US,en")] {
        let page = get(&app, &[("accept-language", accept)]).await;
        assert_eq!(page.status, 200);
        for shot in SHOTS {
            let src = format!("/manual/screens/{lang}/{}.png", shot.topic);
            let img = attrs(
                &page.html,
                &format!("section#{} figure.shot img", shot.topic),
                "src",
            );
            assert_eq!(
                img,
                std::slice::from_ref(&src),
                "{lang}: the section {} shows its screen",
                shot.topic
            );
            let res = app.client.get(app.url(&src)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{src}");
            assert_eq!(res.headers()["content-type"], "image/png", "{src}");
            let png = res.bytes().await.unwrap();
            assert_eq!(
                crate::browser_layout::png_size(&png),
                SHOT_SIZE,
                "{src}: a screenshot of the screen's size (the browser test manual_screens \
                 takes them)"
            );
            assert!(png.len() < 200_000, "{src}: {} bytes", png.len());
        }
        // Sections without a screen of their own have no picture.
        for topic in ["top", "api", "trouble"] {
            assert_eq!(
                count(&page.html, &format!("section#{topic} figure.shot")),
                0
            );
        }
    }
    let missing = app
        .client
        .get(app.url("/manual/screens/ja/no-such-section.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
