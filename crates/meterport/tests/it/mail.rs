//! Mail through the front door, received by a real SMTP server (tests/common/smtp.rs):
//! forgotten password (SPEC S4), change of the notification address (S26), the outbox's
//! retries, the operator's announcements (S5, O1) and the audit of it all (Q4).

use std::time::Duration;

use crate::harness::smtp::{SmtpServer, first_link, unused_port};
use crate::harness::web::{
    Browser, Page, attr, csrf, error_fields, error_notice, field_error, page_lang, text, texts,
    value,
};
use crate::harness::{PASSWORD, T0, TestApp, each, refused_fields};
use meterport_store::tenants::Tenant;
use serde_json::{Value, json};
const WAIT: Duration = Duration::from_secs(15);
const MINUTE: i64 = 60_000;

/// The path of a link to the test's portal.
fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{link} points at {}", app.base))
        .to_string()
}

struct World {
    smtp: SmtpServer,
    app: TestApp,
    tenant: Tenant,
}

/// A portal mailing to a real SMTP server, with three users: yamada (Japanese, an address),
/// smith (English, an address) and suzuki (no address).
async fn world() -> World {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    let tenant = users(&app).await;
    World { smtp, app, tenant }
}

async fn users(app: &TestApp) -> Tenant {
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    for (name, email, lang) in [
        ("yamada", Some("yamada@example.com"), "ja"),
        ("smith", Some("smith@example.com"), "en"),
        ("suzuki", None, "ja"),
    ] {
        app.user(&tenant, name, email, lang).await;
    }
    tenant
}

const SENT_JA: &str = "入力されたユーザーが存在し、通知先メールアドレスが登録されている場合は";

/// Whether a page is the answer to a reset request (the same whoever asked).
fn says_sent(html: &str) -> bool {
    text(html, "#forgot-sent").starts_with(SENT_JA)
}

/// The message of a page that refuses a used or expired link.
fn link_refusal(page: &Page) -> String {
    assert_eq!(page.status, 410, "{}", page.html);
    text(&page.html, "#link-invalid")
}

/// Asks for a reset link for `user` from a fresh browser; returns the answer.
async fn forgot(app: &TestApp, user: &str) -> Page {
    Browser::on(app)
        .submit(
            "/forgot-password",
            "/forgot-password",
            &[("username", user)],
            200,
        )
        .await
}

/// Asks for a reset link and returns the link's path, from the mail received.
async fn reset_link(w: &World, user: &str, address: &str) -> String {
    let answer = forgot(&w.app, user).await;
    assert_eq!(answer.status, 200);
    let mail = w.smtp.wait_for(address, WAIT).await;
    path_of(&w.app, &mail.first_link())
}

/// Submits the form of the reset link `path` (opened first) with a new password and its
/// confirmation; the answer must be `status`.
async fn reset(b: &Browser, path: &str, new: &str, confirmation: &str, status: u16) -> Page {
    let fields = [("new_password", new), ("confirmation", confirmation)];
    b.submit(path, path, &fields, status).await
}

// ---- Forgotten password (S4)

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_mailed_link_and_the_new_one_logs_in() {
    let w = world().await;

    let answer = forgot(&w.app, "yamada").await;
    assert!(says_sent(&answer.html));

    let mail = w.smtp.wait_for("yamada@example.com", WAIT).await;
    assert_eq!(mail.subject, "【Customer Portal】パスワード再設定のご案内");
    assert_eq!(mail.from, "portal@example.com");
    assert!(mail.text.contains("yamada"), "{}", mail.text);
    let link = mail.first_link();
    assert!(
        link.starts_with(&format!("{}/reset-password/", w.app.base)),
        "{link}"
    );
    assert_eq!(
        link.len() - w.app.base.len() - "/reset-password/".len(),
        64,
        "256 bits in hex"
    );
    assert_eq!(
        attr(&mail.html, "a[href]", "href"),
        link,
        "the HTML part's button"
    );

    let b = Browser::on(&w.app);
    let form = b.html(&link).await;
    assert_eq!(text(&form, "#reset-username"), "yamada");
    let path = path_of(&w.app, &link);
    let done = reset(&b, &path, "fresh2022", "fresh2022", 303).await;
    assert_eq!(
        (done.status, done.location.as_deref()),
        (303, Some("/login?notice=password-reset"))
    );
    let login_page = b.html("/login?notice=password-reset").await;
    assert!(text(&login_page, "#login-info").contains("新しいパスワードでログインしてください"));

    assert_eq!(
        Browser::on(&w.app)
            .login("yamada", "fresh2022")
            .await
            .location
            .as_deref(),
        Some("/welcome")
    );
    assert_eq!(
        Browser::on(&w.app)
            .login_to("yamada", PASSWORD, "/welcome")
            .await
            .status,
        401,
        "the old one is gone"
    );
}

