//! The built-in manual (SPEC S27): one page, in Japanese and English, with a section for
//! every screen of §3.
//!
//! Every page passes its manual section as `ctx.topic`, and the top-right "Manual" link opens
//! `/manual#<topic>`. The page is open before login too, so that the login screen's own help
//! is reachable: a guest gets the bare layout (language from the cookie or the browser), a
//! logged-in user the full layout with the menu (language from the user's setting).
//!
//! The text lives in `locales/{ja,en}/manual.ftl`, one message per paragraph, step, table
//! cell or note; the structure (headings, numbered steps, tables, note boxes) lives in
//! [`TOPICS`] and `templates/manual.html`, so no message ever carries markup. The tests below
//! check that every key named here exists and that every `manual-` message is used.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use super::{Lang, MENU, PageCtx, guest_lang, i18n, render, session};
use crate::app::AppState;

/// A piece of a manual section. Strings are message keys unless said otherwise.
#[derive(Debug)]
pub enum Block {
    /// A paragraph.
    P(&'static str),
    /// A sub-heading within the section.
    H(&'static str),
    /// Numbered steps.
    Steps(&'static [&'static str]),
    /// A bulleted list.
    List(&'static [&'static str]),
    /// A two-column table: the column headings, then (term, description) rows.
    Table([&'static str; 2], &'static [[&'static str; 2]]),
    /// A note box (メモ), one list item per key.
    Note(&'static [&'static str]),
    /// Literal code (not translated); `$BASE` becomes the portal's public address.
    Code(&'static str),
    /// API endpoints: (literal method and path, description key).
    Endpoints(&'static [[&'static str; 2]]),
    /// The left menu of [`MENU`], each entry with its description and a link to its section.
    Menu,
}

/// A section of the manual: the id pages use as `ctx.topic`, its title and its content.
#[derive(Debug)]
pub struct Topic {
    pub id: &'static str,
    pub title: &'static str,
    pub blocks: &'static [Block],
}

use Block::*;

const ITEM_DESC: [&str; 2] = ["manual-col-item", "manual-col-desc"];
const CAUSE_ACTION: [&str; 2] = ["manual-col-cause", "manual-col-action"];
const FORMAT_CONTENT: [&str; 2] = ["manual-col-format", "manual-col-content"];

/// The manual, in the order of the menu (SPEC §3).
pub const TOPICS: &[Topic] = &[
    Topic {
        id: "top",
        title: "manual-top-title",
        blocks: &[
            P("manual-top-intro-1"),
            P("manual-top-intro-2"),
            H("manual-top-h-env"),
            List(&["manual-top-env-1", "manual-top-env-2", "manual-top-env-3"]),
            H("manual-top-h-spec"),
            List(&[
                "manual-top-spec-1",
                "manual-top-spec-2",
                "manual-top-spec-3",
                "manual-top-spec-4",
                "manual-top-spec-5",
            ]),
            H("manual-top-h-menu"),
            P("manual-top-menu-intro"),
            Menu,
            P("manual-top-links-intro"),
            Table(
                ITEM_DESC,
                &[
                    ["top-home", "manual-top-link-home"],
                    ["top-manual", "manual-top-link-manual"],
                    ["top-logout", "manual-top-link-logout"],
                ],
            ),
            Note(&["manual-top-note-1", "manual-top-note-2"]),
        ],
    },
    Topic {
        id: "login",
        title: "manual-login-title",
        blocks: &[
            P("manual-login-intro"),
            Steps(&[
                "manual-login-step-1",
                "manual-login-step-2",
                "manual-login-step-3",
                "manual-login-step-4",
            ]),
            Note(&[
                "manual-login-note-1",
                "manual-login-note-2",
                "manual-login-note-3",
                "manual-login-note-4",
                "manual-login-note-5",
                "manual-login-note-6",
                "manual-login-note-tabs",
            ]),
            H("manual-login-h-forgot"),
            Steps(&[
                "manual-login-forgot-1",
                "manual-login-forgot-2",
                "manual-login-forgot-3",
                "manual-login-forgot-4",
            ]),
            Note(&["manual-login-forgot-note-1", "manual-login-forgot-note-2"]),
        ],
    },
    Topic {
        id: "welcome",
        title: "manual-welcome-title",
        blocks: &[
            P("manual-welcome-intro"),
            Table(
                ITEM_DESC,
                &[
                    [
                        "manual-welcome-field-user",
                        "manual-welcome-field-user-desc",
                    ],
                    [
                        "manual-welcome-field-previous",
                        "manual-welcome-field-previous-desc",
                    ],
                    [
                        "manual-welcome-field-fleet",
                        "manual-welcome-field-fleet-desc",
                    ],
                    [
                        "manual-welcome-field-news",
                        "manual-welcome-field-news-desc",
                    ],
                ],
            ),
            Note(&["manual-welcome-note-1"]),
        ],
    },
    Topic {
        id: "devices",
        title: "manual-devices-title",
        blocks: &[
            P("manual-devices-intro"),
            Steps(&[
                "manual-devices-step-1",
                "manual-devices-step-2",
                "manual-devices-step-3",
                "manual-devices-step-4",
                "manual-devices-step-5",
            ]),
            Table(
                ITEM_DESC,
                &[
                    [
                        "manual-devices-field-group",
                        "manual-devices-field-group-desc",
                    ],
                    [
                        "manual-devices-field-filter",
                        "manual-devices-field-filter-desc",
                    ],
                    [
                        "manual-devices-field-counts",
                        "manual-devices-field-counts-desc",
                    ],
                    [
                        "manual-devices-field-name",
                        "manual-devices-field-name-desc",
                    ],
                    [
                        "manual-devices-field-status",
                        "manual-devices-field-status-desc",
                    ],
                    [
                        "manual-devices-field-remote",
                        "manual-devices-field-remote-desc",
                    ],
                    [
                        "manual-devices-field-place",
                        "manual-devices-field-place-desc",
                    ],
                    [
                        "manual-devices-field-last-report",
                        "manual-devices-field-last-report-desc",
                    ],
                ],
            ),
            H("manual-devices-h-types"),
            List(&[
                "manual-devices-type-mono-mfp",
                "manual-devices-type-color-mfp",
                "manual-devices-type-mono-lbp",
                "manual-devices-type-color-lbp",
                "manual-devices-type-lfp",
            ]),
            H("manual-devices-h-status"),
            Table(
                ITEM_DESC,
                &[
                    [
                        "manual-status-service-call",
                        "manual-status-service-call-desc",
                    ],
                    ["manual-status-error", "manual-status-error-desc"],
                    ["manual-status-warning", "manual-status-warning-desc"],
                    ["manual-status-normal", "manual-status-normal-desc"],
                    ["manual-status-unknown", "manual-status-unknown-desc"],
                ],
            ),
            Note(&[
                "manual-devices-note-1",
                "manual-devices-note-2",
                "manual-devices-note-3",
                "manual-devices-note-pages",
            ]),
        ],
    },
    Topic {
        id: "device",
        title: "manual-device-title",
        blocks: &[
            P("manual-device-intro"),
            Steps(&["manual-device-step-1", "manual-device-step-2"]),
            Table(
                ITEM_DESC,
                &[
                    ["manual-device-field-name", "manual-device-field-name-desc"],
                    [
                        "manual-device-field-status",
                        "manual-device-field-status-desc",
                    ],
                    [
                        "manual-device-field-group",
                        "manual-device-field-group-desc",
                    ],
                    [
                        "manual-device-field-address",
                        "manual-device-field-address-desc",
                    ],
                    [
                        "manual-device-field-place",
                        "manual-device-field-place-desc",
                    ],
                    [
                        "manual-device-field-admin",
                        "manual-device-field-admin-desc",
                    ],
                    ["manual-device-field-last", "manual-device-field-last-desc"],
                    [
                        "manual-device-field-counters",
                        "manual-device-field-counters-desc",
                    ],
                    [
                        "manual-device-field-supplies",
                        "manual-device-field-supplies-desc",
                    ],
                    ["save", "manual-device-field-save-desc"],
                ],
            ),
            Note(&["manual-device-note-1", "manual-device-note-2"]),
        ],
    },
    Topic {
        id: "counters",
        title: "manual-counters-title",
        blocks: &[
            P("manual-counters-intro"),
            Steps(&[
                "manual-counters-step-1",
                "manual-counters-step-2",
                "manual-counters-step-3",
                "manual-counters-step-4",
                "manual-counters-step-5",
                "manual-counters-step-6",
            ]),
            Table(
                ITEM_DESC,
                &[
                    [
                        "manual-counters-field-unit",
                        "manual-counters-field-unit-desc",
                    ],
                    [
                        "manual-counters-field-period",
                        "manual-counters-field-period-desc",
                    ],
                    [
                        "manual-counters-field-kind",
                        "manual-counters-field-kind-desc",
                    ],
                    [
                        "manual-counters-field-group",
                        "manual-counters-field-group-desc",
                    ],
                    [
                        "manual-counters-field-class",
                        "manual-counters-field-class-desc",
                    ],
                    [
                        "manual-counters-field-aggregate",
                        "manual-counters-field-aggregate-desc",
                    ],
                    ["reset", "manual-counters-field-reset-desc"],
                    [
                        "manual-counters-field-export",
                        "manual-counters-field-export-desc",
                    ],
                ],
            ),
            Note(&["manual-counters-note-period"]),
            H("manual-counters-h-result"),
            P("manual-counters-result-intro"),
            List(&[
                "manual-counters-result-1",
                "manual-counters-result-2",
                "manual-counters-result-3",
                "manual-counters-result-4",
                "manual-counters-result-5",
            ]),
            H("manual-counters-h-dash"),
            P("manual-counters-dash-intro"),
            List(&["manual-counters-dash-1", "manual-counters-dash-2"]),
            H("manual-counters-h-rules"),
            Note(&[
                "manual-counters-note-oldest",
                "manual-counters-note-oldest-totals",
                "manual-counters-note-gap",
                "manual-counters-note-incomplete",
                "manual-counters-note-reset",
                "manual-counters-note-reset-mark",
                "manual-counters-note-timezone",
                "manual-counters-note-retention",
                "manual-counters-note-csv-notes",
            ]),
        ],
    },
    Topic {
        id: "counter-device",
        title: "manual-counter-device-title",
        blocks: &[
            P("manual-counter-device-intro"),
            Steps(&[
                "manual-counter-device-step-1",
                "manual-counter-device-step-2",
                "manual-counter-device-step-3",
            ]),
            P("manual-counter-device-layout"),
            Table(
                ["manual-col-tab", "manual-col-desc"],
                &[
                    ["manual-tab-counter", "manual-counter-device-tab-counter"],
                    ["manual-tab-paper", "manual-counter-device-tab-paper"],
                    [
                        "manual-tab-color-mode",
                        "manual-counter-device-tab-color-mode",
                    ],
                    ["manual-tab-function", "manual-counter-device-tab-function"],
                ],
            ),
            P("manual-counter-device-buttons"),
            P("manual-counter-device-days"),
            Note(&[
                "manual-counter-device-note-total1",
                "manual-counter-device-note-function",
                "manual-counter-device-note-dash",
            ]),
            H("manual-counter-device-h-lfp"),
            P("manual-counter-device-lfp-1"),
            P("manual-counter-device-lfp-2"),
            List(&[
                "manual-lfp-unit-a4",
                "manual-lfp-unit-letter",
                "manual-lfp-unit-m2",
                "manual-lfp-unit-sqft",
            ]),
            Note(&["manual-counter-device-lfp-note"]),
        ],
    },
    Topic {
        id: "counter-period",
        title: "manual-counter-period-title",
        blocks: &[
            P("manual-counter-period-intro"),
            Steps(&[
                "manual-counter-period-step-1",
                "manual-counter-period-step-2",
                "manual-counter-period-step-3",
                "manual-counter-period-step-4",
            ]),
            P("manual-counter-period-days"),
            Note(&[
                "manual-counter-period-note-1",
                "manual-counter-period-note-2",
            ]),
        ],
    },
    Topic {
        id: "graph",
        title: "manual-graph-title",
        blocks: &[
            P("manual-graph-intro"),
            Steps(&[
                "manual-graph-step-1",
                "manual-graph-step-2",
                "manual-graph-step-3",
            ]),
            Note(&[
                "manual-graph-note-duplex",
                "manual-graph-note-total1",
                "manual-graph-note-dash",
                "manual-graph-note-top",
            ]),
        ],
    },
    Topic {
        id: "csv",
        title: "manual-csv-title",
        blocks: &[
            P("manual-csv-intro"),
            Steps(&[
                "manual-csv-step-1",
                "manual-csv-step-2",
                "manual-csv-step-3",
            ]),
            Table(
                ITEM_DESC,
                &[
                    ["manual-csv-field-content", "manual-csv-field-content-desc"],
                    [
                        "manual-csv-field-encoding",
                        "manual-csv-field-encoding-desc",
                    ],
                    ["manual-csv-field-name", "manual-csv-field-name-desc"],
                    ["manual-csv-field-lfp", "manual-csv-field-lfp-desc"],
                ],
            ),
            Note(&[
                "manual-csv-note-formula",
                "manual-csv-note-shift-jis",
                "manual-csv-note-mark",
                "manual-csv-note-api",
            ]),
        ],
    },
    Topic {
        id: "department-counters",
        title: "manual-department-counters-title",
        blocks: &[
            P("manual-department-counters-intro"),
            Note(&["manual-department-counters-note"]),
        ],
    },
    Topic {
        id: "supplies",
        title: "manual-supplies-title",
        blocks: &[
            P("manual-supplies-intro"),
            Steps(&[
                "manual-supplies-step-1",
                "manual-supplies-step-2",
                "manual-supplies-step-3",
            ]),
            Note(&[
                "manual-supplies-note-1",
                "manual-supplies-note-2",
                "manual-supplies-note-3",
                "manual-supplies-note-forecast",
            ]),
        ],
    },
    Topic {
        id: "notifications",
        title: "manual-notifications-title",
        blocks: &[
            P("manual-notifications-intro"),
            Steps(&[
                "manual-notifications-step-1",
                "manual-notifications-step-2",
                "manual-notifications-step-3",
                "manual-notifications-step-4",
            ]),
            Table(
                ITEM_DESC,
                &[
                    [
                        "manual-status-service-call",
                        "manual-notifications-service-call",
                    ],
                    ["manual-status-error", "manual-notifications-error"],
                    ["manual-status-warning", "manual-notifications-warning"],
                    [
                        "manual-notifications-late",
                        "manual-notifications-late-desc",
                    ],
                    [
                        "manual-notifications-toner",
                        "manual-notifications-toner-desc",
                    ],
                ],
            ),
            Note(&[
                "manual-notifications-note-address",
                "manual-notifications-note-once",
                "manual-notifications-note-holddown",
                "manual-notifications-note-digest",
                "manual-notifications-note-language",
                "manual-notifications-note-admin",
                "manual-notifications-note-personal",
            ]),
        ],
    },
    Topic {
        id: "groups",
        title: "manual-groups-title",
        blocks: &[
            P("manual-groups-intro"),
            Note(&[
                "manual-groups-rule-max",
                "manual-groups-rule-one",
                "manual-groups-rule-required",
                "manual-groups-rule-width",
                "manual-groups-rule-chars",
                "manual-groups-rule-unique",
                "manual-groups-rule-message",
            ]),
            H("manual-groups-h-create"),
            Steps(&[
                "manual-groups-create-1",
                "manual-groups-create-2",
                "manual-groups-create-3",
            ]),
            H("manual-groups-h-edit"),
            Steps(&["manual-groups-edit-1", "manual-groups-edit-2"]),
            H("manual-groups-h-delete"),
            Steps(&["manual-groups-delete-1", "manual-groups-delete-2"]),
            Note(&["manual-groups-note-delete", "manual-groups-note-move"]),
        ],
    },
    Topic {
        id: "paper-sizes",
        title: "manual-paper-sizes-title",
        blocks: &[
            P("manual-paper-sizes-intro"),
            Steps(&[
                "manual-paper-sizes-step-1",
                "manual-paper-sizes-step-2",
                "manual-paper-sizes-step-3",
            ]),
            P("manual-paper-sizes-choices"),
            Note(&[
                "manual-paper-sizes-note-total1",
                "manual-paper-sizes-note-lfp",
                "manual-paper-sizes-note-dash",
                "manual-paper-sizes-note-one",
            ]),
        ],
    },
    Topic {
        id: "profile",
        title: "manual-profile-title",
        blocks: &[
            P("manual-profile-intro"),
            Steps(&["manual-profile-step-1", "manual-profile-step-2"]),
            Table(
                ITEM_DESC,
                &[
                    [
                        "manual-profile-field-user",
                        "manual-profile-field-user-desc",
                    ],
                    [
                        "manual-profile-field-name",
                        "manual-profile-field-name-desc",
                    ],
                    [
                        "manual-profile-field-email",
                        "manual-profile-field-email-desc",
                    ],
                    [
                        "manual-profile-field-language",
                        "manual-profile-field-language-desc",
                    ],
                    [
                        "manual-profile-field-region",
                        "manual-profile-field-region-desc",
                    ],
                    [
                        "manual-profile-field-timezone",
                        "manual-profile-field-timezone-desc",
                    ],
                ],
            ),
            Note(&["manual-profile-note-timezone"]),
        ],
    },
    Topic {
        id: "password",
        title: "manual-password-title",
        blocks: &[
            P("manual-password-intro"),
            Steps(&["manual-password-step-1", "manual-password-step-2"]),
            Note(&[
                "manual-password-rule-chars",
                "manual-password-rule-different",
                "manual-password-rule-expiry",
                "manual-password-rule-forced",
            ]),
        ],
    },
    Topic {
        id: "email",
        title: "manual-email-title",
        blocks: &[
            P("manual-email-intro"),
            Steps(&[
                "manual-email-step-1",
                "manual-email-step-2",
                "manual-email-step-3",
                "manual-email-step-4",
            ]),
            Note(&[
                "manual-email-note-pending",
                "manual-email-note-link",
                "manual-email-note-missing",
                "manual-email-note-check",
            ]),
        ],
    },
    Topic {
        id: "api",
        title: "manual-api-title",
        blocks: &[
            P("manual-api-intro"),
            Steps(&[
                "manual-api-step-1",
                "manual-api-step-2",
                "manual-api-step-3",
            ]),
            Code(
                "curl -H \"Authorization: Bearer TOKEN\" \\\n  \
                 \"$BASE/api/v1/counters?unit=month&from=2021-08&to=2021-11&kind=usage&group=all&class=mfp\"",
            ),
            Endpoints(&[
                ["GET /api/v1/devices", "manual-api-devices"],
                ["GET /api/v1/devices/{id}", "manual-api-device"],
                ["GET /api/v1/counters", "manual-api-counters"],
                ["GET /api/v1/counters.csv", "manual-api-counters-csv"],
            ]),
            Note(&[
                "manual-api-note-same",
                "manual-api-note-errors",
                "manual-api-note-null",
                "manual-api-note-secret",
            ]),
            // The SNMP site collector (`meterport collect`, issue 12), for the site engineer.
            H("manual-api-h-collector"),
            P("manual-api-collector-intro"),
            Steps(&[
                "manual-api-collector-step-1",
                "manual-api-collector-step-2",
                "manual-api-collector-step-3",
            ]),
            Code(
                "meterport collect --config /etc/meterport/collect.toml --dry-run\n\
                 meterport collect --config /etc/meterport/collect.toml --once",
            ),
            Note(&[
                "manual-api-collector-note-spool",
                "manual-api-collector-note-exit",
                "manual-api-collector-note-vendors",
            ]),
            // Meter mail (SPEC I2), for the site engineer who sets up a device or a tool.
            H("manual-api-h-mail"),
            P("manual-api-mail-intro"),
            Steps(&[
                "manual-api-mail-step-1",
                "manual-api-mail-step-2",
                "manual-api-mail-step-3",
            ]),
            Table(
                FORMAT_CONTENT,
                &[
                    [
                        "manual-api-mail-format-json",
                        "manual-api-mail-format-json-what",
                    ],
                    [
                        "manual-api-mail-format-text",
                        "manual-api-mail-format-text-what",
                    ],
                    [
                        "manual-api-mail-format-csv",
                        "manual-api-mail-format-csv-what",
                    ],
                    [
                        "manual-api-mail-format-sharp",
                        "manual-api-mail-format-sharp-what",
                    ],
                ],
            ),
            Code(
                "serial: E1234567\n\
                 read_at: 2026-12-01T09:00:00+09:00\n\
                 total1: 12345\n\
                 mono: 10000\n\
                 color: 2345",
            ),
            Note(&[
                "manual-api-mail-note-reply",
                "manual-api-mail-note-refused",
                "manual-api-mail-note-date",
                "manual-api-mail-note-reset",
            ]),
        ],
    },
    Topic {
        id: "trouble",
        title: "manual-trouble-title",
        blocks: &[
            P("manual-trouble-intro"),
            H("manual-trouble-q-missing"),
            Table(
                CAUSE_ACTION,
                &[
                    [
                        "manual-trouble-missing-cause-1",
                        "manual-trouble-missing-action-1",
                    ],
                    [
                        "manual-trouble-missing-cause-2",
                        "manual-trouble-missing-action-2",
                    ],
                ],
            ),
            H("manual-trouble-q-unknown"),
            Table(
                CAUSE_ACTION,
                &[
                    [
                        "manual-trouble-unknown-cause-1",
                        "manual-trouble-unknown-action-1",
                    ],
                    [
                        "manual-trouble-unknown-cause-2",
                        "manual-trouble-unknown-action-2",
                    ],
                    [
                        "manual-trouble-unknown-cause-3",
                        "manual-trouble-unknown-action-3",
                    ],
                ],
            ),
            H("manual-trouble-q-dash"),
            Table(
                CAUSE_ACTION,
                &[
                    [
                        "manual-trouble-dash-cause-1",
                        "manual-trouble-dash-action-1",
                    ],
                    [
                        "manual-trouble-dash-cause-2",
                        "manual-trouble-dash-action-2",
                    ],
                ],
            ),
            H("manual-trouble-q-forgot"),
            Table(
                CAUSE_ACTION,
                &[
                    [
                        "manual-trouble-forgot-cause-1",
                        "manual-trouble-forgot-action-1",
                    ],
                    [
                        "manual-trouble-forgot-cause-2",
                        "manual-trouble-forgot-action-2",
                    ],
                ],
            ),
            H("manual-trouble-q-locked"),
            Table(
                CAUSE_ACTION,
                &[
                    [
                        "manual-trouble-locked-cause-1",
                        "manual-trouble-locked-action-1",
                    ],
                    [
                        "manual-trouble-locked-cause-2",
                        "manual-trouble-locked-action-2",
                    ],
                ],
            ),
            H("manual-trouble-q-mail"),
            Table(
                CAUSE_ACTION,
                &[
                    [
                        "manual-trouble-mail-cause-1",
                        "manual-trouble-mail-action-1",
                    ],
                    [
                        "manual-trouble-mail-cause-2",
                        "manual-trouble-mail-action-2",
                    ],
                    [
                        "manual-trouble-mail-cause-3",
                        "manual-trouble-mail-action-3",
                    ],
                ],
            ),
            H("manual-trouble-q-csv"),
            Table(
                CAUSE_ACTION,
                &[
                    ["manual-trouble-csv-cause-1", "manual-trouble-csv-action-1"],
                    ["manual-trouble-csv-cause-2", "manual-trouble-csv-action-2"],
                ],
            ),
        ],
    },
];

// ---- Screenshots of the sections

/// The size of every screenshot in the manual, in pixels: a 1280 x 800 window taken at half
/// scale, small enough to embed (tens of kilobytes each) and still readable beside the text.
pub const SHOT_SIZE: (u32, u32) = (640, 400);

/// The screenshot of a section's screen in each language: taken from the demo data by the
/// browser test `manual_screens` (`cargo test -p meterport --test it manual_screens`), which
/// writes `static/manual/{ja,en}/<section>.png`; embedded here and served at
/// `/manual/screens/<lang>/<section>.png`.
pub struct Shot {
    pub topic: &'static str,
    pub ja: &'static [u8],
    pub en: &'static [u8],
}

macro_rules! shots {
    ($($id:literal),* $(,)?) => {
        &[$(Shot {
            topic: $id,
            ja: include_bytes!(concat!("../../static/manual/ja/", $id, ".png")),
            en: include_bytes!(concat!("../../static/manual/en/", $id, ".png")),
        }),*]
    };
}

/// The sections that describe a screen, each with its screenshot. The others (the overview,
/// CSV files, the API, troubleshooting, a screen still to come) have none.
pub const SHOTS: &[Shot] = shots!(
    "login",
    "welcome",
    "devices",
    "device",
    "counters",
    "counter-device",
    "counter-period",
    "graph",
    "supplies",
    "notifications",
    "groups",
    "paper-sizes",
    "profile",
    "password",
    "email",
);

impl Shot {
    pub fn png(&self, lang: Lang) -> &'static [u8] {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }
}

/// A section's screenshot in one language.
async fn shot(
    axum::extract::Path((lang, file)): axum::extract::Path<(String, String)>,
) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let found = Lang::parse(&lang)
        .zip(file.strip_suffix(".png"))
        .and_then(|(lang, id)| SHOTS.iter().find(|s| s.topic == id).map(|s| s.png(lang)));
    match found {
        Some(png) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            png,
        )
            .into_response(),
        None => super::PageError::NotFound.into_response(),
    }
}

