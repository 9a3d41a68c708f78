//! Login, lockout, expiry, sessions and the account screens through HTTP (SPEC S1-S3, S5,
//! S6, S24, S25, Q4). The same flows run in a real browser in `browser.rs`.

use crate::harness::web::{
    Browser, Page, attrs, count, error_fields, error_notice, field_error, text, texts,
};
use crate::harness::{PASSWORD, T0, TestApp};

const LOCKED: &str = "ロックされています";

struct Web {
    app: TestApp,
    browser: Browser,
}

/// A portal with the user `yamada` (Japanese), not logged in.
async fn setup() -> Web {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    app.user(&tenant, "yamada", Some("yamada@example.com"), "ja")
        .await;
    Web {
        browser: Browser::on(&app),
        app,
    }
}

impl Web {
    /// A login through the form that must answer `status`.
    async fn login_as(&self, user: &str, password: &str, status: u16) -> Page {
        self.login(user, password)
            .await
            .expect(status, &format!("{user} logs in"))
    }

    /// A login attempt through the form (whose page must answer 200): the answer to the
    /// POST, for the test to check.
    async fn login(&self, user: &str, password: &str) -> Page {
        self.browser.login_to(user, password, "/welcome").await
    }

    /// The same portal in another browser, logged in as nobody.
    fn another_browser(self) -> Web {
        Web {
            browser: Browser::on(&self.app),
            app: self.app,
        }
    }

    /// The status of a GET of the welcome screen.
    async fn welcome(&self) -> u16 {
        self.browser.get("/welcome").await.status
    }

    /// Submits the password form (opened first, 200) and asserts the answer's `status`.
    async fn change_password(&self, fields: [(&str, &str); 3], status: u16) -> Page {
        let names = ["current_password", "new_password", "confirmation"];
        assert_eq!(fields.map(|(name, _)| name), names);
        self.browser
            .submit("/account/password", "/account/password", &fields, status)
            .await
    }
}

/// A password change from `PASSWORD` to `fresh2022`.
const FRESH: [(&str, &str); 3] = [
    ("current_password", PASSWORD),
    ("new_password", "fresh2022"),
    ("confirmation", "fresh2022"),
];

/// A password change that breaks a rule in every field.
const WRONG: [(&str, &str); 3] = [
    ("current_password", "wrong"),
    ("new_password", "abc"),
    ("confirmation", "abd"),
];

#[tokio::test]
async fn a_user_logs_in_and_sees_the_welcome_screen() {
    let w = setup().await;
    let done = w.login("yamada", PASSWORD).await;
    assert_eq!(
        (done.status, done.location.as_deref()),
        (303, Some("/welcome"))
    );
    let html = w.browser.html("/welcome").await;
    assert_eq!(text(&html, "main h1"), "ようこそ");
    assert_eq!(
        text(&html, "#previous-login"),
        "初めてのログインです。",
        "no previous login yet"
    );
    assert!(
        texts(&html, "nav.menu a")
            .iter()
            .any(|a| a == "デバイスリスト"),
        "the menu is shown"
    );
}

#[tokio::test]
async fn pages_need_a_login_and_come_back_after_it() {
    let w = setup().await;
    let page = w.browser.get("/account/profile").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=/account/profile")
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let w = setup().await;
    let wrong = w.login_as("yamada", "nope12345", 401).await;
    let unknown = w.login_as("nobody", "nope12345", 401).await;
    let msg = "ユーザー名またはパスワードが正しくありません。";
    assert_eq!(text(&wrong.html, "#login-error"), msg);
    assert_eq!(text(&unknown.html, "#login-error"), msg);
}

#[tokio::test]
async fn five_failures_lock_the_account_for_twelve_minutes() {
    let w = setup().await;
    for _ in 0..4 {
        let refused = w.login_as("yamada", "wrong-pass1", 401).await;
        assert!(text(&refused.html, "#login-error").contains("正しくありません"));
    }
    let refused = w.login_as("yamada", "wrong-pass1", 401).await;
    assert!(
        text(&refused.html, "#login-error").contains(LOCKED),
        "the fifth failure locks"
    );
    // The right password is refused during the lock...
    let refused = w.login_as("yamada", PASSWORD, 401).await;
    assert!(text(&refused.html, "#login-error").contains(LOCKED));
    w.app.clock.advance(11 * 60_000);
    w.login_as("yamada", PASSWORD, 401).await; // still locked after 11 minutes
    // ...and accepted once the 12 minutes are over.
    w.app.clock.advance(60_000);
    w.login_as("yamada", PASSWORD, 303).await;
}

