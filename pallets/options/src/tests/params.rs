//! Parameters and volatility sources. ATTACKS: 17 (only governance sets them; bounds hold
//! whatever is asked), 18 (extremes refused by name).

use crate::{mock::*, Error, OptionParams, Params, VolatilitySources};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};

#[test]
fn deribits_rule_is_the_default() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Params::<Test>::get(),
			OptionParams {
				initial_base: Permill::from_percent(15),
				initial_floor: Permill::from_percent(10),
				maintenance: Permill::from_rational(75u32, 1_000u32),
				realized_floor: Permill::one(),
				rate: Permill::zero(),
				settlement_window_ms: 30 * 60 * 1_000,
				min_coverage: Permill::from_percent(80),
			}
		);
		assert!(Params::<Test>::get().is_valid());
	});
}

#[test]
fn parameters_stay_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let default = OptionParams::default();
		for bad in [
			OptionParams { maintenance: Permill::from_percent(2), ..default },
			OptionParams { maintenance: Permill::from_percent(11), ..default },
			OptionParams { initial_floor: Permill::from_percent(16), ..default },
			OptionParams { rate: Permill::from_percent(21), ..default },
			OptionParams { initial_base: Permill::zero(), initial_floor: Permill::zero(), ..default },
			OptionParams { settlement_window_ms: 9_999, ..default },
			OptionParams { settlement_window_ms: 86_400_001, ..default },
			OptionParams { min_coverage: Permill::from_percent(49), ..default },
		] {
			assert_noop!(Options::set_params(RuntimeOrigin::root(), bad), Error::<Test>::InvalidParams);
		}
		for edge in [
			OptionParams { settlement_window_ms: 10_000, ..default },
			OptionParams { settlement_window_ms: 86_400_000, min_coverage: Permill::from_percent(50), ..default },
		] {
			assert_ok!(Options::set_params(RuntimeOrigin::root(), edge));
		}
		let higher = OptionParams { initial_base: Permill::from_percent(20), ..default };
		assert_ok!(Options::set_params(RuntimeOrigin::root(), higher));
		assert_eq!(Params::<Test>::get(), higher);
		assert_noop!(Options::set_params(RuntimeOrigin::signed(1), default), DispatchError::BadOrigin);
	});
}

#[test]
fn governance_names_the_volatility_source() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Options::set_volatility_source(RuntimeOrigin::signed(1), DOT, 1_004),
			DispatchError::BadOrigin
		);
		assert_ok!(Options::set_volatility_source(RuntimeOrigin::root(), DOT, 1_004));
		assert_eq!(VolatilitySources::<Test>::get(DOT), Some(1_004));
	});
}
