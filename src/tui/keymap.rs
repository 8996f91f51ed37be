//! Keymaps: which key does what, in which part of the screen. The default is embedded; a
//! user file is laid over it. Each binding carries the Russian description that the F1
//! help shows, so the help can never disagree with the keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;
use toml::Spanned;

use super::file_error::{FileError, Problem};

pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");

/// A part of the screen with its own bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    List,
    Sale,
    Acceptance,
    Stock,
    Journal,
    Settings,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::List,
        Context::Sale,
        Context::Acceptance,
        Context::Stock,
        Context::Journal,
        Context::Settings,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Sale => "sale",
            Context::Acceptance => "acceptance",
            Context::Stock => "stock",
            Context::Journal => "journal",
            Context::Settings => "settings",
        }
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            Context::Global => "Везде",
            Context::List => "Списки",
            Context::Sale => "Продажа",
            Context::Acceptance => "Приёмка",
            Context::Stock => "Остатки",
            Context::Journal => "Журнал",
            Context::Settings => "Настройки и УТМ",
        }
    }

    fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }

    fn is_pane(self) -> bool {
        !matches!(self, Context::Global | Context::List)
    }
}

/// Everything a key can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Help,
    Quit,
    PaneSale,
    PaneAcceptance,
    PaneStock,
    PaneJournal,
    PaneSettings,
    Ack,
    Redraw,
    Suspend,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Back,
    NextList,
    PrevList,
    Search,
    Refresh,
    SaleManualCode,
    JournalPeriod,
    SettingsTheme,
    SettingsCheckUtm,
    AcceptanceAccept,
    AcceptanceDifferences,
    AcceptanceReject,
    AcceptanceToggle,
    AcceptanceSend,
    AcceptanceDelete,
    AcceptanceQueryNattn,
    AcceptanceResend,
    AcceptanceBindEans,
    AcceptanceInvoices,
}

/// Name, and the section it may be bound in (`None`: list and every pane).
const ACTIONS: &[(Action, &str, Option<Context>)] = &[
    (Action::Help, "help", Some(Context::Global)),
    (Action::Quit, "quit", Some(Context::Global)),
    (Action::PaneSale, "pane.sale", Some(Context::Global)),
    (
        Action::PaneAcceptance,
        "pane.acceptance",
        Some(Context::Global),
    ),
    (Action::PaneStock, "pane.stock", Some(Context::Global)),
    (Action::PaneJournal, "pane.journal", Some(Context::Global)),
    (Action::PaneSettings, "pane.settings", Some(Context::Global)),
    (Action::Ack, "ack", Some(Context::Global)),
    (Action::Redraw, "redraw", Some(Context::Global)),
    (Action::Suspend, "suspend", Some(Context::Global)),
    (Action::Up, "up", None),
    (Action::Down, "down", None),
    (Action::PageUp, "page_up", None),
    (Action::PageDown, "page_down", None),
    (Action::Home, "home", None),
    (Action::End, "end", None),
    (Action::Open, "open", None),
    (Action::Back, "back", None),
    (Action::NextList, "next_list", None),
    (Action::PrevList, "prev_list", None),
    (Action::Search, "search", None),
    (Action::Refresh, "refresh", None),
    (
        Action::SaleManualCode,
        "sale.manual_code",
        Some(Context::Sale),
    ),
    (
        Action::JournalPeriod,
        "journal.period",
        Some(Context::Journal),
    ),
    (
        Action::SettingsTheme,
        "settings.theme",
        Some(Context::Settings),
    ),
    (
        Action::SettingsCheckUtm,
        "settings.check_utm",
        Some(Context::Settings),
    ),
    (
        Action::AcceptanceAccept,
        "acceptance.accept",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceDifferences,
        "acceptance.differences",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceReject,
        "acceptance.reject",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceToggle,
        "acceptance.toggle",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceSend,
        "acceptance.send",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceDelete,
        "acceptance.delete",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceQueryNattn,
        "acceptance.query_nattn",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceResend,
        "acceptance.resend",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceBindEans,
        "acceptance.bind_eans",
        Some(Context::Acceptance),
    ),
    (
        Action::AcceptanceInvoices,
        "acceptance.invoices",
        Some(Context::Acceptance),
    ),
];

