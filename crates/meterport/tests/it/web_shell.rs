//! The web shell through the front door (issue 3, SPEC §3, S5, S6, Q4): every screen of the
//! menu in both languages without a raw message key or inline code, the honest coming-soon
//! page, content-hashed assets, sessions (a fresh id at login, shared by instances on one
//! database, cookie attributes over TLS), CSRF on every state-changing form, dates in the
//! user's zone and region, and the operator's side on the command line: announcements and
//! the audit log of logins, lockouts and password changes.

use crate::harness::web::{
    Browser, Page, attr, count, csrf, inline_code, links, page, page_lang, selector, text, text_of,
    texts,
};
use crate::harness::{OPERATOR_TOKEN, PASSWORD, T0, TestApp, admin, mfp, serve};
use meterport_portal::app::AppState;
use meterport_portal::service::Services;
use meterport_portal::web::session::WebConfig;
use meterport_store::Store;
use meterport_store::tenants::Tenant;
use meterport_store::users::User;
use reqwest::Method;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

/// A client that keeps no cookies: the test sends and reads them itself.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The whole `Set-Cookie` line of a cookie.
fn cookie_line<'a>(cookies: &'a [String], name: &str) -> &'a str {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
}

/// A portal with one Japanese user `yamada` (山田 太郎) of 株式会社アクメ.
struct Portal {
    app: TestApp,
    tenant: Tenant,
    user: User,
}

async fn portal() -> Portal {
    let app = TestApp::spawn().await;
    let (tenant, user) = app.acme_yamada(Some("yamada@example.com")).await;
    Portal { app, tenant, user }
}

impl Portal {
    /// Sets yamada's display language, region and time zone (`None`: the company's).
    async fn set_locale(&self, lang: &str, locale: &str, zone: Option<&str>) {
        self.app
            .store
            .update_profile(
                self.tenant.id,
                self.user.id,
                "太郎",
                "山田",
                lang,
                locale,
                zone,
            )
            .await
            .unwrap();
    }
}

/// Another portal instance over the same database (as several instances share one
/// PostgreSQL), with the same clock, serving on its own port.
async fn second_instance(app: &TestApp, web: WebConfig) -> String {
    let store = Store::open(&app.db.url).await.unwrap();
    let state = AppState::new(
        Services::new(store),
        app.clock.clone(),
        Some(OPERATOR_TOKEN.into()),
    )
    .with_web(web);
    serve(state).await
}

/// Message keys that a screen shows raw (`[menu-foo]`) when a catalogue lacks them.
fn raw_keys(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('[') {
        rest = &rest[at + 1..];
        let Some(end) = rest.find(']') else { break };
        let inner = &rest[..end];
        if inner.contains('-')
            && inner.len() > 3
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            found.push(inner.to_string());
        }
    }
    found
}

/// Asserts that the page at `path` is in `lang`, with every message in words (no raw key)
/// and no inline code.
#[track_caller]
fn assert_speaks(html: &str, lang: &str, path: &str) {
    assert_eq!(page_lang(html), lang, "{path} is in {lang}");
    assert_eq!(raw_keys(html), Vec::<String>::new(), "{lang} {path}");
    assert_eq!(inline_code(html), Vec::<String>::new(), "{lang} {path}");
}

/// Every screen a customer user reaches from the menu and the top links.
const SCREENS: &[&str] = &[
    "/welcome",
    "/devices",
    "/counters",
    "/department-counters",
    "/supplies",
    "/settings/notifications",
    "/settings/groups",
    "/settings/groups/new",
    "/settings/paper-sizes",
    "/account/profile",
    "/account/password",
    "/account/email",
    "/manual",
];

