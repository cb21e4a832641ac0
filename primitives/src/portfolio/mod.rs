//! Portfolio margin: an account's positions on one underlying revalued under a governed grid
//! of spot and volatility shocks, its requirement the worst loss × a factor plus
//! contingencies, its maintenance a share of that.
//!
//! A contract's change in value in each scenario does not depend on who holds it: a series'
//! vector ([`series_scenarios`]) is computed once when its inputs move (the options pallet
//! caches it), a perpetual's ([`perpetual_scenarios`]) is its index × each spot move, and an
//! account sums size × vector per scenario ([`UnderlyingRisk`]): multiply-adds, no
//! transcendental math per account.
//!
//! Values per contract are USD per whole unit of the underlying in the fixed point of
//! [`crate::black76`]; an account's figures are settlement units, rounded against it.

mod account;
mod grid;
#[cfg(test)]
mod tests;

pub use account::{UnderlyingRequirement, UnderlyingRisk};

pub use grid::{
	perpetual_scenarios, scenario, series_scenarios, vol_multipliers, GridError, Scenario, ScenarioGrid,
	ScenarioValues, VolShock, SCENARIOS, SPOT_LEVELS, VOL_STATES,
};
