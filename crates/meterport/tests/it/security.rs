//! The standing security suite (Q4, T1): every route of the router tried with another
//! tenant's session and tokens, a table of bad inputs that must each be refused with a 4xx
//! and change nothing in the database, the open-redirect candidates, strict JSON, bounded
//! stores of untrusted input, JSON errors everywhere under `/api/`, the login limit shared by
//! instances, and bounded fuzzing of the ingest and counter-query parsers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::harness::web::{Browser, Page, page};
use crate::harness::{OPERATOR_TOKEN, PASSWORD, T0, TestApp, mfp, serve};
use meterport_portal::app::{AppState, router};
use meterport_portal::service::Services;
use meterport_store::Store;
use meterport_store::devices::Page as ListPage;
use meterport_store::tenants::Tenant;
use reqwest::Method;
use serde_json::{Value, json};

/// Words of tenant A that nothing tenant B reaches may contain.
const A_MARKERS: [&str; 5] = [
    "A-SECRET-1",
    "AlphaSecretDevice",
    "AlphaGroupName",
    "alice@alpha.example",
    "AlphaToner",
];

/// Two tenants: A with a device, a group, readings, a condition and supplies; B with its
/// own device, a logged-in user and its tokens.
struct World {
    app: TestApp,
    a: Tenant,
    b: Tenant,
    a_device: i64,
    a_group: i64,
    a_user: i64,
    a_token_id: i64,
    a_read: String,
    b_device: i64,
    b_read: String,
    b_ingest: String,
    b_web: Browser,
    b_csrf: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let a = app.tenant("Alpha Corp", "Asia/Tokyo").await;
    let b = app.tenant("Beta Corp", "Asia/Tokyo").await;
    let a_device = app.device(&a, mfp("A-SECRET-1", "AlphaSecretDevice")).await;
    let b_device = app.device(&b, mfp("B-1", "BetaDevice")).await;
    let a_group = app.group(&a, "AlphaGroupName", &[a_device]).await;
    let a_user = app
        .user(&a, "alice", Some("alice@alpha.example"), "en")
        .await
        .id;
    app.user(&b, "bob", Some("bob@beta.example"), "en").await;
    let a_ingest = app.ingest_token(&a).await;
    let a_read = app.read_token(&a).await;
    let (a_token_id, _) = app
        .store
        .issue_token(
            a.id,
            meterport_store::tokens::TokenKind::Read,
            Some(a_user),
            T0,
        )
        .await
        .unwrap();
    let b_ingest = app.ingest_token(&b).await;
    let b_read = app.read_token(&b).await;
    for (day, total) in [("2021-11-01", 100), ("2021-11-15", 150)] {
        app.ingest_ok(
            "readings",
            &a_ingest,
            &json!({"serial": "A-SECRET-1", "read_at": format!("{day}T09:00:00+09:00"),
                        "counters": {"total1": total, "color": total / 2}}),
        )
        .await;
    }
    app.ingest_ok(
        "status",
        &a_ingest,
        &json!({"serial": "A-SECRET-1", "at": "2021-11-15T09:00:00+09:00",
                    "conditions": [{"code": "J-1", "severity": "error", "message": "Jam"}],
                    "supplies": [{"name": "AlphaToner", "kind": "toner", "color": "black",
                                  "level_percent": 40}]}),
    )
    .await;
    let b_web = Browser::on(&app);
    assert_eq!(b_web.login("bob", PASSWORD).await.status, 303);
    let b_csrf = b_web.session_csrf().await;
    World {
        app,
        a,
        b,
        a_device,
        a_group,
        a_user,
        a_token_id,
        a_read,
        b_device,
        b_read,
        b_ingest,
        b_web,
        b_csrf,
    }
}

impl World {
    /// Everything of tenant A that another tenant could try to read or change, as A sees it.
    async fn a_view(&self) -> String {
        let s = &self.app.store;
        let a = self.a.id;
        let mut out = format!("{:?}\n", s.tenant(a).await.unwrap());
        out += &format!("{:?}\n", s.device(a, self.a_device).await.unwrap());
        out += &format!("{:?}\n", s.list_groups(a).await.unwrap());
        out += &format!("{:?}\n", s.user(a, self.a_user).await.unwrap());
        out += &format!(
            "{:?}\n",
            s.notification_settings(a, self.a_user).await.unwrap()
        );
        for path in [
            format!("/api/v1/devices/{}", self.a_device),
            "/api/v1/counters?unit=month&from=2021-11&to=2021-11&kind=usage".into(),
        ] {
            let (status, body) = self.app.get(&path, &self.a_read).await;
            assert_eq!(status, 200, "{path}: {body}");
            out += &format!("{body}\n");
        }
        out
    }

