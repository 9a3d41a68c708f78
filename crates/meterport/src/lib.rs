//! The `meterport` binary's own code: the top-level command ([`cli`]), which hands `serve`,
//! `admin` and `collect` to the portal ([`meterport_portal::cli`]) and `bench` to
//! [`meterport_bench`], and the demo tenant ([`demo`]) that `serve --demo` and `demo` fill.

pub mod cli;
pub mod demo;
