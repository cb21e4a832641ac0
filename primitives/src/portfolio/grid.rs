//! The scenario grid: its governed parameters, its hard bounds, each scenario's shocks, and a
//! contract's change in value in each scenario.

use crate::{
	black76::{div, exp, ln, mul, MathError, ONE},
	options::{premiums, years_to, SeriesTerms},
	oracle::Moment,
	Balance,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::Permill;

/// Spot levels of the core grid: 0, ±1, ±2 and ±3 steps.
pub const SPOT_LEVELS: usize = 7;
/// Volatility states at each core level: up, unchanged, down.
pub const VOL_STATES: usize = 3;
/// The core grid, then the two extreme moves (down, up), each with volatility up.
pub const SCENARIOS: usize = SPOT_LEVELS * VOL_STATES + 2;

/// A contract's change in value in each scenario (fixed point, USD per whole unit), each
/// already multiplied by its scenario's weight.
pub type ScenarioValues = [i128; SCENARIOS];

/// How a scenario shocks the implied volatility.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum VolShock {
	Up,
	Unchanged,
	Down,
}

/// One scenario: the index moves by `spot_move` (a signed fraction in `ONE`s), the volatility
/// as `vol` says, and its profit or loss counts at `weight` (in `ONE`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
	pub spot_move: i128,
	pub vol: VolShock,
	pub weight: i128,
}

/// An underlying's grid, governed within [`ScenarioGrid::validate`]'s bounds.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ScenarioGrid {
	/// The core grid's step: spot moves of 0, ±1, ±2 and ±3 steps.
	pub spot_step: Permill,
	/// The extreme moves, down and up, each with volatility up.
	pub extreme_move: Permill,
	/// The share of an extreme move's profit or loss that counts.
	pub extreme_weight: Permill,
	/// Volatility up multiplies it by `1 + vol_up · m`, where `m = (30 d / max(T, 1 d))^p`.
	pub vol_up: Permill,
	/// Volatility down multiplies it by `max(0, 1 − vol_down · m)`.
	pub vol_down: Permill,
	/// `p` for expiries up to 30 days out.
	pub short_term_power: Permill,
	/// `p` beyond 30 days.
	pub long_term_power: Permill,
	/// The worst loss counts × (1 + this) in the initial requirement: a factor from 1 to 2.
	pub initial_surcharge: Permill,
	/// Maintenance is this share of the initial requirement.
	pub maintenance_share: Permill,
	/// A share of the net perpetual notional, added to the initial requirement.
	pub perpetual_contingency: Permill,
	/// A share of the index per short option contract, added to the initial requirement.
	pub short_option_contingency: Permill,
	/// The least initial requirement of an underlying held (settlement units).
	pub min_initial: Balance,
}

impl Default for ScenarioGrid {
	/// Derive's 23 scenarios (±15% in 5% steps × volatility up/unchanged/down, ±20% with
	/// volatility up) with Deribit's volatility shocks and Derive's initial factor.
	fn default() -> Self {
		Self {
			spot_step: Permill::from_percent(5),
			extreme_move: Permill::from_percent(20),
			extreme_weight: Permill::from_percent(100),
			vol_up: Permill::from_percent(50),
			vol_down: Permill::from_percent(25),
			short_term_power: Permill::from_percent(30),
			long_term_power: Permill::from_percent(13),
			initial_surcharge: Permill::from_percent(25),
			maintenance_share: Permill::from_percent(80),
			perpetual_contingency: Permill::from_percent(1),
			short_option_contingency: Permill::from_percent(1),
			min_initial: 50_000_000,
		}
	}
}

/// Why a grid is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridError {
	/// The step lies outside [1%, 10%] (the core grid reaches 3 steps).
	SpotStep,
	/// The extreme move lies outside [3 steps, 50%], or its weight under 10%.
	ExtremeMove,
	/// Volatility up outside [10%, 100%], down above 90%, or a time power above 0.5.
	VolatilityShock,

	/// Maintenance outside [50%, 95%] of the initial requirement.
	MaintenanceShare,
	/// A contingency above 10%, or no least requirement per underlying.
	Contingency,
}

/// The highest volatility a shock takes σ to (500%, the most a series is priced at).
pub const MAX_SHOCKED_VOLATILITY: i128 = 5 * ONE;

/// The most `min_initial` may be: $1,000,000.
pub const MAX_MIN_INITIAL: Balance = 1_000_000_000_000;

impl ScenarioGrid {
	/// `Ok` within the hard bounds governance may not leave.
	pub fn validate(&self) -> Result<(), GridError> {
		let within = |value: Permill, low: u32, high: u32| {
			(Permill::from_percent(low)..=Permill::from_percent(high)).contains(&value)
		};
		if !within(self.spot_step, 1, 10) {
			return Err(GridError::SpotStep);
		}
		let three_steps = Permill::from_parts(self.spot_step.deconstruct().saturating_mul(3));
		if self.extreme_move < three_steps ||
			self.extreme_move > Permill::from_percent(50) ||
			self.extreme_weight < Permill::from_percent(10)
		{
			return Err(GridError::ExtremeMove);
		}
		if !within(self.vol_up, 10, 100) ||
			self.vol_down > Permill::from_percent(90) ||
			self.short_term_power > Permill::from_percent(50) ||
			self.long_term_power > Permill::from_percent(50)
		{
			return Err(GridError::VolatilityShock);
		}

		if !within(self.maintenance_share, 50, 95) {
			return Err(GridError::MaintenanceShare);
		}
		if self.perpetual_contingency > Permill::from_percent(10) ||
			self.short_option_contingency > Permill::from_percent(10) ||
			self.min_initial == 0 ||
			self.min_initial > MAX_MIN_INITIAL
		{
			return Err(GridError::Contingency);
		}
		Ok(())
	}
}

