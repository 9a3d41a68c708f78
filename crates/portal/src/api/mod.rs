//! The JSON APIs of SPEC §7 and their one error type.
//!
//! Every refusal is `{"error": {"code", "message", "details": [...]}}` with a 4xx status;
//! a failure of ours is a 500 with a generic message, its cause logged once here.

pub mod announcements;
pub mod ingest;
pub mod openapi;
pub mod operator;
pub mod read;

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use meterport_domain::ingest::ItemError;
use meterport_domain::policy::{FieldError, Problem};
use meterport_store::StoreError;
use meterport_store::tokens::{TokenKind, TokenOwner};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::i18n::{self, Lang};

/// An API refusal or failure.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<Value>) -> ApiError {
        self.details = details;
        self
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            i18n::api("api-unauthorized"),
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            i18n::api("api-not-found"),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 422 with one `{"field", "message"}` per problem.
    pub fn invalid(message: impl Into<String>, fields: &[FieldError]) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        )
        .with_details(
            fields
                .iter()
                .map(|f| {
                    json!({"field": f.field, "code": f.code(), "message": i18n::api_message(f)})
                })
                .collect(),
        )
    }

    /// 422 for a batch: one `{"index", "field", "message"}` per bad item.
    pub fn invalid_items(items: Vec<ItemError>) -> ApiError {
        let n = items.len();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            i18n::api_args("api-items-refused", &[("count", n.to_string())]),
        )
        .with_details(
            items
                .iter()
                .map(|e| json!({"index": e.index, "field": e.field, "message": i18n::item_message(e)}))
                .collect(),
        )
    }

    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            i18n::api("api-internal"),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(what) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "conflict",
                i18n::api_args("api-in-use", &[("field", what.to_string())]),
            )
            .with_details(vec![json!({
                "field": what,
                "code": Problem::InUse.code(),
                "message": i18n::problem(Lang::En, &Problem::InUse),
            })]),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"error": {"code": self.code, "message": self.message, "details": self.details}});
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The router's own refusals under `/api/` in the §7 shape: an unknown path, a method the
/// route does not take (its `Allow` header kept), a body over the limit, an extractor's
/// rejection. Handlers already answer with [`ApiError`]; this catches what never reaches
/// them, in one place, so that no API client has to parse HTML or an empty body.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return res;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", i18n::api("api-not-found")),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", i18n::api("api-method-not-allowed"))
        }
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            i18n::api_args(
                "api-payload-too-large",
                &[("mib", (crate::app::BODY_LIMIT / (1024 * 1024)).to_string())],
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            i18n::api("api-unsupported-media-type"),
        ),
        s if s.is_server_error() => ("internal", i18n::api("api-internal")),
        _ => ("bad_request", i18n::api("api-malformed")),
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut out = ApiError::new(status, code, message).into_response();
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Checks a token of the given kind; 401 otherwise.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    kind: TokenKind,
) -> ApiResult<TokenOwner> {
    let token = bearer(headers).ok_or_else(ApiError::unauthorized)?;
    let owner = crate::service::tokens::verify(&state.services, kind, token)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    crate::telemetry::note_tenant(owner.tenant_id);
    Ok(owner)
}
