//! Login, lockout, expiry, sessions and the account screens through HTTP (SPEC S1-S3, S5,
//! S6, S24, S25, Q4). The same flows run in a real browser in `browser.rs`.

use crate::harness::web::{Browser, attrs, csrf, texts};
use crate::harness::{T0, TestApp};
use meterport_store::users::hash_password;

const PASSWORD: &str = "secret123";

struct Web {
    app: TestApp,
    browser: Browser,
}

async fn setup() -> Web {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let hash = hash_password(PASSWORD);
    app.store
        .create_user(
            tenant.id,
            "yamada",
            &hash,
            Some("yamada@example.com"),
            "ja",
            T0,
        )
        .await
        .unwrap();
    Web {
        browser: Browser::on(&app),
        app,
    }
}

impl Web {
    /// One GET: status, body and redirect, for the test to check.
    async fn get(&self, path: &str) -> (u16, String, Option<String>) {
        let page = self.browser.get(path).await;
        (page.status, page.html, page.location)
    }

    /// A GET that must answer 200: its body.
    async fn page(&self, path: &str) -> String {
        self.browser.get_ok(path).await.html
    }

    /// One form POST: status, body and redirect, for the test to check.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let page = self.browser.post(path, form).await;
        (page.status, page.html, page.location)
    }

    /// A login through the form that must answer `status`: its body and redirect.
    async fn login_as(&self, user: &str, password: &str, status: u16) -> (String, Option<String>) {
        let (got, html, location) = self.login(user, password).await;
        assert_eq!(got, status, "{user} logs in: {html}");
        (html, location)
    }

    /// A login attempt through the form (whose page must answer 200): the answer to the
    /// POST, for the test to check.
    async fn login(&self, user: &str, password: &str) -> (u16, String, Option<String>) {
        let page = self.browser.login_to(user, password, "/welcome").await;
        (page.status, page.html, page.location)
    }
}

#[tokio::test]
async fn a_user_logs_in_and_sees_the_welcome_screen() {
    let w = setup().await;
    let (status, _, location) = w.login("yamada", PASSWORD).await;
    assert_eq!((status, location.as_deref()), (303, Some("/welcome")));
    let (status, html, _) = w.get("/welcome").await;
    assert_eq!(status, 200);
    assert!(html.contains("ようこそ"));
    assert!(
        html.contains("初めてのログインです。"),
        "no previous login yet"
    );
    assert!(html.contains("デバイスリスト"), "the menu is shown");
}

#[tokio::test]
async fn pages_need_a_login_and_come_back_after_it() {
    let w = setup().await;
    let (status, _, location) = w.get("/account/profile").await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/login?next=/account/profile"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let w = setup().await;
    let (s1, wrong, _) = w.login("yamada", "nope12345").await;
    let (s2, unknown, _) = w.login("nobody", "nope12345").await;
    assert_eq!((s1, s2), (401, 401));
    let msg = "ユーザー名またはパスワードが正しくありません。";
    assert!(wrong.contains(msg) && unknown.contains(msg));
}

#[tokio::test]
async fn five_failures_lock_the_account_for_twelve_minutes() {
    let w = setup().await;
    for _ in 0..4 {
        let (html, _) = w.login_as("yamada", "wrong-pass1", 401).await;
        assert!(html.contains("正しくありません"));
    }
    let (html, _) = w.login_as("yamada", "wrong-pass1", 401).await;
    assert!(
        html.contains("ロックされています"),
        "the fifth failure locks"
    );
    // The right password is refused during the lock...
    let (status, html, _) = w.login("yamada", PASSWORD).await;
    assert_eq!(status, 401);
    assert!(html.contains("ロックされています"));
    w.app.clock.advance(11 * 60_000);
    assert_eq!(
        w.login("yamada", PASSWORD).await.0,
        401,
        "still locked after 11 minutes"
    );
    // ...and accepted once the 12 minutes are over.
    w.app.clock.advance(60_000);
    assert_eq!(w.login("yamada", PASSWORD).await.0, 303);
}

#[tokio::test]
async fn an_unknown_user_name_locks_like_a_real_one() {
    let w = setup().await;
    for _ in 0..5 {
        w.login_as("ghost", "wrong-pass1", 401).await;
    }
    let (html, _) = w.login_as("ghost", "wrong-pass1", 401).await;
    assert!(
        html.contains("ロックされています"),
        "no way to tell it does not exist"
    );
}