impl Action {
    pub fn name(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    fn from_name(s: &str) -> Option<(Action, Option<Context>)> {
        ACTIONS
            .iter()
            .find(|(_, n, _)| *n == s)
            .map(|(a, _, c)| (*a, *c))
    }

    fn allowed_in(home: Option<Context>, section: Context) -> bool {
        match home {
            Some(c) => c == section,
            None => section == Context::List || section.is_pane(),
        }
    }
}

/// A key with modifiers, normalised so that the same physical key matches under the Latin
/// and the Russian layout, and Shift+letter equals the capital letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const MOD_MASK: KeyModifiers = KeyModifiers::CONTROL
    .union(KeyModifiers::ALT)
    .union(KeyModifiers::SHIFT);

impl KeySpec {
    /// Parses "f2", "ctrl+q", "shift+f5", "alt+enter", "a", "/".
    pub fn parse(s: &str) -> Option<KeySpec> {
        let lower = s.trim().to_lowercase();
        let (mods_part, key_part) = if lower.len() > 1 && lower.ends_with("++") {
            (&lower[..lower.len() - 2], "+")
        } else {
            match lower.rfind('+') {
                Some(i) if i + 1 < lower.len() => (&lower[..i], &lower[i + 1..]),
                Some(_) => return None,
                None => ("", lower.as_str()),
            }
        };
        let mut mods = KeyModifiers::NONE;
        for m in mods_part.split('+').filter(|m| !m.is_empty()) {
            mods |= match m {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                _ => return None,
            };
        }
        let code = match key_part {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                Ok(n @ 1..=24) => KeyCode::F(n),
                _ => return None,
            },
            other => {
                let mut chars = other.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                    _ => return None,
                }
            }
        };
        Some(KeySpec::normalised(code, mods))
    }

    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        KeySpec::normalised(ev.code, ev.modifiers)
    }

    fn normalised(code: KeyCode, mods: KeyModifiers) -> KeySpec {
        let mut mods = mods & MOD_MASK;
        let code = match code {
            KeyCode::Char(c) => {
                if c.is_uppercase() {
                    mods |= KeyModifiers::SHIFT;
                } else if !c.is_alphabetic() {
                    // '?' already says Shift was held; "shift+/" is not a separate key.
                    mods -= KeyModifiers::SHIFT;
                }
                let lower = c.to_lowercase().next().unwrap_or(c);
                KeyCode::Char(ru_to_us(lower))
            }
            KeyCode::BackTab => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            other => other,
        };
        KeySpec { code, mods }
    }

    pub fn matches(&self, ev: &KeyEvent) -> bool {
        ev.kind != KeyEventKind::Release && *self == KeySpec::from_event(ev)
    }
}

impl fmt::Display for KeySpec {
    /// Short labels as printed on the keyboard: "F2", "Ctrl+Q", "Shift+F5", "Enter".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift+")?;
        }
        match self.code {
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Char(' ') => f.write_str("Пробел"),
            KeyCode::Char(c) => write!(f, "{}", c.to_uppercase()),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The key on a US keyboard that produces `c` under ЙЦУКЕН; other characters unchanged.
pub fn ru_to_us(c: char) -> char {
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    const US: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    RU.chars()
        .zip(US.chars())
        .find(|(r, _)| *r == c)
        .map(|(_, u)| u)
        .unwrap_or(c)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: KeySpec,
    pub action: Action,
    pub description: String,
}

/// The active keymap: bindings in file order, per section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
    /// Where the overlay came from, for the settings pane.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    action: Spanned<String>,
    description: Option<String>,
}

type RawFile = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<RawEntry>>>;

/// What one file says: bindings to set, and keys to unbind (`action = "none"`).
struct Parsed {
    set: Vec<Binding>,
    unset: Vec<(Context, KeySpec)>,
}

impl Keymap {
    /// The embedded default.
    pub fn builtin() -> Keymap {
        match parse_file("встроенная раскладка", DEFAULT_KEYMAP) {
            Ok(p) => Keymap {
                bindings: p.set,
                source: "встроенная".into(),
            },
            // The embedded file is tested; reaching this is a build defect, not user input.
            Err(e) => panic!("embedded keymap is invalid: {e}"),
        }
    }

