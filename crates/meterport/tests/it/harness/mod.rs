//! Test harness: the whole portal on a random port over a fresh database.
//!
//! The backend is chosen by `METERPORT_TEST_BACKEND` (`sqlite`, the default, or
//! `postgres`); the test command runs the suite once with each. A PostgreSQL test creates its
//! own database on the server at `METERPORT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and drops it afterwards. A backend that is
//! asked for and unreachable fails the test: nothing is skipped.

pub mod chromium;
pub mod openapi;
pub mod seed;
pub mod smtp;
pub mod web;

use std::sync::Arc;

use meterport_domain::device::DeviceInput;
use meterport_portal::app::{AppState, router};
use meterport_portal::clock::{Clock, ManualClock};
use meterport_portal::mail::MailConfig;
use meterport_portal::service::Services;
use meterport_portal::web::session::WebConfig;
use meterport_store::Store;
use meterport_store::tenants::Tenant;
use meterport_store::tokens::TokenKind;
use meterport_store::users::{User, hash_password};
use serde_json::Value;

pub const OPERATOR_TOKEN: &str = "test-operator-token-0123456789abcdef";

/// The password of every user made with [`TestApp::user`].
pub const PASSWORD: &str = "secret123";

/// [`PASSWORD`]'s hash, made once: Argon2 is slow on purpose, and the tests make hundreds of
/// users.
fn password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD))
}

/// 2021-12-01T00:00:00Z: after the seed's months, so its readings are in the past.
pub const T0: i64 = 1_638_316_800_000;

