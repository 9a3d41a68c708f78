//! Meter mails (SPEC I2): counter reports that devices and site tools e-mail to the portal's
//! SMTP listener, read into the body of `POST /api/v1/ingest/readings`, so that the one ingest
//! service judges them with the same rules as an HTTP request.
//!
//! This crate only reads messages: it knows nothing of tenants, devices or storage.
