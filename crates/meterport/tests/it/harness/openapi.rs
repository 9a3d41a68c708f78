//! The OpenAPI document as a contract the whole suite checks: every `/api/` answer of every
//! test's portal passes through [`check`], which finds the documented operation (path
//! template and method), the documented response for its status, and validates the body
//! against that response's schema with a JSON Schema (2020-12) validator. An answer the
//! document does not describe is turned into a 500 naming the drift, so that the test that
//! made the request fails where it stands; every drift is also kept in [`drifts`].

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The document and the validators made from it so far.
pub struct Contract {
    pub doc: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract {
        doc: serde_json::from_str(meterport_portal::api::openapi::document_json())
            .expect("the document is JSON"),
        validators: Mutex::default(),
    })
}

/// Every drift seen by any test of this process, as `METHOD path status: why`.
pub fn drifts() -> &'static Mutex<Vec<String>> {
    static DRIFTS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    DRIFTS.get_or_init(Mutex::default)
}

/// Whether a concrete path matches a template such as `/api/v1/devices/{id}`.
pub fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

impl Contract {
    /// The documented path template a concrete path belongs to (a literal segment wins over
    /// a parameter).
    pub fn template_of(&self, path: &str) -> Option<String> {
        let paths = self.doc["paths"].as_object()?;
        paths
            .keys()
            .filter(|t| matches(t, path))
            .min_by_key(|t| t.matches('{').count())
            .cloned()
    }

    fn validator(&self, schema: &Value) -> std::sync::Arc<jsonschema::Validator> {
        let key = schema.to_string();
        let mut cache = self.validators.lock().unwrap();
        cache
            .entry(key)
            .or_insert_with(|| {
                // The response's schema with the document's components beside it, so that
                // its `#/components/schemas/...` references resolve.
                let mut root = schema.as_object().cloned().unwrap_or_default();
                root.insert(
                    "$schema".into(),
                    "https://json-schema.org/draft/2020-12/schema".into(),
                );
                root.insert("components".into(), self.doc["components"].clone());
                std::sync::Arc::new(
                    jsonschema::validator_for(&Value::Object(root))
                        .expect("the document's schemas compile"),
                )
            })
            .clone()
    }

    /// Validates `body` against `schema`; every problem, with where it is.
    pub fn validate(&self, schema: &Value, body: &Value) -> Result<(), String> {
        let v = self.validator(schema);
        let errors: Vec<String> = v
            .iter_errors(body)
            .map(|e| format!("{e} (at {})", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// Checks one answer against the document.
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), String> {
        let error_schema = json!({"$ref": "#/components/schemas/Error"});
        let json_body = || -> Result<Value, String> {
            serde_json::from_slice(body).map_err(|e| {
                format!(
                    "not JSON ({e}): {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                )
            })
        };
        let Some(template) = self.template_of(path) else {
            // No documented path: only the §7 "not found" may answer.
            if status != StatusCode::NOT_FOUND {
                return Err(format!("{path} is not documented but answered {status}"));
            }
            return self.validate(&error_schema, &json_body()?);
        };
        let operation = &self.doc["paths"][&template][method.as_str().to_lowercase()];
        if operation.is_null() {
            if status != StatusCode::METHOD_NOT_ALLOWED {
                return Err(format!(
                    "{method} {template} is not documented but answered {status}"
                ));
            }
            return self.validate(&error_schema, &json_body()?);
        }
        let responses = &operation["responses"];
        let response = match &responses[status.as_str()] {
            Value::Null if status.as_u16() >= 400 => &responses["default"],
            r => r,
        };
        if response.is_null() {
            return Err(format!(
                "{method} {template}: status {status} is not documented"
            ));
        }
        let Some(content) = response["content"].as_object() else {
            if !body.is_empty() {
                return Err(format!(
                    "{method} {template} {status}: a body where none is documented"
                ));
            }
            return Ok(());
        };
        let media = content_type.split(';').next().unwrap_or("").trim();
        let Some(documented) = content.get(media) else {
            return Err(format!(
                "{method} {template} {status}: content type {content_type:?} is not documented"
            ));
        };
        if media == "application/json" {
            self.validate(&documented["schema"], &json_body()?)
                .map_err(|e| format!("{method} {template} {status}: {e}"))
        } else {
            Ok(())
        }
    }
}

/// Middleware of the test portals: validates every `/api/` answer against the document.
pub async fn check(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let res = next.run(req).await;
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // A compressed answer (asked for with `Accept-Encoding: gzip`) is checked as it reads.
    let plain = match parts.headers.get(header::CONTENT_ENCODING) {
        Some(v) if v == "gzip" => {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
                .expect("a gzip answer");
            axum::body::Bytes::from(out)
        }
        _ => bytes.clone(),
    };
    match contract().check(&method, &path, parts.status, &content_type, &plain) {
        Ok(()) => Response::from_parts(parts, Body::from(bytes)),
        Err(why) => {
            let line = format!("{method} {path} {}: {why}", parts.status);
            eprintln!("OpenAPI drift: {line}");
            drifts().lock().unwrap().push(line.clone());
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain")],
                format!("the answer does not match the OpenAPI document: {line}"),
            )
                .into_response()
        }
    }
}