#[tokio::test]
async fn the_expiry_warning_names_the_date_and_an_expired_password_must_be_changed() {
    let w = setup().await;
    // T0 is 2021-12-01: the password expires 2022-03-01; a week before, the warning shows.
    w.app.clock.set(T0 + 84 * 86_400_000);
    w.login_as("yamada", PASSWORD, 303).await;
    let html = w.page("/welcome").await;
    assert!(html.contains("id=\"expiry-warning\""), "{html}");
    assert!(html.contains("2022/03/01"));
    // On every screen, also one a login leads to directly, but the change itself.
    let devices = w.page("/devices").await;
    assert!(devices.contains("id=\"expiry-warning\""), "{devices}");
    let change = w.page("/account/password").await;
    assert!(!change.contains("id=\"expiry-warning\""));

    let w2 = Web {
        browser: Browser::on(&w.app),
        app: w.app,
    };
    w2.app.clock.set(T0 + 91 * 86_400_000);
    let (status, _, location) = w2.login("yamada", PASSWORD).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account/password"))
    );
    // Nothing else opens until the password is changed.
    let (status, _, location) = w2.get("/welcome").await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/account/password"));
    let page = w2.page("/account/password").await;
    assert!(page.contains("id=\"must-change\""));
    let csrf = csrf(&page);
    let (status, _, location) = w2
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account/password/saved"))
    );
    assert_eq!(w2.get("/welcome").await.0, 200);
}

#[tokio::test]
async fn a_refused_password_change_explains_each_field_and_changes_nothing() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let page = w.page("/account/password").await;
    let csrf = csrf(&page);
    let (status, html, _) = w
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", "wrong"),
                ("new_password", "abc"),
                ("confirmation", "abd"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"error-current_password\""));
    assert!(html.contains("id=\"error-new_password\""));
    assert!(html.contains("id=\"error-confirmation\""));
    // The old password still works.
    let other = Web {
        browser: Browser::on(&w.app),
        app: w.app,
    };
    assert_eq!(other.login("yamada", PASSWORD).await.0, 303);
}

#[tokio::test]
async fn a_form_without_the_session_s_csrf_token_is_refused() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let (status, html, _) = w
        .post(
            "/account/password",
            &[
                ("csrf", "forged"),
                ("current_password", PASSWORD),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("フォームの有効期限が切れた"));
    let other = Web {
        browser: Browser::on(&w.app),
        app: w.app,
    };
    assert_eq!(
        other.login("yamada", PASSWORD).await.0,
        303,
        "the password did not change"
    );
    // The login form needs its double-submit token too.
    let (status, _, _) = other
        .post(
            "/login",
            &[
                ("username", "yamada"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ],
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let page = w.page("/welcome").await;
    let csrf = csrf(&page);
    let (status, _, location) = w.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/login?notice=logged-out"))
    );
    let (status, _, _) = w.get("/welcome").await;
    assert_eq!(status, 303, "back to the login screen");
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout_and_several_tabs_share_one() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    // Two tabs: two requests on the same session, both fine.
    let (a, b) = tokio::join!(w.get("/welcome"), w.get("/account/profile"));
    assert_eq!((a.0, b.0), (200, 200));
    w.app.clock.advance(31 * 60_000);
    assert_eq!(w.get("/welcome").await.0, 303);
}

#[tokio::test]
async fn a_session_in_constant_use_still_ends_twelve_hours_after_login() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let mut elapsed = 0;
    // A request every 25 minutes keeps the session from idling out...
    while elapsed + 25 * 60_000 <= 12 * 3_600_000 {
        w.app.clock.advance(25 * 60_000);
        elapsed += 25 * 60_000;
        assert_eq!(w.get("/welcome").await.0, 200, "after {elapsed} ms");
    }
    // ...but not past its absolute lifetime.
    w.app.clock.advance(25 * 60_000);
    let (status, _, location) = w.get("/welcome").await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/login"));
}

#[tokio::test]
async fn login_attempts_from_one_address_are_limited_for_ten_minutes() {
    let w = setup().await;
    // Thirty failures spread over as many user names: no account reaches its lockout.
    for i in 0..30 {
        let (status, _, _) = w.login(&format!("guess{i}"), "wrong-password1").await;
        assert_eq!(status, 401, "attempt {i}");
    }
    // The next attempt from the same address is refused, even with the right password.
    let (status, page, _) = w.login("yamada", PASSWORD).await;
    assert_eq!(status, 429);
    assert!(page.contains("ログイン試行が多すぎます"), "{page}");
    w.app.clock.advance(10 * 60_000 + 1_000);
    let (status, _, location) = w.login("yamada", PASSWORD).await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/welcome"));
}

