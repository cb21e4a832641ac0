//! Which way a change moves the chain's risk, and whether it stays within the hard bounds and
//! the step limit. Pure: every rule of the governance's two paths is here, and nowhere else.
//!
//! A change is risk-reducing only if every value it touches moves the safe way (higher
//! margin, lower caps, higher haircut, stricter status, fewer feeders, longer cooldown…);
//! anything mixed counts as risk-increasing and waits out the timelock.

use clearing_primitives::{haircut::HaircutCurve, margin::MarketStatus, portfolio::ScenarioGrid, Balance};
use sp_runtime::Permill;

/// Which way a change moves risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
	/// Nothing changes.
	Unchanged,
	/// Every value moves the safe way: enacted at once.
	Reduces,
	/// Some value moves the unsafe way: scheduled behind the timelock.
	Increases,
}

impl Direction {
	/// Two changes together: the riskier direction wins.
	pub fn and(self, other: Self) -> Self {
		self.max(other)
	}

	/// `current` → `proposed` where a higher value is safer.
	pub fn higher_is_safer<V: Ord>(current: V, proposed: V) -> Self {
		match proposed.cmp(&current) {
			core::cmp::Ordering::Equal => Self::Unchanged,
			core::cmp::Ordering::Greater => Self::Reduces,
			core::cmp::Ordering::Less => Self::Increases,
		}
	}

	/// `current` → `proposed` where a lower value is safer.
	pub fn lower_is_safer<V: Ord>(current: V, proposed: V) -> Self {
		Self::higher_is_safer(proposed, current)
	}
}

/// Why a value may not be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundError {
	/// Outside the runtime's hard bounds for that parameter.
	OutOfBounds,
	/// A larger move than one change may make.
	StepTooLarge,
}

/// The hard bounds and step limits. No origin can set a value beyond them.
pub mod bounds {
	use super::*;

	/// Initial margin at least 1% (100× leverage at most).
	pub const MIN_INITIAL_MARGIN: Permill = Permill::from_percent(1);
	/// Maintenance margin at least 0.5%, and always below the initial one.
	pub const MIN_MAINTENANCE_MARGIN: Permill = Permill::from_parts(5_000);
	/// A haircut below 100%: collateral is always worth something.
	pub const MAX_HAIRCUT: Permill = Permill::from_percent(95);
	/// A margin fraction or haircut moves at most 10 percentage points per change (a sudden
	/// jump would liquidate accounts that were healthy a block earlier).
	pub const MAX_FRACTION_STEP: Permill = Permill::from_percent(10);
	/// A cap or duration at most doubles or halves per change.
	pub const MAX_RATIO_STEP: u128 = 2;
	/// The oracle needs at least one feeder's price.
	pub const MIN_FEEDERS: u32 = 1;
	/// A feed counts for between 6 s (the oracle's own floor: two intervals of its smiles)
	/// and an hour.
	pub const MIN_MAX_AGE_MS: u64 = 6_000;
	pub const MAX_MAX_AGE_MS: u64 = 3_600_000;
	/// One aggregate never moves more than 50%.
	pub const MAX_JUMP: Permill = Permill::from_percent(50);
	/// A liquidation penalty of at least 0.1% and below 10%, moving at most one percentage
	/// point per change.
	pub const MIN_PENALTY: Permill = Permill::from_parts(1_000);
	pub const PENALTY_CEILING: Permill = Permill::from_percent(10);
	pub const MAX_PENALTY_STEP: Permill = Permill::from_percent(1);
	/// Stakers wait between 10 blocks and 30 days of 1 s blocks to unstake.
	pub const MIN_COOLDOWN: u32 = 10;
	pub const MAX_COOLDOWN: u32 = 2_592_000;
}

/// The two margin fractions of a market.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginFractions {
	pub initial: Permill,
	pub maintenance: Permill,
}

/// The oracle's aggregation limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OracleLimits {
	pub min_feeders: u32,
	pub max_age_ms: u64,
	pub max_jump: Permill,
}