#[tokio::test]
async fn the_reset_mail_is_written_in_the_user_s_display_language() {
    let w = world().await;
    forgot(&w.app, "smith").await;
    let mail = w.smtp.wait_for("smith@example.com", WAIT).await;
    assert_eq!(mail.subject, "[Customer Portal] Reset your password");
    assert!(
        mail.text.contains("the user name \"smith\""),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("(Asia/Tokyo)"),
        "times in the user's zone: {}",
        mail.text
    );
    assert_eq!(page_lang(&mail.html), "en");
}

#[tokio::test]
async fn a_reset_link_works_only_once() {
    let w = world().await;
    let path = reset_link(&w, "yamada", "yamada@example.com").await;
    let b = Browser::on(&w.app);
    let done = reset(&b, &path, "fresh2022", "fresh2022", 303).await;
    assert_eq!(done.status, 303);

    let again = b.get(&path).await;
    assert!(link_refusal(&again).contains("このURLは使用済みか"));
    assert_eq!(
        attr(&again.html, "#ask-again", "href"),
        "/forgot-password",
        "a way to ask again"
    );
    let replay = b
        .post(
            &path,
            &[
                ("csrf", "x"),
                ("new_password", "other2022"),
                ("confirmation", "other2022"),
            ],
        )
        .await;
    assert_eq!(replay.status, 410);
    assert_eq!(
        Browser::on(&w.app)
            .login("yamada", "fresh2022")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_reset_link_expires_sixty_minutes_after_the_request() {
    let w = world().await;
    let path = reset_link(&w, "yamada", "yamada@example.com").await;
    let b = Browser::on(&w.app);

    w.app.clock.advance(59 * MINUTE);
    let form = b.get(&path).await;
    assert_eq!(form.status, 200, "still valid after 59 minutes");

    w.app.clock.advance(MINUTE);
    let late = b.get(&path).await;
    assert!(link_refusal(&late).contains("有効期限が切れています"));
    let token = csrf(&form.html);
    let refused = b
        .post(
            &path,
            &[
                ("csrf", &token),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
        )
        .await;
    assert_eq!(refused.status, 410, "the form opened in time does not help");
    assert_eq!(
        Browser::on(&w.app).login("yamada", PASSWORD).await.status,
        303,
        "unchanged"
    );
}

#[tokio::test]
async fn unknown_users_and_users_without_an_address_get_the_same_answer_in_the_same_time_and_no_mail()
 {
    let w = world().await;
    let mut answers = Vec::new();
    for user in ["ghost", "suzuki", "yamada"] {
        let b = Browser::on(&w.app);
        let form = b.get("/forgot-password").await;
        let token = csrf(&form.html);
        let started = std::time::Instant::now();
        let answer = b
            .post("/forgot-password", &[("csrf", &token), ("username", user)])
            .await;
        answers.push((user, answer, started.elapsed()));
    }
    let (_, first, _) = &answers[0];
    assert!(says_sent(&first.html));
    assert!(text(&first.html, "#forgot-no-address").contains("担当営業またはサービス"));
    for (user, answer, took) in &answers {
        assert_eq!(answer.status, 200, "{user}");
        assert_eq!(answer.html, first.html, "{user} gets the very same page");
        assert!(*took >= Duration::from_millis(400), "{user}: {took:?}");
    }
    let times: Vec<Duration> = answers.iter().map(|(_, _, t)| *t).collect();
    let spread = *times.iter().max().unwrap() - *times.iter().min().unwrap();
    assert!(
        spread < Duration::from_millis(350),
        "answer times {times:?}"
    );

    w.smtp.wait_for("yamada@example.com", WAIT).await;
    let counts = wait_for_counts(&w.app, |c| c.sent == 1).await;
    assert_eq!(
        (counts.pending, counts.failed),
        (0, 0),
        "only the account with an address got mail"
    );
    assert_eq!(w.smtp.received().len(), 1);
}

#[tokio::test]
async fn a_newer_reset_request_retires_the_link_sent_before() {
    let w = world().await;
    let first = reset_link(&w, "yamada", "yamada@example.com").await;
    w.app.clock.advance(2 * MINUTE);
    let second = reset_link(&w, "yamada", "yamada@example.com").await;
    assert_ne!(first, second);
    let b = Browser::on(&w.app);
    assert_eq!(b.get(&first).await.status, 410);
    assert_eq!(b.get(&second).await.status, 200);
}

#[tokio::test]
async fn a_second_request_within_a_minute_sends_no_second_mail() {
    let w = world().await;
    reset_link(&w, "yamada", "yamada@example.com").await;
    let again = forgot(&w.app, "yamada").await;
    assert!(says_sent(&again.html), "the same answer");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        w.smtp.received_for("yamada@example.com").len(),
        1,
        "no mailbox flooding"
    );
}

#[tokio::test]
async fn a_reset_through_the_link_ends_every_session_of_the_user() {
    let w = world().await;
    let elsewhere = Browser::on(&w.app);
    elsewhere.login("yamada", PASSWORD).await;
    assert_eq!(elsewhere.get("/welcome").await.status, 200);

    let path = reset_link(&w, "yamada", "yamada@example.com").await;
    let b = Browser::on(&w.app);
    reset(&b, &path, "fresh2022", "fresh2022", 303).await;

    let after = elsewhere.get("/welcome").await;
    assert_eq!(after.status, 303, "logged out");
    assert!(after.location.unwrap().starts_with("/login"));
}

#[tokio::test]
async fn a_new_password_that_breaks_the_rules_is_refused_next_to_its_fields_and_the_link_still_works()
 {
    let w = world().await;
    let path = reset_link(&w, "yamada", "yamada@example.com").await;
    let b = Browser::on(&w.app);

    let bad = reset(&b, &path, "abc", "abd", 422).await;
    assert_eq!(error_fields(&bad.html), ["new_password", "confirmation"]);
    assert!(
        field_error(&bad.html, "new_password").contains("半角6～512文字"),
        "the rule is named"
    );

    let same = reset(&b, &path, PASSWORD, PASSWORD, 422).await;
    assert!(
        field_error(&same.html, "new_password")
            .contains("これまでのパスワードとは異なるパスワード")
    );

    let forged = b
        .post(
            &path,
            &[
                ("csrf", "forged"),
                ("new_password", "fresh2022"),
                ("confirmation", "fresh2022"),
            ],
        )
        .await;
    assert!(error_notice(&forged.html).starts_with("フォームの有効期限が切れた"));

    assert_eq!(
        Browser::on(&w.app).login("yamada", PASSWORD).await.status,
        303,
        "unchanged"
    );
    let ok = reset(&b, &path, "fresh2022", "fresh2022", 303).await;
    assert_eq!(ok.status, 303, "the link was not used up by the refusals");
}

#[tokio::test]
async fn the_forgot_password_form_needs_its_own_csrf_token_and_a_user_name() {
    let w = world().await;
    let b = Browser::on(&w.app);
    let forged = b
        .post(
            "/forgot-password",
            &[("csrf", "forged"), ("username", "yamada")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let empty = b
        .submit(
            "/forgot-password",
            "/forgot-password",
            &[("username", "  ")],
            422,
        )
        .await;
    assert_eq!(error_fields(&empty.html), ["username"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(w.smtp.received().is_empty());
}

#[tokio::test]
async fn the_login_screen_links_to_the_forgot_password_page() {
    let w = world().await;
    let login = Browser::on(&w.app).html("/login").await;
    assert_eq!(attr(&login, "#forgot-link", "href"), "/forgot-password");
    let page = Browser::on(&w.app).html("/forgot-password").await;
    assert_eq!(text(&page, "main h1"), "パスワードを忘れた場合");
}

// ---- Change of the notification address (S26)

/// Submits the address form (opened first): the new address, its confirmation and the
/// current password; the answer must be `status`.
async fn submit_address(
    b: &Browser,
    [email, confirmation, password]: [&str; 3],
    status: u16,
) -> Page {
    let fields = [
        ("email", email),
        ("confirmation", confirmation),
        ("password", password),
    ];
    b.submit("/account/email", "/account/email", &fields, status)
        .await
}

/// Logs yamada in and asks to change the address; returns the browser.
async fn request_change(w: &World, new: &str) -> Browser {
    let b = Browser::on(&w.app);
    b.login("yamada", PASSWORD).await;
    let done = submit_address(&b, [new, new, PASSWORD], 303).await;
    assert_eq!(done.location.as_deref(), Some("/account/email/sent"));
    b
}

async fn email_of(app: &TestApp, tenant: &Tenant, name: &str) -> Option<String> {
    let users = app.store.list_users(tenant.id).await.unwrap();
    users
        .into_iter()
        .find(|u| u.username == name)
        .unwrap()
        .email
}

#[tokio::test]
async fn a_new_address_becomes_the_notification_address_only_when_its_mailed_link_is_opened() {
    let w = world().await;
    let b = request_change(&w, "taro@example.org").await;

    let sent = b.html("/account/email/sent").await;
    assert!(
        text(&sent, "#sent").starts_with("新しいメールアドレスに確認用のメールを送信しました。")
    );
    assert_eq!(text(&sent, "#current-email"), "yamada@example.com");
    assert!(text(&sent, "#pending-email").starts_with("taro@example.org "));

    let mail = w.smtp.wait_for("taro@example.org", WAIT).await;
    assert_eq!(
        mail.subject,
        "【Customer Portal】通知先メールアドレスの確認"
    );
    assert_eq!(
        email_of(&w.app, &w.tenant, "yamada").await.as_deref(),
        Some("yamada@example.com"),
        "unchanged until the link is opened"
    );

    // Opened from a mail client: no login needed.
    let link = mail.first_link();
    let opened = Browser::on(&w.app).get(&link).await;
    assert_eq!(
        (opened.status, opened.location.as_deref()),
        (303, Some("/account/email/confirmed"))
    );
    let confirmed = Browser::on(&w.app).html("/account/email/confirmed").await;
    assert!(
        text(&confirmed, "#email-confirmed")
            .starts_with("通知先メールアドレスの登録が完了しました。")
    );
    assert_eq!(
        email_of(&w.app, &w.tenant, "yamada").await.as_deref(),
        Some("taro@example.org")
    );
    assert_eq!(
        text(&b.html("/account/email").await, "#current-email"),
        "taro@example.org"
    );

    let notice = w.smtp.wait_for("yamada@example.com", WAIT).await;
    assert_eq!(
        notice.subject,
        "【Customer Portal】通知先メールアドレスが変更されました"
    );
    assert!(
        !notice.text.contains("taro@"),
        "the notice does not tell the new address"
    );

    let again = Browser::on(&w.app).get(&link).await;
    link_refusal(&again); // single use
    assert_eq!(attr(&again.html, "#ask-again", "href"), "/account/email");
}

#[tokio::test]
async fn the_confirmation_link_expires_after_a_day() {
    let w = world().await;
    request_change(&w, "taro@example.org").await;
    let link = w.smtp.wait_for("taro@example.org", WAIT).await.first_link();
    w.app.clock.advance(24 * 60 * MINUTE);
    let late = Browser::on(&w.app).get(&link).await;
    assert!(link_refusal(&late).contains("有効期限が切れています"));
    assert_eq!(
        email_of(&w.app, &w.tenant, "yamada").await.as_deref(),
        Some("yamada@example.com")
    );
}

#[tokio::test]
async fn a_newer_address_request_retires_the_link_sent_before() {
    let w = world().await;
    let b = request_change(&w, "first@example.org").await;
    let first = w
        .smtp
        .wait_for("first@example.org", WAIT)
        .await
        .first_link();
    let address = "second@example.org";
    submit_address(&b, [address, address, PASSWORD], 303).await;
    let second = w.smtp.wait_for(address, WAIT).await.first_link();

    assert_eq!(Browser::on(&w.app).get(&first).await.status, 410);
    assert_eq!(Browser::on(&w.app).get(&second).await.status, 303);
    assert_eq!(
        email_of(&w.app, &w.tenant, "yamada").await.as_deref(),
        Some("second@example.org")
    );
}

#[tokio::test]
async fn a_refused_address_change_explains_each_field_and_mails_nothing() {
    let w = world().await;
    let b = Browser::on(&w.app);
    b.login("yamada", PASSWORD).await;
    // (new address, its confirmation, password): the field refused and its message.
    let cases = [
        (
            ["taro@example.org", "taro@example.org", "wrong-pass1"],
            "password",
            "現在のパスワードが正しくありません。",
        ),
        (
            ["taro@example.org", "taro@example.com", PASSWORD],
            "confirmation",
            "一致しません",
        ),
        (
            ["not an address", "not an address", PASSWORD],
            "email",
            "メールアドレスの形式",
        ),
        (
            ["yamada@example.com", "yamada@example.com", PASSWORD],
            "email",
            "現在の通知先メールアドレスと同じです。",
        ),
    ];

    for (fields, field, message) in cases {
        let refused = submit_address(&b, fields, 422).await;
        let [email, confirmation, _] = fields;
        assert_eq!(
            error_fields(&refused.html),
            [field],
            "{email} {confirmation}"
        );
        assert!(
            field_error(&refused.html, field).contains(message),
            "{field}: {}",
            field_error(&refused.html, field)
        );
        assert_eq!(
            value(&refused.html, "email"),
            email,
            "what was typed is kept"
        );
    }
    let forged = b
        .post(
            "/account/email",
            &[
                ("csrf", "forged"),
                ("email", "taro@example.org"),
                ("confirmation", "taro@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(error_notice(&forged.html).starts_with("フォームの有効期限が切れた"));

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(w.smtp.received().is_empty(), "nothing mailed");
    assert_eq!(w.app.store.outbox_counts().await.unwrap().pending, 0);
    assert_eq!(
        email_of(&w.app, &w.tenant, "yamada").await.as_deref(),
        Some("yamada@example.com")
    );
}

#[tokio::test]
async fn the_address_screen_is_in_the_menu_and_in_the_user_s_language() {
    let w = world().await;
    let b = Browser::on(&w.app);
    b.login("smith", PASSWORD).await;
    let page = b.html("/account/email").await;
    assert_eq!(
        attr(&page, "nav.menu a[aria-current=\"page\"]", "href"),
        "/account/email"
    );
    assert_eq!(
        texts(&page, "main dl.info dt")[0],
        "Current notification e-mail address"
    );
    assert_eq!(text(&page, "#current-email"), "smith@example.com");
    assert_eq!(
        attr(&page, "header.top a[href^=\"/manual\"]", "href"),
        "/manual#email",
        "the manual's topic"
    );
    assert_eq!(
        Browser::on(&w.app).get("/account/email").await.status,
        303,
        "login needed"
    );
}

// ---- The outbox

#[tokio::test]
async fn mail_waits_in_the_outbox_while_the_smtp_server_is_down_and_goes_out_when_it_is_back() {
    let port = unused_port();
    let app = TestApp::spawn_with_mail(&format!("smtp://127.0.0.1:{port}")).await;
    users(&app).await;

    let started = std::time::Instant::now();
    let answer = forgot(&app, "yamada").await;
    assert_eq!(answer.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a dead mail server does not hold the request"
    );

    // The first attempt fails and the mail waits for its retry.
    let counts = wait_for_counts(&app, |c| c.retrying == 1).await;
    assert_eq!((counts.pending, counts.sent), (1, 0));
    assert!(app.store.last_mail_error().await.unwrap().is_some());

    let smtp = SmtpServer::start_on(port);
    app.clock.advance(2_000); // past the first retry delay (1 s in tests)
    let mail = smtp.wait_for("yamada@example.com", WAIT).await;
    assert_eq!(mail.subject, "【Customer Portal】パスワード再設定のご案内");
    // The server has the mail before the sender records it as sent.
    let counts = wait_for_counts(&app, |c| c.sent == 1).await;
    assert_eq!((counts.pending, counts.failed), (0, 0));
}

#[tokio::test]
async fn a_mail_undeliverable_for_two_days_is_given_up_and_kept_with_its_error() {
    let app = TestApp::spawn_with_mail(&format!("smtp://127.0.0.1:{}", unused_port())).await;
    users(&app).await;
    forgot(&app, "yamada").await;
    let counts = wait_for_counts(&app, |c| c.retrying == 1).await;
    assert_eq!(counts.failed, 0);

    app.clock.advance(2 * 24 * 60 * MINUTE);
    let counts = wait_for_counts(&app, |c| c.failed == 1).await;
    assert_eq!((counts.pending, counts.sent), (0, 0), "no further attempts");
    let error = app
        .store
        .last_mail_error()
        .await
        .unwrap()
        .expect("the error is kept");
    assert!(!error.is_empty());
}

#[tokio::test]
async fn two_portal_instances_on_one_database_send_each_mail_once() {
    let smtp = SmtpServer::start();
    let one = TestApp::spawn_with_mail(&smtp.url()).await;
    // A second instance: its own state, sender and pool over the same database.
    let store = meterport_store::Store::open(&one.db.url).await.unwrap();
    let config = meterport_portal::mail::MailConfig::smtp(&smtp.url(), "portal@example.com")
        .unwrap()
        .with_poll_every(Duration::from_millis(100));
    let two = meterport_portal::app::AppState::new(
        meterport_portal::service::Services::new(store),
        one.clock.clone(),
        None,
    )
    .with_mail(config);
    two.mail.start();

    for i in 0..20 {
        one.store
            .enqueue_mail(
                &format!("user{i}@example.com"),
                &format!("mail {i}"),
                "text",
                "<p>html</p>",
                T0,
            )
            .await
            .unwrap();
    }
    one.state.mail.wake();
    two.mail.wake();
    for i in 0..20 {
        smtp.wait_for(&format!("user{i}@example.com"), WAIT).await;
    }
    wait_for_counts(&one, |c| c.sent == 20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 20, "no mail sent twice");
}

/// Waits until the outbox's counts satisfy `done`, and returns them.
async fn wait_for_counts(
    app: &TestApp,
    done: impl Fn(&meterport_store::outbox::OutboxCounts) -> bool,
) -> meterport_store::outbox::OutboxCounts {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let counts = app.store.outbox_counts().await.unwrap();
        if done(&counts) {
            return counts;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox stayed at {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn without_an_smtp_server_configured_mail_goes_to_the_log() {
    let app = TestApp::spawn().await;
    users(&app).await;
    forgot(&app, "yamada").await;
    wait_for_counts(&app, |c| c.sent == 1).await;
}

#[tokio::test]
async fn the_first_link_of_a_mail_text_ends_at_white_space() {
    let text = "Open\nhttps://portal.example.com/reset-password/ab12 now\nhttp://other";
    assert_eq!(
        first_link(text).as_deref(),
        Some("https://portal.example.com/reset-password/ab12")
    );
    assert_eq!(first_link("no link here"), None);
}

// ---- Audit (Q4)

#[tokio::test]
async fn resets_and_address_changes_are_audited_without_addresses_tokens_or_passwords() {
    let w = world().await;
    let path = reset_link(&w, "yamada", "yamada@example.com").await;
    reset(&Browser::on(&w.app), &path, "fresh2022", "fresh2022", 303).await;
    forgot(&w.app, "suzuki").await;
    let b = Browser::on(&w.app);
    b.login("yamada", "fresh2022").await;
    let taro = "taro@example.org";
    submit_address(&b, [taro, taro, "fresh2022"], 303).await;
    let link = w.smtp.wait_for("taro@example.org", WAIT).await.first_link();
    Browser::on(&w.app).get(&link).await;

    let log = w
        .app
        .store
        .list_audit(Some(w.tenant.id), None, 100)
        .await
        .unwrap();
    let actions: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.detail.as_str()))
        .collect();
    let has = |action: &str, detail: &str| {
        actions
            .iter()
            .any(|(_, a, d)| *a == action && d.contains(detail))
    };
    assert!(
        has("password_reset_requested", "\"domain\":\"example.com\""),
        "{actions:?}"
    );
    assert!(has("password_reset_requested", "no_address"), "{actions:?}");
    assert!(has("password_reset_by_link", ""), "{actions:?}");
    assert!(
        has("email_change_requested", "\"new_domain\":\"example.org\""),
        "{actions:?}"
    );
    assert!(
        has("email_changed", "\"old_domain\":\"example.com\""),
        "{actions:?}"
    );
    let token = path.rsplit('/').next().unwrap();
    for (_, action, detail) in &actions {
        assert!(!detail.contains('@'), "{action}: no address in {detail}");
        assert!(!detail.contains(token), "{action}: no token");
        assert!(
            !detail.contains("fresh2022") && !detail.contains(PASSWORD),
            "{action}"
        );
    }
}

// ---- Announcements (S5, O1)

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

const ANNOUNCEMENTS: &str = "/api/v1/admin/announcements";

/// The announcements the operator API lists, as their English texts.
async fn listed(app: &TestApp) -> Vec<String> {
    let (status, list) = app
        .operator(reqwest::Method::GET, ANNOUNCEMENTS, None)
        .await;
    assert_eq!(status, 200, "{list}");
    let texts = each(&list["announcements"], "text_en");
    texts.into_iter().map(String::from).collect()
}

/// The announcements on the welcome screen of `user`, logged in from a fresh browser.
async fn welcome_news(app: &TestApp, user: &str) -> Vec<String> {
    let b = Browser::on(app);
    b.login(user, PASSWORD).await;
    texts(&b.html("/welcome").await, "#announcements li p")
}

#[tokio::test]
async fn the_operator_s_announcements_show_on_the_welcome_screen_between_their_dates() {
    let w = world().await;
    let day = 24 * 60 * MINUTE;
    let (status, now_shown) = w
        .app
        .operator(
            reqwest::Method::POST,
            ANNOUNCEMENTS,
            Some(
                json!({"text_ja": "定期点検のお知らせ", "text_en": "Scheduled maintenance",
                    "shown_from": rfc3339(T0 - day), "shown_until": rfc3339(T0 + day)}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{now_shown}");
    assert_eq!(now_shown["text_en"], "Scheduled maintenance");
    assert_eq!(now_shown["shown_until"], rfc3339(T0 + day));
    let (status, later) = w.app.operator(
        reqwest::Method::POST,
        ANNOUNCEMENTS,
        Some(json!({"text_ja": "新サービス開始", "text_en": "New service", "shown_from": "2021-12-03T09:00:00+09:00",
                    "shown_until": null})),
    )
    .await;
    assert_eq!(status, 201, "{later}");

    assert_eq!(
        listed(&w.app).await,
        ["New service", "Scheduled maintenance"],
        "newest first"
    );

    assert_eq!(
        welcome_news(&w.app, "yamada").await,
        ["定期点検のお知らせ"],
        "the one of today; the other not yet"
    );
    assert_eq!(
        welcome_news(&w.app, "smith").await,
        ["Scheduled maintenance"],
        "in the user's language"
    );

    w.app.clock.advance(3 * day);
    assert_eq!(
        welcome_news(&w.app, "yamada").await,
        ["新サービス開始"],
        "the first one's time is over"
    );

    let id = later["id"].as_i64().unwrap();
    let path = format!("{ANNOUNCEMENTS}/{id}");
    for status in [204, 404] {
        let (got, body) = w.app.operator(reqwest::Method::DELETE, &path, None).await;
        assert_eq!(got, status, "{body}");
    }
    assert!(welcome_news(&w.app, "yamada").await.is_empty(), "deleted");
    assert_eq!(listed(&w.app).await, ["Scheduled maintenance"]);
}

#[tokio::test]
async fn announcements_are_refused_with_reasons_and_need_the_operator_token() {
    let w = world().await;
    let post = |body: Value| {
        w.app
            .operator(reqwest::Method::POST, ANNOUNCEMENTS, Some(body))
    };

    let (status, empty) = post(json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(
        refused_fields(&empty),
        ["text_ja", "text_en", "shown_from"],
        "{empty}"
    );

    let (status, backwards) = post(json!({"text_ja": "あ", "text_en": "a",
        "shown_from": "2022-01-02T00:00:00Z", "shown_until": "2022-01-01T00:00:00Z"}))
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        backwards["error"]["details"][0]["code"], "before_start",
        "{backwards}"
    );

    let (status, long) = post(json!({"text_ja": "あ".repeat(2001), "text_en": "a",
        "shown_from": "yesterday"}))
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        each(&long["error"]["details"], "code"),
        ["too_long", "invalid_time"],
        "{long}"
    );

    let (status, _) = post(
        json!({"text_ja": "あ", "text_en": "a", "shown_from": "2022-01-01T00:00:00Z",
        "colour": "red"}),
    )
    .await;
    assert_eq!(status, 422, "unknown fields are refused");

    for (method, path) in [
        (reqwest::Method::GET, ANNOUNCEMENTS),
        (reqwest::Method::POST, ANNOUNCEMENTS),
        (reqwest::Method::DELETE, "/api/v1/admin/announcements/1"),
    ] {
        for token in [None, Some("wrong")] {
            let mut req = w.app.client.request(method.clone(), w.app.url(path));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401, "{method} {path} with {token:?}");
        }
    }
    assert!(listed(&w.app).await.is_empty(), "nothing was stored");
}
