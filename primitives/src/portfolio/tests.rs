//! The grid's bounds and shape, and every account figure against an `f64` reference that
//! recomputes the grid from scratch (the standard library's `exp`/`ln`/`powf` and `libm`'s
//! `erfc`).

use super::*;
use crate::{
	black76::{OptionKind, ONE},
	options::{years_to, SeriesTerms},
	oracle::Moment,
	Price,
};
use proptest::prelude::*;
use sp_arithmetic::Permill;

const DAY_MS: Moment = 86_400_000;
const NOW: Moment = 1_700_000_000_000;

fn usd(dollars: f64) -> i128 {
	(dollars * 1e18) as i128
}

fn real(value: i128) -> f64 {
	value as f64 / 1e18
}

fn cdf(x: f64) -> f64 {
	0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
}

/// Black-76 on the spot's forward, the intrinsic value where σ√T is below 1e-4.
fn premium_f64(kind: OptionKind, spot: f64, strike: f64, sigma: f64, years: f64, rate: f64) -> f64 {
	let std_dev = sigma * years.sqrt();
	if years <= 0.0 || std_dev < 1e-4 {
		return match kind {
			OptionKind::Call => (spot - strike).max(0.0),
			OptionKind::Put => (strike - spot).max(0.0),
		};
	}
	let (discount, forward) = ((-rate * years).exp(), spot * (rate * years).exp());
	let d1 = ((forward / strike).ln() + std_dev * std_dev / 2.0) / std_dev;
	let d2 = d1 - std_dev;
	match kind {
		OptionKind::Call => discount * (forward * cdf(d1) - strike * cdf(d2)),
		OptionKind::Put => discount * (strike * cdf(-d2) - forward * cdf(-d1)),
	}
}

fn permill(part: Permill) -> f64 {
	f64::from(part.deconstruct()) / 1e6
}

/// The grid's scenarios from its definition: (spot move, volatility state 0 up / 1 same /
/// 2 down, weight).
fn scenarios_f64(grid: &ScenarioGrid) -> Vec<(f64, usize, f64)> {
	let step = permill(grid.spot_step);
	let mut all = Vec::new();
	for level in -3i32..=3 {
		for vol in 0..3 {
			all.push((f64::from(level) * step, vol, 1.0));
		}
	}
	let extreme = permill(grid.extreme_move);
	all.push((-extreme, 0, permill(grid.extreme_weight)));
	all.push((extreme, 0, permill(grid.extreme_weight)));
	all
}

fn multipliers_f64(grid: &ScenarioGrid, years: f64) -> (f64, f64) {
	let (day, month) = (1.0 / 365.0, 30.0 / 365.0);
	let time = years.max(day);
	let power = if time <= month { permill(grid.short_term_power) } else { permill(grid.long_term_power) };
	let scale = (month / time).powf(power);
	(1.0 + permill(grid.vol_up) * scale, (1.0 - permill(grid.vol_down) * scale).max(0.0))
}

/// A leg of a test portfolio: a series (kind, strike, days to expiry, σ) or a perpetual, and
/// its signed size in whole contracts.
#[derive(Clone, Debug)]
enum Leg {
	Option { kind: OptionKind, strike: f64, days: u64, sigma: f64, contracts: f64 },
	Perpetual { contracts: f64 },
}

const DECIMALS: u8 = 8;

fn size_of(contracts: f64) -> i128 {
	(contracts * 1e8).round() as i128
}

fn terms(kind: OptionKind, strike: f64, days: u64) -> SeriesTerms {
	SeriesTerms { underlying: 1, expiry: NOW + days * DAY_MS, strike: Price::from_inner(usd(strike) as u128), kind }
}

/// The chain's figures for `legs` at `index`.
fn chain(grid: &ScenarioGrid, index: f64, rate: f64, legs: &[Leg]) -> UnderlyingRisk {
	let mut risk = UnderlyingRisk::new(1, Price::from_inner(usd(index) as u128));
	for leg in legs {
		match leg {
			Leg::Option { kind, strike, days, sigma, contracts } => {
				let values =
					series_scenarios(&terms(*kind, *strike, *days), usd(index), usd(*sigma), NOW, usd(rate), grid)
						.unwrap();
				risk.add_option(size_of(*contracts), DECIMALS, &values).unwrap();
			},
			Leg::Perpetual { contracts } => {
				let values = perpetual_scenarios(grid, usd(index)).unwrap();
				risk.add_perpetual(size_of(*contracts), DECIMALS, &values).unwrap();
			},
		}
	}
	risk
}