#[tokio::test]
async fn every_screen_speaks_both_languages_without_a_raw_message_key_or_inline_code() {
    let p = portal().await;
    let device = p.app.device(&p.tenant, mfp("SN-1", "3F 複合機")).await;
    let web = Browser::at(&p.app.base);
    assert_eq!(web.login("yamada", PASSWORD).await.status, 303);
    let device_page = format!("/devices/{device}");
    for lang in ["ja", "en"] {
        p.set_locale(lang, "ja-JP", None).await;
        for path in SCREENS.iter().copied().chain([device_page.as_str()]) {
            let page = web.get(path).await;
            assert_eq!(page.status, 200, "{lang} {path}");
            assert_speaks(&page.html, lang, path);
        }
        // An address that does not exist answers in the user's language too.
        let missing = web.get("/no-such-page").await;
        assert_eq!(missing.status, 404);
        assert_eq!(
            page_lang(&missing.html),
            lang,
            "the not-found page is in {lang}"
        );
        assert_eq!(
            count(&missing.html, "nav.menu"),
            1,
            "the not-found page keeps the menu"
        );
    }
    // Before login: the login and forgotten-password screens, in the browser's language.
    let guest = Browser::at(&p.app.base);
    for (accept, lang) in [("ja,en;q=0.5", "ja"), ("en-GB,en;q=0.9", "en")] {
        for path in ["/login", "/forgot-password", "/manual", "/no-such-page"] {
            let page = guest.get_with(path, &[("accept-language", accept)]).await;
            assert_speaks(&page.html, lang, path);
        }
    }
}

#[test]
fn the_page_checks_find_raw_keys_and_inline_code() {
    // The checks above must be able to fail.
    assert_eq!(raw_keys("<p>[menu-foo] [1] [a b]</p>"), ["menu-foo"]);
    assert_eq!(
        inline_code("<script src=\"/static/app.js\" defer></script>").len(),
        0
    );
    assert_eq!(inline_code("<script>alert(1)</script>").len(), 1);
    assert_eq!(inline_code("<p style=\"color:red\">").len(), 1);
    assert_eq!(inline_code("<button onclick=\"x()\">").len(), 1);
    assert_eq!(inline_code("<p>Press on the button</p>").len(), 0);
    assert_eq!(inline_code("<a href=\"javascript:x()\">").len(), 1);
    assert_eq!(inline_code("<style>p {}</style>").len(), 1);
}

#[tokio::test]
async fn the_department_counters_entry_opens_an_honest_coming_soon_page_in_both_languages() {
    let p = portal().await;
    let web = Browser::at(&p.app.base);
    web.login("yamada", PASSWORD).await;
    let ja = web.html("/department-counters").await;
    assert_eq!(text(&ja, "main h1"), "部門別集計");
    assert_eq!(text(&ja, "#coming-soon strong"), "準備中");
    assert!(
        text(&ja, "#coming-soon").contains("部門ID"),
        "it says what the screen will do"
    );
    assert_eq!(
        links(&ja, "#coming-soon-instead"),
        [("カウンター情報".to_string(), "/counters".to_string())],
        "and where to look meanwhile"
    );
    p.set_locale("en", "en-GB", None).await;
    let en = web.html("/department-counters").await;
    assert_eq!(text(&en, "main h1"), "Department counters");
    assert_eq!(text(&en, "#coming-soon strong"), "Coming soon");
    assert!(text(&en, "#coming-soon").contains("department ID"));
    assert_eq!(
        text(&en, "nav.menu a[aria-current=\"page\"]"),
        "Department counters"
    );
}