/// A row of the menu table of the overview: the entry's label, what it is for, and the
/// manual section it links to.
pub struct MenuRow {
    pub label: String,
    pub desc: String,
    pub topic: &'static str,
}

/// The manual's content, shared by the two page shells below.
pub struct Manual {
    pub ctx: PageCtx,
    pub topics: &'static [Topic],
    /// A guest sees a link to the login screen.
    pub logged_in: bool,
    /// The portal's public address, for the API examples.
    pub base: String,
}

impl Manual {
    /// The "Service top" entry, then every entry of [`MENU`], each described by
    /// `manual-menu-<id>`.
    pub fn menu_rows(&self) -> Vec<MenuRow> {
        let lang = self.ctx.lang;
        std::iter::once(("menu-service-top", "welcome"))
            .chain(
                MENU.iter()
                    .flat_map(|s| s.items.iter())
                    .map(|i| (i.label, i.id)),
            )
            .map(|(label, id)| MenuRow {
                label: i18n::t(lang, label),
                desc: i18n::t(lang, &format!("manual-menu-{id}")),
                topic: id,
            })
            .collect()
    }

    /// The address of a section's screenshot in the manual's language, if it has one.
    pub fn shot(&self, topic: &str) -> Option<String> {
        SHOTS
            .iter()
            .any(|s| s.topic == topic)
            .then(|| format!("/manual/screens/{}/{topic}.png", self.ctx.lang.as_str()))
    }