/// The reference: each scenario's profit or loss in USD, recomputed in `f64`.
fn reference(grid: &ScenarioGrid, index: f64, rate: f64, legs: &[Leg]) -> Vec<f64> {
	let index_fixed = real(usd(index));
	scenarios_f64(grid)
		.into_iter()
		.map(|(spot_move, vol, weight)| {
			let spot = index_fixed * (1.0 + spot_move);
			legs.iter()
				.map(|leg| match leg {
					Leg::Option { kind, strike, days, sigma, contracts } => {
						let years = real(years_to(NOW, NOW + days * DAY_MS).unwrap());
						let (up, down) = multipliers_f64(grid, years);
						let shocked = [sigma * up, *sigma, sigma * down][vol];
						let sized = size_of(*contracts) as f64 / 1e8;
						let before = premium_f64(*kind, index_fixed, *strike, *sigma, years, rate);
						let after = premium_f64(*kind, spot, *strike, shocked, years, rate);
						sized * (after - before) * weight
					},
					Leg::Perpetual { contracts } => size_of(*contracts) as f64 / 1e8 * (spot - index_fixed) * weight,
				})
				.sum()
		})
		.collect()
}

fn leg() -> impl Strategy<Value = Leg> {
	prop_oneof![
		(any::<bool>(), 0.6f64..1.6, 1u64..120, 0.2f64..1.5, -5.0f64..5.0).prop_map(
			|(call, moneyness, days, sigma, contracts)| Leg::Option {
				kind: if call { OptionKind::Call } else { OptionKind::Put },
				strike: (60_000.0 * moneyness).round(),
				days,
				sigma,
				contracts,
			}
		),
		(-5.0f64..5.0).prop_map(|contracts| Leg::Perpetual { contracts }),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]

	/// The reference computation: every scenario of a random portfolio within a millionth
	/// of a dollar per leg (each leg's figure is rounded to the settlement unit, 1e-6 USD).
	#[test]
	fn the_grid_matches_an_f64_recomputation(legs in proptest::collection::vec(leg(), 1..8), rate in 0.0f64..0.08) {
		let grid = ScenarioGrid::default();
		let risk = chain(&grid, 60_000.0, rate, &legs);
		let expected = reference(&grid, 60_000.0, rate, &legs);
		for (scenario, (got, want)) in risk.pnl.iter().zip(&expected).enumerate() {
			let got = *got as f64 / 1e6;
			let tolerance = 1e-6 * (legs.len() as f64 + 1.0) + 1e-9 * want.abs();
			prop_assert!((got - want).abs() <= tolerance, "scenario {}: chain {} vs reference {}", scenario, got, want);
		}
	}

	/// The requirement is never below the worst grid loss, nor the least per underlying, nor
	/// the contingencies; maintenance is its share of it.
	#[test]
	fn the_requirement_covers_the_worst_loss_and_the_minimums(legs in proptest::collection::vec(leg(), 1..8)) {
		let grid = ScenarioGrid::default();
		let risk = chain(&grid, 60_000.0, 0.0, &legs);
		let required = risk.requirement(&grid).unwrap();
		let worst = risk.pnl.iter().copied().min().unwrap();
		prop_assert_eq!(required.worst_loss, worst.min(0).unsigned_abs());
		prop_assert_eq!(risk.pnl[usize::from(required.binding)], worst);
		prop_assert!(required.initial >= required.worst_loss);
		prop_assert!(required.initial >= grid.min_initial);
		prop_assert!(required.initial >= required.contingencies);
		prop_assert_eq!(required.maintenance, grid.maintenance_share.mul_ceil(required.initial));
	}

	/// Margined together, two books never lose more in their worst scenario than apart: a leg
	/// that offsets another can only lower the requirement they set alone.
	#[test]
	fn books_margined_together_never_need_more_than_apart(
		first in proptest::collection::vec(leg(), 1..5),
		second in proptest::collection::vec(leg(), 1..5),
	) {
		let grid = ScenarioGrid::default();
		let apart = chain(&grid, 60_000.0, 0.0, &first).requirement(&grid).unwrap().worst_loss +
			chain(&grid, 60_000.0, 0.0, &second).requirement(&grid).unwrap().worst_loss;
		let both: Vec<Leg> = first.iter().chain(&second).cloned().collect();
		let together = chain(&grid, 60_000.0, 0.0, &both).requirement(&grid).unwrap().worst_loss;
		prop_assert!(together <= apart, "{} > {}", together, apart);
	}

	/// Reducing every leg by the same share (a hedge of the whole book) never raises the worst
	/// loss or the requirement.
	#[test]
	fn reducing_the_whole_book_never_raises_the_requirement(
		legs in proptest::collection::vec(leg(), 1..6),
		share in 0.0f64..=1.0,
	) {
		let grid = ScenarioGrid::default();
		let before = chain(&grid, 60_000.0, 0.0, &legs).requirement(&grid).unwrap();
		let reduced: Vec<Leg> = legs
			.iter()
			.map(|leg| match leg.clone() {
				Leg::Option { kind, strike, days, sigma, contracts } =>
					Leg::Option { kind, strike, days, sigma, contracts: contracts * (1.0 - share) },
				Leg::Perpetual { contracts } => Leg::Perpetual { contracts: contracts * (1.0 - share) },
			})
			.collect();
		let after = chain(&grid, 60_000.0, 0.0, &reduced).requirement(&grid).unwrap();
		// Sizes round to the base unit and each leg's figure to the settlement unit.
		let slack = 2 * legs.len() as u128;
		prop_assert!(after.worst_loss <= before.worst_loss + slack, "{:?} -> {:?}", before, after);
		prop_assert!(after.initial <= before.initial + 3 * slack, "{:?} -> {:?}", before, after);
	}
}

