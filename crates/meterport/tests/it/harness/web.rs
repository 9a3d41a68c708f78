//! A browser-like HTTP client for the screens, and HTML read with a parser.
//!
//! [`Browser`] keeps its cookies and does not follow redirects (the tests check them). Its
//! `get` and `post` make one request and hand back the [`Page`] for the test to check; every
//! helper that makes requests of its own (log in, submit a form with its CSRF token) asserts
//! the status of each one. [`Customer`] is the screens' usual logged-in user.
//!
//! HTML is read with `scraper`, so that a check says where a text must be: [`text`] of the
//! one element a CSS selector picks (the page's `main h1`, `#saved`), [`rows`] of a table,
//! [`field_error`] next to a field and [`error_fields`] that have one, [`error_notice`] of
//! a refused form, [`link`]s and [`attr`]ibutes, a form's [`value`]s, [`checked`] boxes and
//! [`selected`] options. A text elsewhere on the page does not satisfy them. What must be
//! nowhere in an answer (another tenant's data, unescaped markup) is looked for in the whole
//! text with [`assert_absent`]; [`inline_code`] lists what the CSP would block.

use std::cell::RefCell;
use std::rc::Rc;

use scraper::{ElementRef, Html, Selector};

use meterport_store::tenants::Tenant;
use meterport_store::users::User;

use super::{PASSWORD, TestApp};

/// One answer of the portal, as a test reads it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub html: String,
    pub location: Option<String>,
    pub content_type: String,
    /// Every `Set-Cookie` line.
    pub cookies: Vec<String>,
}

pub async fn page(res: reqwest::Response) -> Page {
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let location = header("location");
    let content_type = header("content-type").unwrap_or_default();
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
        .collect();
    Page {
        status,
        location,
        content_type,
        cookies,
        html: res.text().await.unwrap_or_default(),
    }
}

/// The parsed document of `html`. A test reads one page with several helpers in a row, and
/// a few pages in turn: the last pages parsed on this thread are kept, because parsing a
/// page again for every check costs more than the checks (the parser is not optimised in
/// test builds).
pub fn document(html: &str) -> Rc<Html> {
    const KEPT: usize = 4;
    thread_local! {
        static PARSED: RefCell<Vec<(String, Rc<Html>)>> = const { RefCell::new(Vec::new()) };
    }
    PARSED.with(|parsed| {
        let mut parsed = parsed.borrow_mut();
        if let Some(at) = parsed.iter().position(|(text, _)| text == html) {
            let hit = parsed.remove(at);
            let doc = hit.1.clone();
            parsed.push(hit);
            return doc;
        }
        let doc = Rc::new(Html::parse_document(html));
        if parsed.len() == KEPT {
            parsed.remove(0);
        }
        parsed.push((html.to_string(), doc.clone()));
        doc
    })
}

/// A CSS selector the test spells; a typo fails the test.
pub fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("CSS selector {css:?}: {e:?}"))
}