    /// The default with the user's file laid over it.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, FileError> {
        let mut map = Keymap::builtin();
        if let Some(path) = user_file {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| FileError {
                file: name.clone(),
                line: 0,
                col: 0,
                problem: Problem::Read(e.to_string()),
            })?;
            map.overlay(&name, &text)?;
            map.source = name;
        }
        Ok(map)
    }

    /// Lays a user keymap text over this one.
    pub fn overlay(&mut self, file: &str, text: &str) -> Result<(), FileError> {
        let parsed = parse_file(file, text)?;
        for (ctx, key) in parsed.unset {
            self.bindings
                .retain(|b| !(b.context == ctx && b.key == key));
        }
        for b in parsed.set {
            match self
                .bindings
                .iter_mut()
                .find(|x| x.context == b.context && x.key == b.key)
            {
                Some(existing) => *existing = b,
                None => self.bindings.push(b),
            }
        }
        Ok(())
    }

    /// The action for a key, looking in `contexts` in order (most specific first).
    pub fn lookup(&self, contexts: &[Context], ev: &KeyEvent) -> Option<Action> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let key = KeySpec::from_event(ev);
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.context == *ctx && b.key == key)
                .map(|b| b.action)
        })
    }

    /// The first key bound to `action` anywhere, for labels such as the pane tabs.
    pub fn key_for(&self, action: Action) -> Option<KeySpec> {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map(|b| b.key)
    }

    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }
}

