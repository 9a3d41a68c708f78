//! A browser-like HTTP client for the screens, and HTML read with a parser.
//!
//! [`Browser`] keeps its cookies and does not follow redirects (the tests check them). Its
//! `get` and `post` make one request and hand back the [`Page`] for the test to check; every
//! helper that makes requests of its own (log in, submit a form with its CSRF token) asserts
//! the status of each one. [`Page`] reads the HTML with `scraper`: CSRF tokens, the message
//! next to a field, tables, texts and attributes by CSS selector.

use scraper::{ElementRef, Html, Selector};

use super::TestApp;

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
    Html::parse_document(html)
        .select(&selector(css))
        .map(text_of)
        .collect()
}

/// The attribute `attr` of the elements `css` selects that have it, in document order.
pub fn attrs(html: &str, css: &str, attr: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&selector(css))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// The CSRF token of the first form on a page.
pub fn csrf(html: &str) -> String {
    attrs(html, "input[name=\"csrf\"]", "value")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("a csrf field in {html}"))
}

/// The message shown next to a field (`id="error-<field>"`), if there is one.
pub fn field_error(html: &str, field: &str) -> Option<String> {
    texts(html, &format!("#error-{field}")).into_iter().next()
}

/// The rows `tr_css` selects (`#latest-counters tbody tr`...), each as its cells' texts.
pub fn rows(html: &str, tr_css: &str) -> Vec<Vec<String>> {
    let cells = selector("th, td");
    Html::parse_document(html)
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
