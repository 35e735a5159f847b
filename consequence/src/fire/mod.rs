//! Fires: what burns, how big, for how long.

pub mod fireball;
pub mod jet_fire;
pub mod pool_fire;
pub mod radiation;
pub mod tilted_flame;

pub use fireball::Fireball;
pub use jet_fire::JetFire;
pub use pool_fire::PoolFire;
