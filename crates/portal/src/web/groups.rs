//! Device groups (S22, seed 7-1): the list, New, edit (rename and members) and deleting several
//! groups at once after a confirmation page.
//!
//! The name's own rules are the domain's (`policy::check_group_name`); the rules that need
//! data (at most 200 groups, a unique name, members that are the tenant's devices in no other
//! group) are the store's, checked in one transaction. Every refusal is shown next to its
//! field in the user's language, and nothing is changed.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::ids::{GroupId, TenantId};
use meterport_domain::policy::{GROUP_NAME_FORBIDDEN, MAX_GROUPS_PER_TENANT, check_group_name};
use meterport_store::groups::{Group, GroupProblem};

use super::form::{FieldErrors, FormData};
use super::i18n::{t, t_args};
use super::session::Viewer;
use super::{Lang, PageCtx, PageError, render};
use crate::app::AppState;
use crate::service::ServiceError;
use crate::service::groups::{self, GroupRefusal};

// ---- The list

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    ctx: PageCtx,
    groups: Vec<Group>,
    max: usize,
    at_limit: bool,
    ungrouped: i64,
    notice: Option<String>,
    errors: FieldErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListNotice {
    created: Option<String>,
    saved: Option<String>,
    deleted: Option<String>,
}

async fn groups_page(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<String>,
    errors: FieldErrors,
) -> Result<GroupsPage, PageError> {
    let tenant = viewer.tenant.id;
    let groups = groups::list_groups(&state.services, TenantId(tenant)).await?;
    let ungrouped = groups::ungrouped_count(&state.services, TenantId(tenant)).await?;
    Ok(GroupsPage {
        ctx: viewer.ctx("groups", "groups"),
        at_limit: groups.len() >= MAX_GROUPS_PER_TENANT,
        max: MAX_GROUPS_PER_TENANT,
        groups,
        ungrouped,
        notice,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(n): Query<ListNotice>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let mut page = groups_page(&state, &viewer, None, FieldErrors::default()).await?;
    // The notice names the group by its id in the URL, looked up among the tenant's groups:
    // a crafted link cannot make the page announce something that did not happen.
    let name_of = |raw: Option<&String>| {
        let id = raw?.parse::<i64>().ok()?;
        page.groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.name.clone())
    };
    page.notice = if let Some(name) = name_of(n.created.as_ref()) {
        Some(t_args(lang, "groups-created", &[("name", name)]))
    } else if let Some(name) = name_of(n.saved.as_ref()) {
        Some(t_args(lang, "groups-saved", &[("name", name)]))
    } else {
        n.deleted
            .and_then(|c| c.parse::<i64>().ok())
            .filter(|c| *c > 0)
            .map(|count| t_args(lang, "groups-deleted", &[("count", count.to_string())]))
    };
    Ok(render(&page))
}

// ---- New and edit

/// A device row of the create and edit screens.
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub product: String,
    pub location: String,
    pub checked: bool,
    /// In this group now (the edit screen says so).
    pub member: bool,
}

#[derive(Template)]
#[template(path = "group_edit.html")]
struct GroupEditPage {
    ctx: PageCtx,
    /// `None` on the create screen.
    group_id: Option<i64>,
    name: String,
    action: String,
    rows: Vec<MemberRow>,
    rule: String,
    errors: FieldErrors,
    at_limit: bool,
}

