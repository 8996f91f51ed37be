//! Pure business rules: no I/O, no async, no clocks. Everything here is unit-tested directly.

pub mod document;
pub mod mark;
pub mod money;
pub mod product;
pub mod volume;

pub use document::{DocEvent, DocState, TransitionError};
pub use money::Money;
pub use product::ProductCard;
pub use volume::Volume;
