//! egais-tui: an EGAIS (ЕГАИС) workstation for small shops and bars.
//!
//! Dependencies point one way: `tui` and `cli` use `egais`, `store` and `scanner`,
//! which use `domain`. `domain` does no I/O, so every business rule is a plain unit test.

pub mod app_context;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod egais;
pub mod logging;
pub mod panic_hook;
pub mod scanner;
pub mod store;
pub mod text;
pub mod tui;
