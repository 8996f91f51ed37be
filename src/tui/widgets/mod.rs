//! Reusable pieces: dialogs, inputs, the list picker, toasts and the paged list window.

pub mod dialog;
pub mod list_window;
pub mod picker;
pub mod toast;

use ratatui::layout::Rect;

/// A centred box of at most `w`×`h` inside `area`, shrunk to fit small screens.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
