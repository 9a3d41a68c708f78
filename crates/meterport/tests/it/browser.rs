//! The customer's screens in a real browser (headless Chromium through chromedriver): login,
//! lockout, password expiry, change password, languages, logout and the back button, the
//! phone layout, and the e-mail flows (SPEC S1-S6, S24-S27, Q4).
//!
//! `web_auth.rs` checks the same flows over plain HTTP; here what matters is what a person
//! sees and does: fields typed into, buttons clicked, redirects followed by the browser, the
//! CSS applied, the CSP enforced, the cache honoured by the back button.
//!
//! Needs Debian's chromium and chromium-driver: `scripts/test` runs `scripts/ensure-browser`,
//! which installs them. Without them these tests fail and say so; they never skip.
//! Each test leaves PNG screenshots of the screens it visited in `artifacts/screenshots/`.

use std::time::Duration;

use crate::harness::chromium::{Browser, DESKTOP, PHONE};
use crate::harness::smtp::SmtpServer;
use crate::harness::{PASSWORD, T0, TestApp};
use meterport_store::tenants::Tenant;

const DAY: i64 = 86_400_000;

/// The portal with one customer user, 山田 太郎 (`yamada`, Japanese), and two announcements,
/// so that the welcome screen looks like a real one.
struct Portal {
    app: TestApp,
    tenant: Tenant,
    user_id: i64,
}

async fn portal() -> Portal {
    portal_on(TestApp::spawn().await).await
}

/// The same portal sending its mail to a test SMTP server, links pointing at this portal.
async fn portal_with_mail(smtp: &SmtpServer) -> Portal {
    portal_on(TestApp::spawn_with_mail(&smtp.url()).await).await
}

async fn portal_on(app: TestApp) -> Portal {
    let (tenant, user) = app.acme_yamada(Some("yamada@example.com")).await;
    app.store
        .create_announcement(
            "12月29日(水)から1月3日(月)まで、サービス窓口は年末年始休業となります。期間中の故障のご連絡は、お問い合わせフォームから受け付けます。",
            "Our service desk is closed for the New Year holidays from Wednesday 29 December to Monday 3 January. Please report faults through the contact form during this period.",
            T0 - 2 * DAY,
            None,
            T0 - 2 * DAY,
        )
        .await
        .unwrap();
    app.store
        .create_announcement(
            "カウンター情報画面に日別集計を追加しました。",
            "Daily totals are now available on the counter information screen.",
            T0 - DAY,
            None,
            T0 - DAY,
        )
        .await
        .unwrap();
    Portal {
        app,
        tenant,
        user_id: user.id,
    }
}

/// The menu of SPEC §3 in the seed's order, as addresses and Japanese labels.
const MENU_JA: &[(&str, &str)] = &[
    ("/welcome", "サービストップ"),
    ("/devices", "デバイスリスト"),
    ("/counters", "カウンター情報"),
    ("/department-counters", "部門別集計"),
    ("/supplies", "トナー/インク在庫"),
    ("/settings/notifications", "電子メール通知"),
    ("/settings/groups", "デバイスグループ"),
    ("/settings/paper-sizes", "用紙サイズ"),
    ("/account/profile", "ユーザー情報"),
    ("/account/password", "パスワードの変更"),
    ("/account/email", "通知先メールアドレスの変更"),
];

const MENU_EN: &[&str] = &[
    "Service top",
    "Device list",
    "Counter information",
    "Department counters",
    "Toner/ink stock",
    "E-mail notification",
    "Device groups",
    "Paper sizes",
    "User information",
    "Change password",
    "Change e-mail address",
];

/// The portal, a browser for the test `name`, and yamada logged in through the form.
async fn logged_in(name: &'static str) -> (Portal, Browser) {
    let p = portal().await;
    let b = Browser::start(name, &p.app.base).await;
    b.log_in("yamada", PASSWORD).await;
    (p, b)
}

/// Fills in the password form, the current password right, and submits it.
async fn change_password(b: &Browser, new: &str, confirmation: &str) {
    let fields = [
        ("#current_password", PASSWORD),
        ("#new_password", new),
        ("#confirmation", confirmation),
    ];
    b.submit(&fields, "main form button[type=submit]").await;
}

/// Fills in the form of a new notification address, the password right, and submits it.
async fn submit_address(b: &Browser, email: &str, confirmation: &str) {
    let fields = [
        ("#email", email),
        ("#confirmation", confirmation),
        ("#password", PASSWORD),
    ];
    b.submit(&fields, "main form button[type=submit]").await;
}