/// The option parameters governance classifies: a short's margin fractions (its initial
/// base and floor, its maintenance), the share of the realized volatility flooring the
/// margin's, the rate the forward is taken at, and the settlement window and its coverage.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, codec::Encode, codec::Decode, codec::DecodeWithMemTracking,
	codec::MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct OptionTerms {
	pub initial_base: Permill,
	pub initial_floor: Permill,
	pub maintenance: Permill,
	pub realized_floor: Permill,
	pub rate: Permill,
	pub settlement_window_ms: u64,
	pub min_coverage: Permill,
}

fn ensure(condition: bool, error: BoundError) -> Result<(), BoundError> {
	if condition {
		Ok(())
	} else {
		Err(error)
	}
}

/// `proposed` is within `max_step` percentage points of `current`.
fn fraction_step(current: Permill, proposed: Permill) -> Result<(), BoundError> {
	let distance = current.deconstruct().abs_diff(proposed.deconstruct());
	ensure(distance <= bounds::MAX_FRACTION_STEP.deconstruct(), BoundError::StepTooLarge)
}

/// `proposed` is at most double and at least half of `current`.
fn ratio_step(current: u128, proposed: u128) -> Result<(), BoundError> {
	let up = proposed <= current.saturating_mul(bounds::MAX_RATIO_STEP);
	let down = proposed.saturating_mul(bounds::MAX_RATIO_STEP) >= current;
	ensure(up && down, BoundError::StepTooLarge)
}

/// Margin fractions within the hard bounds, whatever they replace.
pub fn margin_in_bounds(fractions: MarginFractions) -> Result<(), BoundError> {
	ensure(fractions.initial >= bounds::MIN_INITIAL_MARGIN, BoundError::OutOfBounds)?;
	ensure(fractions.maintenance >= bounds::MIN_MAINTENANCE_MARGIN, BoundError::OutOfBounds)?;
	ensure(fractions.maintenance < fractions.initial, BoundError::OutOfBounds)
}

/// New margin fractions for a market: higher is safer.
pub fn margin(current: MarginFractions, proposed: MarginFractions) -> Result<Direction, BoundError> {
	margin_in_bounds(proposed)?;
	fraction_step(current.initial, proposed.initial)?;
	fraction_step(current.maintenance, proposed.maintenance)?;
	Ok(Direction::higher_is_safer(current.initial, proposed.initial)
		.and(Direction::higher_is_safer(current.maintenance, proposed.maintenance)))
}

/// A new cap (open interest, deposits): lower is safer; never zero (disable or halt instead).
pub fn cap(current: Balance, proposed: Balance) -> Result<Direction, BoundError> {
	ensure(proposed > 0, BoundError::OutOfBounds)?;
	ratio_step(current, proposed)?;
	Ok(Direction::lower_is_safer(current, proposed))
}

/// A haircut within the hard bounds.
pub fn haircut_in_bounds(haircut: Permill) -> Result<(), BoundError> {
	ensure(haircut <= bounds::MAX_HAIRCUT, BoundError::OutOfBounds)
}

/// A new collateral haircut: higher is safer.
pub fn haircut(current: Permill, proposed: Permill) -> Result<Direction, BoundError> {
	haircut_in_bounds(proposed)?;
	fraction_step(current, proposed)?;
	Ok(Direction::higher_is_safer(current, proposed))
}

/// A new market status: stricter is safer; any status may be set at any time (a halt is
/// the emergency brake, so it has no step).
pub fn status(current: MarketStatus, proposed: MarketStatus) -> Direction {
	Direction::higher_is_safer(current, proposed)
}

/// New oracle limits: more feeders, a shorter age and a smaller jump are safer.
pub fn oracle(current: OracleLimits, proposed: OracleLimits) -> Result<Direction, BoundError> {
	ensure(proposed.min_feeders >= bounds::MIN_FEEDERS, BoundError::OutOfBounds)?;
	ensure(
		(bounds::MIN_MAX_AGE_MS..=bounds::MAX_MAX_AGE_MS).contains(&proposed.max_age_ms),
		BoundError::OutOfBounds,
	)?;
	ensure(proposed.max_jump <= bounds::MAX_JUMP && proposed.max_jump.deconstruct() > 0, BoundError::OutOfBounds)?;
	ratio_step(current.min_feeders.into(), proposed.min_feeders.into())?;
	ratio_step(current.max_age_ms.into(), proposed.max_age_ms.into())?;
	fraction_step(current.max_jump, proposed.max_jump)?;
	Ok(Direction::higher_is_safer(current.min_feeders, proposed.min_feeders)
		.and(Direction::lower_is_safer(current.max_age_ms, proposed.max_age_ms))
		.and(Direction::lower_is_safer(current.max_jump, proposed.max_jump)))
}