/// An element's text: its text nodes joined, white space collapsed to single spaces.
pub fn text_of(element: ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The texts of the elements `css` selects in `html`, in document order.
pub fn texts(html: &str, css: &str) -> Vec<String> {
    document(html).select(&selector(css)).map(text_of).collect()
}

/// The attribute `attr` of the elements `css` selects that have it, in document order.
pub fn attrs(html: &str, css: &str, attr: &str) -> Vec<String> {
    document(html)
        .select(&selector(css))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// The text of the one element `css` selects; fails unless there is exactly one.
#[track_caller]
pub fn text(html: &str, css: &str) -> String {
    let mut found = texts(html, css);
    assert_eq!(found.len(), 1, "one {css} expected, found {found:?}");
    found.remove(0)
}

/// How many elements `css` selects.
pub fn count(html: &str, css: &str) -> usize {
    document(html).select(&selector(css)).count()
}

/// The attribute `attr` of the one element `css` selects; fails unless there is exactly one
/// element and it has the attribute.
#[track_caller]
pub fn attr(html: &str, css: &str, attr: &str) -> String {
    assert_eq!(count(html, css), 1, "one {css} expected");
    attrs(html, css, attr)
        .pop()
        .unwrap_or_else(|| panic!("{css} has no {attr}"))
}

/// The links `css` selects, each as its text and address, in document order.
pub fn links(html: &str, css: &str) -> Vec<(String, String)> {
    document(html)
        .select(&selector(css))
        .filter_map(|a| Some((text_of(a), a.value().attr("href")?.to_string())))
        .collect()
}

/// The address of the one link `css` selects whose text is `label`.
#[track_caller]
pub fn link(html: &str, css: &str, label: &str) -> String {
    let found: Vec<String> = links(html, css)
        .into_iter()
        .filter(|(text, _)| text == label)
        .map(|(_, href)| href)
        .collect();
    assert_eq!(found.len(), 1, "one {css} reading {label:?}: {found:?}");
    found[0].clone()
}

/// The value of the one form control named `name`.
#[track_caller]
pub fn value(html: &str, name: &str) -> String {
    attr(html, &format!("[name=\"{name}\"]"), "value")
}

/// The values of the ticked boxes or chosen radio buttons named `name`, in document order.
pub fn checked(html: &str, name: &str) -> Vec<String> {
    attrs(html, &format!("input[name=\"{name}\"][checked]"), "value")
}

/// The options of the select `css`, each as its value, label and whether it is selected.
pub fn options(html: &str, css: &str) -> Vec<(String, String, bool)> {
    document(html)
        .select(&selector(&format!("{css} option")))
        .map(|o| {
            let value = o.value().attr("value").unwrap_or_default().to_string();
            (value, text_of(o), o.value().attr("selected").is_some())
        })
        .collect()
}

/// The selected option of the select `css`, as its value and label; fails unless exactly one
/// option is marked selected.
#[track_caller]
pub fn selected(html: &str, css: &str) -> (String, String) {
    let chosen: Vec<_> = options(html, css)
        .into_iter()
        .filter(|(_, _, selected)| *selected)
        .map(|(value, label, _)| (value, label))
        .collect();
    assert_eq!(chosen.len(), 1, "one selected option in {css}: {chosen:?}");
    chosen[0].clone()
}

/// The CSRF token of the first form on a page.
pub fn csrf(html: &str) -> String {
    attrs(html, "input[name=\"csrf\"]", "value")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("a csrf field in {html}"))
}

/// The message shown next to a field (`<p class="error" id="error-<field>">`); fails when
/// there is none.
#[track_caller]
pub fn field_error(html: &str, field: &str) -> String {
    text(html, &format!("p.error#error-{field}"))
}

/// The fields that have a message next to them, in page order.
pub fn error_fields(html: &str) -> Vec<String> {
    attrs(html, "p.error[id^=\"error-\"]", "id")
        .into_iter()
        .map(|id| id["error-".len()..].to_string())
        .collect()
}

/// The text of the page's one error notice (a refused form as a whole, a not-found page).
#[track_caller]
pub fn error_notice(html: &str) -> String {
    text(html, "main .notice.error")
}

/// The `lang` of the page's `<html>`.
#[track_caller]
pub fn page_lang(html: &str) -> String {
    attr(html, "html", "lang")
}

/// Asserts that `needle` is nowhere in the answer: neither in its text nor in an attribute,
/// a comment or raw markup. What must not leak or stay unescaped is looked for in the whole
/// text, on purpose: a parser would hide it.
#[track_caller]
pub fn assert_absent(html: &str, needle: &str) {
    assert!(!html.contains(needle), "{needle:?} in {html}");
}

/// Script or style written into the page itself, which the CSP would block: `<script>`
/// elements without `src` or with a body of their own, `<style>` elements, `style` and `on...`
/// attributes, `javascript:` addresses. Each as the element and what is wrong with it.
pub fn inline_code(html: &str) -> Vec<String> {
    let doc = document(html);
    let mut found = Vec::new();
    for element in doc.select(&selector("*")) {
        let e = element.value();
        let inline_script = e.name() == "script"
            && (e.attr("src").is_none() || element.text().any(|t| !t.trim().is_empty()));
        if inline_script || e.name() == "style" {
            found.push(format!("<{}>", e.name()));
        }
        for (name, value) in e.attrs() {
            let name = name.to_ascii_lowercase();
            let script_address = value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("javascript:");
            if name == "style" || name.starts_with("on") || script_address {
                found.push(format!("<{} {name}=\"{value}\">", e.name()));
            }
        }
    }
    found
}

/// The rows `tr_css` selects (`#latest-counters tbody tr`...), each as its cells' texts.
pub fn rows(html: &str, tr_css: &str) -> Vec<Vec<String>> {
    let cells = selector("th, td");
    document(html)
        .select(&selector(tr_css))
        .map(|tr| tr.select(&cells).map(text_of).collect())
        .collect()
}

impl Page {
    /// Asserts the status; the page for more checks.
    #[track_caller]
    pub fn expect(self, status: u16, what: &str) -> Page {
        assert_eq!(
            self.status, status,
            "{what}: {status} expected, got {}: {} {:?}",
            self.status, self.html, self.location
        );
        self
    }

    pub fn csrf(&self) -> String {
        csrf(&self.html)
    }

    /// The value of a cookie this answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|c| {
            let (k, v) = c.split(';').next()?.split_once('=')?;
            (k.trim() == name).then(|| v.to_string())
        })
    }
}