fn parse_file(file: &str, text: &str) -> Result<Parsed, FileError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| FileError::from_toml(file, text, &e))?;
    let mut set = Vec::new();
    let mut unset = Vec::new();
    // BTreeMap sorts by name; keep file order so the help lists keys as the file does.
    let mut sections: Vec<_> = raw.into_iter().collect();
    sections.sort_by_key(|(k, _)| k.span().start);
    for (section, entries) in sections {
        let context = Context::from_name(section.get_ref()).ok_or_else(|| {
            FileError::at(
                file,
                text,
                section.span().start,
                Problem::UnknownSection(section.get_ref().clone()),
            )
        })?;
        let mut entries: Vec<_> = entries.into_iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (key_name, entry) in entries {
            let key = KeySpec::parse(key_name.get_ref()).ok_or_else(|| {
                FileError::at(
                    file,
                    text,
                    key_name.span().start,
                    Problem::UnknownKey(key_name.get_ref().clone()),
                )
            })?;
            let entry = entry.into_inner();
            let action_name = entry.action.get_ref();
            if action_name == "none" {
                unset.push((context, key));
                continue;
            }
            let at = entry.action.span().start;
            let (action, home) = Action::from_name(action_name).ok_or_else(|| {
                FileError::at(file, text, at, Problem::UnknownAction(action_name.clone()))
            })?;
            if !Action::allowed_in(home, context) {
                return Err(FileError::at(
                    file,
                    text,
                    at,
                    Problem::ActionNotHere {
                        action: action_name.clone(),
                        section: context.name().into(),
                    },
                ));
            }
            let description = entry
                .description
                .map(|d| crate::text::sanitize(&d).into_owned())
                .unwrap_or_else(|| action_name.clone());
            set.push(Binding {
                context,
                key,
                action,
                description,
            });
        }
    }
    Ok(Parsed { set, unset })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn builtin_parses_and_binds_pane_keys() {
        let k = Keymap::builtin();
        let g = [Context::Global];
        assert_eq!(
            k.lookup(&g, &ev(KeyCode::F(2), KeyModifiers::NONE)),
            Some(Action::PaneSale)
        );
        assert_eq!(
            k.lookup(&g, &ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn russian_layout_fires_the_same_physical_key() {
        let k = Keymap::builtin();
        let g = [Context::Global];
        assert_eq!(
            k.lookup(&g, &ev(KeyCode::Char('й'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            k.lookup(&g, &ev(KeyCode::Char('Й'), KeyModifiers::CONTROL)),
            None,
            "ctrl+shift+й is a different key"
        );
    }

    #[test]
    fn default_keymap_binds_every_action_once_per_key_with_a_description() {
        let k = Keymap::builtin();
        for (action, name, _) in ACTIONS {
            assert!(k.key_for(*action).is_some(), "{name} has no default key");
        }
        for ctx in Context::ALL {
            let keys: Vec<KeySpec> = k.bindings(ctx).map(|b| b.key).collect();
            for (i, key) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(key), "{ctx:?}: {key} bound twice");
            }
            for b in k.bindings(ctx) {
                assert!(
                    b.description
                        .chars()
                        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
                    "{ctx:?}/{}: description must be Russian",
                    b.key
                );
            }
        }
        // Pane keys are F-keys: they work under any keyboard layout.
        for a in [
            Action::PaneSale,
            Action::PaneAcceptance,
            Action::PaneStock,
            Action::PaneJournal,
            Action::PaneSettings,
            Action::Help,
        ] {
            assert!(
                matches!(k.key_for(a).map(|s| s.code), Some(KeyCode::F(_))),
                "{a:?}"
            );
        }
    }

    #[test]
    fn notation_parses() {
        let cases = [
            ("f2", KeyCode::F(2), KeyModifiers::NONE),
            ("ctrl+q", KeyCode::Char('q'), KeyModifiers::CONTROL),
            ("shift+f5", KeyCode::F(5), KeyModifiers::SHIFT),
            ("alt+enter", KeyCode::Enter, KeyModifiers::ALT),
            ("Ctrl+Й", KeyCode::Char('q'), KeyModifiers::CONTROL),
            ("shift+a", KeyCode::Char('a'), KeyModifiers::SHIFT),
            ("shift+tab", KeyCode::BackTab, KeyModifiers::NONE),
            ("ctrl++", KeyCode::Char('+'), KeyModifiers::CONTROL),
            ("/", KeyCode::Char('/'), KeyModifiers::NONE),
        ];
        for (s, code, mods) in cases {
            assert_eq!(KeySpec::parse(s), Some(KeySpec { code, mods }), "{s}");
        }
        for bad in ["f0", "f25", "ctrl+", "hyper+a", "abc", "ctrl+foo", ""] {
            assert_eq!(KeySpec::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn capital_letter_is_shift_letter() {
        let spec = KeySpec::parse("shift+a").unwrap();
        assert!(spec.matches(&ev(KeyCode::Char('A'), KeyModifiers::SHIFT)));
        assert!(spec.matches(&ev(KeyCode::Char('A'), KeyModifiers::NONE)));
        assert!(spec.matches(&ev(KeyCode::Char('Ф'), KeyModifiers::SHIFT)));
    }

    #[test]
    fn overlay_replaces_adds_and_unbinds() {
        let mut k = Keymap::builtin();
        k.overlay(
            "user.toml",
            r#"
[global]
f2 = { action = "none" }
f8 = { action = "pane.sale", description = "Касса" }
"#,
        )
        .unwrap();
        let g = [Context::Global];
        assert_eq!(k.lookup(&g, &ev(KeyCode::F(2), KeyModifiers::NONE)), None);
        assert_eq!(
            k.lookup(&g, &ev(KeyCode::F(8), KeyModifiers::NONE)),
            Some(Action::PaneSale)
        );
        assert_eq!(k.key_for(Action::PaneSale), KeySpec::parse("f8"));
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let mut k = Keymap::builtin();
        let e = k
            .overlay("u.toml", "[global]\nf2 = { action = \"pane.nowhere\" }\n")
            .unwrap_err();
        assert_eq!((e.line, e.col), (2, 17));
        assert!(matches!(e.problem, Problem::UnknownAction(_)));
        assert!(e.message_ru().contains("строка 2, позиция 17"));

        let e = k
            .overlay(
                "u.toml",
                "[global]\n\"ctrl+hyper\" = { action = \"quit\" }\n",
            )
            .unwrap_err();
        assert_eq!((e.line, e.col), (2, 1));
        assert!(matches!(e.problem, Problem::UnknownKey(_)));

        let e = k
            .overlay("u.toml", "\n\n[sael]\nf2 = { action = \"quit\" }\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(matches!(e.problem, Problem::UnknownSection(_)));

        let e = k
            .overlay("u.toml", "[sale]\nf8 = { action = \"quit\" }\n")
            .unwrap_err();
        assert!(matches!(e.problem, Problem::ActionNotHere { .. }));

        let e = k.overlay("u.toml", "[global]\nf2 = \n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(matches!(e.problem, Problem::Syntax(_)));
    }
}
