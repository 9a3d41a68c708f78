//! The use cases, one module per area. Every front door (web pages, the JSON APIs, the
//! command line, the SMTP listener) parses its request into typed input, calls one function
//! here with its [`Services`], and renders the result. `Services` holds the store and gives
//! it only to this module tree, so a front door cannot call the store itself: the compiler
//! refuses it, not a review.

pub mod account;
pub mod announcements;
pub mod audit;
pub mod backup;
pub mod counters;
pub mod counters_order;
pub mod devices;
pub mod groups;
pub mod ingest;
#[cfg(test)]
mod layers;
pub mod login;
pub mod meter_mail;
pub mod monitoring;
pub mod notify;
pub mod operator;
pub mod recovery;
pub mod retention;
pub mod settings;
pub mod supplies;
pub mod tokens;
pub mod webhooks;

use meterport_domain::policy::FieldError;
use meterport_store::{Store, StoreError};

/// What the front doors reach the use cases through: every use case takes `&Services`.
/// Cheap to clone (the store is a handle on its pools). The store inside is visible to the
/// modules of `service` alone, so nothing else can get it back out and skip a layer.
#[derive(Clone, Debug)]
pub struct Services {
    store: Store,
}

impl Services {
    /// The use cases over an open store: made where the database is opened (`serve`,
    /// `admin`, the demo, the benchmark and the tests).
    pub fn new(store: Store) -> Services {
        Services { store }
    }

    pub(in crate::service) fn store(&self) -> &Store {
        &self.store
    }

    /// The mail sender over this database's outbox (a worker beside the services).
    pub fn mailer(
        &self,
        config: crate::mail::MailConfig,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> crate::mail::Mailer {
        crate::mail::Mailer::new(config, self.store.clone(), clock)
    }

    /// Whether the database answers (`GET /healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    /// Closes the database's pools, once the server has stopped.
    pub async fn close(&self) {
        self.store.close().await
    }
}

/// Why a use case was refused or failed; each front door renders it its own way (the API
/// as its JSON error, the screens next to the fields, the command line as text).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The tenant, or the user, device, group or token of the tenant, does not exist.
    #[error("no such {}", crate::i18n::missing(crate::i18n::Lang::En, *.0))]
    NotFound(Missing),
    /// The input breaks rules; `refused` says what was not done, `fields` names each rule.
    #[error("{}", invalid_text(*.refused, .fields))]
    Invalid {
        refused: Refused,
        fields: Vec<FieldError>,
    },
    /// A group change broke a rule of S22 that the store found (name taken, devices
    /// unknown or in another group, too many groups): typed, so that each front door can
    /// say it in its own words.
    #[error("{}", invalid_text(*.refused, &crate::service::groups::refusal_fields(.refusal)))]
    Group {
        refused: Refused,
        refusal: crate::service::groups::GroupRefusal,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure of ours that is not the database's (a blocking task that did not finish).
    #[error("{0}")]
    Internal(String),
}

impl From<tokio::task::JoinError> for ServiceError {
    fn from(e: tokio::task::JoinError) -> ServiceError {
        ServiceError::Internal(e.to_string())
    }
}

/// What a refused change did not do, typed; each front door words it (`i18n::refused`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    TenantNotCreated,
    UserNotCreated,
    PasswordNotChanged,
    DeviceNotRegistered,
    NoTokenIssued,
    AnnouncementNotCreated,
    GroupNotCreated,
    GroupNotChanged,
    GroupsNotDeleted,
    TenantNotChanged,
    WebhookNotRegistered,
    DeviceNotChanged,
}

impl Refused {
    pub const ALL: [Refused; 12] = [
        Refused::TenantNotCreated,
        Refused::UserNotCreated,
        Refused::PasswordNotChanged,
        Refused::DeviceNotRegistered,
        Refused::NoTokenIssued,
        Refused::AnnouncementNotCreated,
        Refused::GroupNotCreated,
        Refused::GroupNotChanged,
        Refused::GroupsNotDeleted,
        Refused::TenantNotChanged,
        Refused::WebhookNotRegistered,
        Refused::DeviceNotChanged,
    ];
}

/// The refusal in English, one line per field: the command line's and the logs' form.
fn invalid_text(refused: Refused, fields: &[FieldError]) -> String {
    let mut s = crate::i18n::refused(crate::i18n::Lang::En, refused);
    for f in fields {
        s.push_str(&format!("\n  {}: {}", f.field, crate::i18n::api_message(f)));
    }
    s
}

impl ServiceError {
    pub(crate) fn invalid(refused: Refused, fields: Vec<FieldError>) -> ServiceError {
        ServiceError::Invalid { refused, fields }
    }

    /// Maps the store's `NotFound` to a 404 that says what was missing.
    pub(crate) fn missing(what: Missing) -> impl FnOnce(StoreError) -> ServiceError {
        move |e| match e {
            StoreError::NotFound => ServiceError::NotFound(what),
            other => ServiceError::Store(other),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// What a use case did not find ([`ServiceError::NotFound`]); worded by `i18n::missing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Tenant,
    User,
    Device,
    Group,
    /// A token that exists and is not revoked.
    ActiveToken,
    Announcement,
    /// A mail the SMTP listener refused and kept.
    MailReject,
    /// An active webhook.
    Webhook,
}

impl Missing {
    pub const ALL: [Missing; 8] = [
        Missing::Tenant,
        Missing::User,
        Missing::Device,
        Missing::Group,
        Missing::ActiveToken,
        Missing::Announcement,
        Missing::MailReject,
        Missing::Webhook,
    ];
}