#[tokio::test]
async fn assets_have_content_hashed_names_and_are_cached_for_a_year() {
    let p = portal().await;
    let web = Browser::at(&p.app.base);
    let login = web.html("/login").await;
    for (url, kind) in [
        (attr(&login, "link[rel=\"stylesheet\"]", "href"), "text/css"),
        (attr(&login, "script[src]", "src"), "text/javascript"),
        (attr(&login, "link[rel=\"icon\"]", "href"), "image/svg+xml"),
    ] {
        // `/static/app.0123456789.css`: the name carries the content's hash.
        let name = url.strip_prefix("/static/").expect("under /static");
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 3, "{url}");
        assert_eq!(parts[1].len(), 10, "{url}");
        assert!(parts[1].chars().all(|c| c.is_ascii_hexdigit()), "{url}");
        let res = web
            .client
            .get(format!("{}{url}", p.app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let h = res.headers();
        assert!(
            h["content-type"].to_str().unwrap().starts_with(kind),
            "{url}"
        );
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(h["x-content-type-options"], "nosniff");
        // The plain name and another version's name are not served: a cached copy can only
        // ever be the content its name promises.
        let plain = format!("/static/{}.{}", parts[0], parts[2]);
        let stale = format!("/static/{}.0000000000.{}", parts[0], parts[2]);
        for other in [plain, stale] {
            assert_eq!(web.get(&other).await.status, 404, "{other}");
        }
    }
}

/// Logs yamada in at `base` with a client that keeps no cookies, sending the login form's
/// double-submit cookie and, when given, the session id the browser carried: the login page
/// and the login's answer (asserted 303).
async fn login_by_hand(base: &str, carried: Option<&str>) -> (Page, Page) {
    let client = bare_client();
    let form = page(client.get(format!("{base}/login")).send().await.unwrap()).await;
    let guest = form.cookie("mp_csrf").expect("a login csrf cookie");
    let mut cookie = format!("mp_csrf={guest}");
    if let Some(id) = carried {
        cookie.push_str(&format!("; mp_session={id}"));
    }
    let done = page(
        client
            .post(format!("{base}/login"))
            .header("cookie", cookie)
            .form(&[
                ("username", "yamada"),
                ("password", PASSWORD),
                ("csrf", &form.csrf()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done.status, 303, "{base}: yamada logs in");
    (form, done)
}

#[tokio::test]
async fn a_login_gets_a_new_session_id_and_ends_the_session_the_browser_carried() {
    let p = portal().await;
    let base = p.app.base.as_str();
    // Logs in sending `carried` as the session cookie; returns the new session id.
    let login = |carried: Option<String>| async move {
        let (_, done) = login_by_hand(base, carried.as_deref()).await;
        let id = done.cookie("mp_session").expect("a session cookie");
        assert!(id.len() >= 32, "a long random id: {id}");
        id
    };
    // The status of the welcome screen for the session `id`.
    let welcome = |id: String| async move {
        let res = bare_client()
            .get(format!("{base}/welcome"))
            .header("cookie", format!("mp_session={id}"))
            .send()
            .await
            .unwrap();
        res.status().as_u16()
    };

    // A session id planted before login (session fixation) is never the one logged in.
    let planted = "0123456789abcdef0123456789abcdef".to_string();
    let first = login(Some(planted.clone())).await;
    assert_ne!(first, planted);
    assert_eq!(welcome(planted).await, 303, "the planted id opens nothing");
    assert_eq!(welcome(first.clone()).await, 200);

    // Logging in again from the same browser gives a new id and ends the one it carried.
    let second = login(Some(first.clone())).await;
    assert_ne!(second, first);
    assert_eq!(welcome(first).await, 303, "the carried session ended");
    assert_eq!(welcome(second.clone()).await, 200);

    // Another browser's login is a session of its own: both stay open (several devices).
    let other = login(None).await;
    assert_ne!(other, second);
    assert_eq!((welcome(second).await, welcome(other).await), (200, 200));
}

#[tokio::test]
async fn a_login_sweeps_away_sessions_past_their_timeouts() {
    let p = portal().await;
    let idle = Browser::at(&p.app.base);
    idle.login("yamada", PASSWORD).await;
    assert_eq!(sessions(&p.app).await, 1);
    p.app.clock.advance(31 * 60_000);
    // The idle session is dead but still stored until the next login anywhere.
    assert_eq!(sessions(&p.app).await, 1);
    Browser::at(&p.app.base).login("yamada", PASSWORD).await;
    assert_eq!(sessions(&p.app).await, 1, "only the new session is left");
    assert_eq!(idle.get("/welcome").await.status, 303);
}

/// How many sessions the database holds.
async fn sessions(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn sessions_live_in_the_database_so_every_instance_knows_them() {
    let p = portal().await;
    let other_base = second_instance(&p.app, WebConfig::default()).await;
    let web = Browser::at(&p.app.base);
    web.login("yamada", PASSWORD).await;
    // The same cookie jar on the second instance: same host, another port (cookies do not
    // care for ports), so the browser sends the session there too.
    let there = Browser {
        base: other_base,
        client: web.client.clone(),
    };
    let welcome = there.get("/welcome").await;
    assert_eq!(welcome.status, 200);
    assert_eq!(text(&welcome.html, "header.top .who"), "山田 太郎");
    // Logging out on the second instance ends the session on the first one too.
    let token = csrf(&welcome.html);
    let out = there.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(out.location.as_deref(), Some("/login?notice=logged-out"));
    assert_eq!(web.get("/welcome").await.status, 303);
}

#[tokio::test]
async fn behind_tls_the_cookies_are_secure_as_well_as_http_only_and_same_site() {
    let p = portal().await;
    let tls = second_instance(
        &p.app,
        WebConfig {
            public_url: "https://portal.example.com".into(),
            ..WebConfig::default()
        },
    )
    .await;
    for (base, secure) in [(p.app.base.clone(), false), (tls, true)] {
        let (form, done) = login_by_hand(&base, None).await;
        let client = bare_client();
        let lang = page(
            client
                .get(format!("{base}/lang/en?next=/login"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        for line in [
            cookie_line(&form.cookies, "mp_csrf"),
            cookie_line(&done.cookies, "mp_session"),
            cookie_line(&lang.cookies, "mp_lang"),
        ] {
            assert!(line.contains("; HttpOnly"), "{line}");
            assert!(line.contains("; SameSite=Lax"), "{line}");
            assert!(line.contains("; Path=/"), "{line}");
            assert_eq!(line.contains("; Secure"), secure, "{base}: {line}");
        }
    }
}

/// What a forged form could change, read from the database.
#[derive(Debug, PartialEq)]
struct Snapshot {
    user: (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    ),
    groups: Vec<(i64, String, i64)>,
    paper_sizes: Vec<String>,
    device_group: Option<String>,
    notify: String,
    outbox: String,
    sessions: i64,
}

async fn snapshot(p: &Portal, device: i64) -> Snapshot {
    let s = &p.app.store;
    let u = s.user(p.tenant.id, p.user.id).await.unwrap();
    Snapshot {
        user: (
            u.password_hash,
            u.first_name,
            u.last_name,
            u.language,
            u.email,
            u.timezone,
        ),
        groups: s
            .list_groups(p.tenant.id)
            .await
            .unwrap()
            .into_iter()
            .map(|g| (g.id, g.name, g.device_count))
            .collect(),
        paper_sizes: s.tenant(p.tenant.id).await.unwrap().paper_sizes,
        device_group: s
            .device(p.tenant.id, device)
            .await
            .unwrap()
            .group
            .map(|(_, n)| n),
        notify: format!(
            "{:?}",
            s.notification_settings(p.tenant.id, p.user.id)
                .await
                .unwrap()
        ),
        outbox: format!("{:?}", s.outbox_counts().await.unwrap()),
        sessions: sessions(&p.app).await,
    }
}

#[tokio::test]
async fn every_state_changing_form_refuses_a_request_without_the_session_s_csrf_token() {
    let p = portal().await;
    let device = p.app.device(&p.tenant, mfp("SN-1", "3F 複合機")).await;
    let free = p.app.device(&p.tenant, mfp("SN-2", "4F 複合機")).await;
    let group = p.app.group(&p.tenant, "経理部", &[device]).await;
    let web = Browser::at(&p.app.base);
    web.login("yamada", PASSWORD).await;
    let before = snapshot(&p, device).await;

    let (g, d, f) = (group.to_string(), device.to_string(), free.to_string());
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/logout".into(), vec![]),
        (
            "/account/password".into(),
            vec![
                ("current_password", PASSWORD),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
        ),
        (
            "/account/profile".into(),
            vec![
                ("first_name", "Hanako"),
                ("last_name", "Sato"),
                ("language", "en"),
                ("locale", "en-US"),
                ("timezone", "Europe/London"),
            ],
        ),
        (
            "/account/email".into(),
            vec![
                ("email", "attacker@example.net"),
                ("confirmation", "attacker@example.net"),
                ("password", PASSWORD),
            ],
        ),
        (
            format!("/devices/{d}"),
            vec![("group", ""), ("toner_admin", "")],
        ),
        (
            "/settings/groups/new".into(),
            vec![("name", "営業部"), ("device", &f)],
        ),
        (
            format!("/settings/groups/{g}"),
            vec![("name", "総務部"), ("device", &f)],
        ),
        (
            "/settings/groups/delete".into(),
            vec![("id", &g), ("confirm", "yes")],
        ),
        ("/settings/paper-sizes".into(), vec![("size", "letter")]),
        (
            "/settings/notifications".into(),
            vec![("service_call_scope", "all"), ("toner_admins", "1")],
        ),
    ];
    for (path, fields) in &forms {
        for token in [None, Some("forged-token")] {
            let mut form = fields.clone();
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let res = web.post(path, &form).await;
            let refused_in_page = texts(&res.html, "main .notice.error")
                .iter()
                .any(|e| e.starts_with("フォームの有効期限が切れた"));
            assert!(
                (res.status == 200 || res.status == 403 || res.status == 422)
                    && (refused_in_page || res.status >= 400),
                "{path} with {token:?}: {} {:?}",
                res.status,
                res.location
            );
            assert_eq!(
                snapshot(&p, device).await,
                before,
                "{path} changed something"
            );
        }
    }
    // The session is still there and still works.
    assert_eq!(web.get("/welcome").await.status, 200);

    // Forms shown before login carry a double-submit token: without its cookie they are
    // refused too, and send no mail.
    let guest = Browser::at(&p.app.base);
    for (path, fields) in [
        (
            "/login",
            vec![
                ("username", "yamada"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ],
        ),
        (
            "/forgot-password",
            vec![("username", "yamada"), ("csrf", "x")],
        ),
    ] {
        let res = guest.post(path, &fields).await;
        assert_eq!(res.status, 403, "{path}");
        assert!(res.cookie("mp_session").is_none(), "{path}");
    }
    assert_eq!(snapshot(&p, device).await, before);
}

#[tokio::test]
async fn the_welcome_screen_writes_times_in_the_user_s_zone_and_region() {
    let p = portal().await;
    let web = Browser::at(&p.app.base);
    web.login("yamada", PASSWORD).await;
    // Second login 85 days later (T0 is 2021-12-01 00:00 UTC): the password expires on
    // 2022-03-01, six days away, so the warning shows.
    p.app.clock.advance(85 * DAY);
    let later = Browser::at(&p.app.base);
    later.login("yamada", PASSWORD).await;

    // (language, region, zone): the first login's time and the expiry date, the company
    // being in Tokyo.
    for (lang, locale, zone, previous, expiry, why) in [
        (
            "en",
            "en-GB",
            Some("Europe/London"),
            "1 Dec 2021 00:00:00",
            "1 Mar 2022",
            "an English user in London who reads dates the British way",
        ),
        (
            "en",
            "en-US",
            Some("America/New_York"),
            "Nov 30, 2021 19:00:00",
            "Feb 28, 2022",
            "an American in New York: the day before, at 19:00",
        ),
        (
            "ja",
            "ja-JP",
            None,
            "2021/12/01 09:00:00",
            "2022/03/01",
            "in Japanese, the seed's way, in the company's zone when the user has none",
        ),
    ] {
        p.set_locale(lang, locale, zone).await;
        let html = later.html("/welcome").await;
        assert_eq!(text(&html, "#previous-login"), previous, "{why}");
        let warning = text(&html, "#expiry-warning");
        assert!(warning.contains(expiry), "{why}: {warning}");
    }
}

// ---- the operator's command line ----------------------------------------------------------------

/// The announcements of the welcome screen, each as its date and its text as written (line
/// breaks kept).
fn announcements_on(html: &str) -> Vec<(String, String)> {
    let doc = crate::harness::web::document(html);
    let (time, p) = (selector("time"), selector("p"));
    doc.select(&selector("#announcements li"))
        .map(|li| {
            let date = li.select(&time).map(text_of).collect();
            (date, li.select(&p).flat_map(|p| p.text()).collect())
        })
        .collect()
}

#[tokio::test]
async fn the_admin_command_posts_lists_and_deletes_the_announcements_of_the_welcome_screen() {
    let p = portal().await;
    let db = p.app.db.url.as_str();
    let (ok, created, err) = admin(
        db,
        &[
            "announcement",
            "create",
            "--text-ja",
            "1月8日 2:00-6:00 はメンテナンスのため停止します。\nご迷惑をおかけします。",
            "--text-en",
            "The portal is down for maintenance on 8 January, 2:00-6:00.",
            "--shown-from",
            "2021-11-30T09:00:00+09:00",
            "--shown-until",
            "2022-01-08T06:00:00+09:00",
        ],
        "",
    );
    assert!(ok, "{err}");
    let fields: Vec<&str> = created.trim_end().split('\t').collect();
    let id = fields[0];
    assert_eq!(
        fields[1..],
        [
            "2021-11-30T00:00:00Z",
            "2022-01-07T21:00:00Z",
            "1月8日 2:00-6:00 はメンテナンスのため停止します。\\nご迷惑をおかけします。",
            "The portal is down for maintenance on 8 January, 2:00-6:00."
        ]
    );
    let (ok, later, err) = admin(
        db,
        &[
            "--json",
            "announcement",
            "create",
            "--text-ja",
            "年始のお知らせ",
            "--text-en",
            "New Year notice",
            "--shown-from",
            "2022-01-01T00:00:00+09:00",
        ],
        "",
    );
    assert!(ok, "{err}");
    let later: Value = serde_json::from_str(later.trim()).unwrap();
    assert_eq!(later["shown_until"], Value::Null);

    // The welcome screen shows the first one now, with its line break, in Japanese...
    let web = Browser::at(&p.app.base);
    web.login("yamada", PASSWORD).await;
    let shown = announcements_on(&web.html("/welcome").await);
    assert_eq!(
        shown,
        [(
            "2021/11/30".to_string(),
            "1月8日 2:00-6:00 はメンテナンスのため停止します。\nご迷惑をおかけします。".to_string()
        )]
    );
    // ...both once the second one's time has come, newest first...
    p.app.clock.set(T0 + 32 * DAY);
    web.login("yamada", PASSWORD).await;
    let shown = announcements_on(&web.html("/welcome").await);
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0].1, "年始のお知らせ", "{shown:?}");
    // ...and the first one no more after its end.
    p.app.clock.set(T0 + 38 * DAY);
    web.login("yamada", PASSWORD).await;
    let shown = announcements_on(&web.html("/welcome").await);
    assert_eq!(shown.len(), 1, "{shown:?}");

    let (_, listed, _) = admin(db, &["announcement", "list"], "");
    assert_eq!(listed.lines().count(), 2);
    assert!(listed.lines().next().unwrap().contains("New Year notice"));
    let (ok, _, err) = admin(
        db,
        &["announcement", "delete", &later["id"].to_string()],
        "",
    );
    assert!(ok && err.contains("deleted announcement"), "{err}");
    assert!(announcements_on(&web.html("/welcome").await).is_empty());
    let (_, listed, _) = admin(db, &["announcement", "list"], "");
    assert!(listed.starts_with(&format!("{id}\t")), "{listed}");

    // Refusals name every broken rule, and store nothing.
    let (ok, _, err) = admin(
        db,
        &[
            "announcement",
            "create",
            "--text-ja",
            " ",
            "--text-en",
            "x",
            "--shown-from",
            "tomorrow",
        ],
        "",
    );
    assert!(!ok);
    assert!(
        err.contains("text_ja") && err.contains("shown_from"),
        "{err}"
    );
    let (ok, _, err) = admin(db, &["announcement", "delete", "999999"], "");
    assert!(!ok && err.contains("no such announcement"), "{err}");
    let (_, listed, _) = admin(db, &["announcement", "list"], "");
    assert_eq!(listed.lines().count(), 1);

    // Each post and deletion is in the audit log, as the service company's own (no tenant).
    let (_, audit, _) = admin(db, &["audit"], "");
    let actions: Vec<&str> = audit
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[1] == "-")
        .map(|f| f[3])
        .collect();
    assert_eq!(
        actions,
        [
            "announcement_deleted",
            "announcement_created",
            "announcement_created"
        ]
    );
}

/// Five wrong passwords in a row, a second apart, each refused: the account locks.
async fn lock_out(p: &Portal, web: &Browser, password: &str) {
    for _ in 0..5 {
        let refused = web.login_to("yamada", password, "/welcome").await;
        refused.expect(401, "a wrong password");
        p.app.clock.advance(1_000);
    }
}

#[tokio::test]
async fn logins_lockouts_unlocks_resets_and_password_changes_are_read_with_the_admin_audit_command()
{
    let p = portal().await;
    let db = p.app.db.url.as_str();
    let t = p.tenant.id.to_string();
    let user_url = format!("/api/v1/admin/tenants/{t}/users/{}", p.user.id);
    let web = Browser::at(&p.app.base);
    lock_out(&p, &web, "wrong-pass1").await;
    // The operator lifts the lock; the right password opens the portal again.
    let (status, body) = p
        .app
        .operator(Method::POST, &format!("{user_url}/unlock"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    p.app.clock.advance(1_000);
    web.login("yamada", PASSWORD).await;
    p.app.clock.advance(1_000);
    // The operator sets a new password that must be changed at the next login.
    let (status, body) = p
        .app
        .operator(
            Method::POST,
            &format!("{user_url}/reset-password"),
            Some(json!({"password": "temporary1"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    p.app.clock.advance(1_000);
    let forced = Browser::at(&p.app.base);
    assert_eq!(
        forced
            .login("yamada", "temporary1")
            .await
            .location
            .as_deref(),
        Some("/account/password")
    );
    p.app.clock.advance(1_000);
    let changed = forced
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "temporary1"),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
            303,
        )
        .await;
    assert_eq!(changed.location.as_deref(), Some("/account/password/saved"));

    let (ok, audit, err) = admin(db, &["audit", "--tenant", &t], "");
    assert!(ok, "{err}");
    let mut rows: Vec<(String, String, String)> = audit
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[2].to_string(), f[3].to_string(), f[4].to_string())
        })
        .collect();
    rows.reverse();
    let actions: Vec<(&str, &str)> = rows
        .iter()
        .map(|(actor, action, _)| (actor.as_str(), action.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("yamada", "login_failed"),
            ("yamada", "login_failed"),
            ("yamada", "login_failed"),
            ("yamada", "login_failed"),
            ("yamada", "login_failed"),
            ("yamada", "account_locked"),
            ("operator-api", "user_unlocked"),
            ("yamada", "login"),
            ("operator-api", "password_reset"),
            ("yamada", "login"),
            ("yamada", "password_changed"),
        ],
        "{audit}"
    );
    // Neither password appears in the log, in any form.
    for secret in [PASSWORD, "wrong-pass1", "temporary1", "fresh2022"] {
        assert!(!audit.contains(secret), "{secret} in {audit}");
    }
    // `--json` gives the same entries as objects.
    let (_, json_lines, _) = admin(db, &["--json", "audit", "--tenant", &t, "--limit", "1"], "");
    let last: Value = serde_json::from_str(json_lines.trim()).unwrap();
    assert_eq!(last["action"], "password_changed");
    assert_eq!(last["actor"], "yamada");

    // The command line's own unlock is audited under the operating-system user who ran it.
    lock_out(&p, &web, "wrong-pass2").await;
    let (ok, unlocked, err) = admin(
        db,
        &["user", "unlock", "--tenant", &t, &p.user.id.to_string()],
        "",
    );
    assert!(
        ok && unlocked.trim_end().ends_with("\tok"),
        "{unlocked} {err}"
    );
    assert_eq!(web.login("yamada", "fresh2022").await.status, 303);
    let (_, audit, _) = admin(db, &["audit", "--tenant", &t], "");
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\toperator-cli") && l.contains("\tuser_unlocked\t")),
        "{audit}"
    );
}
