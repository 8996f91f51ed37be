//! The full-screen terminal UI: one message loop (see DESIGN.md "The one loop").

pub mod acceptance;
pub mod file_error;
pub mod keymap;
pub mod theme;
