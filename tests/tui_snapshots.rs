//! insta snapshots of every pane and of the help overlay, at 80×24 and 120×40, and of the
//! styles each theme gives the same screen (a text snapshot alone cannot show a theme).

mod tui_support;

use egais_tui::tui::headless::{buffer_styles, buffer_text};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Every pane and the help, as (name, keys).
const SCREENS: [(&str, &str); 9] = [
    ("sale", "F2"),
    ("sale_scanned", "F2 scan:4601234567893"),
    ("acceptance_new", "F3"),
    ("acceptance_review", "F3 Tab"),
    ("acceptance_detail", "F3 Tab Enter"),
    ("stock", "F4 Down"),
    ("journal", "F5"),
    ("settings", "F9"),
    ("help_acceptance", "F3 F1"),
];

#[test]
fn every_pane_at_both_sizes() {
    for (w, h) in SIZES {
        for (name, keys) in SCREENS {
            let text = buffer_text(terminal("default", keys, (w, h)).backend().buffer());
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
        }
    }
}

#[test]
fn snapshot_of_the_backend_itself() {
    // The form the ratatui testing recipe uses, kept for one screen.
    let t = terminal("default", "F3", (80, 24));
    insta::assert_snapshot!("acceptance_backend_80x24", t.backend());
}

#[test]
fn themes_change_styles_not_text() {
    for (name, keys) in SCREENS {
        if name == "settings" {
            continue; // It names the active theme.
        }
        let base = buffer_text(terminal("default", keys, (80, 24)).backend().buffer());
        for theme in ["high-contrast", "mono"] {
            let text = buffer_text(terminal(theme, keys, (80, 24)).backend().buffer());
            assert_eq!(plain_borders(&text), base, "{name} in {theme}");
        }
    }
}

/// High contrast draws thick borders; everything else must be the same text.
fn plain_borders(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '┃' => '│',
            '━' => '─',
            '┏' => '┌',
            '┓' => '┐',
            '┗' => '└',
            '┛' => '┘',
            other => other,
        })
        .collect()
}

#[test]
fn style_dump_per_theme() {
    for theme in ["default", "high-contrast", "mono"] {
        let t = terminal(theme, "F3 Tab", (80, 24));
        insta::assert_snapshot!(
            format!("styles_acceptance_review_{theme}"),
            buffer_styles(t.backend().buffer())
        );
    }
}

#[test]
fn mono_uses_no_colour_at_all() {
    for (_, keys) in SCREENS {
        let t = terminal("mono", keys, (80, 24));
        for cell in &t.backend().buffer().content {
            assert_eq!(cell.fg, ratatui::style::Color::Reset, "keys {keys}");
            assert_eq!(cell.bg, ratatui::style::Color::Reset, "keys {keys}");
        }
    }
}

#[test]
fn selected_and_rejected_rows_are_styled_by_role() {
    use egais_tui::tui::theme::{Role, Theme};
    for name in ["default", "high-contrast", "mono"] {
        let theme = Theme::builtin(name).expect("theme");
        let t = terminal(name, "F3 Tab Down", (80, 24));
        let buf = t.backend().buffer();
        // Row 3 is the rejected invoice (not selected), row 4 the selected one.
        let rejected = &buf[(0, 3)];
        let selected = &buf[(0, 4)];
        let want_rejected = theme.style(Role::Rejected);
        let want_selected = theme.style(Role::Selected);
        assert_eq!(rejected.fg, want_rejected.fg.unwrap_or_default(), "{name}");
        assert!(
            rejected.modifier.contains(want_rejected.add_modifier),
            "{name}"
        );
        assert_eq!(selected.bg, want_selected.bg.unwrap_or_default(), "{name}");
        assert!(
            selected.modifier.contains(want_selected.add_modifier),
            "{name}"
        );
        assert_ne!(
            (rejected.fg, rejected.bg, rejected.modifier),
            (selected.fg, selected.bg, selected.modifier),
            "{name}: rejected and selected must look different"
        );
    }
}