    /// The requests of tenant B (or of nobody) that try to reach tenant A through one
    /// route, `METHOD /template`. `None` for a route this table does not know.
    fn probes(&self, route: &str) -> Option<Vec<Probe>> {
        let (ad, ag, au) = (self.a_device, self.a_group, self.a_user);
        let a = self.a.id;
        let b = self.b.id;
        let web_get = |p: String| Probe::web(Method::GET, p, vec![]);
        let web_post = |p: String, form: Vec<(&str, String)>| {
            Probe::web(
                Method::POST,
                p,
                form.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            )
        };
        let read = |p: String| Probe::api(Method::GET, p, Who::BRead, Value::Null);
        let op_paths = |method: Method, path: String, body: Value| {
            // Without the operator token: every kind of customer credential is refused;
            // with it, tenant B's path never reaches tenant A's resources.
            vec![
                Probe::api(method.clone(), path.clone(), Who::BRead, body.clone()),
                Probe::api(method.clone(), path.clone(), Who::BIngest, body.clone()),
                Probe::api(method.clone(), path.clone(), Who::BSession, body.clone()),
                Probe::api(method, path, Who::Nobody, body),
            ]
        };
        let t = |rest: &str| format!("/api/v1/admin/tenants/{b}{rest}");
        let op_cross = |method: Method, rest: String, body: Value| {
            let mut v = op_paths(method.clone(), t(&rest), body.clone());
            v.push(Probe::api(method, t(&rest), Who::Operator, body));
            v
        };
        Some(match route {
            "GET /healthz" => vec![web_get("/healthz".into())],
            // The operator's scrape: every customer credential and none are refused; the
            // operator's answer names tenants by id only (checked against A's markers).
            "GET /metrics" => {
                let mut v = op_paths(Method::GET, "/metrics".into(), Value::Null);
                v.push(Probe::api(
                    Method::GET,
                    "/metrics".into(),
                    Who::Operator,
                    Value::Null,
                ));
                v
            }
            // The API's description is public and holds no data.
            "GET /api/v1/openapi.json" => vec![
                read("/api/v1/openapi.json".into()),
                Probe::api(
                    Method::GET,
                    "/api/v1/openapi.json".into(),
                    Who::Nobody,
                    Value::Null,
                ),
            ],
            "GET /" => vec![web_get("/".into())],
            "GET /static/{file}" => vec![web_get("/static/..%2F..%2FCargo.toml".into())],
            "GET /lang/{code}" => vec![web_get(format!("/lang/en?next=/devices/{ad}"))],
            "GET /manual" => vec![web_get("/manual".into())],
            "GET /login" => vec![web_get("/login?next=/devices".into())],
            "POST /login" => vec![web_post(
                "/login".into(),
                vec![("username", "alice".into()), ("password", "wrong-1".into())],
            )],
            "POST /logout" => vec![web_post("/logout".into(), vec![])],
            "GET /welcome" => vec![web_get("/welcome".into())],
            "GET /account/password" => vec![web_get("/account/password".into())],
            "POST /account/password" => vec![web_post(
                "/account/password".into(),
                vec![
                    ("current_password", "nope".into()),
                    ("new_password", "x".into()),
                    ("confirmation", "y".into()),
                ],
            )],
            "GET /account/password/saved" => vec![web_get("/account/password/saved".into())],
            "GET /account/profile" => vec![web_get("/account/profile".into())],
            "POST /account/profile" => vec![web_post(
                "/account/profile".into(),
                vec![("user_id", au.to_string()), ("first_name", "".into())],
            )],
            "GET /account/profile/saved" => vec![web_get("/account/profile/saved".into())],
            "POST /account/language" => vec![web_post(
                "/account/language".into(),
                vec![
                    ("user_id", au.to_string()),
                    ("language", "en".into()),
                    ("next", format!("/devices/{ad}")),
                ],
            )],
            "GET /manual/screens/{lang}/{file}" => {
                vec![web_get("/manual/screens/ja/..%2F..%2FCargo.toml".into())]
            }
            "GET /forgot-password" => vec![web_get("/forgot-password".into())],
            "POST /forgot-password" => vec![web_post(
                "/forgot-password".into(),
                vec![("username", "alice".into())],
            )],
            "GET /reset-password/{token}" => vec![web_get("/reset-password/made-up".into())],
            "POST /reset-password/{token}" => vec![web_post(
                "/reset-password/made-up".into(),
                vec![
                    ("new_password", "fresh2022".into()),
                    ("confirmation", "fresh2022".into()),
                ],
            )],
            "GET /account/email" => vec![web_get("/account/email".into())],
            "POST /account/email" => vec![web_post(
                "/account/email".into(),
                vec![("email", "alice@alpha.example".into())],
            )],
            "GET /account/email/sent" => vec![web_get("/account/email/sent".into())],
            "GET /account/email/confirm/{token}" => {
                vec![web_get("/account/email/confirm/made-up".into())]
            }
            "GET /account/email/confirmed" => vec![web_get("/account/email/confirmed".into())],
            "GET /counters" => vec![web_get(format!(
                "/counters?unit=month&from=2021-11&to=2021-11&kind=usage&group={ag}"
            ))],
            "GET /counters/export" => vec![web_get(format!(
                "/counters/export?unit=month&from=2021-11&to=2021-11&kind=usage&group={ag}"
            ))],
            "GET /counters/device/{id}" => vec![web_get(format!(
                "/counters/device/{ad}?unit=month&from=2021-11&to=2021-11&kind=usage"
            ))],
            "GET /counters/period/{period}" => vec![web_get(format!(
                "/counters/period/2021-11?kind=usage&group={ag}"
            ))],
            "GET /devices" => vec![web_get(format!("/devices?group={ag}"))],
            "GET /devices/{id}" => vec![web_get(format!("/devices/{ad}"))],
            "POST /devices/{id}" => vec![web_post(
                format!("/devices/{ad}"),
                vec![("group", "".into()), ("toner_admin", "".into())],
            )],
            "GET /supplies" => vec![web_get(format!("/supplies?group={ag}"))],
            "GET /settings/groups" => vec![web_get("/settings/groups".into())],
            "GET /settings/groups/new" => vec![web_get("/settings/groups/new".into())],
            "POST /settings/groups/new" => vec![web_post(
                "/settings/groups/new".into(),
                vec![("name", "Stolen".into()), ("device", ad.to_string())],
            )],
            "POST /settings/groups/delete" => vec![web_post(
                "/settings/groups/delete".into(),
                vec![("id", ag.to_string()), ("confirm", "yes".into())],
            )],
            "GET /settings/groups/{id}" => vec![web_get(format!("/settings/groups/{ag}"))],
            "POST /settings/groups/{id}" => vec![web_post(
                format!("/settings/groups/{ag}"),
                vec![("name", "Renamed".into()), ("device", ad.to_string())],
            )],
            "GET /settings/paper-sizes" => vec![web_get("/settings/paper-sizes".into())],
            "POST /settings/paper-sizes" => vec![web_post(
                "/settings/paper-sizes".into(),
                vec![("tenant_id", a.to_string()), ("size", "a3".into())],
            )],
            "GET /settings/notifications" => vec![web_get("/settings/notifications".into())],
            "POST /settings/notifications" => vec![web_post(
                "/settings/notifications".into(),
                vec![
                    ("user_id", au.to_string()),
                    ("service_call_scope", ag.to_string()),
                ],
            )],
            "GET /department-counters" => vec![web_get("/department-counters".into())],
            "GET /api/v1/devices" => vec![
                read(format!("/api/v1/devices?group={ag}")),
                read("/api/v1/devices".into()),
            ],
            "GET /api/v1/devices/{id}" => vec![read(format!("/api/v1/devices/{ad}"))],
            "GET /api/v1/counters" => vec![
                read(format!(
                    "/api/v1/counters?unit=month&from=2021-11&to=2021-11&kind=usage&device={ad}"
                )),
                read(format!(
                    "/api/v1/counters?unit=month&from=2021-11&to=2021-11&kind=usage&group={ag}"
                )),
            ],
            "GET /api/v1/counters.csv" => vec![read(format!(
                "/api/v1/counters.csv?unit=month&from=2021-11&to=2021-11&kind=usage&device={ad}"
            ))],
            "POST /api/v1/ingest/readings" => vec![Probe::api(
                Method::POST,
                "/api/v1/ingest/readings".into(),
                Who::BIngest,
                json!({"serial": "A-SECRET-1", "read_at": "2021-11-20T09:00:00+09:00",
                       "counters": {"total1": 999_999}}),
            )],
            "POST /api/v1/ingest/status" => vec![Probe::api(
                Method::POST,
                "/api/v1/ingest/status".into(),
                Who::BIngest,
                json!({"serial": "A-SECRET-1", "at": "2021-11-20T09:00:00+09:00",
                       "conditions": []}),
            )],
            "GET /api/v1/admin/announcements" => op_paths(
                Method::GET,
                "/api/v1/admin/announcements".into(),
                Value::Null,
            ),
            "POST /api/v1/admin/announcements" => op_paths(
                Method::POST,
                "/api/v1/admin/announcements".into(),
                json!({"text_ja": "x", "text_en": "x"}),
            ),
            "DELETE /api/v1/admin/announcements/{id}" => op_paths(
                Method::DELETE,
                "/api/v1/admin/announcements/1".into(),
                Value::Null,
            ),
            "GET /api/v1/admin/tenants" => {
                op_paths(Method::GET, "/api/v1/admin/tenants".into(), Value::Null)
            }
            "POST /api/v1/admin/tenants" => op_paths(
                Method::POST,
                "/api/v1/admin/tenants".into(),
                json!({"name": "Mallory"}),
            ),
            "GET /api/v1/admin/tenants/{tenant_id}" => op_paths(
                Method::GET,
                format!("/api/v1/admin/tenants/{a}"),
                Value::Null,
            ),
            "GET /api/v1/admin/tenants/{tenant_id}/users" => op_paths(
                Method::GET,
                format!("/api/v1/admin/tenants/{a}/users"),
                Value::Null,
            ),
            "POST /api/v1/admin/tenants/{tenant_id}/users" => op_paths(
                Method::POST,
                format!("/api/v1/admin/tenants/{a}/users"),
                json!({"username": "mallory", "password": "secret123"}),
            ),
            "GET /api/v1/admin/tenants/{tenant_id}/users/{id}" => {
                op_cross(Method::GET, format!("/users/{au}"), Value::Null)
            }
            "DELETE /api/v1/admin/tenants/{tenant_id}/users/{id}" => {
                op_cross(Method::DELETE, format!("/users/{au}"), Value::Null)
            }
            "POST /api/v1/admin/tenants/{tenant_id}/users/{id}/reset-password" => op_cross(
                Method::POST,
                format!("/users/{au}/reset-password"),
                json!({"password": "fresh2022"}),
            ),
            "POST /api/v1/admin/tenants/{tenant_id}/users/{id}/unlock" => {
                op_cross(Method::POST, format!("/users/{au}/unlock"), Value::Null)
            }
            "GET /api/v1/admin/tenants/{tenant_id}/devices" => op_paths(
                Method::GET,
                format!("/api/v1/admin/tenants/{a}/devices"),
                Value::Null,
            ),
            "POST /api/v1/admin/tenants/{tenant_id}/devices" => op_paths(
                Method::POST,
                format!("/api/v1/admin/tenants/{a}/devices"),
                mfp("M-1", "Mallory"),
            ),
            "GET /api/v1/admin/tenants/{tenant_id}/devices/{id}" => {
                op_cross(Method::GET, format!("/devices/{ad}"), Value::Null)
            }
            "DELETE /api/v1/admin/tenants/{tenant_id}/devices/{id}" => {
                op_cross(Method::DELETE, format!("/devices/{ad}"), Value::Null)
            }
            "GET /api/v1/admin/tenants/{tenant_id}/groups" => op_paths(
                Method::GET,
                format!("/api/v1/admin/tenants/{a}/groups"),
                Value::Null,
            ),
            "POST /api/v1/admin/tenants/{tenant_id}/groups" => {
                let mut v = op_paths(
                    Method::POST,
                    format!("/api/v1/admin/tenants/{a}/groups"),
                    json!({"name": "X", "device_ids": []}),
                );
                // Tenant B's group may not take tenant A's device.
                v.push(Probe::api(
                    Method::POST,
                    t("/groups"),
                    Who::Operator,
                    json!({"name": "Stolen", "device_ids": [ad]}),
                ));
                v
            }
            "PATCH /api/v1/admin/tenants/{tenant_id}/groups/{id}" => op_cross(
                Method::PATCH,
                format!("/groups/{ag}"),
                json!({"name": "Renamed"}),
            ),
            "DELETE /api/v1/admin/tenants/{tenant_id}/groups/{id}" => {
                op_cross(Method::DELETE, format!("/groups/{ag}"), Value::Null)
            }
            "POST /api/v1/admin/tenants/{tenant_id}/ingest-tokens" => op_paths(
                Method::POST,
                format!("/api/v1/admin/tenants/{a}/ingest-tokens"),
                Value::Null,
            ),
            "POST /api/v1/admin/tenants/{tenant_id}/api-tokens" => {
                let mut v = op_paths(
                    Method::POST,
                    format!("/api/v1/admin/tenants/{a}/api-tokens"),
                    json!({"username": "alice"}),
                );
                // A read token of tenant B acting as tenant A's user: refused.
                v.push(Probe::api(
                    Method::POST,
                    t("/api-tokens"),
                    Who::Operator,
                    json!({"username": "alice"}),
                ));
                v
            }
            "GET /api/v1/admin/tenants/{tenant_id}/tokens" => op_paths(
                Method::GET,
                format!("/api/v1/admin/tenants/{a}/tokens"),
                Value::Null,
            ),
            "DELETE /api/v1/admin/tenants/{tenant_id}/tokens/{id}" => op_cross(
                Method::DELETE,
                format!("/tokens/{}", self.a_token_id),
                Value::Null,
            ),
            "GET /api/v1/admin/tenants/{tenant_id}/unknown-serials" => op_paths(
                Method::GET,
                format!("/api/v1/admin/tenants/{a}/unknown-serials"),
                Value::Null,
            ),
            _ => return None,
        })
    }

