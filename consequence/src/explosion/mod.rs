//! Explosions: how hard the blast is, and how far it reaches.

pub mod tnt;

pub use tnt::TntBlast;