/// The screen's devices: on the edit screen the group's own devices first, then those in
/// no group (S22); `checked` as the form had them, or as stored.
async fn edit_page(
    state: &AppState,
    viewer: &Viewer,
    group: Option<&Group>,
    submitted: Option<(&str, &[i64])>,
    errors: FieldErrors,
) -> Result<GroupEditPage, PageError> {
    let lang = viewer.lang;
    let tenant = viewer.tenant.id;
    let devices =
        groups::member_choices(&state.services, TenantId(tenant), group.map(|g| g.id)).await?;
    let rows = devices
        .into_iter()
        .map(|(d, member)| MemberRow {
            checked: match submitted {
                Some((_, ids)) => ids.contains(&d.id),
                None => member,
            },
            member,
            id: d.id,
            name: d.name,
            product: d.product,
            location: d.location.unwrap_or_default(),
        })
        .collect();
    let at_limit = group.is_none()
        && groups::list_groups(&state.services, TenantId(tenant))
            .await?
            .len()
            >= MAX_GROUPS_PER_TENANT;
    let forbidden: String = GROUP_NAME_FORBIDDEN
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(GroupEditPage {
        ctx: viewer.ctx("groups", "groups"),
        group_id: group.map(|g| g.id),
        name: match (submitted, group) {
            (Some((name, _)), _) => name.to_string(),
            (None, Some(g)) => g.name.clone(),
            (None, None) => String::new(),
        },
        action: match group {
            Some(g) => format!("/settings/groups/{}", g.id),
            None => "/settings/groups/new".into(),
        },
        rows,
        rule: t_args(lang, "group-name-rule", &[("chars", forbidden)]),
        errors,
        at_limit,
    })
}

async fn find_group(state: &AppState, viewer: &Viewer, raw_id: &str) -> Result<Group, PageError> {
    let id = raw_id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)?;
    Ok(groups::group(&state.services, TenantId(viewer.tenant.id), GroupId(id)).await?)
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let page = edit_page(&state, &viewer, None, None, FieldErrors::default()).await?;
    Ok(render(&page))
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let group = find_group(&state, &viewer, &id).await?;
    let page = edit_page(&state, &viewer, Some(&group), None, FieldErrors::default()).await?;
    Ok(render(&page))
}

/// The messages of the store's refusals, each on its field.
fn group_error_messages(lang: Lang, problems: &[GroupProblem], errors: &mut FieldErrors) {
    for p in problems {
        match p {
            GroupProblem::NameTaken => errors.add("name", t(lang, "group-name-taken")),
            GroupProblem::UnknownDevices(ids) => errors.add(
                "devices",
                t_args(
                    lang,
                    "group-devices-unknown",
                    &[("count", ids.len().to_string())],
                ),
            ),
            GroupProblem::DevicesInOtherGroups(busy) => {
                let list = busy
                    .iter()
                    .map(|b| format!("{} ({})", b.serial, b.group_name))
                    .collect::<Vec<_>>()
                    .join(", ");
                errors.add(
                    "devices",
                    t_args(lang, "group-devices-in-other-group", &[("devices", list)]),
                )
            }
        }
    }
}

