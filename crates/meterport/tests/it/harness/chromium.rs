//! A real Chromium for the browser tests: chromedriver on a free port, one WebDriver session,
//! helpers that wait for what a user would wait for, full-page screenshots and the console log.
//!
//! Every test starts its own chromedriver and browser (with a fresh profile), so tests run in
//! parallel without sharing cookies. When a test ends, passing or not, [`Browser`]'s `Drop`
//! ends the session and kills chromedriver and anything it started (its process group), so no
//! browser outlives its test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a wait for the page may take before the test fails: generous, because a 2-core CI
/// machine runs several browsers at once, and a wait ends as soon as its condition holds.
const WAIT: Duration = Duration::from_secs(20);

/// The browser's window in the desktop tests (the width) and the phone width.
pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (390, 844);

/// Where the browser and its driver are: set by `scripts/ensure-browser` (through
/// `scripts/test`), else Debian's paths. Missing ones fail the test: a browser test that
/// skips itself would pass on a machine where nothing was tested.
fn executables() -> (PathBuf, PathBuf) {
    let chromium = std::env::var_os("METERPORT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    let driver = std::env::var_os("METERPORT_CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromedriver".into());
    for (what, path) in [("chromium", &chromium), ("chromedriver", &driver)] {
        assert!(
            path.is_file(),
            "{what} not found at {}: run scripts/ensure-browser (it installs Debian's chromium, \
             chromium-driver and fonts-noto-cjk), or set METERPORT_CHROMIUM and \
             METERPORT_CHROMEDRIVER",
            path.display()
        );
    }
    (chromium, driver)
}

/// `<repo root>/artifacts/screenshots`, the git-ignored folder the README points to.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../artifacts/screenshots")
        .components()
        .collect()
}

/// A port nobody listens on now. Another process could take it before chromedriver does;
/// [`Driver::start`] then tries another one.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port()
}