    /// A code example with the portal's address in it.
    pub fn code(&self, text: &str) -> String {
        text.replace("$BASE", &self.base)
    }
}

#[derive(Template)]
#[template(
    source = r#"{% extends "layout.html" %}
{% block title %}{{ ctx.t("top-manual") }}{% endblock %}
{% block content %}{% include "manual.html" %}{% endblock %}"#,
    ext = "html"
)]
struct ManualPage<'a> {
    ctx: &'a PageCtx,
    manual: &'a Manual,
}

#[derive(Template)]
#[template(
    source = r#"{% extends "bare.html" %}
{% block title %}{{ ctx.t("top-manual") }}{% endblock %}
{% block content %}{% include "manual.html" %}{% endblock %}"#,
    ext = "html"
)]
struct GuestManualPage<'a> {
    ctx: &'a PageCtx,
    manual: &'a Manual,
}

/// The manual for whoever asks: with the menu after login, the bare layout before.
async fn manual(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = state.web.public_url.trim_end_matches('/').to_string();
    match session::current(&state, &headers).await {
        Some(viewer) => {
            let manual = Manual {
                ctx: viewer.ctx("", "top"),
                topics: TOPICS,
                logged_in: true,
                base,
            };
            render(&ManualPage {
                ctx: &manual.ctx,
                manual: &manual,
            })
        }
        None => {
            let mut ctx = PageCtx::new(guest_lang(&headers), String::new(), "", "top");
            ctx.here = "/manual".into();
            let manual = Manual {
                ctx,
                topics: TOPICS,
                logged_in: false,
                base,
            };
            render(&GuestManualPage {
                ctx: &manual.ctx,
                manual: &manual,
            })
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manual", get(manual))
        .route("/manual/screens/{lang}/{file}", get(shot))
}

/// Every message key the manual names, in page order (the menu descriptions included).
pub fn keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "manual-title",
        "manual-lead",
        "manual-toc",
        "manual-memo",
        "manual-back-to-toc",
        "manual-login-link",
        "manual-col-menu",
        "manual-col-endpoint",
        "manual-shot",
    ]
    .iter()
    .map(|k| k.to_string())
    .collect();
    keys.push("manual-menu-welcome".into());
    keys.extend(
        MENU.iter()
            .flat_map(|s| s.items.iter())
            .map(|i| format!("manual-menu-{}", i.id)),
    );
    for topic in TOPICS {
        keys.push(topic.title.into());
        for block in topic.blocks {
            match block {
                P(k) | H(k) => keys.push(k.to_string()),
                Steps(ks) | List(ks) | Note(ks) => keys.extend(ks.iter().map(|k| k.to_string())),
                Table(head, rows) => {
                    keys.extend(head.iter().map(|k| k.to_string()));
                    keys.extend(rows.iter().flatten().map(|k| k.to_string()));
                }
                Endpoints(rows) => keys.extend(rows.iter().map(|[_, k]| k.to_string())),
                Code(_) | Menu => {}
            }
        }
    }
    keys
}