#[tokio::test]
async fn an_unknown_user_name_locks_like_a_real_one() {
    let w = setup().await;
    for _ in 0..5 {
        w.login_as("ghost", "wrong-pass1", 401).await;
    }
    let refused = w.login_as("ghost", "wrong-pass1", 401).await;
    assert!(
        text(&refused.html, "#login-error").contains(LOCKED),
        "no way to tell it does not exist"
    );
}

#[tokio::test]
async fn the_expiry_warning_names_the_date_and_an_expired_password_must_be_changed() {
    let w = setup().await;
    // T0 is 2021-12-01: the password expires 2022-03-01; a week before, the warning shows.
    w.app.clock.set(T0 + 84 * 86_400_000);
    w.login_as("yamada", PASSWORD, 303).await;
    let html = w.browser.html("/welcome").await;
    assert!(text(&html, "#expiry-warning").contains("2022/03/01"));
    // On every screen, also one a login leads to directly, but the change itself.
    let devices = w.browser.html("/devices").await;
    assert_eq!(count(&devices, "#expiry-warning"), 1);
    let change = w.browser.html("/account/password").await;
    assert_eq!(count(&change, "#expiry-warning"), 0);

    let w2 = w.another_browser();
    w2.app.clock.set(T0 + 91 * 86_400_000);
    let done = w2.login_as("yamada", PASSWORD, 303).await;
    assert_eq!(done.location.as_deref(), Some("/account/password"));
    // Nothing else opens until the password is changed.
    let welcome = w2.browser.get("/welcome").await;
    assert_eq!(
        (welcome.status, welcome.location.as_deref()),
        (303, Some("/account/password"))
    );
    let page = w2.browser.html("/account/password").await;
    assert_eq!(count(&page, "#must-change"), 1);
    let changed = w2.change_password(FRESH, 303).await;
    assert_eq!(changed.location.as_deref(), Some("/account/password/saved"));
    assert_eq!(w2.welcome().await, 200);
}

#[tokio::test]
async fn a_refused_password_change_explains_each_field_and_changes_nothing() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let refused = w.change_password(WRONG, 422).await;
    assert_eq!(
        error_fields(&refused.html),
        ["current_password", "new_password", "confirmation"]
    );
    // The old password still works.
    w.another_browser().login_as("yamada", PASSWORD, 303).await;
}

#[tokio::test]
async fn a_form_without_the_session_s_csrf_token_is_refused() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let mut forged = vec![("csrf", "forged")];
    forged.extend(FRESH);
    let refused = w
        .browser
        .post_expect("/account/password", &forged, 422)
        .await;
    assert!(error_notice(&refused.html).starts_with("フォームの有効期限が切れた"));
    let other = w.another_browser();
    // The password did not change.
    other.login_as("yamada", PASSWORD, 303).await;
    // The login form needs its double-submit token too.
    other
        .browser
        .post_expect(
            "/login",
            &[
                ("username", "yamada"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ],
            403,
        )
        .await;
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let token = w.browser.session_csrf().await;
    let out = w
        .browser
        .post_expect("/logout", &[("csrf", &token)], 303)
        .await;
    assert_eq!(out.location.as_deref(), Some("/login?notice=logged-out"));
    assert_eq!(w.welcome().await, 303, "back to the login screen");
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout_and_several_tabs_share_one() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    // Two tabs: two requests on the same session, both fine.
    let (a, b) = tokio::join!(w.browser.get("/welcome"), w.browser.get("/account/profile"));
    assert_eq!((a.status, b.status), (200, 200));
    w.app.clock.advance(31 * 60_000);
    assert_eq!(w.welcome().await, 303);
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
        assert_eq!(w.welcome().await, 200, "after {elapsed} ms");
    }
    // ...but not past its absolute lifetime.
    w.app.clock.advance(25 * 60_000);
    let page = w.browser.get("/welcome").await;
    assert_eq!(page.status, 303);
    assert!(page.location.unwrap().starts_with("/login"));
}

