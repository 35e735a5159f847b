//! The demo park generator as a library, so tests can check that the committed files are
//! exactly what it writes. See `main.rs` for the command.

pub mod park;
pub mod scenarios;