/// Creates or updates a group from the submitted form.
async fn submit(
    state: &AppState,
    viewer: &Viewer,
    group: Option<&Group>,
    body: &[u8],
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let form = FormData::parse(body);
    let raw_name = form.value("name").to_string();
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(form.value("csrf")) {
        errors.add("form", t(lang, "csrf-failed"));
    }
    let device_ids = form.ids("device").unwrap_or_else(|| {
        errors.add(
            "devices",
            t_args(lang, "group-devices-unknown", &[("count", "1".into())]),
        );
        Vec::new()
    });
    let name = match check_group_name(&raw_name) {
        Ok(name) => Some(name),
        Err(policy) => {
            for (field, msg) in FieldErrors::from_policy(lang, &policy).0 {
                errors.add(field, msg);
            }
            None
        }
    };
    if let (Some(name), true) = (name, errors.is_empty()) {
        let (tenant, actor, now) = (viewer.tenant.id, &viewer.user.username, state.now_ms());
        let result = match group {
            None => {
                groups::create_group(
                    &state.services,
                    actor,
                    TenantId(tenant),
                    &name,
                    &device_ids,
                    now,
                )
                .await
            }
            Some(g) => {
                groups::update_group(
                    &state.services,
                    actor,
                    TenantId(tenant),
                    GroupId(g.id),
                    Some(&name),
                    Some(&device_ids),
                    now,
                )
                .await
            }
        };
        match result {
            Ok(saved) => {
                let param = if group.is_none() { "created" } else { "saved" };
                let target = format!("/settings/groups?{param}={}", saved.id);
                return Ok(Redirect::to(&target).into_response());
            }
            Err(ServiceError::NotFound(_)) => return Err(PageError::NotFound),
            Err(ServiceError::Group {
                refusal: GroupRefusal::TooMany,
                ..
            }) => errors.add(
                "name",
                t_args(
                    lang,
                    "group-too-many",
                    &[("max", MAX_GROUPS_PER_TENANT.to_string())],
                ),
            ),
            Err(ServiceError::Group {
                refusal: GroupRefusal::Problems(problems),
                ..
            }) => group_error_messages(lang, &problems, &mut errors),
            Err(ServiceError::Invalid { fields, .. }) => {
                for (field, msg) in FieldErrors::from_policy(lang, &fields).0 {
                    errors.add(field, msg);
                }
            }
            Err(e) => return Err(PageError::internal(e)),
        }
    }
    let page = edit_page(state, viewer, group, Some((&raw_name, &device_ids)), errors).await?;
    Ok(super::refused(render(&page)))
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    submit(&state, &viewer, None, &body).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let group = find_group(&state, &viewer, &id).await?;
    submit(&state, &viewer, Some(&group), &body).await
}

// ---- Delete (with a confirmation page)

#[derive(Template)]
#[template(path = "groups_delete.html")]
struct DeleteConfirmPage {
    ctx: PageCtx,
    groups: Vec<Group>,
    /// What deleting does to the devices, with their number.
    effect: String,
}

/// The first step shows the groups to delete and asks; the second (`confirm=yes`) deletes.
/// The confirmation is a page of its own, so it works without script.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let form = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(form.value("csrf")) {
        errors.add("form", t(lang, "csrf-failed"));
        let page = groups_page(&state, &viewer, None, errors).await?;
        return Ok(super::refused(render(&page)));
    }
    let all = groups::list_groups(&state.services, TenantId(viewer.tenant.id)).await?;
    let ids = form.ids("id").unwrap_or_default();
    // Only the tenant's groups are shown or deleted; an id of another tenant's group (or a
    // group deleted meanwhile) is left out like one that never existed.
    let chosen: Vec<Group> = all.into_iter().filter(|g| ids.contains(&g.id)).collect();
    if chosen.is_empty() {
        errors.add("ids", t(lang, "groups-delete-none-chosen"));
        let page = groups_page(&state, &viewer, None, errors).await?;
        return Ok(super::refused(render(&page)));
    }
    if form.value("confirm") != "yes" {
        let devices: i64 = chosen.iter().map(|g| g.device_count).sum();
        return Ok(render(&DeleteConfirmPage {
            ctx: viewer.ctx("groups", "groups"),
            effect: t_args(
                lang,
                "groups-delete-effect",
                &[("count", devices.to_string())],
            ),
            groups: chosen,
        }));
    }
    let chosen_ids: Vec<i64> = chosen.iter().map(|g| g.id).collect();
    let actor = &viewer.user.username;
    match groups::delete_groups(
        &state.services,
        actor,
        TenantId(viewer.tenant.id),
        &chosen_ids,
        state.now_ms(),
    )
    .await
    {
        Ok(deleted) => Ok(
            Redirect::to(&format!("/settings/groups?deleted={}", deleted.len())).into_response(),
        ),
        // Someone deleted one of them between the two steps: nothing was deleted; show the
        // list as it is now.
        Err(ServiceError::NotFound(_)) => {
            errors.add("ids", t(lang, "groups-delete-changed"));
            let page = groups_page(&state, &viewer, None, errors).await?;
            Ok(super::refused(render(&page)))
        }
        Err(e) => Err(PageError::internal(e)),
    }
}