#[tokio::test]
async fn login_attempts_from_one_address_are_limited_for_ten_minutes() {
    let w = setup().await;
    // Thirty failures spread over as many user names: no account reaches its lockout.
    for i in 0..30 {
        w.login_as(&format!("guess{i}"), "wrong-password1", 401)
            .await;
    }
    // The next attempt from the same address is refused, even with the right password.
    let refused = w.login_as("yamada", PASSWORD, 429).await;
    assert_eq!(
        text(&refused.html, "#login-error"),
        "お使いのネットワークからのログイン試行が多すぎます。数分待ってから再度お試しください。"
    );
    w.app.clock.advance(10 * 60_000 + 1_000);
    let done = w.login_as("yamada", PASSWORD, 303).await;
    assert_eq!(done.location.as_deref(), Some("/welcome"));
}

#[tokio::test]
async fn the_profile_is_saved_and_switches_the_language() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let profile = |first_name, timezone| {
        [
            ("first_name", first_name),
            ("last_name", "山田"),
            ("language", "en"),
            ("locale", "en-US"),
            ("timezone", timezone),
        ]
    };
    let refused = w
        .browser
        .submit(
            "/account/profile",
            "/account/profile",
            &profile("", "Mars/Olympus"),
            422,
        )
        .await;
    assert_eq!(error_fields(&refused.html), ["first_name", "timezone"]);
    let html = w.browser.html("/welcome").await;
    assert_eq!(
        text(&html, "main h1"),
        "ようこそ",
        "the refused form changed nothing, not even the valid language"
    );
    w.browser
        .submit(
            "/account/profile",
            "/account/profile",
            &profile("太郎", "Europe/London"),
            303,
        )
        .await;
    let html = w.browser.html("/welcome").await;
    assert_eq!(text(&html, "main h1"), "Welcome", "now in English");
    assert!(
        texts(&html, "nav.menu a")
            .iter()
            .any(|a| a == "Device list")
    );
    assert_eq!(
        text(&html, "header.top .who"),
        "太郎 山田",
        "given name first in English"
    );
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
    // The referrer policy keeps addresses on the portal; no page is shown in a frame.
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-frame-options"], "DENY");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn the_login_screen_follows_the_browser_s_language_and_its_switch() {
    let w = setup().await;
    let english = w
        .browser
        .get_with("/login", &[("accept-language", "en-US,en;q=0.8")])
        .await;
    assert_eq!(text(&english.html, "main h1"), "Log in");
    let switched = w.browser.get("/lang/ja?next=/login").await;
    assert_eq!(
        (switched.status, switched.location.as_deref()),
        (303, Some("/login"))
    );
    let page = w
        .browser
        .get_with("/login", &[("accept-language", "en-US")])
        .await;
    assert_eq!(text(&page.html, "main h1"), "ログイン", "the switch wins");
}

#[tokio::test]
async fn every_menu_entry_opens_a_page_and_one_not_built_yet_says_so_honestly() {
    let w = setup().await;
    w.login_as("yamada", PASSWORD, 303).await;
    let welcome = w.browser.html("/welcome").await;
    let hrefs = attrs(&welcome, "nav.menu a[href]", "href");
    assert!(hrefs.len() >= 10, "{hrefs:?}");
    for href in &hrefs {
        let html = w.browser.html(href).await;
        assert_eq!(count(&html, "nav.menu"), 1, "{href} is inside the shell");
    }
    assert!(hrefs.iter().any(|h| h == "/department-counters"));
    let html = w.browser.html("/department-counters").await;
    assert_eq!(
        text(&html, "#coming-soon strong"),
        "準備中",
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
async fn logins_failures_lockouts_and_password_changes_are_audited_without_passwords() {
    let w = setup().await;
    for _ in 0..5 {
        w.login_as("yamada", "wrong-pass1", 401).await;
    }
    w.login_as("yamada", PASSWORD, 401).await; // refused: locked
    w.login_as("nobody", "wrong-pass1", 401).await;
    w.app.clock.advance(12 * 60_000);
    w.login_as("yamada", PASSWORD, 303).await;
    w.change_password(FRESH, 303).await;
    let token = w.browser.session_csrf().await;
    w.browser
        .post_expect("/logout", &[("csrf", &token)], 303)
        .await;

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
    w.app.user(&tenant, "smith", None, "en").await;
    w.login_as("smith", PASSWORD, 303).await;
    let refused = w.change_password(WRONG, 422).await;
    for field in ["current_password", "new_password", "confirmation"] {
        let message = field_error(&refused.html, field);
        assert!(message.len() > 10, "{field}: {message}");
        assert!(
            message.is_ascii(),
            "{field} is explained in English: {message}"
        );
    }
    assert_eq!(
        field_error(&refused.html, "current_password"),
        "The current password is incorrect."
    );
}