    async fn send(&self, probe: &Probe) -> Page {
        let url = self.app.url(&probe.path);
        let req = match &probe.who {
            Who::BSession => {
                let mut form = probe.form.clone();
                form.push(("csrf".into(), self.b_csrf.clone()));
                let req = self.b_web.client.request(probe.method.clone(), &url);
                if probe.method == Method::GET {
                    req
                } else if probe.body.is_null() {
                    req.form(&form)
                } else {
                    req.json(&probe.body)
                }
            }
            who => {
                let req = self.app.client.request(probe.method.clone(), &url);
                let req = match who {
                    Who::BRead => req.bearer_auth(&self.b_read),
                    Who::BIngest => req.bearer_auth(&self.b_ingest),
                    Who::Operator => req.bearer_auth(OPERATOR_TOKEN),
                    _ => req,
                };
                if probe.body.is_null() {
                    req
                } else {
                    req.json(&probe.body)
                }
            }
        };
        page(req.send().await.expect("the portal answers")).await
    }
}

#[derive(Debug, Clone)]
enum Who {
    BSession,
    BRead,
    BIngest,
    Operator,
    Nobody,
}

#[derive(Debug, Clone)]
struct Probe {
    method: Method,
    path: String,
    who: Who,
    form: Vec<(String, String)>,
    body: Value,
}

impl Probe {
    fn web(method: Method, path: String, form: Vec<(String, String)>) -> Probe {
        Probe {
            method,
            path,
            who: Who::BSession,
            form,
            body: Value::Null,
        }
    }

    fn api(method: Method, path: String, who: Who, body: Value) -> Probe {
        Probe {
            method,
            path,
            who,
            form: vec![],
            body,
        }
    }
}

/// Every route of the portal's router as `METHOD /template`, read from the router itself
/// (its `Debug` form lists each path with the methods it takes), so that a route added
/// without an isolation case fails the suite.
pub(crate) fn router_routes(state: AppState) -> BTreeSet<String> {
    let text = format!("{:?}", router(state));
    // `paths: {RouteId(3): "/healthz", ...}` and `RouteId(3): MethodRouter(MethodRouter {
    // get: Route, head: None, ... })`.
    let mut paths: HashMap<String, String> = HashMap::new();
    let mut methods: HashMap<String, Vec<String>> = HashMap::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at + 8..];
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[id.len()..];
        if let Some(p) = after.strip_prefix("): \"") {
            let path = p.split('"').next().unwrap().to_string();
            paths.insert(id, path);
        } else if let Some(m) = after.strip_prefix("): MethodRouter(MethodRouter { ") {
            let body = m.split(", fallback:").next().unwrap();
            let taken = body
                .split(", ")
                .filter_map(|field| field.split_once(": "))
                .filter(|(_, v)| *v != "None")
                .map(|(k, _)| k.to_uppercase())
                .collect();
            methods.insert(id, taken);
        }
    }
    let mut out = BTreeSet::new();
    for (id, path) in paths {
        if path.contains("__private__") {
            continue;
        }
        for m in methods.get(&id).cloned().unwrap_or_default() {
            out.insert(format!("{m} {path}"));
        }
    }
    out
}

#[tokio::test]
async fn every_route_is_tried_with_another_tenant_s_session_and_tokens_and_reveals_or_changes_nothing()
 {
    let w = world().await;
    let routes = router_routes(w.app.state.clone());
    assert!(
        routes.len() >= 70,
        "the router's routes could not be read: {routes:?}"
    );
    let missing: Vec<&String> = routes.iter().filter(|r| w.probes(r).is_none()).collect();
    assert!(
        missing.is_empty(),
        "routes without an isolation case in this suite: {missing:?}"
    );
    let before = w.a_view().await;
    let b_device_before = format!("{:?}", w.app.store.device(w.b.id, w.b_device).await);
    let mut tried = 0;
    for route in &routes {
        for probe in w.probes(route).unwrap() {
            let res = w.send(&probe).await;
            tried += 1;
            assert!(
                res.status < 500,
                "{route} {probe:?}: {} {}",
                res.status,
                res.html
            );
            for marker in A_MARKERS {
                assert!(
                    !res.html.contains(marker),
                    "{route} {probe:?} shows tenant A's {marker:?}: {}",
                    res.html
                );
            }
            if let Some(location) = &res.location {
                for marker in A_MARKERS {
                    assert!(!location.contains(marker), "{route}: {location}");
                }
            }
            // Operator routes (and the metrics) never answer a customer credential.
            if (probe.path.starts_with("/api/v1/admin/") || probe.path == "/metrics")
                && !matches!(probe.who, Who::Operator)
            {
                assert_eq!(res.status, 401, "{route} {probe:?}");
            }
            // Anything of tenant A named by id is "not found" to tenant B.
            let admin = probe.path.starts_with("/api/v1/admin/");
            if (matches!(probe.who, Who::Operator) || (matches!(probe.who, Who::BRead) && !admin))
                && (probe.path.ends_with(&format!("/devices/{}", w.a_device))
                    || probe.path.contains(&format!("device={}&", w.a_device))
                    || probe.path.ends_with(&format!("device={}", w.a_device)))
            {
                assert_eq!(res.status, 404, "{route} {probe:?}: {}", res.html);
            }
            // The session must survive for the next probes (logout is tried last of all).
            if probe.path == "/logout" {
                w.b_web.login("bob", PASSWORD).await;
            }
        }
    }
    assert!(tried > routes.len(), "{tried} probes");
    assert_eq!(w.a_view().await, before, "tenant A changed");
    // Tenant B's device was not moved into tenant A's group either.
    assert_eq!(
        format!("{:?}", w.app.store.device(w.b.id, w.b_device).await),
        b_device_before
    );
}

