//! The OpenAPI description (SPEC B2): served without a token, OpenAPI 3.1, every `/api/`
//! route of the router documented, and real answers of every documented operation valid
//! against it. (Every other test's `/api/` answers are checked too, by the harness:
//! `harness/openapi.rs`.)

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::openapi::{contract, matches};
use crate::harness::{OPERATOR_TOKEN, TestApp, lfp, mfp};

/// `METHOD /template` of every operation of the document.
fn documented() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, item) in contract().doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    out
}

#[tokio::test]
async fn every_api_route_of_the_router_is_documented_and_nothing_else_is() {
    let app = TestApp::spawn().await;
    let routed: BTreeSet<String> = crate::security::router_routes(app.state.clone())
        .into_iter()
        .filter(|r| r.split(' ').nth(1).is_some_and(|p| p.starts_with("/api/")))
        .collect();
    assert!(
        routed.len() >= 30,
        "routes read from the router: {routed:?}"
    );
    let documented = documented();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

#[tokio::test]
async fn the_description_is_openapi_3_1_served_without_a_token() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = res.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc, contract().doc);
    // The §7 error shape and the three bearer tokens are in it.
    assert!(doc["components"]["schemas"]["Error"].is_object());
    let schemes: Vec<&String> = doc["components"]["securitySchemes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(schemes, ["ingest_token", "operator_token", "read_token"]);
}

#[test]
fn the_contract_check_refuses_what_the_document_does_not_say() {
    use axum::http::{Method, StatusCode};
    let c = contract();
    let tenant = br#"{"id": 1, "name": "Acme", "timezone": "Asia/Tokyo", "retention_months": 39,
        "notifications": {"holddown_minutes": 5, "toner_digest_hour": 9, "late_after_hours": 48}}"#;
    let path = "/api/v1/admin/tenants/1";
    let json = "application/json";
    assert_eq!(
        c.check(&Method::GET, path, StatusCode::OK, json, tenant),
        Ok(())
    );
    // A field more, a field less, a wrong type, an undocumented status, a wrong media type.
    let more = String::from_utf8_lossy(tenant).replace("\"id\": 1,", "\"id\": 1, \"extra\": 2,");
    let less = String::from_utf8_lossy(tenant).replace("\"name\": \"Acme\",", "");
    let wrong = String::from_utf8_lossy(tenant).replace("39", "\"39\"");
    for bad in [more, less, wrong] {
        assert!(
            c.check(&Method::GET, path, StatusCode::OK, json, bad.as_bytes())
                .is_err(),
            "{bad}"
        );
    }
    assert!(
        c.check(&Method::GET, path, StatusCode::CREATED, json, tenant)
            .is_err()
    );
    assert!(
        c.check(&Method::GET, path, StatusCode::OK, "text/html", tenant)
            .is_err()
    );
    // A refusal must have the §7 shape.
    let refusal =
        br#"{"error": {"code": "not_found", "message": "No such tenant.", "details": []}}"#;
    assert_eq!(
        c.check(&Method::GET, path, StatusCode::NOT_FOUND, json, refusal),
        Ok(())
    );
    assert!(
        c.check(
            &Method::GET,
            path,
            StatusCode::NOT_FOUND,
            json,
            b"{\"error\": \"no\"}"
        )
        .is_err()
    );
    assert!(matches("/api/v1/devices/{id}", "/api/v1/devices/12"));
    assert!(!matches("/api/v1/devices/{id}", "/api/v1/devices"));
}

/// One request of the tour: its answer, noted under its operation.
struct Tour {
    app: TestApp,
    seen: BTreeMap<String, Vec<u16>>,
}

