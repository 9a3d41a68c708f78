//! The meterport portal: configuration, the HTTP front doors and the commands that run them.
//!
//! - [`cli`]: the `serve`, `admin ...` and `collect` subcommands (the `meterport` binary, in
//!   `crates/meterport`, adds the demo tenant and the benchmark).
//! - [`app`]: the router, its state and middleware; [`api`]: the JSON APIs of SPEC §7
//!   (operator, ingest, read); handlers only translate between HTTP and the services.
//! - [`service`]: one module per use case (ingest with its group-commit writer, counters),
//!   reached through [`service::Services`], which keeps the store from the front doors.
//! - [`web`]: the server-rendered pages for customer users.
//! - [`i18n`]: every message a person reads, from `locales/{ja,en}`, for the screens, the
//!   APIs, the mails and the command line alike.
//! - [`mail`]: outgoing mail: the outbox's sender task and what each mail says.
//! - [`smtp`]: the SMTP listener of meter mails (I2), a front door like the JSON APIs.
//! - [`csv_export`]: the CSV layouts of S19; [`period_words`]: periods as a person reads
//!   them, shared by the screens and the CSV.

pub mod api;
pub mod app;
pub mod cli;
pub mod clock;
pub mod csv_export;
pub mod i18n;
pub mod mail;
pub mod period_words;
pub mod service;
pub mod shapes;
pub mod smtp;
pub mod telemetry;
pub mod web;