pub fn backend() -> String {
    std::env::var("METERPORT_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

fn pg_admin_url() -> String {
    std::env::var("METERPORT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    pub async fn new() -> TestDb {
        match backend().as_str() {
            "sqlite" => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            "postgres" => {
                let name = format!("meterport_test_{}", hex_id());
                let admin = pg_admin_url();
                let status = std::process::Command::new("psql")
                    .args([&admin, "-q", "-c", &format!("CREATE DATABASE {name}")])
                    .status()
                    .expect("psql runs");
                assert!(
                    status.success(),
                    "could not create database {name} on {admin}"
                );
                let base = admin.rsplit_once('/').expect("url with a database").0;
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
            other => panic!("METERPORT_TEST_BACKEND={other}: use sqlite or postgres"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let _ = std::process::Command::new("psql")
                .args([
                    &pg_admin_url(),
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .status();
        }
    }
}

fn hex_id() -> String {
    let n: u64 = rand::random();
    format!("{n:016x}")
}

/// The portal running on 127.0.0.1 over a fresh database, with a clock the test moves.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The database itself, for setting up fixtures and reading what a test left.
    pub store: Store,
    /// The use cases over the same database, for tests that call one without a front door.
    pub services: Services,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_inner(None).await
    }

    /// The portal sending its mail to the SMTP server at `smtp_url` (see [`smtp`]), with
    /// links in mails pointing at this test's portal. The sender looks for due mail every
    /// 100 ms and retries a failed mail after 1 s (of the test's clock), then 2 s, 4 s...
    pub async fn spawn_with_mail(smtp_url: &str) -> TestApp {
        let config = MailConfig::smtp(smtp_url, "Customer Portal <portal@example.com>")
            .expect("a valid SMTP URL")
            .with_poll_every(std::time::Duration::from_millis(100))
            .with_retry_initial(std::time::Duration::from_secs(1));
        TestApp::spawn_with_mail_config(config).await
    }

    /// The portal with a mail configuration of the test's own.
    pub async fn spawn_with_mail_config(config: MailConfig) -> TestApp {
        TestApp::spawn_inner(Some(config)).await
    }

    async fn spawn_inner(mail: Option<MailConfig>) -> TestApp {
        let db = TestDb::new().await;
        let store = Store::open(&db.url).await.expect("open the test database");
        let clock = ManualClock::new(T0);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let services = Services::new(store.clone());
        let mut state = AppState::new(services.clone(), clock.clone(), Some(OPERATOR_TOKEN.into()));
        if let Some(mail) = mail {
            state = state
                .with_web(WebConfig {
                    public_url: format!("http://{addr}"),
                    ..WebConfig::default()
                })
                .with_mail(mail);
            // As `serve` does: the sender runs from the start, not from the first mail.
            state.mail.start();
        }
        serve_on(listener, state.clone());
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            store,
            services,
            state,
            clock,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A tenant made directly in the store (Asia/Tokyo unless said otherwise).
    pub async fn tenant(&self, name: &str, tz: &str) -> Tenant {
        self.store
            .create_tenant(name, tz, None, T0)
            .await
            .expect("create tenant")
    }

    /// A user made directly in the store at the test clock's now, with [`PASSWORD`], an
    /// e-mail address or none, and a display language (`ja`, `en`).
    pub async fn user(&self, tenant: &Tenant, name: &str, email: Option<&str>, lang: &str) -> User {
        let now = self.clock.now_ms();
        self.store
            .create_user(tenant.id, name, password_hash(), email, lang, now)
            .await
            .expect("create user")
    }

    /// The customer of the walk-throughs of the screens: the company 株式会社アクメ
    /// (Asia/Tokyo) and its user `yamada`, 山田 太郎, who reads the portal in Japanese.
    pub async fn acme_yamada(&self, email: Option<&str>) -> (Tenant, User) {
        let tenant = self.tenant("株式会社アクメ", "Asia/Tokyo").await;
        let user = self.user(&tenant, "yamada", email, "ja").await;
        self.store
            .update_profile(tenant.id, user.id, "太郎", "山田", "ja", "ja-JP", None)
            .await
            .expect("update the profile");
        (tenant, user)
    }

    /// A device group made directly in the store; its id.
    pub async fn group(&self, tenant: &Tenant, name: &str, devices: &[i64]) -> i64 {
        self.store
            .create_group(tenant.id, name, devices, T0)
            .await
            .expect("create group")
            .id
    }

    /// A device group made through the operator API; its id.
    pub async fn api_group(&self, tenant: i64, name: &str, devices: &[i64]) -> i64 {
        let (status, body) = self
            .post(
                &format!("/api/v1/admin/tenants/{tenant}/groups"),
                OPERATOR_TOKEN,
                &serde_json::json!({"name": name, "device_ids": devices}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// A device made directly in the store from its operator-API JSON.
    pub async fn device(&self, tenant: &Tenant, json: Value) -> i64 {
        let input: DeviceInput = serde_json::from_value(json).expect("device json");
        let device = input.parse().expect("valid device");
        self.store
            .create_device(tenant.id, &device, T0)
            .await
            .expect("create device")
            .id
    }

    pub async fn ingest_token(&self, tenant: &Tenant) -> String {
        self.store
            .issue_token(tenant.id, TokenKind::Ingest, None, T0)
            .await
            .unwrap()
            .1
    }

    pub async fn read_token(&self, tenant: &Tenant) -> String {
        self.store
            .issue_token(tenant.id, TokenKind::Read, None, T0)
            .await
            .unwrap()
            .1
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        answer(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        answer(self.client.get(self.url(path)).bearer_auth(token)).await
    }

    /// A report to the ingest API (`readings` or `status`) with the ingest token `token`,
    /// which must be accepted (200): the answer.
    pub async fn ingest_ok(&self, what: &str, token: &str, body: &Value) -> Value {
        let (status, answer) = self
            .post(&format!("/api/v1/ingest/{what}"), token, body)
            .await;
        assert_eq!(status, 200, "{what}: {answer}");
        answer
    }

    /// A request of the operator (with [`OPERATOR_TOKEN`]), with a JSON body or none.
    pub async fn operator(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(OPERATOR_TOKEN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req).await
    }

    pub async fn get_raw(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }
}

/// Sends `req`: the status and the body, as JSON or else as a JSON string.
async fn answer(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The string `key` of each object of the JSON array `list`, in order.
#[track_caller]
pub fn each<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("an array: {list}"))
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("a string {key} in {item}"))
        })
        .collect()
}

/// The fields a refusal of the JSON APIs names (`error.details[].field`), in order.
#[track_caller]
pub fn refused_fields(body: &Value) -> Vec<&str> {
    each(&body["error"]["details"], "field")
}

/// A mono MFP's operator JSON with the given serial.
pub fn mfp(serial: &str, name: &str) -> Value {
    serde_json::json!({
        "serial": serial, "name": name, "product": "iR-ADV C5840",
        "device_type": "color_mfp", "protocol": "http", "location": "2F"
    })
}

pub fn lfp(serial: &str, name: &str, unit: &str) -> Value {
    serde_json::json!({
        "serial": serial, "name": name, "product": "imagePROGRAF TX-4100",
        "device_type": "lfp", "protocol": "http", "lfp_unit": unit
    })
}

/// Serves the portal of `state` on `listener` in the background.
/// Every `/api/` answer is checked against the OpenAPI document on its way out
/// ([`openapi::check`]).
pub fn serve_on(listener: tokio::net::TcpListener, state: AppState) {
    let app = router(state).layer(axum::middleware::from_fn(openapi::check));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .ok();
    });
}

/// Serves the portal of `state` on a random port; returns its base URL.
pub async fn serve(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    serve_on(listener, state);
    base
}

/// Runs `meterport admin --database <db> <args>`, with `stdin` on standard input: success,
/// standard output and standard error.
pub fn admin(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_meterport"))
        .arg("admin")
        .args(["--database", db])
        .args(args)
        .env_remove("METERPORT_USER_PASSWORD")
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the meterport binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
