//! Themes: semantic roles (normal, dim, accent, ok, warn, error, selected, focus, rejected)
//! mapped to the 16 ANSI colours and text modifiers. Panes ask for a role, never a colour,
//! so the mono theme keeps every state visible on a monochrome console.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::file_error::{FileError, Problem};

pub const BUILTIN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Normal,
    Dim,
    Accent,
    Ok,
    Warn,
    Error,
    Selected,
    Focus,
    Rejected,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Normal,
        Role::Dim,
        Role::Accent,
        Role::Ok,
        Role::Warn,
        Role::Error,
        Role::Selected,
        Role::Focus,
        Role::Rejected,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Normal => "normal",
            Role::Dim => "dim",
            Role::Accent => "accent",
            Role::Ok => "ok",
            Role::Warn => "warn",
            Role::Error => "error",
            Role::Selected => "selected",
            Role::Focus => "focus",
            Role::Rejected => "rejected",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Borders {
    Plain,
    Double,
    Thick,
    Rounded,
}

impl Borders {
    pub fn set(self) -> border::Set<'static> {
        match self {
            Borders::Plain => border::PLAIN,
            Borders::Double => border::DOUBLE,
            Borders::Thick => border::THICK,
            Borders::Rounded => border::ROUNDED,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    styles: [Style; 9],
    pub borders: Borders,
}

impl Theme {
    pub fn style(&self, role: Role) -> Style {
        // Every role sits on top of `normal`, so a theme with a background keeps it everywhere.
        let base = self.styles[Role::Normal.index()];
        if role == Role::Normal {
            base
        } else {
            base.patch(self.styles[role.index()])
        }
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (n, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let mut theme = Theme {
            name: (*n).to_string(),
            styles: [Style::new(); 9],
            borders: Borders::Plain,
        };
        // Embedded themes are tested; a failure here is a build defect.
        if let Err(e) = theme.overlay(&format!("встроенная тема {n}"), text) {
            panic!("embedded theme {n} is invalid: {e}");
        }
        Some(theme)
    }

    /// The built-in named in the config, with the user's theme file laid over it.
    pub fn load(name: &str, user_file: Option<&Path>) -> Result<Theme, FileError> {
        let mut theme = Theme::builtin(name).ok_or_else(|| FileError {
            file: "config.toml [ui] theme".into(),
            line: 0,
            col: 0,
            problem: Problem::UnknownTheme(name.to_string()),
        })?;
        if let Some(path) = user_file {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| FileError {
                file: file.clone(),
                line: 0,
                col: 0,
                problem: Problem::Read(e.to_string()),
            })?;
            theme.overlay(&file, &text)?;
            theme.name = format!("{} + {}", theme.name, file);
        }
        Ok(theme)
    }

    /// The next built-in theme, for switching at runtime.
    pub fn next_builtin(&self) -> Theme {
        let current = BUILTIN
            .iter()
            .position(|(n, _)| self.name == *n)
            .unwrap_or(BUILTIN.len() - 1);
        let (next, _) = BUILTIN[(current + 1) % BUILTIN.len()];
        Theme::builtin(next).unwrap_or_else(|| self.clone())
    }

    /// Lays a theme text over this theme: a role given replaces that role entirely.
    pub fn overlay(&mut self, file: &str, text: &str) -> Result<(), FileError> {
        let doc = DeTable::parse(text).map_err(|e| FileError::from_toml(file, text, &e))?;
        let err =
            |span: std::ops::Range<usize>, p: Problem| FileError::at(file, text, span.start, p);
        for (key, value) in doc.get_ref().iter() {
            let name = key.get_ref().as_ref();
            if name == "borders" {
                let s = expect_str(value).ok_or_else(|| {
                    err(value.span(), Problem::UnknownBorder(type_of(value).into()))
                })?;
                self.borders = match s {
                    "plain" => Borders::Plain,
                    "double" => Borders::Double,
                    "thick" => Borders::Thick,
                    "rounded" => Borders::Rounded,
                    other => return Err(err(value.span(), Problem::UnknownBorder(other.into()))),
                };
                continue;
            }
            let role = Role::ALL
                .into_iter()
                .find(|r| r.name() == name)
                .ok_or_else(|| err(key.span(), Problem::UnknownRole(name.into())))?;
            let table = match value.get_ref() {
                DeValue::Table(t) => t,
                _ => return Err(err(value.span(), Problem::UnknownRole(name.into()))),
            };
            self.styles[role.index()] = parse_role(table, &err)?;
        }
        Ok(())
    }
}

fn parse_role(
    table: &DeTable<'_>,
    err: &impl Fn(std::ops::Range<usize>, Problem) -> FileError,
) -> Result<Style, FileError> {
    let mut style = Style::new();
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "fg" | "bg" => {
                let name = expect_str(value).ok_or_else(|| {
                    err(value.span(), Problem::UnknownColour(type_of(value).into()))
                })?;
                let colour = parse_colour(name)
                    .ok_or_else(|| err(value.span(), Problem::UnknownColour(name.into())))?;
                style = if key.get_ref() == "fg" {
                    style.fg(colour)
                } else {
                    style.bg(colour)
                };
            }
            "modifiers" => {
                let DeValue::Array(items) = value.get_ref() else {
                    return Err(err(
                        value.span(),
                        Problem::UnknownModifier(type_of(value).into()),
                    ));
                };
                for item in items.iter() {
                    let m = expect_str(item).and_then(parse_modifier).ok_or_else(|| {
                        let shown = expect_str(item).unwrap_or(type_of(item));
                        err(item.span(), Problem::UnknownModifier(shown.into()))
                    })?;
                    style = style.add_modifier(m);
                }
            }
            other => return Err(err(key.span(), Problem::UnknownKey(other.into()))),
        }
    }
    Ok(style)
}