/// A chromedriver process, killed with everything it started when dropped.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    fn start(driver: &Path, dir: &Path) -> Driver {
        let log = dir.join("chromedriver.log");
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let out = std::fs::File::create(&log).expect("chromedriver log file");
            let child = Command::new(driver)
                .arg(format!("--port={port}"))
                .arg("--log-level=WARNING")
                .stdin(Stdio::null())
                .stdout(out.try_clone().expect("log file handle"))
                .stderr(out)
                // Its own process group, so that Drop can end the browser it starts as well,
                // even when the test panicked before closing the session.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot start {}: {e}; run scripts/ensure-browser",
                        driver.display()
                    )
                });
            let mut d = Driver {
                child,
                port,
                log: log.clone(),
            };
            match d.wait_ready() {
                Ok(()) => return d,
                Err(e) => last_error = e,
            }
        }
        panic!("chromedriver did not start: {last_error}");
    }

    /// Polls `/status` until chromedriver answers; an exit (port taken) is an error.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().ok().flatten() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                return Err(format!("exited with {status}: {log}"));
            }
            if raw_http(self.port, "GET", "/status").is_some_and(|r| r.contains("\"ready\"")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("no answer on /status within 15 s".into())
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver, the browser and its helper processes. These are the
        // processes this test started, by the group id it was given at spawn.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal blocking HTTP request to chromedriver, for `Drop` (which cannot await) and for
/// the readiness poll. Returns the response's head and body as text. chromedriver keeps the
/// connection open whatever the request says, so the body is read by its Content-Length.
fn raw_http(port: u16, method: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(usize::MAX);
            if body.len() >= length {
                break;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// One browser session for one test, with the app's address and the test's name (for the
/// screenshots' file names).
pub struct Browser {
    pub client: Client,
    base: String,
    test: &'static str,
    step: u32,
    session: String,
    http: reqwest::Client,
    console: Vec<String>,
    /// Navigations waited for so far: each marks the document it leaves with its number.
    navigations: std::sync::atomic::AtomicU64,
    // Drop order: the driver (and the browser) go before their profile directory.
    driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium at the desktop size, and clears the
    /// screenshots a previous run of this test left (a renamed step would linger otherwise).
    pub async fn start(test: &'static str, base: &str) -> Browser {
        let (chromium, driver_path) = executables();
        let profile = tempfile::Builder::new()
            .prefix("meterport-chromium-")
            .tempdir()
            .expect("a profile directory");
        let driver = Driver::start(&driver_path, profile.path());
        let user_data = profile.path().join("profile");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    // This machine's network is closed: without these Chromium keeps trying
                    // Google's services, which slows it and fills the log.
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-quic",
                    "--no-first-run",
                    format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                    format!("--user-data-dir={}", user_data.display()),
                    // The portal's users are mostly in Japan: the login screen follows the
                    // browser's Accept-Language, so the browser asks for Japanese first.
                    "--lang=ja",
                    "--accept-lang=ja,en-US;q=0.8,en;q=0.7",
                ],
                "prefs": { "intl.accept_languages": "ja,en-US,en" },
            },
            // The console (CSP violations appear there) is read through `/se/log`.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let client = ClientBuilder::rustls()
            .expect("rustls initialisation")
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| {
                let log = std::fs::read_to_string(&driver.log).unwrap_or_default();
                panic!(
                    "no browser session: {e}; chromedriver says: {log}\n(is chromium installed? \
                     run scripts/ensure-browser)"
                )
            });
        let session = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a session id");
        clear_screenshots(test);
        Browser {
            client,
            base: base.trim_end_matches('/').to_string(),
            test,
            step: 0,
            session,
            http: reqwest::Client::new(),
            console: Vec::new(),
            navigations: std::sync::atomic::AtomicU64::new(0),
            driver,
            _profile: profile,
        }
    }

    /// Ends the session (the browser closes) before the driver is killed by `Drop`.
    pub async fn close(mut self) {
        self.check_console().await;
        for line in &self.console {
            eprintln!("console: {line}");
        }
        let _ = self.client.clone().close().await;
        // Drop kills chromedriver's group; the session is gone already, so its DELETE is a
        // harmless no-op.
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Opens a page of the portal (a path, or a whole address such as a mailed link) and
    /// waits for it to load.
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            self.url(path)
        };
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    }

    /// The current path with its query, e.g. `/login?next=/welcome`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The element, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return e,
                Err(e) if Instant::now() > deadline => {
                    let path = self.path().await;
                    panic!("no element {css} on {path}: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Whether an element is on the page now (no waiting).
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// The visible text of an element (as the user reads it).
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    /// Every element that matches, in page order (no waiting).
    async fn all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("cannot look for {css}: {e}"))
    }

    /// The text of every element that matches, in page order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.all(css).await {
            out.push(e.text().await.expect("element text"));
        }
        out
    }

    /// An attribute of every element that matches, in page order.
    pub async fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.all(css).await {
            out.push(e.attr(attr).await.expect("attribute").unwrap_or_default());
        }
        out
    }

    /// The whole page's visible text.
    pub async fn body_text(&self) -> String {
        self.text("body").await
    }

    /// Logs in through the login form as a person does: opens it (unless the browser shows
    /// it already, as after a refused attempt), types the user name and the password, and
    /// submits. The test checks where that leads.
    pub async fn log_in(&self, user: &str, password: &str) {
        if !self.path().await.starts_with("/login") {
            self.goto("/login").await;
        }
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click_and_wait("#login button[type=submit]").await;
    }

    /// Asserts that the page is no wider than the window: nothing to scroll sideways to.
    /// `clientWidth` is the window less its vertical scroll bar, the strictest measure.
    pub async fn assert_fits_width(&self, screen: &str) {
        let sizes = self
            .js("const d = document.documentElement; return [d.scrollWidth, d.clientWidth, window.innerWidth];")
            .await;
        let [scroll, client, inner] = [0, 1, 2].map(|i| sizes[i].as_i64().unwrap());
        if scroll > client || client > inner {
            // Name the culprits: the elements that reach beyond the window's right edge.
            let wide = self
                .js("const w = document.documentElement.clientWidth; \
                     return [...document.querySelectorAll('body *')] \
                       .filter(e => e.getBoundingClientRect().right > w + 0.5) \
                       .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') \
                         + (e.className ? '.' + e.className : '') + ' ' \
                         + Math.round(e.getBoundingClientRect().right) + 'px');")
                .await;
            panic!(
                "{screen}: the page is {scroll} px wide in a {client} px ({inner} px) window; too wide: {wide}"
            );
        }
    }

    /// Fills in a form as a person does, field by field (`#id`, text), and submits it with
    /// the button `submit`, waiting for the page that answers.
    pub async fn submit(&self, fields: &[(&str, &str)], submit: &str) {
        for (css, text) in fields {
            self.type_into(css, text).await;
        }
        self.click_and_wait(submit).await;
    }

    /// The current value of a form field (what is typed in it now).
    pub async fn value(&self, css: &str) -> String {
        let value = self.find(css).await.prop("value").await;
        value
            .unwrap_or_else(|e| panic!("the value of {css}: {e}"))
            .unwrap_or_default()
    }

    /// Whether the element is on the page (waiting for it) and displayed.
    pub async fn shown(&self, css: &str) -> bool {
        self.find(css)
            .await
            .is_displayed()
            .await
            .unwrap_or_else(|e| panic!("cannot tell whether {css} is displayed: {e}"))
    }

    /// Follows the menu's link to `href` and asserts the heading of the page it opens.
    pub async fn open_from_menu(&self, href: &str, heading: &str) {
        self.click_and_wait(&format!("nav.menu a[href='{href}']"))
            .await;
        assert_eq!(self.text("main h1").await, heading, "{href}");
    }

    /// Types into a field as a user does: click, select all that is there, type over it (a
    /// refused form comes back with the user name filled in).
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type into the field");
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}: {script}"))
    }

    /// Clicks something that loads a new page (a submit button, a link), and waits until the
    /// new document has loaded. Waiting for an element of the next page is not enough: after
    /// a refused login the old page already shows the same error box. So the current
    /// document is marked first, and the wait is for a document without that mark.
    pub async fn click_and_wait(&self, css: &str) {
        let target = self.find(css).await;
        let mark = self.mark_document().await;
        target
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
        self.wait_for_new_document(&mark, css).await;
    }

    /// The browser's back button, waiting for the page it goes back to. A page the browser
    /// restores from its back-forward cache is the very document left earlier, carrying the
    /// mark of that earlier navigation: each navigation's mark is its own number.
    pub async fn back(&self) {
        let mark = self.mark_document().await;
        self.client.back().await.expect("back");
        self.wait_for_new_document(&mark, "the back button").await;
    }

    /// Marks the current document as left by a new navigation; returns the mark.
    async fn mark_document(&self) -> String {
        let n = self
            .navigations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let mark = n.to_string();
        self.js(&format!(
            "document.documentElement.dataset.testStale = '{mark}';"
        ))
        .await;
        mark
    }

    async fn wait_for_new_document(&self, mark: &str, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            // During the navigation the script can fail (no document yet): try again.
            let fresh = self
                .client
                .execute(
                    "return document.readyState === 'complete' \
                     && document.documentElement.dataset.testStale !== arguments[0];",
                    vec![json!(mark)],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if fresh {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after {what} (still on {})",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resizes the viewport to exactly `width` x `height` CSS pixels. The window size of a
    /// desktop browser has a minimum wider than a phone, so this goes through the DevTools
    /// protocol's device emulation instead of the WebDriver window size.
    pub async fn viewport(&self, (width, height): (u32, u32)) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
        let inner = self.js("return window.innerWidth;").await;
        assert_eq!(inner, json!(width), "the viewport is {width} px wide");
    }

    /// A DevTools protocol command through chromedriver (screenshots of the whole page,
    /// device emulation: things WebDriver has no command for).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let url = format!(
            "{}/session/{}/goog/cdp/execute",
            self.driver.url(),
            self.session
        );
        let res = self
            .http
            .post(url)
            .json(&json!({ "cmd": cmd, "params": params }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{cmd} failed: {status} {body}");
        body["value"].clone()
    }

    /// Saves a PNG of the whole page (not only what fits the window) as
    /// `artifacts/screenshots/<test>-<NN>-<step>.png`, and checks the console of this page
    /// for blocked inline code (CSP).
    pub async fn screenshot(&mut self, step: &str) -> PathBuf {
        self.step += 1;
        // Fonts must be ready or the picture shows fallback glyphs for Japanese.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done(true));",
                vec![],
            )
            .await
            .expect("fonts ready");
        let size = self
            .js("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
            .await;
        // The whole window's width at least: with a vertical scroll bar `scrollWidth` is the
        // window less the bar, and the capture (which lays the page out without the bar)
        // would lose the right edge.
        let inner = self
            .js("return window.innerWidth;")
            .await
            .as_f64()
            .unwrap_or(1280.0);
        let w = size[0].as_f64().unwrap_or(inner).max(inner);
        let h = size[1].as_f64().unwrap_or(900.0);
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 },
                }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 png");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{}-{:02}-{step}.png", self.test, self.step));
        std::fs::write(&path, png).expect("write screenshot");
        self.check_console().await;
        path
    }

    /// A PNG of what the window shows now (not the whole page), scaled by `scale`: the
    /// manual's screenshots are a 1280 x 800 window at half scale.
    pub async fn window_png(&mut self, scale: f64) -> Vec<u8> {
        // Fonts ready, then two frames, so that what reacts to them (the counter tables'
        // sticky Total row measures its headings) has been laid out.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
                vec![],
            )
            .await
            .expect("fonts ready");
        let size = self
            .js("return [window.innerWidth, window.innerHeight, window.scrollX, window.scrollY];")
            .await;
        let [w, h, x, y] = [0, 1, 2, 3].map(|i| size[i].as_f64().unwrap_or(0.0));
        // The same picture for the same page: no hover left by the last click (the mouse
        // goes to the window's bottom-left corner), no focus ring or blinking caret.
        self.cdp(
            "Input.dispatchMouseEvent",
            json!({ "type": "mouseMoved", "x": 1, "y": h - 1.0 }),
        )
        .await;
        self.js("if (document.activeElement) { document.activeElement.blur(); }")
            .await;
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "clip": { "x": x, "y": y, "width": w, "height": h, "scale": scale },
                }),
            )
            .await;
        self.check_console().await;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 png")
    }

    /// Reads the browser's console since the last read and fails on what would be a broken
    /// page in production that no HTTP test can see: a Content Security Policy violation
    /// (inline script or style that the portal's CSP blocks), a script error, or a style
    /// sheet, script or icon that did not load. A page answered with an error status on
    /// purpose (401 for a refused login, 410 for a used link) is logged by the browser as a
    /// failed load too; those are kept with the other messages, printed at `close`.
    pub async fn check_console(&mut self) {
        let url = format!("{}/session/{}/se/log", self.driver.url(), self.session);
        let res = self
            .http
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .expect("read the browser log");
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let entries = body["value"].as_array().cloned().unwrap_or_default();
        for e in entries {
            let msg = e["message"].as_str().unwrap_or_default().to_string();
            let path = self.path().await;
            assert!(
                !msg.contains("Content Security Policy") && !msg.contains("Refused to"),
                "the browser blocked something on {path}: {msg}"
            );
            assert!(
                !msg.contains("Uncaught"),
                "a script failed on {path}: {msg}"
            );
            let failed_asset = msg.contains("Failed to load resource")
                && (msg.contains("/static/") || msg.contains("favicon"));
            assert!(!failed_asset, "an asset did not load on {path}: {msg}");
            self.console.push(msg);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that failed never reached `close`: end the session so that chromedriver
        // closes the browser cleanly; the driver's own Drop then kills whatever is left.
        let _ = raw_http(
            self.driver.port,
            "DELETE",
            &format!("/session/{}", self.session),
        );
    }
}

/// Removes `<test>-NN-*.png` from a previous run. Test names have no `-`, so the prefix is
/// this test's alone.
fn clear_screenshots(test: &str) {
    let Ok(entries) = std::fs::read_dir(screenshot_dir()) else {
        return;
    };
    let prefix = format!("{test}-");
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(rest) = name.strip_prefix(&prefix)
            && rest.len() > 3
            && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit)
            && rest.as_bytes()[2] == b'-'
            && name.ends_with(".png")
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
