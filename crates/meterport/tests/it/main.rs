//! The portal's integration tests, in one test binary: one module per area, all on the
//! shared [`harness`] (the portal on a fresh SQLite or PostgreSQL database, chosen by
//! `METERPORT_TEST_BACKEND`; a browser-like HTTP client that logs in through the form; HTML
//! read with a parser; a real SMTP server; headless Chromium).
//!
//! `cargo test -p meterport --test it web_devices::` runs one area.

mod harness;
mod honest;

mod browser;
mod browser_layout;
mod browser_screens;
mod browser_shell;
mod collect;
mod csv;
mod demo;
mod engine;
mod ingest;
mod mail;
mod manual;
mod monitoring;
mod notify;
mod openapi;
mod operating;
mod operator;
mod process;
mod read;
mod reporting;
mod security;
mod smtp_ingest;
mod supply_forecast;
mod web_auth;
mod web_counters;
mod web_devices;
mod web_settings;
mod web_shell;
mod webhooks;
