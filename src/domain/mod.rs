//! Pure business rules: no I/O, no async, no clocks. Everything here is unit-tested directly.

pub mod acceptance;
pub mod document;
pub mod ean;
pub mod ean_binding;
pub mod invoice;
pub mod mark;
pub mod money;
pub mod product;
pub mod volume;
pub mod workdays;

pub use document::{DocEvent, DocState, TransitionError};
pub use money::Money;
pub use product::ProductCard;
pub use volume::Volume;

/// The short name where EGAIS gave a non-blank one, else the full name: what fits a till screen.
pub(crate) fn short_or_full<'a>(short: Option<&'a str>, full: &'a str) -> &'a str {
    short.filter(|s| !s.trim().is_empty()).unwrap_or(full)
}
