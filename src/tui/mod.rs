//! The full-screen terminal UI: one message loop (see DESIGN.md "The one loop").
//!
//! `app` holds the state, messages, effects and the pure `update`; `draw` paints a state;
//! `runner` (real terminal) and `headless` (TestBackend, scripted keys) drive the same
//! `core`; `effects` runs effects on tokio tasks and answers with messages.

pub mod acceptance;
pub mod app;
pub mod args;
pub mod core;
pub mod draw;
pub mod effects;
pub mod error;
pub mod file_error;
pub mod headless;
pub mod help;
pub mod keymap;
pub mod link;
pub mod panes;
pub mod read_model;
pub mod runner;
pub mod scan_input;
pub mod services;
pub mod status_bar;
pub mod store_model;
pub mod theme;
pub mod widgets;

pub use app::{Effect, Msg, State, update};
pub use args::{TuiArgs, run};
pub use core::Setup;
pub use effects::Feeds;
pub use error::TuiError;
pub use headless::{HeadlessOptions, KeyToken, run_headless, run_headless_with};
pub use runner::run_terminal;
pub use services::run_with_services;

/// The name the CLI skeleton uses for the `run` arguments.
pub type RunArgs = TuiArgs;
