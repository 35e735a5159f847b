//! Fires: what burns, how big, for how long.

pub mod fireball;

pub use fireball::Fireball;
