//! A browser-like HTTP client for the screens: keeps its cookies, does not follow redirects
//! (the tests check them), logs in through the form with its CSRF token.

use super::TestApp;

/// One answer of the portal, as a test reads it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub html: String,
    pub location: Option<String>,
    pub content_type: String,
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
    Page {
        status,
        location,
        content_type,
        html: res.text().await.unwrap_or_default(),
    }
}

/// The CSRF token of the first form on a page.
pub fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    html[at + 19..].split('"').next().unwrap().to_string()
}

/// One browser on one portal address.
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

    pub async fn get(&self, path: &str) -> Page {
        page(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .expect("the portal answers"),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        page(
            self.client
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .expect("the portal answers"),
        )
        .await
    }

    /// Logs in through the form; the answer to the form's POST.
    pub async fn login(&self, user: &str, password: &str) -> Page {
        self.login_to(user, password, "/welcome").await
    }

    pub async fn login_to(&self, user: &str, password: &str, next: &str) -> Page {
        let form = self.get("/login").await;
        let token = csrf(&form.html);
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
        csrf(&self.get("/welcome").await.html)
    }
}
