//! The haircut's terms by example, and every figure against an `f64` reference.

use super::*;
use proptest::prelude::*;

const CLR: Balance = 1_000_000_000_000;

fn percent(p: u32) -> Permill {
	Permill::from_percent(p)
}

fn clr_curve() -> HaircutCurve {
	HaircutCurve {
		volatility_factor: percent(12),
		max_volatility_haircut: percent(50),
		liquidity_depth: 250_000 * CLR,
		size_factor: percent(50),
	}
}

fn rv(percent: u128) -> Price {
	Price::from_rational(percent, 100)
}

#[test]
fn without_a_curve_the_floor_is_the_haircut() {
	let cut = haircut_in_force(percent(25), None, Some(rv(900)), u128::MAX);
	assert_eq!((cut.haircut, cut.binding), (percent(25), HaircutTerm::Floor));
	assert_eq!((cut.volatility_haircut, cut.size_weight), (Permill::zero(), Permill::one()));
}

#[test]
fn a_volatile_asset_is_cut_by_its_volatility_up_to_the_cap() {
	let curve = clr_curve();
	// 12% × RV 150% = 18%: under the 25% floor.
	let calm = haircut_in_force(percent(25), Some(&curve), Some(rv(150)), 1_000 * CLR);
	assert_eq!((calm.haircut, calm.binding, calm.volatility_haircut), (percent(25), HaircutTerm::Floor, percent(18)));
	// 12% × RV 300% = 36%.
	let wild = haircut_in_force(percent(25), Some(&curve), Some(rv(300)), 1_000 * CLR);
	assert_eq!((wild.haircut, wild.binding), (percent(36), HaircutTerm::Volatility));
	// 12% × RV 1,000% = 120%, capped at 50%.
	let mania = haircut_in_force(percent(25), Some(&curve), Some(rv(1_000)), 1_000 * CLR);
	assert_eq!(mania.haircut, percent(50));
	// No realized volatility yet: the volatility term is zero.
	assert_eq!(haircut_in_force(percent(25), Some(&curve), None, 1_000 * CLR).volatility_haircut, Permill::zero());
}

#[test]
fn a_holding_four_times_the_depth_is_weighted_at_fifty_five_percent() {
	let curve = clr_curve();
	// 1.1 / (1 + 0.5 × √4) = 0.55 (a hair less: the root is rounded up).
	let cut = haircut_in_force(percent(25), Some(&curve), Some(rv(100)), 1_000_000 * CLR);
	assert_eq!(cut.binding, HaircutTerm::Size);
	assert_eq!(cut.size_weight, Permill::from_parts(549_999));
	assert_eq!(cut.haircut, Permill::from_parts(450_001));
	// A small one's weight is capped at one: the floor binds.
	assert_eq!(curve.size_weight(1_000 * CLR), Permill::one());
	assert_eq!(curve.size_weight(0), Permill::one());
}

#[test]
fn the_hard_bounds_refuse_a_cap_above_ninety_percent_and_a_zero_depth() {
	assert_eq!(HaircutCurve { max_volatility_haircut: percent(91), ..clr_curve() }.validate(), Err(CurveError::CapTooHigh));
	assert_eq!(HaircutCurve { liquidity_depth: 0, ..clr_curve() }.validate(), Err(CurveError::ZeroDepth));
	assert_eq!(clr_curve().validate(), Ok(()));
}

#[test]
fn a_holding_beyond_the_fixed_point_counts_for_nothing() {
	let curve = HaircutCurve { liquidity_depth: 1, ..clr_curve() };
	assert_eq!(curve.size_weight(u128::MAX), Permill::zero());
}

/// The haircut computed in `f64` from the module's formulas.
fn reference(floor: f64, curve: &HaircutCurve, rv: f64, holding: f64) -> f64 {
	let part = |p: Permill| p.deconstruct() as f64 / 1e6;
	let volatility = (part(curve.volatility_factor) * rv).min(part(curve.max_volatility_haircut));
	let weight = if curve.size_factor.is_zero() {
		1.0
	} else {
		(1.1 / (1.0 + part(curve.size_factor) * (holding / curve.liquidity_depth as f64).sqrt())).min(1.0)
	};
	floor.max(volatility).max(1.0 - weight)
}

fn curve() -> impl Strategy<Value = HaircutCurve> {
	(0u32..=1_000_000, 0u32..=900_000, 1u128..=1_000_000_000 * CLR, 0u32..=1_000_000).prop_map(
		|(k, cap, depth, size)| HaircutCurve {
			volatility_factor: Permill::from_parts(k),
			max_volatility_haircut: Permill::from_parts(cap),
			liquidity_depth: depth,
			size_factor: Permill::from_parts(size),
		},
	)
}

proptest! {
	/// Within two millionths of the reference, and never below it (every rounding cuts more).
	#[test]
	fn the_haircut_matches_an_f64_recomputation(
		floor in 0u32..950_000, curve in curve(), rv_percent in 0u128..2_000, holding in 0u128..10_000_000_000 * CLR,
	) {
		let chain = haircut_in_force(Permill::from_parts(floor), Some(&curve), Some(rv(rv_percent)), holding);
		let expected = reference(floor as f64 / 1e6, &curve, rv_percent as f64 / 100.0, holding as f64);
		let got = chain.haircut.deconstruct() as f64 / 1e6;
		prop_assert!(got >= expected - 1e-9, "{got} below the reference {expected}");
		prop_assert!(got <= expected + 2e-6, "{got} above the reference {expected}");
	}

	/// The haircut is at least each of its terms, and is one of them.
	#[test]
	fn the_haircut_is_the_largest_term(
		floor in 0u32..950_000, curve in curve(), rv_percent in 0u128..2_000, holding in 0u128..10_000_000_000 * CLR,
	) {
		let cut = haircut_in_force(Permill::from_parts(floor), Some(&curve), Some(rv(rv_percent)), holding);
		let size_haircut = Permill::one().saturating_sub(cut.size_weight);
		prop_assert!(cut.haircut >= cut.floor && cut.haircut >= cut.volatility_haircut && cut.haircut >= size_haircut);
		let binding = match cut.binding {
			HaircutTerm::Floor => cut.floor,
			HaircutTerm::Volatility => cut.volatility_haircut,
			HaircutTerm::Size => size_haircut,
		};
		prop_assert_eq!(binding, cut.haircut);
		prop_assert!(cut.volatility_haircut <= curve.max_volatility_haircut);
	}

	/// More of an asset never counts for less per unit, nor, beyond a unit's rounding per
	/// millionth, for less in all; more volatility never cuts less.
	#[test]
	fn larger_holdings_count_for_less_per_unit_and_never_less_in_all(
		curve in curve(), smaller in 0u128..1_000_000_000 * CLR, extra in 0u128..1_000_000_000 * CLR,
	) {
		let larger = smaller + extra;
		let value = |holding: u128| {
			let cut = haircut_in_force(Permill::zero(), Some(&curve), None, holding).haircut;
			Permill::one().saturating_sub(cut).mul_floor(holding)
		};
		prop_assert!(curve.size_weight(larger) <= curve.size_weight(smaller));
		prop_assert!(value(larger) + larger / 1_000_000 + 1 >= value(smaller));
	}

	#[test]
	fn more_volatility_never_cuts_less(curve in curve(), low in 0u128..2_000, extra in 0u128..2_000) {
		prop_assert!(curve.volatility_haircut(rv(low + extra)) >= curve.volatility_haircut(rv(low)));
	}
}