/// Whether a message exists in a language (the loader falls back to English, and shows an
/// unknown key as `[key]`).
pub fn has_message(lang: Lang, key: &str) -> bool {
    !i18n::t(lang, key).starts_with(&format!("[{key}]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn manual_ftl_ids(lang: &str) -> BTreeSet<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang)
            .join("manual.ftl");
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    #[test]
    fn every_key_the_manual_names_has_a_message_in_both_languages() {
        let missing: Vec<(Lang, String)> = Lang::ALL
            .into_iter()
            .flat_map(|lang| keys().into_iter().map(move |k| (lang, k)))
            .filter(|(lang, k)| !has_message(*lang, k))
            .collect();
        assert!(missing.is_empty(), "keys without a message: {missing:?}");
    }

    #[test]
    fn every_message_of_the_manual_files_is_shown_somewhere() {
        let used: BTreeSet<String> = keys().into_iter().collect();
        for lang in ["ja", "en"] {
            let unused: Vec<_> = manual_ftl_ids(lang).difference(&used).cloned().collect();
            assert!(
                unused.is_empty(),
                "{lang}/manual.ftl has unused messages: {unused:?}"
            );
        }
    }

    #[test]
    fn topic_ids_are_unique_and_every_menu_entry_has_one() {
        let ids: BTreeSet<&str> = TOPICS.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), TOPICS.len(), "a topic id is repeated");
        for item in MENU.iter().flat_map(|s| s.items.iter()) {
            assert!(
                ids.contains(item.id),
                "no manual section for menu entry {}",
                item.id
            );
        }
    }

    #[test]
    fn japanese_and_english_say_different_things_for_every_manual_message() {
        // Same text in both languages means one of them was not translated. Terms that are
        // the same in both (product words, paper sizes) are in the shared catalogue, not here.
        let same: Vec<String> = keys()
            .into_iter()
            .filter(|k| k.starts_with("manual-"))
            .filter(|k| i18n::t(Lang::Ja, k) == i18n::t(Lang::En, k))
            .collect();
        assert!(same.is_empty(), "untranslated: {same:?}");
    }

    #[test]
    fn code_examples_point_at_the_portal_s_own_address() {
        let manual = Manual {
            ctx: PageCtx::new(Lang::En, String::new(), "", "top"),
            topics: TOPICS,
            logged_in: false,
            base: "https://portal.example.com".into(),
        };
        assert_eq!(
            manual.code("curl \"$BASE/api/v1/devices\""),
            "curl \"https://portal.example.com/api/v1/devices\""
        );
        let rows = manual.menu_rows();
        assert_eq!(rows[0].topic, "welcome");
        assert_eq!(rows[1].label, "Device list");
        assert!(rows.iter().all(|r| !r.desc.starts_with('[')));
    }
}