/// A new unstaking cooldown (blocks): longer is safer (stakers cannot run ahead of a loss).
pub fn cooldown(current: u32, proposed: u32) -> Result<Direction, BoundError> {
	ensure(
		(bounds::MIN_COOLDOWN..=bounds::MAX_COOLDOWN).contains(&proposed),
		BoundError::OutOfBounds,
	)?;
	ratio_step(current.into(), proposed.into())?;
	Ok(Direction::higher_is_safer(current, proposed))
}

/// A new liquidation penalty: higher is safer (more for the fund and the keepers that
/// protect it; the close is sized for whatever the penalty is).
pub fn penalty(current: Permill, proposed: Permill) -> Result<Direction, BoundError> {
	ensure(
		proposed >= bounds::MIN_PENALTY && proposed < bounds::PENALTY_CEILING,
		BoundError::OutOfBounds,
	)?;
	let distance = current.deconstruct().abs_diff(proposed.deconstruct());
	ensure(distance <= bounds::MAX_PENALTY_STEP.deconstruct(), BoundError::StepTooLarge)?;
	Ok(Direction::higher_is_safer(current, proposed))
}

/// New option parameters: higher margin fractions and realized-volatility floor are safer.
/// Any new rate moves every mark, and any new settlement window or coverage moves how expiries
/// already in their windows settle (a longer window or a higher coverage can push them to
/// governance's price; a schedule may list more expiries at once), so those are risky either
/// way. Each fraction moves at most one fraction step; the options pallet holds the hard
/// bounds.
pub fn option_terms(current: OptionTerms, proposed: OptionTerms) -> Result<Direction, BoundError> {
	fraction_step(current.initial_base, proposed.initial_base)?;
	fraction_step(current.initial_floor, proposed.initial_floor)?;
	fraction_step(current.maintenance, proposed.maintenance)?;
	fraction_step(current.realized_floor, proposed.realized_floor)?;
	let either_way = |same: bool| if same { Direction::Unchanged } else { Direction::Increases };
	Ok(Direction::higher_is_safer(current.initial_base, proposed.initial_base)
		.and(Direction::higher_is_safer(current.initial_floor, proposed.initial_floor))
		.and(Direction::higher_is_safer(current.maintenance, proposed.maintenance))
		.and(Direction::higher_is_safer(current.realized_floor, proposed.realized_floor))
		.and(either_way(current.rate == proposed.rate))
		.and(either_way(current.settlement_window_ms == proposed.settlement_window_ms))
		.and(either_way(current.min_coverage == proposed.min_coverage)))
}

/// A field of a scenario grid that governance steps (`ParameterKey::ScenarioGrid`).
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, codec::Encode, codec::Decode,
	codec::DecodeWithMemTracking, codec::MaxEncodedLen, scale_info::TypeInfo,
)]
pub enum GridField {
	SpotStep,
	ExtremeMove,
	ExtremeWeight,
	VolUp,
	VolDown,
	ShortTermPower,
	LongTermPower,
	InitialSurcharge,
	MaintenanceShare,
	PerpetualContingency,
	ShortOptionContingency,
	MinInitial,
}

