//! Logging in and out, and the sessions that follow (SPEC S1-S3, S6).
//!
//! The decision on an attempt is `meterport_domain::login::decide`; this module applies it:
//! records failures and locks, opens a session (a restricted one when the password must be
//! changed), and treats an unknown user name exactly like a real one (S1): the same outcome,
//! the same password-hash work and even the same lock after five tries, so that nothing
//! tells whether an account exists.

use meterport_domain::ids::TenantId;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use meterport_domain::login::{self, LoginDecision, LoginState};
use meterport_store::sessions::Session;
use meterport_store::tenants::Tenant;
use meterport_store::users::{User, hash_password, verify_password};

use super::ServiceResult;
use super::Services;
use super::audit::{self, AuditAction};

/// Attempts allowed from one client address per window (login and forgotten password).
const ADDRESS_ATTEMPTS: i64 = 30;
const ADDRESS_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Counts an attempt from a client address against the limit kept in the database (so it
/// holds across restarts and instances); `false` when it is over. The forgot-password form
/// counts here too: both are ways to probe accounts.
pub async fn address_allowed(svc: &Services, addr: IpAddr, now: i64) -> ServiceResult<bool> {
    let store = svc.store();
    Ok(store
        .throttle_attempt(&addr.to_string(), now, ADDRESS_ATTEMPTS, ADDRESS_WINDOW_MS)
        .await?)
}

/// Per-instance memory of failures of unknown user names, so that they lock like real ones
/// and reveal nothing.
#[derive(Debug, Default)]
pub struct LoginGuard {
    unknown_users: Mutex<HashMap<String, LoginState>>,
}

impl LoginGuard {
    fn unknown_state(&self, username: &str) -> LoginState {
        self.unknown_users
            .lock()
            .expect("not poisoned")
            .get(username)
            .copied()
            .unwrap_or(LoginState {
                failed_logins: 0,
                locked_until: None,
                password_changed_at: 0,
                must_change_password: false,
            })
    }

    fn set_unknown_state(&self, username: &str, state: LoginState) {
        let mut map = self.unknown_users.lock().expect("not poisoned");
        if map.len() > 100_000 {
            map.clear();
        }
        map.insert(username.to_string(), state);
    }
}

/// How long sessions live: idle and in all (`serve --session-idle-minutes`,
/// `--session-lifetime-hours`).
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// A login attempt as the form sent it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The session the browser already carries, if any: it ends, whoever's it is (a planted
    /// session id never survives a login).
    pub replaces: Option<&'a str>,
}

/// What became of an attempt. A refusal never tells whether the account exists.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginOutcome {
    /// A session is open; with `must_change_password` it reaches only the password form.
    LoggedIn {
        session_id: String,
        must_change_password: bool,
    },
    /// Wrong user name or password.
    Failed,
    /// The account is locked until then, shown in the zone given.
    Locked { until: i64, tz: jiff::tz::TimeZone },
}

/// The user name as accounts hold it: trimmed, lower case.
pub fn normalise_username(typed: &str) -> String {
    typed.trim().to_lowercase()
}