#[tokio::test]
async fn the_profile_is_saved_and_switches_the_language() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let page = w.page("/account/profile").await;
    let csrf = csrf(&page);
    let (status, html, _) = w
        .post(
            "/account/profile",
            &[
                ("csrf", &csrf),
                ("first_name", ""),
                ("last_name", "山田"),
                ("language", "en"),
                ("locale", "en-US"),
                ("timezone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"error-first_name\"") && html.contains("id=\"error-timezone\""));
    let html = w.page("/welcome").await;
    assert!(
        html.contains("ようこそ"),
        "the refused form changed nothing, not even the valid language"
    );
    let (status, _, _) = w
        .post(
            "/account/profile",
            &[
                ("csrf", &csrf),
                ("first_name", "太郎"),
                ("last_name", "山田"),
                ("language", "en"),
                ("locale", "en-US"),
                ("timezone", "Europe/London"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let html = w.page("/welcome").await;
    assert!(
        html.contains("Welcome") && html.contains("Device list"),
        "now in English"
    );
    assert!(html.contains("太郎 山田"), "given name first in English");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = setup().await;
    let res = w
        .browser
        .client
        .get(w.app.url("/login"))
        .send()
        .await
        .unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn the_login_screen_follows_the_browser_s_language_and_its_switch() {
    let w = setup().await;
    let res = w
        .browser
        .client
        .get(w.app.url("/login"))
        .header("accept-language", "en-US,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Log in"));
    let (status, _, location) = w.get("/lang/ja?next=/login").await;
    assert_eq!((status, location.as_deref()), (303, Some("/login")));
    let res = w
        .browser
        .client
        .get(w.app.url("/login"))
        .header("accept-language", "en-US")
        .send()
        .await
        .unwrap();
    assert!(
        res.text().await.unwrap().contains("ログイン"),
        "the switch wins"
    );
}

#[tokio::test]
async fn every_menu_entry_opens_a_page_and_one_not_built_yet_says_so_honestly() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let welcome = w.page("/welcome").await;
    let hrefs = attrs(&welcome, "nav.menu a[href]", "href");
    assert!(hrefs.len() >= 10, "{hrefs:?}");
    for href in &hrefs {
        let (status, html, _) = w.get(href).await;
        assert_eq!(status, 200, "{href} opens a page");
        assert_eq!(
            texts(&html, "nav.menu").len(),
            1,
            "{href} is inside the shell"
        );
    }
    assert!(hrefs.iter().any(|h| h == "/department-counters"));
    let html = w.page("/department-counters").await;
    assert!(
        texts(&html, "strong").iter().any(|t| t == "準備中"),
        "the screen not built yet says so"
    );
}

#[tokio::test]
async fn no_template_of_a_page_holds_an_inline_script_style_or_event_handler() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../portal/templates");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue; // mails (templates/mail/) may style inline: no browser policy applies
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        for (at, _) in text.match_indices("<script") {
            let tag = &text[at..at + text[at..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{name}: an inline script");
        }
        assert!(!text.contains("<style"), "{name}: an inline style sheet");
        assert!(!text.contains(" style=\""), "{name}: an inline style");
        for (at, _) in text.match_indices(" on") {
            let word: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase())
                .collect();
            assert!(
                !text[at + 3 + word.len()..].starts_with("=\"") || word.is_empty(),
                "{name}: an inline event handler on{word}"
            );
        }
        checked += 1;
    }
    assert!(checked > 10, "the templates were read");
}

#[tokio::test]
async fn the_referrer_policy_keeps_addresses_on_the_portal() {
    let w = setup().await;
    let res = w
        .browser
        .client
        .get(w.app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
}

/// The `mp_session` value a response sets, if any.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("mp_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .filter(|v| !v.is_empty())
}

#[tokio::test]
async fn a_login_gets_a_new_session_id_even_when_the_browser_brings_one() {
    let w = setup().await;
    // Cookies by hand: the second login carries the first one's session, as a browser
    // whose cookie someone planted would.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..2 {
        let res = client.get(w.app.url("/login")).send().await.unwrap();
        let login_csrf = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("mp_csrf="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("the login screen sets its csrf cookie");
        let page = res.text().await.unwrap();
        let mut cookie = format!("mp_csrf={login_csrf}");
        if let Some(old) = ids.last() {
            cookie.push_str(&format!("; mp_session={old}"));
        }
        let res = client
            .post(w.app.url("/login"))
            .header("cookie", cookie)
            .form(&[
                ("username", "yamada"),
                ("password", PASSWORD),
                ("csrf", &csrf(&page)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let id = session_cookie(&res).expect("the login sets a session");
        assert!(id.len() >= 32, "a long random id: {id}");
        ids.push(id);
    }
    assert_ne!(
        ids[0], ids[1],
        "the login does not keep the id it was brought"
    );
}

#[tokio::test]
async fn a_session_lives_in_the_database_so_a_second_instance_knows_it() {
    let w = setup().await;
    // A second portal over the same database, with its own state and pool.
    let store = meterport_store::Store::open(&w.app.db.url).await.unwrap();
    let state = meterport_portal::app::AppState::new(store, w.app.clock.clone(), None);
    let two = crate::harness::serve(state).await;
    w.login_as("yamada", PASSWORD, 303).await;
    // Cookies ignore the port: the same browser session reaches the second instance.
    let res = w
        .browser
        .client
        .get(format!("{two}/welcome"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the second instance knows the session");
    let page = res.text().await.unwrap();
    let res = w
        .browser
        .client
        .post(format!("{two}/logout"))
        .form(&[("csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        w.get("/welcome").await.0,
        303,
        "a logout on one instance ends the session on the other"
    );
}

#[tokio::test]
async fn logins_failures_lockouts_and_password_changes_are_audited_without_passwords() {
    let w = setup().await;
    for _ in 0..5 {
        w.login_as("yamada", "wrong-pass1", 401).await;
    }
    w.login_as("yamada", PASSWORD, 401).await; // refused: locked
    w.login_as("nobody", "wrong-pass1", 401).await;
    w.app.clock.advance(12 * 60_000);
    w.login_as("yamada", PASSWORD, 303).await;
    let page = w.page("/account/password").await;
    let (status, _, _) = w
        .post(
            "/account/password",
            &[
                ("csrf", &csrf(&page)),
                ("current_password", PASSWORD),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
        )
        .await;
    assert_eq!(status, 303, "the password changed");
    let page = w.page("/welcome").await;
    w.post("/logout", &[("csrf", &csrf(&page))]).await;

    let log = w.app.store.list_audit(None, None, 100).await.unwrap();
    let count = |action: &str| log.iter().filter(|e| e.action == action).count();
    assert_eq!(count("login_failed"), 6, "five for yamada, one unknown");
    assert_eq!(count("account_locked"), 1);
    assert_eq!(count("login_refused_locked"), 1);
    assert_eq!(count("login"), 1);
    assert_eq!(count("password_changed"), 1);
    assert_eq!(count("logout"), 1);
    assert!(
        log.iter()
            .all(|e| e.actor == "yamada" || e.actor == "nobody")
    );
    for e in &log {
        for secret in [PASSWORD, "wrong-pass1", "fresh2022"] {
            assert!(!e.detail.contains(secret), "{e:?}");
        }
    }
}

#[tokio::test]
async fn an_english_user_s_refused_password_change_is_explained_in_english() {
    let w = setup().await;
    let tenant = w.app.tenant("Smith & Co", "Europe/London").await;
    w.app
        .store
        .create_user(tenant.id, "smith", &hash_password(PASSWORD), None, "en", T0)
        .await
        .unwrap();
    w.login_as("smith", PASSWORD, 303).await;
    let page = w.page("/account/password").await;
    let (status, html, _) = w
        .post(
            "/account/password",
            &[
                ("csrf", &csrf(&page)),
                ("current_password", "wrong"),
                ("new_password", "abc"),
                ("confirmation", "abd"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    for field in ["current_password", "new_password", "confirmation"] {
        let at = html
            .find(&format!("id=\"error-{field}\">"))
            .unwrap_or_else(|| panic!("a message next to {field}"));
        let message = &html[at..at + html[at..].find("</p>").unwrap()];
        let message = &message[message.find('>').unwrap() + 1..];
        assert!(message.len() > 10, "{field}: {message}");
        assert!(
            message.is_ascii(),
            "{field} is explained in English: {message}"
        );
    }
    assert!(html.contains("The current password is incorrect."));
}
