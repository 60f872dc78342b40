//! Cross-crate integration tests of infomax live beside this file; see `tidy.rs` for the check of
//! the dependency rules written in `ARCHITECTURE.md`.