/// Fills in the form of a mailed reset link and submits it.
async fn submit_reset(b: &Browser, new: &str, confirmation: &str) {
    let fields = [("#new_password", new), ("#confirmation", confirmation)];
    b.submit(&fields, "#reset button[type=submit]").await;
}

/// The back button, which must lead to the login screen: the page's visible text.
async fn back_to_login(b: &Browser) -> String {
    b.back().await;
    let path = b.path().await;
    assert!(path.starts_with("/login"), "back leads to {path}");
    b.body_text().await
}

/// Logs out with the header's button.
async fn log_out(b: &Browser) {
    b.click_and_wait("header.top form[action='/logout'] button")
        .await;
    assert_eq!(b.path().await, "/login?notice=logged-out");
}

/// The width the page has to lay out in (the window less a vertical scroll bar).
async fn client_width(b: &Browser) -> f64 {
    b.js("return document.documentElement.clientWidth;")
        .await
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn a_user_logs_in_and_sees_the_welcome_screen_with_the_whole_menu() {
    let p = portal().await;
    let mut b = Browser::start("login_welcome", &p.app.base).await;

    // A Japanese browser gets the Japanese login screen.
    b.goto("/").await;
    assert_eq!(
        b.path().await,
        "/login",
        "the portal's root leads to the login"
    );
    assert_eq!(b.text("main h1").await, "ログイン");
    assert_eq!(b.text("label[for=username]").await, "ユーザー名");
    assert_eq!(b.js("return document.documentElement.lang;").await, "ja");
    b.screenshot("login-ja").await;

    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
    assert_eq!(b.text("main h1").await, "ようこそ");
    assert_eq!(b.text("#welcome-username").await, "yamada");
    assert_eq!(b.text("#previous-login").await, "初めてのログインです。");
    assert_eq!(b.text("header.top .who").await, "山田 太郎");

    // The second login shows the first one's time, in the user's zone (Tokyo: T0 is
    // 2021-12-01 00:00 UTC, 09:00 in Tokyo).
    log_out(&b).await;
    p.app.clock.advance(2 * 3_600_000);
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.text("#previous-login").await, "2021/12/01 09:00:00");

    // Announcements, newest first.
    let news = b.texts("#announcements li").await;
    assert_eq!(news.len(), 2, "{news:?}");
    assert!(
        news[0].contains("日別集計") && news[1].contains("年末年始"),
        "{news:?}"
    );

    // The left menu has every entry of the seed, in its order, with its section headings.
    let hrefs = b.attrs("nav.menu a", "href").await;
    let labels = b.texts("nav.menu a").await;
    let expected_hrefs: Vec<&str> = MENU_JA.iter().map(|(h, _)| *h).collect();
    let expected_labels: Vec<&str> = MENU_JA.iter().map(|(_, l)| *l).collect();
    assert_eq!(hrefs, expected_hrefs);
    assert_eq!(labels, expected_labels);
    assert_eq!(
        b.texts("nav.menu h2").await,
        ["デバイス", "設定", "ログインユーザー情報"]
    );
    assert_eq!(
        b.attrs("nav.menu a[aria-current=page]", "href").await,
        ["/welcome"]
    );
    // Top right: Home, Manual, the other language, Logout.
    assert_eq!(
        b.texts("header.top nav a, header.top nav button").await,
        ["ホーム", "マニュアル", "English", "ログアウト"]
    );
    b.screenshot("welcome").await;

    // Every entry opens its screen (none is a dead link), titled as in the menu and marked
    // as the current one.
    for (href, label) in &MENU_JA[1..] {
        b.click_and_wait(&format!("nav.menu a[href='{href}']"))
            .await;
        assert_eq!(&b.path().await, href);
        assert_eq!(&b.text("main h1").await, label, "the screen of {href}");
        assert_eq!(
            b.attrs("nav.menu a[aria-current=page]", "href").await,
            [*href],
            "{href} is marked in the menu"
        );
        if *href == "/devices" {
            b.screenshot("device-list").await;
        }
    }
    b.close().await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_until_twelve_minutes_have_passed() {
    let p = portal().await;
    let mut b = Browser::start("lockout", &p.app.base).await;
    b.goto("/login").await;
    for attempt in 1..=4 {
        b.log_in("yamada", "wrong-pass1").await;
        assert_eq!(
            b.text("#login-error").await,
            "ユーザー名またはパスワードが正しくありません。",
            "attempt {attempt}"
        );
        // The refused form keeps the user name, so that only the password is typed again.
        assert_eq!(b.value("#username").await, "yamada");
    }
    b.screenshot("wrong-password").await;

    // The fifth locks, until 12 minutes later (09:12 in Tokyo).
    b.log_in("yamada", "wrong-pass1").await;
    let locked = b.text("#login-error").await;
    assert!(locked.contains("ロックされています"), "{locked}");
    assert!(
        locked.contains("2021/12/01 09:12"),
        "the message says until when: {locked}"
    );
    b.screenshot("locked").await;

    // The right password is refused during the lock.
    b.log_in("yamada", PASSWORD).await;
    assert!(b.path().await.starts_with("/login"));
    assert!(b.text("#login-error").await.contains("ロックされています"));

    p.app.clock.advance(12 * 60_000);
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
    assert_eq!(b.text("main h1").await, "ようこそ");
    b.close().await;
}

#[tokio::test]
async fn the_expiry_warning_names_the_date_and_an_expired_password_must_be_changed_first() {
    let p = portal().await;
    let mut b = Browser::start("expiry", &p.app.base).await;

    // The password was set at T0 (2021-12-01) and expires three months later, 2022-03-01.
    // Seven days before, the welcome screen warns and names the date.
    p.app.clock.set(T0 + 84 * DAY);
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
    let warning = b.text("#expiry-warning").await;
    assert!(warning.contains("2022/03/01"), "{warning}");
    assert_eq!(
        b.attrs("#expiry-warning a", "href").await,
        ["/account/password"],
        "the warning links to the change"
    );
    b.screenshot("warning").await;
    log_out(&b).await;

    // After expiry the login leads to the change-password screen only.
    p.app.clock.set(T0 + 91 * DAY);
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/account/password");
    assert!(b.shown("#must-change").await);
    assert!(
        b.texts("nav.menu a").await.is_empty(),
        "no menu until the password is changed"
    );
    b.screenshot("must-change").await;
    for page in ["/welcome", "/counters", "/account/profile"] {
        b.goto(page).await;
        assert_eq!(b.path().await, "/account/password", "{page} is closed");
    }

    change_password(&b, "fresh2022", "fresh2022").await;
    assert_eq!(b.path().await, "/account/password/saved");
    assert!(b.text("#saved").await.contains("パスワードを変更しました"));
    assert_eq!(
        b.texts("nav.menu a").await.len(),
        MENU_JA.len(),
        "the menu is back"
    );
    b.screenshot("changed").await;

    // The portal is open again, and the new password is valid for three more months.
    b.click_and_wait("nav.menu a[href='/welcome']").await;
    assert_eq!(b.path().await, "/welcome");
    assert!(!b.exists("#expiry-warning").await);
    b.close().await;
}

#[tokio::test]
async fn a_password_change_from_the_menu_explains_each_bad_field_then_saves() {
    let (_p, mut b) = logged_in("change_password").await;
    b.open_from_menu("/account/password", "パスワードの変更")
        .await;
    assert!(
        !b.exists("#must-change").await,
        "a voluntary change is not a forced one"
    );
    b.screenshot("form").await;

    // Too short, no digit, and a confirmation that differs: each message is next to its field.
    change_password(&b, "abc", "abd").await;
    assert_eq!(b.path().await, "/account/password");
    for field in ["new_password", "confirmation"] {
        let error = b.find(&format!("#error-{field}")).await;
        assert!(
            error.is_displayed().await.unwrap(),
            "{field}'s message is visible"
        );
        assert!(!error.text().await.unwrap().is_empty());
        let input = b.find(&format!("#{field}")).await;
        assert_eq!(
            input.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        // The message, and for the new password also its rule, are read with the field.
        let described = input.attr("aria-describedby").await.unwrap();
        assert_eq!(
            described
                .as_deref()
                .and_then(|d| d.split_whitespace().next()),
            Some(format!("error-{field}").as_str()),
            "a screen reader reads the message with the field: {described:?}"
        );
        // The message sits right under its own field, not in a list elsewhere.
        let field_box = b.find(&format!(".field:has(#{field})")).await;
        assert!(
            field_box
                .find(fantoccini::Locator::Css(&format!("#error-{field}")))
                .await
                .is_ok()
        );
    }
    assert!(
        !b.exists("#error-current_password").await,
        "the current password was right"
    );
    assert!(!b.exists("#saved").await);
    b.screenshot("refused").await;

    change_password(&b, "newpass2022", "newpass2022").await;
    assert_eq!(b.path().await, "/account/password/saved");
    assert_eq!(
        b.text("#saved").await,
        "パスワードを変更しました。有効期限は3ヶ月です。"
    );
    b.screenshot("saved").await;

    // The new password is the one that works now.
    log_out(&b).await;
    b.log_in("yamada", PASSWORD).await;
    assert!(
        b.path().await.starts_with("/login"),
        "the old password is refused"
    );
    b.log_in("yamada", "newpass2022").await;
    assert_eq!(b.path().await, "/welcome");
    b.close().await;
}

#[tokio::test]
async fn the_login_screen_switches_to_english_with_the_header_s_language_links() {
    let p = portal().await;
    let mut b = Browser::start("login_language", &p.app.base).await;
    b.goto("/login").await;
    assert_eq!(
        b.text("header.top nav strong[aria-current]").await,
        "日本語"
    );

    b.click_and_wait("header.top a[hreflang=en]").await;
    assert!(
        b.path().await.starts_with("/login"),
        "the switch comes back to the same screen"
    );
    assert_eq!(b.js("return document.documentElement.lang;").await, "en");
    assert_eq!(b.text("main h1").await, "Log in");
    assert_eq!(b.text("label[for=username]").await, "User name");
    assert_eq!(b.text("label[for=password]").await, "Password");
    assert_eq!(b.text("#login button[type=submit]").await, "Log in");
    assert_eq!(b.text("#forgot-link").await, "Forgot your password?");
    assert_eq!(
        b.text("header.top nav strong[aria-current]").await,
        "English"
    );
    b.screenshot("login-en").await;

    // The choice holds for the next screens before login, messages included.
    b.log_in("yamada", "wrong-pass1").await;
    assert_eq!(
        b.text("#login-error").await,
        "The user name or password is incorrect."
    );
    b.screenshot("login-en-error").await;

    b.click_and_wait("header.top a[hreflang=ja]").await;
    assert_eq!(b.text("main h1").await, "ログイン");
    b.close().await;
}

#[tokio::test]
async fn choosing_english_in_user_information_switches_the_menu_to_english() {
    let (p, mut b) = logged_in("profile_language").await;
    b.open_from_menu("/account/profile", "ユーザー情報").await;
    assert_eq!(b.text("#profile-username").await, "yamada");
    assert!(
        b.text("#profile-email")
            .await
            .contains("yamada@example.com")
    );
    assert_eq!(b.value("#last_name").await, "山田");
    b.screenshot("profile-ja").await;

    b.find("#language")
        .await
        .select_by_value("en")
        .await
        .unwrap();
    b.click_and_wait("main form button[type=submit]").await;
    assert_eq!(b.path().await, "/account/profile/saved");
    assert_eq!(
        b.text("#saved").await,
        "Your user information has been saved."
    );
    assert_eq!(b.js("return document.documentElement.lang;").await, "en");
    assert_eq!(b.texts("nav.menu a").await, MENU_EN);
    // The section headings are set in capitals by the style sheet (what the user reads).
    assert_eq!(
        b.texts("nav.menu h2").await,
        ["DEVICES", "SETTINGS", "LOGIN USER"]
    );
    assert_eq!(
        b.texts("header.top nav a, header.top nav button").await,
        ["Home", "Manual", "日本語", "Logout"]
    );
    b.screenshot("profile-en").await;

    b.open_from_menu("/welcome", "Welcome").await;
    let news = b.texts("#announcements li").await;
    assert!(
        news[0].contains("Daily totals"),
        "announcements in English too: {news:?}"
    );
    b.screenshot("welcome-en").await;

    // The choice is the user's, not the browser's: it holds at the next login.
    log_out(&b).await;
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.text("main h1").await, "Welcome");
    let user = p.app.store.user(p.tenant.id, p.user_id).await.unwrap();
    assert_eq!(user.language, "en");
    b.close().await;
}

#[tokio::test]
async fn after_logout_the_back_button_shows_nothing_private() {
    let (_p, mut b) = logged_in("logout_back").await;
    b.click_and_wait("nav.menu a[href='/account/profile']")
        .await;
    b.click_and_wait("nav.menu a[href='/welcome']").await;
    assert_eq!(b.text("header.top .who").await, "山田 太郎");

    log_out(&b).await;
    assert_eq!(b.text("#login-info").await, "ログアウトしました。");
    b.screenshot("logged-out").await;

    // Back to where the user was: the page is not shown from the browser's cache (the portal
    // sends `Cache-Control: no-store`) and the server no longer knows the session, so the
    // browser lands on the login screen and no name or private data is visible.
    let text = back_to_login(&b).await;
    assert!(b.exists("#username").await, "the login form is shown");
    assert!(
        !text.contains("山田") && !text.contains("yamada"),
        "private data after back: {text}"
    );
    assert!(!b.exists("#welcome-username").await);
    b.screenshot("back").await;

    // Once more back, to the profile: the same.
    let text = back_to_login(&b).await;
    assert!(!text.contains("yamada@example.com"), "{text}");
    b.close().await;
}

#[tokio::test]
async fn two_tabs_of_one_login_both_work() {
    let (_p, b) = logged_in("two_tabs").await;
    let first = b.client.window().await.unwrap();
    let second = b.client.new_window(true).await.unwrap().handle;
    b.client.switch_to_window(second).await.unwrap();
    b.goto("/account/profile").await;
    assert_eq!(
        b.text("main h1").await,
        "ユーザー情報",
        "the second tab is logged in"
    );

    // A form sent from the first tab still carries a valid CSRF token.
    b.client.switch_to_window(first).await.unwrap();
    b.click_and_wait("nav.menu a[href='/account/profile']")
        .await;
    b.submit(&[("#first_name", "次郎")], "main form button[type=submit]")
        .await;
    assert_eq!(b.path().await, "/account/profile/saved");
    assert_eq!(b.text("header.top .who").await, "山田 次郎");
    b.close().await;
}

#[tokio::test]
async fn on_a_phone_the_menu_folds_above_the_content_and_nothing_overflows() {
    let p = portal().await;
    let mut b = Browser::start("phone", &p.app.base).await;
    b.viewport(PHONE).await;

    b.goto("/login").await;
    b.assert_fits_width("login").await;
    b.screenshot("login").await;
    b.click_and_wait("header.top a[hreflang=en]").await;
    b.assert_fits_width("login in English").await;
    b.screenshot("login-en").await;
    b.click_and_wait("header.top a[hreflang=ja]").await;

    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");
    b.assert_fits_width("welcome").await;
    // The menu is folded behind its button, so the screen's content starts near the top.
    assert!(b.shown("#menu-button").await, "the menu button");
    assert!(!b.shown("nav.menu").await, "the menu is folded");
    let content = b.find("main#content").await.rectangle().await.unwrap();
    let (_, content_y, content_w, _) = content;
    assert!(
        content_y < PHONE.1 as f64 / 4.0,
        "the content starts {content_y} px down"
    );
    let width = client_width(&b).await;
    assert!(width > PHONE.0 as f64 - 20.0, "a phone-wide page: {width}");
    assert!((content_w - width).abs() < 1.0, "content {content:?}");
    b.screenshot("welcome-menu-folded").await;
    // The button opens it above the content, the width of the page, every entry there.
    b.find("#menu-button").await.click().await.unwrap();
    assert!(b.shown("nav.menu").await, "the menu opens");
    assert_eq!(
        b.attrs("#menu-toggle", "aria-expanded").await,
        ["true"],
        "assistive technology is told"
    );
    let menu = b.find("nav.menu").await.rectangle().await.unwrap();
    let content = b.find("main#content").await.rectangle().await.unwrap();
    let (menu_x, menu_y, menu_w, menu_h) = menu;
    assert!(
        menu_x.abs() < 1.0 && (menu_w - width).abs() < 1.0,
        "menu {menu:?}"
    );
    assert!(
        menu_y + menu_h <= content.1 + 0.5,
        "menu {menu:?} above content {content:?}"
    );
    assert_eq!(b.texts("nav.menu a").await.len(), MENU_JA.len());
    b.screenshot("welcome").await;

    for (href, name) in [
        ("/account/password", "password"),
        ("/account/profile", "profile"),
    ] {
        b.goto(href).await;
        b.assert_fits_width(href).await;
        b.screenshot(name).await;
    }

    // The same in English, whose labels are longer.
    b.find("#language")
        .await
        .select_by_value("en")
        .await
        .unwrap();
    b.click_and_wait("main form button[type=submit]").await;
    b.goto("/welcome").await;
    b.assert_fits_width("welcome in English").await;
    b.screenshot("welcome-en").await;

    // Back to the desktop width: the menu is on the left again.
    b.viewport(DESKTOP).await;
    let (menu_x, _, menu_w, _) = b.find("nav.menu").await.rectangle().await.unwrap();
    let (content_x, _, _, _) = b.find("main#content").await.rectangle().await.unwrap();
    assert!(
        menu_x.abs() < 1.0 && content_x >= menu_x + menu_w - 0.5,
        "a left menu at 1280 px"
    );
    b.close().await;
}

#[tokio::test]
async fn a_new_notification_address_takes_effect_when_the_mailed_link_is_opened() {
    let smtp = SmtpServer::start();
    let p = portal_with_mail(&smtp).await;
    let mut b = Browser::start("change_email", &p.app.base).await;
    b.log_in("yamada", PASSWORD).await;
    b.open_from_menu("/account/email", "通知先メールアドレスの変更")
        .await;
    assert_eq!(b.text("#current-email").await, "yamada@example.com");
    b.screenshot("form").await;

    // A confirmation that differs is refused next to its field.
    submit_address(&b, "taro.yamada@example.net", "taro.yamada@example.com").await;
    assert!(b.shown("#error-confirmation").await);
    b.screenshot("refused").await;

    submit_address(&b, "taro.yamada@example.net", "taro.yamada@example.net").await;
    assert_eq!(b.path().await, "/account/email/sent");
    assert!(b.shown("#sent").await);
    // Until the link is opened the old address stays the notification address.
    assert_eq!(b.text("#current-email").await, "yamada@example.com");
    assert!(
        b.text("#pending-email")
            .await
            .contains("taro.yamada@example.net")
    );
    b.screenshot("sent").await;

    let mail = smtp
        .wait_for("taro.yamada@example.net", Duration::from_secs(20))
        .await;
    let link = mail.first_link();
    assert!(
        link.starts_with(&p.app.base),
        "the link points at this portal: {link}"
    );
    b.goto(&link).await;
    assert_eq!(b.path().await, "/account/email/confirmed");
    assert!(b.shown("#email-confirmed").await);
    b.screenshot("confirmed").await;

    b.click_and_wait("#to-portal").await;
    assert_eq!(b.path().await, "/welcome");
    b.click_and_wait("nav.menu a[href='/account/profile']")
        .await;
    assert!(
        b.text("#profile-email")
            .await
            .contains("taro.yamada@example.net")
    );
    let user = p.app.store.user(p.tenant.id, p.user_id).await.unwrap();
    assert_eq!(user.email.as_deref(), Some("taro.yamada@example.net"));

    // The link works once.
    b.goto(&link).await;
    assert!(b.exists("#link-invalid").await, "a used link is refused");
    b.screenshot("link-used").await;
    b.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_the_mailed_link() {
    let smtp = SmtpServer::start();
    let p = portal_with_mail(&smtp).await;
    let mut b = Browser::start("forgot_password", &p.app.base).await;
    b.goto("/login").await;
    b.click_and_wait("#forgot-link").await;
    assert_eq!(b.path().await, "/forgot-password");
    assert_eq!(b.text("main h1").await, "パスワードを忘れた場合");
    b.screenshot("form").await;

    b.submit(&[("#username", "yamada")], "#forgot button[type=submit]")
        .await;
    assert!(b.shown("#forgot-sent").await);
    b.screenshot("sent").await;

    let mail = smtp
        .wait_for("yamada@example.com", Duration::from_secs(20))
        .await;
    let link = mail.first_link();
    assert!(link.starts_with(&p.app.url("/reset-password/")), "{link}");
    b.goto(&link).await;
    assert_eq!(b.text("#reset-username").await, "yamada");
    b.screenshot("reset-form").await;

    // The password rules hold here too.
    submit_reset(&b, "short", "short").await;
    assert!(b.shown("#error-new_password").await);
    b.screenshot("reset-refused").await;

    submit_reset(&b, "remember2022", "remember2022").await;
    assert_eq!(b.path().await, "/login?notice=password-reset");
    assert_eq!(
        b.text("#login-info").await,
        "パスワードを変更しました。新しいパスワードでログインしてください。"
    );
    b.screenshot("done").await;

    b.log_in("yamada", PASSWORD).await;
    assert!(
        b.path().await.starts_with("/login"),
        "the old password no longer works"
    );
    b.log_in("yamada", "remember2022").await;
    assert_eq!(b.path().await, "/welcome");

    // The link was single-use.
    b.goto(&link).await;
    assert!(b.exists("#link-invalid").await, "a used link is refused");
    b.close().await;
}
