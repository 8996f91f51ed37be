//! The full-screen terminal UI: one message loop (see DESIGN.md "The one loop").
//!
//! `app` holds the state, messages, effects and the pure `update`; `draw` paints a state;
//! `runner` (real terminal) and `headless` (TestBackend, scripted keys) drive the same loop;
//! `effects` runs effects on tokio tasks and answers with messages.

pub mod app;
pub mod draw;
pub mod file_error;
pub mod help;
pub mod keymap;
pub mod panes;
pub mod read_model;
pub mod scan_input;
pub mod status_bar;
pub mod store_model;
pub mod theme;
pub mod widgets;