/// Every stepped field of `grid` with its value (a fraction's parts per million, the least
/// requirement in settlement units).
pub fn grid_fields(grid: &ScenarioGrid) -> [(GridField, u128); 12] {
	let part = |p: Permill| u128::from(p.deconstruct());
	[
		(GridField::SpotStep, part(grid.spot_step)),
		(GridField::ExtremeMove, part(grid.extreme_move)),
		(GridField::ExtremeWeight, part(grid.extreme_weight)),
		(GridField::VolUp, part(grid.vol_up)),
		(GridField::VolDown, part(grid.vol_down)),
		(GridField::ShortTermPower, part(grid.short_term_power)),
		(GridField::LongTermPower, part(grid.long_term_power)),
		(GridField::InitialSurcharge, part(grid.initial_surcharge)),
		(GridField::MaintenanceShare, part(grid.maintenance_share)),
		(GridField::PerpetualContingency, part(grid.perpetual_contingency)),
		(GridField::ShortOptionContingency, part(grid.short_option_contingency)),
		(GridField::MinInitial, grid.min_initial),
	]
}

/// `grid` with each field replaced by `value(field, its value)`.
pub fn grid_with(grid: &ScenarioGrid, value: impl Fn(GridField, u128) -> u128) -> ScenarioGrid {
	let part = |field: GridField, p: Permill| {
		Permill::from_parts(u32::try_from(value(field, u128::from(p.deconstruct()))).unwrap_or(u32::MAX))
	};
	ScenarioGrid {
		spot_step: part(GridField::SpotStep, grid.spot_step),
		extreme_move: part(GridField::ExtremeMove, grid.extreme_move),
		extreme_weight: part(GridField::ExtremeWeight, grid.extreme_weight),
		vol_up: part(GridField::VolUp, grid.vol_up),
		vol_down: part(GridField::VolDown, grid.vol_down),
		short_term_power: part(GridField::ShortTermPower, grid.short_term_power),
		long_term_power: part(GridField::LongTermPower, grid.long_term_power),
		initial_surcharge: part(GridField::InitialSurcharge, grid.initial_surcharge),
		maintenance_share: part(GridField::MaintenanceShare, grid.maintenance_share),
		perpetual_contingency: part(GridField::PerpetualContingency, grid.perpetual_contingency),
		short_option_contingency: part(GridField::ShortOptionContingency, grid.short_option_contingency),
		min_initial: value(GridField::MinInitial, grid.min_initial),
	}
}

/// A new scenario grid: within its hard bounds (`ScenarioGrid::validate`), each fraction at
/// most one fraction step from `current`, the least requirement within a ratio step.
/// Volatility shocks, extreme weight, factor, maintenance share, contingencies and least
/// requirement are safer higher; the short-term power too (it scales shocks up before 30
/// days), the long-term one lower (it scales them down beyond). A new spot step or extreme
/// move moves the grid's points, so either way it waits.
pub fn scenario_grid(current: &ScenarioGrid, proposed: &ScenarioGrid) -> Result<Direction, BoundError> {
	proposed.validate().map_err(|_| BoundError::OutOfBounds)?;
	let mut direction = Direction::Unchanged;
	for ((field, was), (_, now)) in grid_fields(current).into_iter().zip(grid_fields(proposed)) {
		if field == GridField::MinInitial {
			ratio_step(was, now)?;
		} else {
			let to_permill = |v: u128| Permill::from_parts(u32::try_from(v).unwrap_or(u32::MAX));
			fraction_step(to_permill(was), to_permill(now))?;
		}
		let moved = match field {
			GridField::LongTermPower => Direction::lower_is_safer(was, now),
			// Larger moves move the grid's points, not only outward: a book built around an
			// old point may need less. Either way waits.
			GridField::SpotStep | GridField::ExtremeMove if was != now => Direction::Increases,
			_ => Direction::higher_is_safer(was, now),
		};
		direction = direction.and(moved);
	}
	Ok(direction)
}

/// A field of a haircut curve that governance steps (`ParameterKey::HaircutCurve`).
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, codec::Encode, codec::Decode,
	codec::DecodeWithMemTracking, codec::MaxEncodedLen, scale_info::TypeInfo,
)]
pub enum CurveField {
	VolatilityFactor,
	MaxVolatilityHaircut,
	LiquidityDepth,
	SizeFactor,
}