#[test]
fn the_default_grid_is_derives_23_scenarios_within_the_bounds() {
	let grid = ScenarioGrid::default();
	assert_eq!(grid.validate(), Ok(()));
	assert_eq!(SCENARIOS, 23);
	let moves: Vec<i128> = (0..SCENARIOS).map(|i| scenario(&grid, i).unwrap().spot_move).collect();
	let pct = |p: i128| p * ONE / 100;
	assert_eq!(&moves[..3], &[pct(-15); 3]);
	assert_eq!(&moves[9..12], &[0; 3]);
	assert_eq!(&moves[18..21], &[pct(15); 3]);
	assert_eq!(&moves[21..], &[pct(-20), pct(20)]);
	assert_eq!(scenario(&grid, 10).unwrap().vol, VolShock::Unchanged);
	assert_eq!(scenario(&grid, 11).unwrap().vol, VolShock::Down);
	assert_eq!(scenario(&grid, 22).unwrap().vol, VolShock::Up);
	assert_eq!(scenario(&grid, SCENARIOS), None);
}

#[test]
fn grids_outside_the_hard_bounds_are_refused() {
	let base = ScenarioGrid::default();
	let refused = [
		(ScenarioGrid { spot_step: Permill::from_parts(9_999), ..base }, GridError::SpotStep),
		(ScenarioGrid { spot_step: Permill::from_percent(11), ..base }, GridError::SpotStep),
		// The extreme must reach beyond the core grid's 3 steps, and no further than 50%.
		(ScenarioGrid { extreme_move: Permill::from_percent(14), ..base }, GridError::ExtremeMove),
		(ScenarioGrid { extreme_move: Permill::from_percent(51), ..base }, GridError::ExtremeMove),
		(ScenarioGrid { extreme_weight: Permill::from_percent(9), ..base }, GridError::ExtremeMove),
		(ScenarioGrid { vol_up: Permill::from_percent(9), ..base }, GridError::VolatilityShock),
		(ScenarioGrid { vol_down: Permill::from_percent(91), ..base }, GridError::VolatilityShock),
		(ScenarioGrid { short_term_power: Permill::from_percent(51), ..base }, GridError::VolatilityShock),
		(ScenarioGrid { long_term_power: Permill::from_percent(51), ..base }, GridError::VolatilityShock),
		(ScenarioGrid { maintenance_share: Permill::from_percent(49), ..base }, GridError::MaintenanceShare),
		(ScenarioGrid { maintenance_share: Permill::from_percent(96), ..base }, GridError::MaintenanceShare),
		(ScenarioGrid { perpetual_contingency: Permill::from_percent(11), ..base }, GridError::Contingency),
		(ScenarioGrid { short_option_contingency: Permill::from_percent(11), ..base }, GridError::Contingency),
		(ScenarioGrid { min_initial: 0, ..base }, GridError::Contingency),
	];
	for (grid, error) in refused {
		assert_eq!(grid.validate(), Err(error), "{grid:?}");
	}
}

#[test]
fn volatility_shocks_scale_with_time_to_expiry() {
	let grid = ScenarioGrid::default();
	let close = |got: i128, want: f64| (real(got) - want).abs() < 1e-12;
	// At 30 days m = 1: × 1.5 up, × 0.75 down.
	let (up, down) = vol_multipliers(&grid, years_to(0, 30 * DAY_MS).unwrap()).unwrap();
	assert!(close(up, 1.5) && close(down, 0.75), "{up} {down}");
	// At a day and below (floored at a day): m = 30^0.3.
	let m = 30f64.powf(0.3);
	for ms in [0, DAY_MS / 2, DAY_MS] {
		let (up, down) = vol_multipliers(&grid, years_to(0, ms).unwrap()).unwrap();
		assert!(close(up, 1.0 + 0.5 * m) && close(down, 1.0 - 0.25 * m), "{ms}: {up} {down}");
	}
	// At a year: the long-term power.
	let (up, _) = vol_multipliers(&grid, ONE).unwrap();
	assert!(close(up, 1.0 + 0.5 * (30.0f64 / 365.0).powf(0.13)), "{up}");
}

