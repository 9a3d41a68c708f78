//! Test harness: the whole portal on a random port over a fresh database.
//!
//! The backend is chosen by `METERPORT_TEST_BACKEND` (`sqlite`, the default, or
//! `postgres`); the test command runs the suite once with each. A PostgreSQL test creates its
//! own database on the server at `METERPORT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and drops it afterwards. A backend that is
//! asked for and unreachable fails the test: nothing is skipped.

pub mod chromium;
pub mod smtp;
pub mod web;

use std::sync::Arc;

use meterport_domain::device::DeviceInput;
use meterport_portal::app::{AppState, router};
use meterport_portal::clock::ManualClock;
use meterport_portal::mail::MailConfig;
use meterport_portal::web::session::WebConfig;
use meterport_store::Store;
use meterport_store::tenants::Tenant;
use meterport_store::tokens::TokenKind;
use serde_json::Value;

pub const OPERATOR_TOKEN: &str = "test-operator-token-0123456789abcdef";

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
    pub store: Store,
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
        let mut state = AppState::new(store.clone(), clock.clone(), Some(OPERATOR_TOKEN.into()));
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
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
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
pub fn serve_on(listener: tokio::net::TcpListener, state: AppState) {
    let app = router(state);
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