/// `part` in the fixed point of [`crate::black76`].
pub(crate) fn fixed(part: Permill) -> i128 {
	i128::from(part.deconstruct()).saturating_mul(ONE / 1_000_000)
}

/// Scenario `index` of `grid` (`None` past [`SCENARIOS`]): the core grid level by level from
/// the largest fall, each level up, unchanged, down; then the extreme fall and rise.
pub fn scenario(grid: &ScenarioGrid, index: usize) -> Option<Scenario> {
	let core = SPOT_LEVELS.saturating_mul(VOL_STATES);
	if index < core {
		let steps = i128::try_from(index / VOL_STATES).ok()?.checked_sub(3)?;
		let vol = match index % VOL_STATES {
			0 => VolShock::Up,
			1 => VolShock::Unchanged,
			_ => VolShock::Down,
		};
		return Some(Scenario { spot_move: fixed(grid.spot_step).checked_mul(steps)?, vol, weight: ONE });
	}
	let extreme = fixed(grid.extreme_move);
	let spot_move = match index.checked_sub(core)? {
		0 => extreme.checked_neg()?,
		1 => extreme,
		_ => return None,
	};
	Some(Scenario { spot_move, vol: VolShock::Up, weight: fixed(grid.extreme_weight) })
}

/// The volatility multipliers `(up, down)` for `years` to expiry:
/// `m = (30 d / max(T, 1 d))^p`, `p` the short-term power up to 30 days, the long-term one
/// beyond; up `1 + vol_up · m`, down `max(0, 1 − vol_down · m)`.
pub fn vol_multipliers(grid: &ScenarioGrid, years: i128) -> Result<(i128, i128), MathError> {
	let day = div(1, 365)?;
	let month = div(30, 365)?;
	let time = years.max(day);
	let power = if time <= month { grid.short_term_power } else { grid.long_term_power };
	let ratio = div(month, time)?;
	let scale = exp(mul(fixed(power), ln(ratio)?)?)?;
	let up = ONE.checked_add(mul(fixed(grid.vol_up), scale)?).ok_or(MathError::Overflow)?;
	let down = ONE.checked_sub(mul(fixed(grid.vol_down), scale)?).ok_or(MathError::Overflow)?.max(0);
	Ok((up, down))
}

/// A series' change in value per contract in each scenario of `grid`, priced as the mark is
/// (Black-76 at `index`, `sigma`, `now`, `rate`; the intrinsic value from expiry on), each
/// times its scenario's weight. Volatility shocks scale `sigma` by [`vol_multipliers`].
pub fn series_scenarios(
	terms: &SeriesTerms,
	index: i128,
	sigma: i128,
	now: Moment,
	rate: i128,
	grid: &ScenarioGrid,
) -> Result<ScenarioValues, MathError> {
	let (up, down) = vol_multipliers(grid, years_to(now, terms.expiry)?)?;
	// A shock never takes σ past what a series is priced at (500%), nor a σ already there.
	let ceiling = sigma.max(MAX_SHOCKED_VOLATILITY);
	let shocked = |vol: VolShock| -> Result<i128, MathError> {
		match vol {
			VolShock::Up => mul(sigma, up).map(|shocked| shocked.min(ceiling)),
			VolShock::Unchanged => Ok(sigma),
			VolShock::Down => mul(sigma, down),
		}
	};
	let [base] = premiums(terms, index, [sigma], now, rate)?;
	let spot_at = |spot_move: i128| -> Result<i128, MathError> {
		index.checked_add(mul(index, spot_move)?).ok_or(MathError::Overflow)
	};
	let mut values = [0i128; SCENARIOS];
	// A core level's three volatilities share its forward.
	for level in 0..SPOT_LEVELS {
		let first = level.saturating_mul(VOL_STATES);
		let at = |offset: usize| scenario(grid, first.saturating_add(offset)).ok_or(MathError::Domain);
		let (up_case, same_case, down_case) = (at(0)?, at(1)?, at(2)?);
		let prices = premiums(
			terms,
			spot_at(same_case.spot_move)?,
			[shocked(up_case.vol)?, shocked(same_case.vol)?, shocked(down_case.vol)?],
			now,
			rate,
		)?;
		for (offset, price) in prices.into_iter().enumerate() {
			let change = price.checked_sub(base).ok_or(MathError::Overflow)?;
			let slot = values.get_mut(first.saturating_add(offset)).ok_or(MathError::Domain)?;
			*slot = change;
		}
	}
	for index_of in SPOT_LEVELS.saturating_mul(VOL_STATES)..SCENARIOS {
		let case = scenario(grid, index_of).ok_or(MathError::Domain)?;
		let [price] = premiums(terms, spot_at(case.spot_move)?, [shocked(case.vol)?], now, rate)?;
		let change = price.checked_sub(base).ok_or(MathError::Overflow)?;
		let slot = values.get_mut(index_of).ok_or(MathError::Domain)?;
		*slot = mul(change, case.weight)?;
	}
	Ok(values)
}

/// A perpetual's change in value per contract in each scenario of `grid` at `index`: the
/// index × the move, times the scenario's weight.
pub fn perpetual_scenarios(grid: &ScenarioGrid, index: i128) -> Result<ScenarioValues, MathError> {
	let mut values = [0i128; SCENARIOS];
	for (index_of, slot) in values.iter_mut().enumerate() {
		let case = scenario(grid, index_of).ok_or(MathError::Domain)?;
		*slot = mul(mul(index, case.spot_move)?, case.weight)?;
	}
	Ok(values)
}