#[test]
fn a_contract_at_no_shock_has_changed_by_nothing_and_its_volatility_ranks_its_value() {
	let grid = ScenarioGrid::default();
	let values =
		series_scenarios(&terms(OptionKind::Call, 62_000.0, 20), usd(60_000.0), usd(0.6), NOW, 0, &grid).unwrap();
	assert_eq!(values[10], 0);
	for level in 0..SPOT_LEVELS {
		let [up, same, down] = [values[3 * level], values[3 * level + 1], values[3 * level + 2]];
		assert!(up > same && same > down, "level {level}: {up} {same} {down}");
	}
	// A call gains with the index.
	assert!(values[19] > values[16] && values[16] > values[13] && values[13] > values[10]);
}

#[test]
fn a_perpetual_moves_one_for_one_with_its_index() {
	let grid = ScenarioGrid { extreme_weight: Permill::from_percent(50), ..ScenarioGrid::default() };
	let values = perpetual_scenarios(&grid, usd(60_000.0)).unwrap();
	assert_eq!(values[0], usd(-9_000.0));
	assert_eq!(values[10], 0);
	assert_eq!(values[21], usd(-6_000.0));
	assert_eq!(values[22], usd(6_000.0));
	// One long contract alone: the -20% extreme at half weight, -15% at full.
	let mut risk = UnderlyingRisk::new(1, Price::from_inner(usd(60_000.0) as u128));
	risk.add_perpetual(100_000_000, 8, &values).unwrap();
	let required = risk.requirement(&grid).unwrap();
	assert_eq!(required.worst_loss, 9_000_000_000);
	assert_eq!(required.binding, 0);
	// × 1.25, plus 1% of $60,000.
	assert_eq!(required.contingencies, 600_000_000);
	assert_eq!(required.initial, 11_250_000_000 + 600_000_000);
}

#[test]
fn a_delta_hedged_short_straddle_needs_far_less_than_its_legs_alone() {
	let grid = ScenarioGrid::default();
	let straddle = [
		Leg::Option { kind: OptionKind::Call, strike: 60_000.0, days: 30, sigma: 0.6, contracts: -1.0 },
		Leg::Option { kind: OptionKind::Put, strike: 60_000.0, days: 30, sigma: 0.6, contracts: -1.0 },
	];
	let alone: u128 = straddle
		.iter()
		.map(|leg| chain(&grid, 60_000.0, 0.0, core::slice::from_ref(leg)).requirement(&grid).unwrap().worst_loss)
		.sum();
	let together = chain(&grid, 60_000.0, 0.0, &straddle).requirement(&grid).unwrap().worst_loss;
	// The call's worst is a rise, the put's a fall: together they never lose both at once.
	assert!(together < alone * 7 / 10, "{together} vs {alone}");
}

#[test]
fn a_shock_never_takes_volatility_past_what_a_series_is_priced_at() {
	let grid = ScenarioGrid::default();
	// A day out, volatility up is × 2.39: 400% would become 956%, and stops at 500%.
	let call = terms(OptionKind::Call, 60_000.0, 1);
	let values = series_scenarios(&call, usd(60_000.0), usd(4.0), NOW, 0, &grid).unwrap();
	let years = real(years_to(NOW, NOW + DAY_MS).unwrap());
	let base = premium_f64(OptionKind::Call, 60_000.0, 60_000.0, 4.0, years, 0.0);
	let capped = premium_f64(OptionKind::Call, 60_000.0, 60_000.0, 5.0, years, 0.0) - base;
	assert!((real(values[9]) - capped).abs() < 1e-6, "{} vs {capped}", real(values[9]));
}

#[test]
fn exposures_add_and_take_away_leg_by_leg_as_the_book_sums_them() {
	let grid = ScenarioGrid::default();
	let legs = [
		Leg::Option { kind: OptionKind::Call, strike: 62_000.0, days: 20, sigma: 0.6, contracts: -1.5 },
		Leg::Perpetual { contracts: 0.7 },
		Leg::Option { kind: OptionKind::Put, strike: 55_000.0, days: 40, sigma: 0.7, contracts: 2.0 },
	];
	let book = chain(&grid, 60_000.0, 0.0, &legs);
	let alone: Vec<UnderlyingRisk> = legs.iter().map(|leg| chain(&grid, 60_000.0, 0.0, core::slice::from_ref(leg))).collect();
	let summed = alone[0].plus(&alone[1]).unwrap().plus(&alone[2]).unwrap();
	assert_eq!(summed, book);
	let without_perpetual = chain(&grid, 60_000.0, 0.0, &[legs[0].clone(), legs[2].clone()]);
	assert_eq!(book.minus(&alone[1]).unwrap(), without_perpetual);
}