fn expect_str<'a>(v: &'a Spanned<DeValue<'_>>) -> Option<&'a str> {
    match v.get_ref() {
        DeValue::String(s) => Some(DeString::as_ref(s)),
        _ => None,
    }
}

fn type_of(v: &Spanned<DeValue<'_>>) -> &'static str {
    v.get_ref().type_str()
}

/// The 16 ANSI colours plus the terminal default. RGB and indexed colours are refused on
/// purpose: the Linux console cannot show them.
fn parse_colour(s: &str) -> Option<Color> {
    Some(
        match s.to_lowercase().replace(['-', '_', ' '], "").as_str() {
            "reset" | "default" => Color::Reset,
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" | "grey" => Color::Gray,
            "darkgray" | "darkgrey" => Color::DarkGray,
            "lightred" => Color::LightRed,
            "lightgreen" => Color::LightGreen,
            "lightyellow" => Color::LightYellow,
            "lightblue" => Color::LightBlue,
            "lightmagenta" => Color::LightMagenta,
            "lightcyan" => Color::LightCyan,
            "white" => Color::White,
            _ => return None,
        },
    )
}

fn parse_modifier(s: &str) -> Option<Modifier> {
    Some(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_use_only_named_colours() {
        for (name, _) in BUILTIN {
            let t = Theme::builtin(name).unwrap();
            for role in Role::ALL {
                let s = t.style(role);
                for c in [s.fg, s.bg].into_iter().flatten() {
                    assert!(
                        !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                        "{name}/{role:?} uses {c:?}"
                    );
                }
            }
            assert_ne!(
                t.borders,
                Borders::Rounded,
                "{name}: no rounded borders by default"
            );
        }
    }

    #[test]
    fn mono_has_no_colours_but_distinguishes_states() {
        let t = Theme::builtin("mono").unwrap();
        for role in Role::ALL {
            let s = t.style(role);
            assert!(s.fg.is_none() && s.bg.is_none(), "{role:?}");
        }
        for role in [
            Role::Selected,
            Role::Error,
            Role::Warn,
            Role::Rejected,
            Role::Focus,
        ] {
            assert_ne!(
                t.style(role),
                t.style(Role::Normal),
                "{role:?} must stand out"
            );
        }
    }

    #[test]
    fn overlay_changes_one_role() {
        let mut t = Theme::builtin("default").unwrap();
        t.overlay("u.toml", "[ok]\nfg = \"blue\"\nmodifiers = [\"bold\"]\n")
            .unwrap();
        assert_eq!(t.style(Role::Ok).fg, Some(Color::Blue));
        assert!(t.style(Role::Ok).add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn bad_files_name_line_and_column() {
        let mut t = Theme::builtin("default").unwrap();
        let e = t.overlay("u.toml", "[ok]\nfg = \"#ff0000\"\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 6));
        assert!(matches!(e.problem, Problem::UnknownColour(_)));

        let e = t.overlay("u.toml", "[okay]\nfg = \"red\"\n").unwrap_err();
        assert_eq!((e.line, e.col), (1, 2));
        assert!(matches!(e.problem, Problem::UnknownRole(_)));

        let e = t
            .overlay("u.toml", "[warn]\nmodifiers = [\"bold\", \"blink\"]\n")
            .unwrap_err();
        assert_eq!((e.line, e.col), (2, 22));

        let e = t.overlay("u.toml", "borders = \"fancy\"\n").unwrap_err();
        assert!(matches!(e.problem, Problem::UnknownBorder(_)));

        let e = t.overlay("u.toml", "[ok\n").unwrap_err();
        assert!(matches!(e.problem, Problem::Syntax(_)));
        assert_eq!(e.line, 1);
    }

    #[test]
    fn next_builtin_cycles() {
        let t = Theme::builtin("default").unwrap();
        let names: Vec<String> = std::iter::successors(Some(t), |t| Some(t.next_builtin()))
            .take(4)
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["default", "high-contrast", "mono", "default"]);
    }
}
