//! Module skeleton: filled in by the owning work stream.