/// One browser on one portal address.
#[derive(Clone)]
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn on(app: &TestApp) -> Browser {
        Browser::at(&app.base)
    }

    pub fn at(base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// A path of the portal, or a full URL (a link from a mail).
    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    /// One GET; the test checks the answer.
    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    /// One GET with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = self.client.get(self.url(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        page(req.send().await.expect("the portal answers")).await
    }

    /// A GET that must answer 200.
    pub async fn get_ok(&self, path: &str) -> Page {
        self.get(path).await.expect(200, &format!("GET {path}"))
    }

    /// The HTML of a GET that must answer 200.
    pub async fn html(&self, path: &str) -> String {
        self.get_ok(path).await.html
    }

    /// One form POST; the test checks the answer.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        page(
            self.client
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("the portal answers"),
        )
        .await
    }

    /// A form POST that must answer `status`.
    pub async fn post_expect(&self, path: &str, form: &[(&str, &str)], status: u16) -> Page {
        self.post(path, form)
            .await
            .expect(status, &format!("POST {path}"))
    }

    /// Opens the form at `form_page` (200), posts `fields` with its CSRF token to `action`,
    /// and asserts that the answer is `status`.
    pub async fn submit(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
        status: u16,
    ) -> Page {
        let token = self.get_ok(form_page).await.csrf();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_expect(action, &all, status).await
    }

    /// Logs in through the form and asserts the redirect to the welcome screen (303).
    pub async fn login(&self, user: &str, password: &str) -> Page {
        self.login_to(user, password, "/welcome")
            .await
            .expect(303, &format!("{user} logs in"))
    }

    /// Posts the login form (its page must answer 200) with `next`; the test checks the
    /// answer to the POST, which may be a refusal.
    pub async fn login_to(&self, user: &str, password: &str, next: &str) -> Page {
        let token = self.get_ok("/login").await.csrf();
        self.post(
            "/login",
            &[
                ("username", user),
                ("password", password),
                ("csrf", &token),
                ("next", next),
            ],
        )
        .await
    }

    /// The CSRF token of this browser's session (from the welcome screen's logout form).
    pub async fn session_csrf(&self) -> String {
        self.get_ok("/welcome").await.csrf()
    }
}

/// The screens' usual customer: the tenant "Acme" (Asia/Tokyo) and its user `yamada`
/// (yamada@example.com), who reads the portal in `lang` and is logged in through the form.
pub struct Customer {
    pub app: TestApp,
    pub tenant: Tenant,
    pub user: User,
    pub browser: Browser,
}

impl Customer {
    pub async fn new(lang: &str) -> Customer {
        let app = TestApp::spawn().await;
        let tenant = app.tenant("Acme", "Asia/Tokyo").await;
        let user = app
            .user(&tenant, "yamada", Some("yamada@example.com"), lang)
            .await;
        let browser = Browser::on(&app);
        browser.login("yamada", PASSWORD).await;
        Customer {
            app,
            tenant,
            user,
            browser,
        }
    }
}