/// Applies the login policy to an attempt (the address limit is checked before, by the front
/// door, with [`address_allowed`]).
pub async fn log_in(
    svc: &Services,
    guard: &LoginGuard,
    attempt: Attempt<'_>,
    limits: SessionLimits,
    now: i64,
) -> ServiceResult<LoginOutcome> {
    let store = svc.store();
    let username = normalise_username(attempt.username);
    if username.is_empty() || attempt.password.is_empty() {
        return Ok(LoginOutcome::Failed);
    }
    let user = store.user_by_username_any_tenant(&username).await?;
    let password_ok = matches_hash(attempt.password, user.as_ref()).await?;

    let Some(user) = user else {
        let st = guard.unknown_state(&username);
        let decision = login::decide(&st, false, now);
        let (next_state, outcome) = unknown_outcome(&st, decision, now);
        guard.set_unknown_state(&username, next_state);
        audit::record_alone(
            store,
            None,
            &username,
            AuditAction::LoginFailed,
            "unknown user",
            now,
        )
        .await?;
        return Ok(outcome);
    };

    let tenant = store.tenant(user.tenant_id).await?;
    let tz = user
        .timezone
        .as_deref()
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or_else(|| tenant.tz());
    let st = LoginState {
        failed_logins: user.failed_logins,
        locked_until: user.locked_until,
        password_changed_at: user.password_changed_at,
        must_change_password: user.must_change_password,
    };
    match login::decide(&st, password_ok, now) {
        LoginDecision::Locked { until } => {
            audit::record_alone(
                store,
                Some(user.tenant_id),
                &username,
                AuditAction::LoginRefusedLocked,
                "",
                now,
            )
            .await?;
            Ok(LoginOutcome::Locked { until, tz })
        }
        LoginDecision::WrongPassword {
            failures,
            locks_now,
        } => {
            let until = locks_now.then_some(now + login::LOCK_MS);
            let mut change = store.change().await?;
            change
                .record_login_failure(user.tenant_id, user.id, failures, until)
                .await?;
            audit::record(
                &mut change,
                Some(user.tenant_id),
                &username,
                AuditAction::LoginFailed,
                &format!("failure {failures}"),
                now,
            )
            .await?;
            if until.is_some() {
                audit::record(
                    &mut change,
                    Some(user.tenant_id),
                    &username,
                    AuditAction::AccountLocked,
                    "",
                    now,
                )
                .await?;
            }
            change.commit().await?;
            Ok(match until {
                Some(until) => LoginOutcome::Locked { until, tz },
                None => LoginOutcome::Failed,
            })
        }
        decision @ (LoginDecision::MustChangePassword | LoginDecision::Ok { .. }) => {
            let restricted = decision == LoginDecision::MustChangePassword;
            let mut change = store.change().await?;
            change
                .record_login_success(user.tenant_id, user.id, now)
                .await?;
            if let Some(old) = attempt.replaces {
                change.delete_session(old).await?;
            }
            let (session_id, _csrf) = change.create_session(user.id, restricted, now).await?;
            audit::record(
                &mut change,
                Some(user.tenant_id),
                &username,
                AuditAction::Login,
                if restricted {
                    "password must change"
                } else {
                    ""
                },
                now,
            )
            .await?;
            change.commit().await?;
            // Sessions past their timeouts are of no use to anyone: logins sweep them away,
            // so the table holds only live sessions without a background job.
            if let Err(e) = store
                .purge_sessions(now - limits.idle_ms, now - limits.absolute_ms)
                .await
            {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
            Ok(LoginOutcome::LoggedIn {
                session_id,
                must_change_password: restricted,
            })
        }
    }
}

/// What an attempt on an unknown user name does to its in-memory state, and the outcome:
/// exactly what a real account would get.
fn unknown_outcome(
    st: &LoginState,
    decision: LoginDecision,
    now: i64,
) -> (LoginState, LoginOutcome) {
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap_or(jiff::tz::TimeZone::UTC);
    match decision {
        LoginDecision::Locked { until } => (*st, LoginOutcome::Locked { until, tz }),
        LoginDecision::WrongPassword {
            failures,
            locks_now,
        } => {
            let locked_until = locks_now.then_some(now + login::LOCK_MS);
            let next = LoginState {
                failed_logins: failures,
                locked_until,
                ..*st
            };
            let outcome = match locked_until {
                Some(until) => LoginOutcome::Locked { until, tz },
                None => LoginOutcome::Failed,
            };
            (next, outcome)
        }
        _ => (*st, LoginOutcome::Failed),
    }
}

/// Whether `password` is the user's, checked off the async threads; without a user, the
/// same work against a fixed hash, so that the answer takes as long.
pub async fn matches_hash(password: &str, user: Option<&User>) -> ServiceResult<bool> {
    let password = password.to_string();
    let hash = user.map(|u| u.password_hash.clone());
    Ok(tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, &dummy_hash());
            false
        }
    })
    .await?)
}

/// A fixed Argon2id hash to verify against when the user does not exist.
fn dummy_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password-1"))
        .clone()
}

/// Ends a session and records the logout.
pub async fn log_out(
    svc: &Services,
    tenant_id: TenantId,
    username: &str,
    session_id: &str,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let mut change = store.change().await?;
    change.delete_session(session_id).await?;
    audit::record(
        &mut change,
        Some(tenant_id),
        username,
        AuditAction::Logout,
        "",
        now,
    )
    .await?;
    Ok(change.commit().await?)
}

/// A session that is valid now, with its user and tenant.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: Session,
    pub user: User,
    pub tenant: Tenant,
}

/// The session of this id if it is valid at `now`: an expired one is deleted, a live one is
/// touched (at most once a minute: one write per page view would be wasteful). Any failure
/// reads as "no session": the request is treated as a guest's.
pub async fn current_session(
    svc: &Services,
    id: &str,
    limits: SessionLimits,
    now: i64,
) -> Option<SignedIn> {
    let store = svc.store();
    let session = store.session(id).await.ok()??;
    if now - session.last_seen_at > limits.idle_ms || now - session.created_at > limits.absolute_ms
    {
        store.delete_session(id).await.ok();
        return None;
    }
    let user = store.user(session.tenant_id, session.user_id).await.ok()?;
    let tenant = store.tenant(session.tenant_id).await.ok()?;
    if now - session.last_seen_at > 60_000 {
        store.touch_session(id, now).await.ok();
    }
    Some(SignedIn {
        session,
        user,
        tenant,
    })
}

/// A fresh random secret for a form shown before login (its double-submit token).
pub fn new_secret() -> String {
    meterport_store::sessions::random_token()
}