/// Every stepped field of `curve` with its value (a fraction's parts per million, the depth
/// in the asset's smallest units).
pub fn curve_fields(curve: &HaircutCurve) -> [(CurveField, u128); 4] {
	let part = |p: Permill| u128::from(p.deconstruct());
	[
		(CurveField::VolatilityFactor, part(curve.volatility_factor)),
		(CurveField::MaxVolatilityHaircut, part(curve.max_volatility_haircut)),
		(CurveField::LiquidityDepth, curve.liquidity_depth),
		(CurveField::SizeFactor, part(curve.size_factor)),
	]
}

/// `curve` with each field replaced by `value(field, its value)`.
pub fn curve_with(curve: &HaircutCurve, value: impl Fn(CurveField, u128) -> u128) -> HaircutCurve {
	let part = |field: CurveField, p: Permill| {
		Permill::from_parts(u32::try_from(value(field, u128::from(p.deconstruct()))).unwrap_or(u32::MAX))
	};
	HaircutCurve {
		volatility_factor: part(CurveField::VolatilityFactor, curve.volatility_factor),
		max_volatility_haircut: part(CurveField::MaxVolatilityHaircut, curve.max_volatility_haircut),
		liquidity_depth: value(CurveField::LiquidityDepth, curve.liquidity_depth),
		size_factor: part(CurveField::SizeFactor, curve.size_factor),
	}
}

/// The curve that cuts nothing, at `depth`: where a first curve starts and a removed one
/// ends, so both move one step like any other change.
pub fn neutral_curve(depth: Balance) -> HaircutCurve {
	HaircutCurve { liquidity_depth: depth, ..HaircutCurve::default() }
}

/// A new haircut curve (`None`: removed): within its hard bounds (`HaircutCurve::validate`),
/// each fraction at most one fraction step from `current` and the depth within a ratio step.
/// No curve counts as the neutral one at `deposit_cap` (a first curve's depth starts within a
/// ratio step of the asset's deposit cap, where no holding can be much larger) or, removing
/// one, at its own depth (its fractions must first come within a step of zero). A curve moves
/// every holder's haircut, and not linearly (a lower depth cuts a large holding far more than
/// a small one), so every change, either way, waits out the timelock: holders see it coming.
pub fn haircut_curve(
	current: Option<&HaircutCurve>,
	proposed: Option<&HaircutCurve>,
	deposit_cap: Balance,
) -> Result<Direction, BoundError> {
	if current == proposed {
		return Ok(Direction::Unchanged);
	}
	if let Some(proposed) = proposed {
		proposed.validate().map_err(|_| BoundError::OutOfBounds)?;
	}
	let from = current.copied().unwrap_or_else(|| neutral_curve(deposit_cap));
	let to = proposed.copied().unwrap_or_else(|| neutral_curve(from.liquidity_depth));
	for ((field, was), (_, now)) in curve_fields(&from).into_iter().zip(curve_fields(&to)) {
		if field == CurveField::LiquidityDepth {
			ratio_step(was, now)?;
		} else {
			let to_permill = |v: u128| Permill::from_parts(u32::try_from(v).unwrap_or(u32::MAX));
			fraction_step(to_permill(was), to_permill(now))?;
		}
	}
	Ok(Direction::Increases)
}

/// A listing schedule set (series list by themselves) raises risk; one removed lowers it.
pub fn listing_schedule(set: bool) -> Direction {
	if set {
		Direction::Increases
	} else {
		Direction::Reduces
	}
}

/// A settlement price set by governance moves money between every holder of the expiry:
/// always behind the timelock, in view of them.
pub fn settlement_price() -> Direction {
	Direction::Increases
}

/// Adding an oracle feeder gives a new key a say in every price: risk-increasing.
pub fn add_feeder() -> Direction {
	Direction::Increases
}

/// Removing a feeder (a compromised key) reduces risk: with too few left prices go stale and
/// markets turn reduce-only, the safe failure.
pub fn remove_feeder() -> Direction {
	Direction::Reduces
}

/// Listing a market or a collateral, or new runtime code, always waits out the timelock.
pub fn listing() -> Direction {
	Direction::Increases
}

/// A new fee tier table: always behind the timelock, whichever way it moves (lower fees and
/// larger rebates cut the insurance fund's revenue; its bounds are the order book's).
pub fn fee_tiers() -> Direction {
	Direction::Increases
}