/// A refused request: what it is, and how to send it.
struct Bad {
    what: String,
    method: Method,
    path: String,
    who: Who,
    content: Content,
}

enum Content {
    None,
    Json(String),
    Form(Vec<(String, String)>),
    Header(&'static str, Vec<u8>),
}

fn bad(what: impl Into<String>, method: Method, path: impl Into<String>, who: Who) -> Bad {
    Bad {
        what: what.into(),
        method,
        path: path.into(),
        who,
        content: Content::None,
    }
}

impl Bad {
    fn json(mut self, body: impl Into<String>) -> Bad {
        self.content = Content::Json(body.into());
        self
    }
    fn form(mut self, form: &[(&str, &str)]) -> Bad {
        self.content = Content::Form(
            form.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        self
    }
    fn header(mut self, name: &'static str, value: &[u8]) -> Bad {
        self.content = Content::Header(name, value.to_vec());
        self
    }
}

/// The table of bad inputs: each must get a 4xx and leave every table as it was.
fn bad_inputs(w: &World) -> Vec<Bad> {
    let mut v = Vec::new();
    let ing = |what: &str, body: String| {
        bad(
            format!("readings: {what}"),
            Method::POST,
            "/api/v1/ingest/readings",
            Who::BIngest,
        )
        .json(body)
    };
    let reading = |serial: &str, at: &str, counters: &str| {
        format!(r#"{{"serial":"{serial}","read_at":"{at}","counters":{counters}}}"#)
    };
    const AT: &str = "2021-11-20T09:00:00+09:00";
    for (what, body) in [
        ("empty body", String::new()),
        ("not JSON", "hello".into()),
        ("a number", "42".into()),
        ("a string", "\"x\"".into()),
        ("null", "null".into()),
        ("truncated", r#"{"serial":"B-1""#.into()),
        (
            "trailing garbage",
            format!("{} x", reading("B-1", AT, r#"{"total1":1}"#)),
        ),
        ("an array of numbers", "[1,2]".into()),
        (
            "missing serial",
            format!(r#"{{"read_at":"{AT}","counters":{{"total1":1}}}}"#),
        ),
        (
            "missing read_at",
            r#"{"serial":"B-1","counters":{"total1":1}}"#.into(),
        ),
        (
            "missing counters",
            format!(r#"{{"serial":"B-1","read_at":"{AT}"}}"#),
        ),
        ("empty counters", reading("B-1", AT, "{}")),
        ("counters an array", reading("B-1", AT, "[1]")),
        (
            "unknown field",
            format!(r#"{{"serial":"B-1","read_at":"{AT}","counters":{{"total1":1}},"x":1}}"#),
        ),
        ("unknown counter", reading("B-1", AT, r#"{"total9":1}"#)),
        ("negative", reading("B-1", AT, r#"{"total1":-1}"#)),
        ("fractional sheets", reading("B-1", AT, r#"{"total1":1.5}"#)),
        ("exponent", reading("B-1", AT, r#"{"total1":1e3}"#)),
        (
            "exponent upper case",
            reading("B-1", AT, r#"{"total1":1E3}"#),
        ),
        (
            "too many digits",
            reading("B-1", AT, r#"{"total1":99999999999999999999999}"#),
        ),
        ("string value", reading("B-1", AT, r#"{"total1":"12"}"#)),
        ("bool value", reading("B-1", AT, r#"{"total1":true}"#)),
        ("null value", reading("B-1", AT, r#"{"total1":null}"#)),
        ("object value", reading("B-1", AT, r#"{"total1":{"a":1}}"#)),
        (
            "duplicate counter",
            reading("B-1", AT, r#"{"total1":1,"total1":2}"#),
        ),
        (
            "duplicate serial",
            format!(
                r#"{{"serial":"B-1","serial":"B-2","read_at":"{AT}","counters":{{"total1":1}}}}"#
            ),
        ),
        (
            "duplicate read_at",
            format!(
                r#"{{"serial":"B-1","read_at":"{AT}","read_at":"{AT}","counters":{{"total1":1}}}}"#
            ),
        ),
        (
            "offset +25:00",
            reading("B-1", "2021-11-20T10:00:00+25:00", r#"{"total1":1}"#),
        ),
        (
            "offset +24:00",
            reading("B-1", "2021-11-20T10:00:00+24:00", r#"{"total1":1}"#),
        ),
        (
            "offset +09:60",
            reading("B-1", "2021-11-20T10:00:00+09:60", r#"{"total1":1}"#),
        ),
        (
            "offset -99:00",
            reading("B-1", "2021-11-20T10:00:00-99:00", r#"{"total1":1}"#),
        ),
        (
            "no offset",
            reading("B-1", "2021-11-20T10:00:00", r#"{"total1":1}"#),
        ),
        (
            "annotation",
            reading(
                "B-1",
                "2021-11-20T10:00:00+09:00[Asia/Tokyo]",
                r#"{"total1":1}"#,
            ),
        ),
        ("date only", reading("B-1", "2021-11-20", r#"{"total1":1}"#)),
        (
            "month 13",
            reading("B-1", "2021-13-20T10:00:00+09:00", r#"{"total1":1}"#),
        ),
        (
            "hour 25",
            reading("B-1", "2021-11-20T25:00:00+09:00", r#"{"total1":1}"#),
        ),
        (
            "far future",
            reading("B-1", "2031-11-20T10:00:00+09:00", r#"{"total1":1}"#),
        ),
        (
            "serial with NUL",
            reading("B-\\u00001", AT, r#"{"total1":1}"#),
        ),
        ("serial with a space", reading("B 1", AT, r#"{"total1":1}"#)),
        ("serial with a slash", reading("B/1", AT, r#"{"total1":1}"#)),
        (
            "serial of 65 characters",
            reading(&"S".repeat(65), AT, r#"{"total1":1}"#),
        ),
        (
            "serial with markup",
            reading("<script>", AT, r#"{"total1":1}"#),
        ),
        (
            "serial full-width",
            reading("Ｂ－１", AT, r#"{"total1":1}"#),
        ),
        (
            "serial a number",
            format!(r#"{{"serial":1,"read_at":"{AT}","counters":{{"total1":1}}}}"#),
        ),
        (
            "one bad item of two",
            format!(
                "[{},{}]",
                reading("B-1", AT, r#"{"total1":1}"#),
                reading("B-1", "x", r#"{"total1":2}"#)
            ),
        ),
        (
            "a nested array",
            format!("[[{}]]", reading("B-1", AT, r#"{"total1":1}"#)),
        ),
    ] {
        v.push(ing(what, body));
    }
    let st = |what: &str, body: String| {
        bad(
            format!("status: {what}"),
            Method::POST,
            "/api/v1/ingest/status",
            Who::BIngest,
        )
        .json(body)
    };
    let status =
        |conditions: &str| format!(r#"{{"serial":"B-1","at":"{AT}","conditions":{conditions}}}"#);
    for (what, body) in [
        ("not JSON", "{".to_string()),
        (
            "missing conditions",
            format!(r#"{{"serial":"B-1","at":"{AT}"}}"#),
        ),
        (
            "unknown severity",
            status(r#"[{"code":"X","severity":"critical"}]"#),
        ),
        (
            "duplicate severity",
            status(r#"[{"code":"X","severity":"critical","severity":"error"}]"#),
        ),
        (
            "duplicate serial",
            format!(r#"{{"serial":"B-1","serial":"B-2","at":"{AT}","conditions":[]}}"#),
        ),
        (
            "duplicate code",
            status(r#"[{"code":"X","severity":"error"},{"code":"X","severity":"error"}]"#),
        ),
        (
            "code with a space",
            status(r#"[{"code":"X Y","severity":"error"}]"#),
        ),
        (
            "code too long",
            status(&format!(
                r#"[{{"code":"{}","severity":"error"}}]"#,
                "C".repeat(65)
            )),
        ),
        (
            "message with NUL",
            status(r#"[{"code":"X","severity":"error","message":"a\u0000b"}]"#),
        ),
        (
            "message too long",
            status(&format!(
                r#"[{{"code":"X","severity":"error","message":"{}"}}]"#,
                "m".repeat(501)
            )),
        ),
        (
            "bad offset",
            r#"{"serial":"B-1","at":"2021-11-20T10:00:00+25:00","conditions":[]}"#.to_string(),
        ),
        (
            "serial too long",
            format!(
                r#"{{"serial":"{}","at":"{AT}","conditions":[]}}"#,
                "S".repeat(65)
            ),
        ),
        (
            "supply without a name",
            format!(
                r#"{{"serial":"B-1","at":"{AT}","conditions":[],"supplies":[{{"kind":"toner"}}]}}"#
            ),
        ),
        (
            "supply level 101",
            format!(
                r#"{{"serial":"B-1","at":"{AT}","conditions":[],"supplies":[{{"name":"T","kind":"toner","level_percent":101}}]}}"#
            ),
        ),
        (
            "supply unknown colour",
            format!(
                r#"{{"serial":"B-1","at":"{AT}","conditions":[],"supplies":[{{"name":"T","kind":"toner","color":"plaid","level_percent":5}}]}}"#
            ),
        ),
        (
            "unknown field",
            format!(r#"{{"serial":"B-1","at":"{AT}","conditions":[],"x":1}}"#),
        ),
    ] {
        v.push(st(what, body));
    }
    let b = w.b.id;
    let op = |what: &str, method: Method, path: String| {
        bad(format!("operator: {what}"), method, path, Who::Operator)
    };
    let tp = format!("/api/v1/admin/tenants/{b}");
    for (what, method, path, body) in [
        ("tenant duplicate name key", Method::POST, "/api/v1/admin/tenants".to_string(), r#"{"name":"X","name":"Y"}"#.to_string()),
        ("tenant unknown zone", Method::POST, "/api/v1/admin/tenants".into(), r#"{"name":"X","timezone":"Mars/Base"}"#.into()),
        ("tenant empty name", Method::POST, "/api/v1/admin/tenants".into(), r#"{"name":""}"#.into()),
        ("tenant not JSON", Method::POST, "/api/v1/admin/tenants".into(), "{".into()),
        ("tenant negative retention", Method::POST, "/api/v1/admin/tenants".into(), r#"{"name":"X","retention_months":-1}"#.into()),
        ("user weak password", Method::POST, format!("{tp}/users"), r#"{"username":"eve","password":"abc"}"#.into()),
        ("user duplicate username key", Method::POST, format!("{tp}/users"), r#"{"username":"eve","username":"mallory","password":"secret123"}"#.into()),
        ("user full-width e-mail", Method::POST, format!("{tp}/users"), r#"{"username":"eve","password":"secret123","email":"ｅｖｅ@example.com"}"#.into()),
        ("user taken name", Method::POST, format!("{tp}/users"), r#"{"username":"bob","password":"secret123"}"#.into()),
        ("device bad serial", Method::POST, format!("{tp}/devices"), r#"{"serial":"A B","name":"n","product":"p","device_type":"mono_mfp","protocol":"http"}"#.into()),
        ("device taken serial", Method::POST, format!("{tp}/devices"), r#"{"serial":"A-SECRET-1","name":"n","product":"p","device_type":"mono_mfp","protocol":"http"}"#.into()),
        ("device unknown type", Method::POST, format!("{tp}/devices"), r#"{"serial":"Z-1","name":"n","product":"p","device_type":"fax","protocol":"http"}"#.into()),
        ("device duplicate serial key", Method::POST, format!("{tp}/devices"), r#"{"serial":"Z-1","serial":"Z-2","name":"n","product":"p","device_type":"mono_mfp","protocol":"http"}"#.into()),
        ("device javascript remote UI", Method::POST, format!("{tp}/devices"), r#"{"serial":"Z-1","name":"n","product":"p","device_type":"mono_mfp","protocol":"http","remote_ui_url":"javascript:alert(1)"}"#.into()),
        ("group forbidden character", Method::POST, format!("{tp}/groups"), r#"{"name":"a<b","device_ids":[]}"#.into()),
        ("group name too long", Method::POST, format!("{tp}/groups"), format!(r#"{{"name":"{}","device_ids":[]}}"#, "g".repeat(51))),
        ("group duplicate key", Method::POST, format!("{tp}/groups"), r#"{"name":"a","name":"b","device_ids":[]}"#.into()),
        ("group unknown device", Method::POST, format!("{tp}/groups"), r#"{"name":"a","device_ids":[999999]}"#.into()),
        ("api token unknown user", Method::POST, format!("{tp}/api-tokens"), r#"{"username":"nobody"}"#.into()),
        ("announcement without text", Method::POST, "/api/v1/admin/announcements".into(), r#"{"text_ja":"","text_en":""}"#.into()),
    ] {
        v.push(op(what, method, path).json(body));
    }
    for (what, path) in [
        (
            "tenant id not a number",
            "/api/v1/admin/tenants/abc".to_string(),
        ),
        ("tenant id negative", "/api/v1/admin/tenants/-1".into()),
        ("unknown tenant", "/api/v1/admin/tenants/999999".into()),
        ("page zero", format!("{tp}/unknown-serials?page=0")),
        (
            "page size too large",
            format!("{tp}/unknown-serials?per_page=100000"),
        ),
        ("page not a number", format!("{tp}/unknown-serials?page=x")),
    ] {
        v.push(op(what, Method::GET, path));
    }
    let q = |what: &str, path: &str| bad(format!("query: {what}"), Method::GET, path, Who::BRead);
    for (what, path) in [
        ("start missing", "/api/v1/counters?unit=month&to=2021-11"),
        (
            "unit unknown",
            "/api/v1/counters?unit=week&from=2021-11&to=2021-11",
        ),
        (
            "13 months",
            "/api/v1/counters?unit=month&from=2021-01&to=2022-01",
        ),
        (
            "to before from",
            "/api/v1/counters?unit=month&from=2021-11&to=2021-10",
        ),
        (
            "day range too long",
            "/api/v1/counters?unit=day&from=2021-08-01&to=2021-11-01",
        ),
        (
            "bad month",
            "/api/v1/counters?unit=month&from=2021-13&to=2021-13",
        ),
        (
            "bad kind",
            "/api/v1/counters?unit=month&from=2021-11&to=2021-11&kind=sum",
        ),
        (
            "bad class",
            "/api/v1/counters?unit=month&from=2021-11&to=2021-11&class=fax",
        ),
        (
            "bad group",
            "/api/v1/counters?unit=month&from=2021-11&to=2021-11&group=x",
        ),
        (
            "device not a number",
            "/api/v1/counters?unit=month&from=2021-11&to=2021-11&device=x",
        ),
        ("bad period", "/api/v1/counters?period=2021-11-31"),
        (
            "csv bad encoding",
            "/api/v1/counters.csv?unit=month&from=2021-11&to=2021-11&encoding=ebcdic",
        ),
        (
            "csv bad view",
            "/api/v1/counters.csv?unit=month&from=2021-11&to=2021-11&view=secret",
        ),
        (
            "csv bad lang",
            "/api/v1/counters.csv?unit=month&from=2021-11&to=2021-11&lang=xx",
        ),
        ("devices bad group", "/api/v1/devices?group=abc"),
        ("device id not a number", "/api/v1/devices/abc"),
        (
            "month with letters",
            "/api/v1/counters?unit=month&from=2021-1x&to=2021-11",
        ),
    ] {
        v.push(q(what, path));
    }
    let bd = w.b_device.to_string();
    let f = |what: &str, path: &str, form: &[(&str, &str)]| {
        bad(format!("form: {what}"), Method::POST, path, Who::BSession).form(form)
    };
    v.push(f(
        "group name with a quote",
        "/settings/groups/new",
        &[("name", "a\"b")],
    ));
    v.push(f(
        "group name with half-width katakana",
        "/settings/groups/new",
        &[("name", "ｱｲｳ")],
    ));
    v.push(f(
        "group name too long",
        "/settings/groups/new",
        &[("name", &"あ".repeat(26))],
    ));
    v.push(f(
        "group name empty",
        "/settings/groups/new",
        &[("name", " ")],
    ));
    v.push(f(
        "group with an unknown device",
        "/settings/groups/new",
        &[("name", "ok"), ("device", "999999")],
    ));
    v.push(f(
        "profile without names",
        "/account/profile",
        &[
            ("first_name", ""),
            ("last_name", ""),
            ("language", "en"),
            ("locale", "en-US"),
            ("timezone", "Asia/Tokyo"),
        ],
    ));
    v.push(f(
        "profile unknown zone",
        "/account/profile",
        &[
            ("first_name", "B"),
            ("last_name", "B"),
            ("language", "en"),
            ("locale", "en-US"),
            ("timezone", "Mars/Base"),
        ],
    ));
    v.push(f(
        "password wrong current",
        "/account/password",
        &[
            ("current_password", "nope"),
            ("new_password", "fresh2022"),
            ("confirmation", "fresh2022"),
        ],
    ));
    v.push(f(
        "password without digit",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "freshfresh"),
            ("confirmation", "freshfresh"),
        ],
    ));
    v.push(f(
        "password confirmation differs",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "fresh2022"),
            ("confirmation", "fresh2023"),
        ],
    ));
    v.push(f(
        "e-mail full-width",
        "/account/email",
        &[
            ("email", "ｂｏｂ@example.com"),
            ("confirmation", "ｂｏｂ@example.com"),
            ("password", PASSWORD),
        ],
    ));
    v.push(f(
        "e-mail mismatch",
        "/account/email",
        &[
            ("email", "a@example.com"),
            ("confirmation", "b@example.com"),
            ("password", PASSWORD),
        ],
    ));
    v.push(f(
        "device unknown group",
        &format!("/devices/{bd}"),
        &[("group", "999999"), ("toner_admin", "")],
    ));
    v.push(f(
        "device unknown toner admin",
        &format!("/devices/{bd}"),
        &[("group", ""), ("toner_admin", "999999")],
    ));
    v.push(f(
        "paper size unknown",
        "/settings/paper-sizes",
        &[("size", "a0")],
    ));
    v.push(f(
        "notification scope unknown",
        "/settings/notifications",
        &[("service_call_scope", "everything")],
    ));
    let h = |what: &str, name: &'static str, value: &[u8]| {
        bad(
            format!("header: {what}"),
            Method::GET,
            "/api/v1/devices",
            Who::Nobody,
        )
        .header(name, value)
    };
    v.push(h("bearer without token", "authorization", b"Bearer "));
    v.push(h(
        "basic auth",
        "authorization",
        b"Basic Ym9iOnNlY3JldDEyMw==",
    ));
    v.push(h(
        "made-up token",
        "authorization",
        b"Bearer mpr_0000000000000000",
    ));
    v.push(h(
        "token with high bytes",
        "authorization",
        b"Bearer \xff\xfe",
    ));
    v.push(h(
        "ingest token for reading",
        "authorization",
        format!("Bearer {}", w.b_ingest).as_bytes(),
    ));
    v.push(h(
        "operator token lower case scheme",
        "authorization",
        format!("bearer{OPERATOR_TOKEN}").as_bytes(),
    ));
    v.push(
        bad(
            "header: forged session cookie",
            Method::GET,
            "/api/v1/devices",
            Who::Nobody,
        )
        .header("cookie", b"mp_session=../../etc/passwd"),
    );
    v.push(
        bad(
            "header: ingest without token",
            Method::POST,
            "/api/v1/ingest/readings",
            Who::Nobody,
        )
        .json(reading("B-1", AT, r#"{"total1":1}"#)),
    );
    v.push(
        bad(
            "header: ingest with a read token",
            Method::POST,
            "/api/v1/ingest/readings",
            Who::BRead,
        )
        .json(reading("B-1", AT, r#"{"total1":1}"#)),
    );
    v
}

/// Every table's digest but those that change on any request by design: the sessions
/// (last use) and the login limit per address (counts attempts).
async fn fingerprint(store: &Store) -> BTreeMap<String, String> {
    let mut f = store.table_fingerprints().await.unwrap();
    f.remove("sessions");
    f.remove("login_throttle");
    f
}

#[tokio::test]
async fn a_hundred_bad_inputs_are_each_refused_with_a_4xx_and_change_no_table() {
    let w = world().await;
    let cases = bad_inputs(&w);
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let before = fingerprint(&w.app.store).await;
    for case in &cases {
        let url = w.app.url(&case.path);
        let client = match case.who {
            Who::BSession => &w.b_web.client,
            _ => &w.app.client,
        };
        let mut req = client.request(case.method.clone(), &url);
        req = match case.who {
            Who::BRead => req.bearer_auth(&w.b_read),
            Who::BIngest => req.bearer_auth(&w.b_ingest),
            Who::Operator => req.bearer_auth(OPERATOR_TOKEN),
            _ => req,
        };
        req = match &case.content {
            Content::None => req,
            Content::Json(body) => req
                .header("content-type", "application/json")
                .body(body.clone()),
            Content::Form(form) => {
                let mut form = form.clone();
                form.push(("csrf".into(), w.b_csrf.clone()));
                req.form(&form)
            }
            Content::Header(name, value) => req.header(
                *name,
                reqwest::header::HeaderValue::from_bytes(value).expect("a header value"),
            ),
        };
        let res = page(req.send().await.unwrap()).await;
        assert!(
            (400..500).contains(&res.status),
            "{}: {} {}",
            case.what,
            res.status,
            res.html
        );
        if case.path.starts_with("/api/") {
            assert!(
                res.content_type.starts_with("application/json"),
                "{}: {}",
                case.what,
                res.content_type
            );
        }
        assert_eq!(
            fingerprint(&w.app.store).await,
            before,
            "{} changed the database",
            case.what
        );
    }
}

/// Where a browser goes after following `location` from `base`.
fn followed(base: &str, location: &str) -> url::Url {
    url::Url::parse(base).unwrap().join(location).unwrap()
}

const REDIRECT_CANDIDATES: [&str; 20] = [
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "/%5C%5Cevil.example",
    "//evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/%0aX",
    "/%0d%0aX",
    "/%00",
    "/%0d%0aLocation:%20https://evil.example",
    "%20//evil.example",
    "/%0a/evil.example",
    "/%E3%80%80/evil.example",
    "///evil.example",
    "/.//evil.example",
    "/%2e%2e//evil.example",
];

fn assert_same_origin(base: &str, what: &str, res: &Page) {
    assert!(
        matches!(res.status, 200 | 302 | 303 | 307),
        "{what}: {} {}",
        res.status,
        res.html
    );
    if let Some(location) = &res.location {
        let to = followed(base, location);
        let home = url::Url::parse(base).unwrap();
        assert_eq!(to.origin(), home.origin(), "{what} -> {location}");
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "{what} -> {location}"
        );
    }
}

#[tokio::test]
async fn no_next_parameter_leads_the_browser_off_the_portal() {
    let w = world().await;
    let base = w.app.base.clone();
    let guest = Browser::on(&w.app);
    for candidate in REDIRECT_CANDIDATES {
        // The language switch before login.
        let res = guest.get(&format!("/lang/en?next={candidate}")).await;
        assert_same_origin(&base, &format!("/lang next={candidate}"), &res);
        // The login form's hidden field, then a correct login.
        let web = Browser::on(&w.app);
        let form = web.get(&format!("/login?next={candidate}")).await;
        assert!(form.status == 200, "{candidate}: {}", form.status);
        let next = form
            .html
            .split("name=\"next\" value=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().replace("&#x2f;", "/"))
            .unwrap_or_default();
        let res = web
            .login_to("bob", PASSWORD, &percent_decode(candidate))
            .await;
        assert_eq!(res.status, 303, "{candidate}: {}", res.html);
        assert_same_origin(
            &base,
            &format!("login next={candidate} (form: {next})"),
            &res,
        );
        // A logged-in browser sent to the login screen goes straight on.
        let res = web.get(&format!("/login?next={candidate}")).await;
        assert_same_origin(&base, &format!("logged-in /login next={candidate}"), &res);
    }
    // A local target is still followed, with its query.
    let res = guest
        .get("/lang/ja?next=/login%3Fnotice%3Dlogged-out")
        .await;
    assert_eq!(res.location.as_deref(), Some("/login?notice=logged-out"));
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_key_given_twice_is_refused_naming_the_key_and_the_item_and_nothing_is_stored() {
    let w = world().await;
    let before = fingerprint(&w.app.store).await;
    let send = |path: &'static str, token: String, body: String| {
        let app = &w.app;
        async move {
            let res = app
                .client
                .post(app.url(path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let ok = r#"{"serial":"B-1","read_at":"2021-11-20T09:00:00+09:00","counters":{"total1":5}}"#;
    let (s, body) = send(
        "/api/v1/ingest/readings",
        w.b_ingest.clone(),
        format!(
            r#"[{ok},{{"serial":"B-1","read_at":"2021-11-21T09:00:00+09:00","counters":{{"total1":150002,"total1":150003}}}}]"#
        ),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(
        (detail["index"].clone(), detail["field"].clone()),
        (json!(1), json!("counters.total1"))
    );
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("more than once")
    );

    let (s, body) = send(
        "/api/v1/ingest/readings",
        w.b_ingest.clone(),
        r#"{"serial":"B-1","serial":"B-2","read_at":"2021-11-20T09:00:00+09:00","counters":{"total1":1}}"#.into(),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "serial");

    let (s, body) = send(
        "/api/v1/ingest/status",
        w.b_ingest.clone(),
        r#"[{"serial":"B-1","at":"2021-11-20T09:00:00+09:00","conditions":[]},
            {"serial":"B-1","at":"2021-11-20T09:00:00+09:00","conditions":[{"code":"X","severity":"critical","severity":"error"}]}]"#.into(),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(
        (detail["index"].clone(), detail["field"].clone()),
        (json!(1), json!("conditions[0].severity"))
    );

    let (s, body) = send(
        "/api/v1/admin/tenants",
        OPERATOR_TOKEN.into(),
        r#"{"name":"One","timezone":"Asia/Tokyo","name":"Two"}"#.into(),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "name");
    assert_eq!(body["error"]["details"][0]["code"], "duplicate_key");
    assert_eq!(fingerprint(&w.app.store).await, before);
}

#[tokio::test]
async fn offsets_outside_rfc_3339_and_exponents_are_refused_with_a_reason() {
    let w = world().await;
    for (at, needle) in [
        ("2026-12-03T10:00:00+25:00", "+25:00"),
        ("2021-11-20T10:00:00+09:60", "+09:60"),
    ] {
        let (s, body) = w
            .app
            .post(
                "/api/v1/ingest/readings",
                &w.b_ingest,
                &json!({"serial": "B-1", "read_at": at, "counters": {"total1": 1}}),
            )
            .await;
        assert_eq!(s, 422, "{body}");
        let m = body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(m.contains(needle) && m.contains("does not exist"), "{m}");
    }
    let res = w
        .app
        .client
        .post(w.app.url("/api/v1/ingest/readings"))
        .bearer_auth(&w.b_ingest)
        .body(
            r#"{"serial":"B-1","read_at":"2021-11-20T09:00:00+09:00","counters":{"total1":1.5e3}}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "counters.total1");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("exponent")
    );
}

#[tokio::test]
async fn untrusted_serials_are_bounded_before_anything_is_stored_and_the_list_is_paged() {
    let w = world().await;
    let first = ListPage::new(1, 100).unwrap();
    // A 20 MB serial, and one with a NUL: refused, nothing recorded.
    for serial in ["S".repeat(20 * 1024 * 1024), "GHOST\u{0}1".to_string()] {
        let (s, body) = w
            .app
            .post(
                "/api/v1/ingest/readings",
                &w.b_ingest,
                &json!({"serial": serial, "read_at": "2021-11-20T09:00:00+09:00",
                        "counters": {"total1": 1}}),
            )
            .await;
        assert_eq!(s, 422);
        assert_eq!(body["error"]["details"][0]["field"], "serial");
        assert!(
            body.to_string().len() < 10_000,
            "the answer does not echo the serial"
        );
    }
    let list = w.app.store.unknown_serials(w.b.id, first).await.unwrap();
    assert_eq!((list.total, list.dropped), (0, 0));

    // 1,100 made-up serials in one request, then 50 more: the list keeps 1,000, the
    // newest, and counts the 150 it dropped.
    let batch: Vec<Value> = (0..1100)
        .map(|i| {
            json!({"serial": format!("GHOST-{i:04}"), "read_at": "2021-11-20T09:00:00+09:00",
                         "counters": {"total1": 1}})
        })
        .collect();
    let (s, _) = w
        .app
        .post("/api/v1/ingest/readings", &w.b_ingest, &json!(batch))
        .await;
    assert_eq!(s, 422);
    w.app.clock.advance(60_000);
    let batch: Vec<Value> = (0..50)
        .map(|i| {
            json!({"serial": format!("LATER-{i:02}"), "read_at": "2021-11-20T09:00:00+09:00",
                         "counters": {"total1": 1}})
        })
        .collect();
    let (s, _) = w
        .app
        .post("/api/v1/ingest/readings", &w.b_ingest, &json!(batch))
        .await;
    assert_eq!(s, 422);
    let list = w.app.store.unknown_serials(w.b.id, first).await.unwrap();
    assert_eq!((list.total, list.dropped), (1000, 150));
    assert!(list.serials[0].serial.starts_with("LATER-"));

    // The operator's listing comes in pages.
    let path = format!(
        "/api/v1/admin/tenants/{}/unknown-serials?page=10&per_page=100",
        w.b.id
    );
    let (s, body) = w.app.get(&path, OPERATOR_TOKEN).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["serials"].as_array().unwrap().len(), 100);
    assert_eq!(
        (body["total"].clone(), body["dropped"].clone()),
        (json!(1000), json!(150))
    );
    let path = format!(
        "/api/v1/admin/tenants/{}/unknown-serials?page=11&per_page=100",
        w.b.id
    );
    let (_, body) = w.app.get(&path, OPERATOR_TOKEN).await;
    assert_eq!(body["serials"], json!([]));
    // Tenant A's list is its own.
    let a = w.app.store.unknown_serials(w.a.id, first).await.unwrap();
    assert_eq!((a.total, a.dropped), (0, 0));
}

#[tokio::test]
async fn every_refusal_under_api_is_json_in_the_contract_s_shape() {
    let w = world().await;
    let client = &w.app.client;
    let check = |res: reqwest::Response, status: u16, code: &'static str| async move {
        assert_eq!(res.status().as_u16(), status);
        let allow = res.headers().get("allow").cloned();
        let ct = res
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(ct.starts_with("application/json"), "{ct}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert!(body["error"]["details"].is_array());
        allow
    };
    let res = client
        .get(w.app.url("/api/v1/no-such-thing"))
        .bearer_auth(&w.b_read)
        .send()
        .await
        .unwrap();
    check(res, 404, "not_found").await;
    let res = client
        .get(w.app.url("/api/v2/devices"))
        .send()
        .await
        .unwrap();
    check(res, 404, "not_found").await;
    let res = client
        .delete(w.app.url("/api/v1/devices"))
        .bearer_auth(&w.b_read)
        .send()
        .await
        .unwrap();
    let allow = check(res, 405, "method_not_allowed").await;
    assert!(allow.unwrap().to_str().unwrap().contains("GET"));
    let big = vec![b' '; meterport_body_limit() + 1];
    let res = client
        .post(w.app.url("/api/v1/ingest/readings"))
        .bearer_auth(&w.b_ingest)
        .body(big)
        .send()
        .await
        .unwrap();
    check(res, 413, "payload_too_large").await;
    // The screens keep their HTML pages.
    let res = client.get(w.app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

/// The largest request body the portal takes (64 MiB).
fn meterport_body_limit() -> usize {
    64 * 1024 * 1024
}

#[tokio::test]
async fn crafted_next_parameters_with_control_characters_never_fail_the_server() {
    let w = world().await;
    let guest = Browser::on(&w.app);
    for next in ["/%0aX", "/%0d%0aX", "/%00", "/%0d", "/%7f", "/%ff%fe"] {
        let res = guest.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(res.status, 303, "{next}: {}", res.html);
        let location = res.location.unwrap();
        assert!(
            location.bytes().all(|b| b.is_ascii_graphic()),
            "{location:?}"
        );
    }
}

#[tokio::test]
async fn csv_cells_starting_with_full_width_formula_characters_are_neutralised() {
    let app = TestApp::spawn().await;
    let t = app.tenant("Acme", "Asia/Tokyo").await;
    let names = ["＝HYPERLINK(\"x\")", "＋1", "－1", "＠SUM(A1)"];
    for (i, name) in names.iter().enumerate() {
        app.device(&t, mfp(&format!("SN-{i}"), name)).await;
    }
    let read = app.read_token(&t).await;
    let res = app
        .get_raw(
            "/api/v1/counters.csv?unit=month&from=2021-11&to=2021-11&kind=usage&lang=en",
            &read,
        )
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let firsts: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .filter(|c| names.iter().any(|n| c.ends_with(n)))
        .collect();
    assert_eq!(firsts.len(), 4, "{text}");
    for cell in firsts {
        assert!(cell.starts_with('\''), "{cell}");
    }
}

#[tokio::test]
async fn the_login_limit_per_address_holds_across_instances_and_restarts() {
    let app = TestApp::spawn().await;
    let t = app.tenant("Acme", "Asia/Tokyo").await;
    app.user(&t, "yamada", None, "ja").await;
    let second = {
        let store = Store::open(&app.db.url).await.unwrap();
        serve(AppState::new(Services::new(store), app.clock.clone(), None)).await
    };
    let (one, two) = (Browser::on(&app), Browser::at(&second));
    // Thirty failures from one address, half on each instance.
    for i in 0..30 {
        let web = if i % 2 == 0 { &one } else { &two };
        let res = web
            .login_to(&format!("guess{i}"), "wrong-password1", "/welcome")
            .await;
        assert_eq!(res.status, 401, "attempt {i}");
    }
    // Both instances now refuse that address, even the right password.
    for web in [&one, &two] {
        let res = web.login_to("yamada", PASSWORD, "/welcome").await;
        assert_eq!(res.status, 429);
    }
    // A freshly started instance (a restart) knows it too.
    let third = {
        let store = Store::open(&app.db.url).await.unwrap();
        serve(AppState::new(Services::new(store), app.clock.clone(), None)).await
    };
    assert_eq!(
        Browser::at(&third)
            .login_to("yamada", PASSWORD, "/welcome")
            .await
            .status,
        429
    );
    // After the window, the address may try again.
    app.clock.advance(10 * 60_000 + 1_000);
    assert_eq!(
        Browser::at(&third).login("yamada", PASSWORD).await.status,
        303
    );
}

mod fuzz {
    //! Bounded fuzzing of the parsers that read untrusted text: a fixed number of cases per
    //! run, so the test command's time stays bounded.
    use std::collections::HashMap;

    use meterport_domain::ingest::parse_readings;
    use meterport_domain::json::find_duplicate_key;
    use meterport_portal::service::counters::CounterQuery;
    use proptest::prelude::*;

    fn json_ish() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            Just("\"serial\"".to_string()),
            Just("\"read_at\"".to_string()),
            Just("\"counters\"".to_string()),
            Just("\"total1\"".to_string()),
            Just("\"2021-08-31T18:00:00+09:00\"".to_string()),
            Just("\"2021-08-31T18:00:00+25:00\"".to_string()),
            Just("1".to_string()),
            Just("-0".to_string()),
            Just("1e999".to_string()),
            Just("12.3456".to_string()),
            Just("99999999999999999999".to_string()),
            Just("null".to_string()),
            Just("\"\\u0000\"".to_string()),
            Just(":".to_string()),
            Just(",".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            "[a-z0-9 ]{0,4}".prop_map(|s| format!("\"{s}\"")),
        ];
        proptest::collection::vec(atom, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn the_ingest_parser_never_panics_and_refuses_or_reads_every_body(body in json_ish()) {
            let _ = find_duplicate_key(&body);
            if let Ok(items) = parse_readings(&body) {
                for item in items.into_iter().flatten() {
                    prop_assert!(meterport_domain::device::is_valid_serial(&item.serial));
                    prop_assert!(!item.counters.is_empty());
                }
            }
        }

        #[test]
        fn the_ingest_parser_survives_arbitrary_bytes(body in "\\PC{0,200}") {
            let _ = find_duplicate_key(&body);
            let _ = parse_readings(&body);
        }

        #[test]
        fn the_counter_query_parser_never_panics(
            unit in prop_oneof![Just("month"), Just("day"), Just("week"), Just("")],
            from in "[0-9-]{0,12}",
            to in "[0-9-]{0,12}",
            period in proptest::option::of("[0-9-]{0,12}"),
            kind in "[a-z]{0,10}",
            group in "[a-z0-9-]{0,6}",
            device in "[0-9a-z-]{0,22}",
        ) {
            let mut params = HashMap::new();
            params.insert("unit".to_string(), unit.to_string());
            params.insert("from".to_string(), from);
            params.insert("to".to_string(), to);
            if let Some(p) = period {
                params.insert("period".to_string(), p);
            }
            params.insert("kind".to_string(), kind);
            params.insert("group".to_string(), group);
            params.insert("device".to_string(), device);
            let _ = CounterQuery::parse(&params);
        }
    }
}
