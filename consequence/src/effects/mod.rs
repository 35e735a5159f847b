//! What an exposure does to people and buildings: probits, and the levels of concern the
//! zones on the map are drawn at.

pub mod probit;
