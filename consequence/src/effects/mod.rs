//! What an exposure does to people and buildings (probits), and what sheltering indoors
//! spares.

pub mod indoor;
pub mod probit;