impl Tour {
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let mut req = self.app.client.request(method.clone(), self.app.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        // The harness turns an answer the document does not describe into a 500.
        assert!(status < 500, "{method} {path}: {status} {text}");
        let bare = path.split('?').next().unwrap();
        let template = contract()
            .template_of(bare)
            .unwrap_or_else(|| panic!("{bare}"));
        self.seen
            .entry(format!("{method} {template}"))
            .or_default()
            .push(status);
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

#[tokio::test]
async fn every_documented_operation_answers_a_real_request_as_documented() {
    let mut t = Tour {
        app: TestApp::spawn().await,
        seen: BTreeMap::new(),
    };
    let op = Some(OPERATOR_TOKEN);
    let tenant = t
        .call(
            Method::POST,
            "/api/v1/admin/tenants",
            op,
            Some(json!({"name": "Tour", "timezone": "Asia/Tokyo"})),
        )
        .await;
    let tid = tenant["id"].as_i64().unwrap();
    let base = format!("/api/v1/admin/tenants/{tid}");
    t.call(Method::GET, "/api/v1/admin/tenants", op, None).await;
    t.call(Method::GET, &base, op, None).await;
    let user = t
        .call(
            Method::POST,
            &format!("{base}/users"),
            op,
            Some(json!({"username": "tour", "password": "secret123", "email": "tour@example.com", "language": "en"})),
        )
        .await;
    let uid = user["id"].as_i64().unwrap();
    t.call(Method::GET, &format!("{base}/users"), op, None)
        .await;
    t.call(Method::GET, &format!("{base}/users/{uid}"), op, None)
        .await;
    t.call(
        Method::POST,
        &format!("{base}/users/{uid}/reset-password"),
        op,
        Some(json!({"password": "fresh2022"})),
    )
    .await;
    t.call(
        Method::POST,
        &format!("{base}/users/{uid}/unlock"),
        op,
        None,
    )
    .await;
    let device = t
        .call(
            Method::POST,
            &format!("{base}/devices"),
            op,
            Some(mfp("TOUR-1", "Tour MFP")),
        )
        .await;
    let did = device["id"].as_i64().unwrap();
    let plotter = t
        .call(
            Method::POST,
            &format!("{base}/devices"),
            op,
            Some(lfp("TOUR-2", "Tour LFP", "m2")),
        )
        .await;
    assert!(plotter["id"].is_i64(), "{plotter}");
    t.call(Method::GET, &format!("{base}/devices"), op, None)
        .await;
    t.call(Method::GET, &format!("{base}/devices/{did}"), op, None)
        .await;
    let group = t
        .call(
            Method::POST,
            &format!("{base}/groups"),
            op,
            Some(json!({"name": "Floor", "device_ids": [did]})),
        )
        .await;
    let gid = group["id"].as_i64().unwrap();
    t.call(Method::GET, &format!("{base}/groups"), op, None)
        .await;
    t.call(
        Method::PATCH,
        &format!("{base}/groups/{gid}"),
        op,
        Some(json!({"name": "Floor 2"})),
    )
    .await;
    let ingest = t
        .call(Method::POST, &format!("{base}/ingest-tokens"), op, None)
        .await;
    let ingest = ingest["token"].as_str().unwrap().to_string();
    let read = t
        .call(
            Method::POST,
            &format!("{base}/api-tokens"),
            op,
            Some(json!({"username": "tour"})),
        )
        .await;
    let read = read["token"].as_str().unwrap().to_string();
    let tokens = t
        .call(Method::GET, &format!("{base}/tokens"), op, None)
        .await;
    assert_eq!(tokens["tokens"].as_array().unwrap().len(), 2, "{tokens}");

    let ing = Some(ingest.as_str());
    t.call(
        Method::POST,
        "/api/v1/ingest/readings",
        ing,
        Some(json!([
            {"serial": "TOUR-1", "read_at": "2021-10-01T09:00:00+09:00", "counters": {"total1": 100, "color": 40, "mono": 60}},
            {"serial": "TOUR-1", "read_at": "2021-11-15T09:00:00+09:00", "counters": {"total1": 180, "color": 70, "mono": 110}},
            {"serial": "TOUR-2", "read_at": "2021-11-15T09:00:00+09:00", "counters": {"total1": 12.5, "duty_a": 2.25}}
        ])),
    )
    .await;
    t.call(
        Method::POST,
        "/api/v1/ingest/readings",
        ing,
        Some(json!({"serial": "NOT-REGISTERED", "read_at": "2021-11-15T09:00:00+09:00", "counters": {"total1": 1}})),
    )
    .await;
    t.call(
        Method::POST,
        "/api/v1/ingest/status",
        ing,
        Some(json!({"serial": "TOUR-1", "at": "2021-11-20T09:00:00+09:00",
            "conditions": [{"code": "jam", "severity": "error", "message": "Paper jam"}],
            "supplies": [{"name": "Black toner", "kind": "toner", "color": "black", "level_percent": 40}]})),
    )
    .await;
    t.call(
        Method::GET,
        &format!("{base}/unknown-serials?page=1&per_page=10"),
        op,
        None,
    )
    .await;

    let rd = Some(read.as_str());
    t.call(Method::GET, "/api/v1/devices?group=all", rd, None)
        .await;
    t.call(Method::GET, &format!("/api/v1/devices/{did}"), rd, None)
        .await;
    for query in [
        "unit=month&from=2021-09&to=2021-11&kind=usage",
        "unit=month&from=2021-09&to=2021-11&kind=cumulative",
        "unit=day&from=2021-11-14&to=2021-11-16",
        "period=2021-11",
        &format!("unit=month&from=2021-09&to=2021-11&device={did}"),
        "unit=month&from=2021-09&to=2021-11&class=lfp",
        "unit=month&from=2021-09&to=2021-15",
    ] {
        t.call(Method::GET, &format!("/api/v1/counters?{query}"), rd, None)
            .await;
    }
    t.call(
        Method::GET,
        "/api/v1/counters.csv?unit=month&from=2021-09&to=2021-11",
        rd,
        None,
    )
    .await;

    let notice = t
        .call(
            Method::POST,
            "/api/v1/admin/announcements",
            op,
            Some(json!({"text_ja": "お知らせ", "text_en": "Notice", "shown_from": "2021-11-01T00:00:00+09:00"})),
        )
        .await;
    let nid = notice["id"].as_i64().unwrap();
    t.call(Method::GET, "/api/v1/admin/announcements", op, None)
        .await;
    t.call(
        Method::DELETE,
        &format!("/api/v1/admin/announcements/{nid}"),
        op,
        None,
    )
    .await;
    let token_id = tokens["tokens"][0]["id"].as_i64().unwrap();
    t.call(
        Method::DELETE,
        &format!("{base}/tokens/{token_id}"),
        op,
        None,
    )
    .await;
    t.call(Method::DELETE, &format!("{base}/groups/{gid}"), op, None)
        .await;
    t.call(Method::DELETE, &format!("{base}/devices/{did}"), op, None)
        .await;
    t.call(Method::DELETE, &format!("{base}/users/{uid}"), op, None)
        .await;
    t.call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    // Refusals of the router itself are documented too.
    t.call(Method::GET, "/api/v1/admin/tenants/999999", op, None)
        .await;
    t.call(Method::PUT, "/api/v1/devices", rd, None).await;

    let answered_ok: BTreeSet<String> = t
        .seen
        .iter()
        .filter(|(_, statuses)| statuses.iter().any(|s| (200..300).contains(s)))
        .map(|(op, _)| op.clone())
        .collect();
    let missing: Vec<_> = documented().difference(&answered_ok).cloned().collect();
    assert!(
        missing.is_empty(),
        "operations the tour did not see answer 2xx: {missing:?}"
    );
    assert!(
        t.seen["GET /api/v1/counters"].contains(&422),
        "{:?}",
        t.seen
    );
    assert!(
        t.seen["POST /api/v1/ingest/readings"].contains(&422),
        "{:?}",
        t.seen
    );
}
