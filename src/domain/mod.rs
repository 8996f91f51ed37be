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
