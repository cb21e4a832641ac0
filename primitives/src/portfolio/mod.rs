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

use crate::Price;
use sp_arithmetic::Permill;

/// The most an underlying's index may have moved since a series' vector was computed for
/// opening risk to use the vector.
pub const MAX_INDEX_DRIFT: Permill = Permill::from_percent(1);

/// The most a series' volatility may have moved (relative) since its vector was computed
/// for opening risk to use the vector.
pub const MAX_VOLATILITY_DRIFT: Permill = Permill::from_percent(5);

/// `true` if `now` lies within `drift` (a share of `then`) of `then`.
pub fn within_drift(then: Price, now: Price, drift: Permill) -> bool {
	let (now, then) = (now.into_inner(), then.into_inner());
	now.abs_diff(then) <= drift.mul_floor(then)
}
pub use grid::{
	perpetual_scenarios, scenario, series_scenarios, vol_multipliers, GridError, Scenario, ScenarioGrid,
	ScenarioValues, VolShock, SCENARIOS, SPOT_LEVELS, VOL_STATES,
};
