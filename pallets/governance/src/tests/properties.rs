//! Properties of the classification and the bounds, over the whole domain.

use crate::classify::{self, bounds, BoundError, Direction, MarginFractions, OptionTerms, OracleLimits};
use clearing_primitives::margin::MarketStatus;
use proptest::prelude::*;
use sp_runtime::Permill;

fn permill() -> impl Strategy<Value = Permill> {
	(0u32..=1_000_000).prop_map(Permill::from_parts)
}

fn fractions() -> impl Strategy<Value = MarginFractions> {
	(permill(), permill()).prop_map(|(initial, maintenance)| MarginFractions { initial, maintenance })
}

fn status() -> impl Strategy<Value = MarketStatus> {
	prop_oneof![
		Just(MarketStatus::Active),
		Just(MarketStatus::PostOnly),
		Just(MarketStatus::ReduceOnly),
		Just(MarketStatus::Halted),
	]
}

fn limits() -> impl Strategy<Value = OracleLimits> {
	(0u32..20, 0u64..5_000_000, permill())
		.prop_map(|(min_feeders, max_age_ms, max_jump)| OracleLimits { min_feeders, max_age_ms, max_jump })
}

fn option_terms() -> impl Strategy<Value = OptionTerms> {
	(permill(), permill(), permill(), permill(), prop_oneof![Just(Permill::zero()), permill()], 0u64..100_000, permill())
		.prop_map(|(initial_base, initial_floor, maintenance, realized_floor, rate, settlement_window_ms, min_coverage)| {
			OptionTerms { initial_base, initial_floor, maintenance, realized_floor, rate, settlement_window_ms, min_coverage }
		})
}

/// `current` moved by up to 12 points in each fraction (mostly within one step), each other
/// term kept or changed.
fn moved_terms() -> impl Strategy<Value = (OptionTerms, OptionTerms)> {
	let delta = || prop_oneof![Just(0i64), -120_000i64..=120_000];
	(option_terms(), (delta(), delta(), delta(), delta()), (any::<bool>(), any::<bool>(), any::<bool>()))
		.prop_map(|(current, (b, f, m, r), (rate, window, coverage))| {
			let shift = |p: Permill, d: i64| Permill::from_parts((i64::from(p.deconstruct()) + d).clamp(0, 1_000_000) as u32);
			let proposed = OptionTerms {
				initial_base: shift(current.initial_base, b),
				initial_floor: shift(current.initial_floor, f),
				maintenance: shift(current.maintenance, m),
				realized_floor: shift(current.realized_floor, r),
				rate: if rate { current.rate } else { Permill::from_parts(current.rate.deconstruct() ^ 1) },
				settlement_window_ms: if window { current.settlement_window_ms } else { current.settlement_window_ms + 1 },
				min_coverage: if coverage { current.min_coverage } else { Permill::from_parts(current.min_coverage.deconstruct() ^ 1) },
			};
			(current, proposed)
		})
}

/// Undoing a fast change is slow, and undoing a slow one-way change is fast.
fn reverses(there: Direction, back: Direction) -> bool {
	match there {
		Direction::Unchanged => back == Direction::Unchanged,
		Direction::Reduces => back == Direction::Increases,
		Direction::Increases => back != Direction::Unchanged,
	}
}

proptest! {
	#[test]
	fn accepted_margins_are_within_bounds_and_one_step(current in fractions(), proposed in fractions()) {
		if let Ok(direction) = classify::margin(current, proposed) {
			prop_assert!(proposed.initial >= bounds::MIN_INITIAL_MARGIN);
			prop_assert!(proposed.maintenance >= bounds::MIN_MAINTENANCE_MARGIN);
			prop_assert!(proposed.maintenance < proposed.initial);
			let step = bounds::MAX_FRACTION_STEP.deconstruct();
			prop_assert!(current.initial.deconstruct().abs_diff(proposed.initial.deconstruct()) <= step);
			prop_assert!(current.maintenance.deconstruct().abs_diff(proposed.maintenance.deconstruct()) <= step);
			// Fast only if neither fraction falls.
			prop_assert_eq!(
				direction == Direction::Reduces,
				proposed.initial >= current.initial && proposed.maintenance >= current.maintenance &&
					proposed != current
			);
			if classify::margin(proposed, current).is_ok() {
				prop_assert!(reverses(direction, classify::margin(proposed, current).unwrap()));
			}
		} else {
			let in_bounds = classify::margin_in_bounds(proposed).is_ok();
			prop_assert!(!in_bounds || classify::margin(current, proposed) == Err(BoundError::StepTooLarge));
		}
	}

	#[test]
	fn caps_fall_fast_and_rise_slowly_within_a_factor_of_two(current in 1u128..u128::MAX / 4, proposed in 0u128..u128::MAX / 2) {
		match classify::cap(current, proposed) {
			Ok(direction) => {
				prop_assert!(proposed > 0 && proposed <= current * 2 && proposed * 2 >= current);
				prop_assert_eq!(direction, Direction::lower_is_safer(current, proposed));
				prop_assert!(reverses(direction, classify::cap(proposed, current).unwrap()));
			},
			Err(_) => prop_assert!(proposed == 0 || proposed > current * 2 || proposed * 2 < current),
		}
	}

	#[test]
	fn haircuts_rise_fast_stay_below_the_ceiling_and_step(current in permill(), proposed in permill()) {
		if let Ok(direction) = classify::haircut(current, proposed) {
			prop_assert!(proposed <= bounds::MAX_HAIRCUT && proposed < Permill::one());
			prop_assert_eq!(direction, Direction::higher_is_safer(current, proposed));
		}
	}

	#[test]
	fn a_stricter_status_is_always_fast_and_a_looser_one_always_slow(a in status(), b in status()) {
		let direction = classify::status(a, b);
		prop_assert_eq!(direction == Direction::Reduces, b > a);
		prop_assert_eq!(direction == Direction::Increases, b < a);
		prop_assert!(reverses(direction, classify::status(b, a)));
		prop_assert_ne!(classify::status(a, MarketStatus::Halted), Direction::Increases);
	}

	#[test]
	fn oracle_limits_are_fast_only_when_every_limit_tightens(current in limits(), proposed in limits()) {
		if let Ok(direction) = classify::oracle(current, proposed) {
			prop_assert!(proposed.min_feeders >= bounds::MIN_FEEDERS);
			prop_assert!(proposed.max_jump <= bounds::MAX_JUMP);
			prop_assert!((bounds::MIN_MAX_AGE_MS..=bounds::MAX_MAX_AGE_MS).contains(&proposed.max_age_ms));
			prop_assert_eq!(
				direction == Direction::Reduces,
				proposed.min_feeders >= current.min_feeders && proposed.max_age_ms <= current.max_age_ms &&
					proposed.max_jump <= current.max_jump && proposed != current
			);
		}
	}

	#[test]
	fn penalties_stay_below_ten_percent_rise_fast_and_move_a_point_at_most(current in permill(), proposed in permill()) {
		if let Ok(direction) = classify::penalty(current, proposed) {
			prop_assert!(proposed >= bounds::MIN_PENALTY && proposed < Permill::from_percent(10));
			prop_assert!(current.deconstruct().abs_diff(proposed.deconstruct()) <= 10_000);
			prop_assert_eq!(direction, Direction::higher_is_safer(current, proposed));
		}
	}

	#[test]
	fn cooldowns_lengthen_fast_and_shorten_slowly(current in 0u32..5_000_000, proposed in 0u32..5_000_000) {
		if let Ok(direction) = classify::cooldown(current, proposed) {
			prop_assert!((bounds::MIN_COOLDOWN..=bounds::MAX_COOLDOWN).contains(&proposed));
			prop_assert_eq!(direction, Direction::higher_is_safer(current, proposed));
		}
	}
}

#[test]
fn listings_feeders_and_upgrades_take_the_path_their_risk_says() {
	assert_eq!(classify::listing(), Direction::Increases);
	assert_eq!(classify::add_feeder(), Direction::Increases);
	assert_eq!(classify::remove_feeder(), Direction::Reduces);
}

proptest! {
	#[test]
	fn option_terms_are_fast_only_when_every_term_tightens((current, proposed) in moved_terms()) {
		match classify::option_terms(current, proposed) {
			Ok(direction) => {
				let step = bounds::MAX_FRACTION_STEP.deconstruct();
				for (was, now) in [
					(current.initial_base, proposed.initial_base),
					(current.initial_floor, proposed.initial_floor),
					(current.maintenance, proposed.maintenance),
					(current.realized_floor, proposed.realized_floor),
				] {
					prop_assert!(was.deconstruct().abs_diff(now.deconstruct()) <= step);
				}
				let tightens = proposed.initial_base >= current.initial_base &&
					proposed.initial_floor >= current.initial_floor &&
					proposed.maintenance >= current.maintenance &&
					proposed.realized_floor >= current.realized_floor &&
					proposed.rate == current.rate &&
					proposed.settlement_window_ms == current.settlement_window_ms &&
					proposed.min_coverage == current.min_coverage;
				prop_assert_eq!(direction == Direction::Reduces, tightens && proposed != current);
				prop_assert_eq!(direction == Direction::Unchanged, proposed == current);
				if let Ok(back) = classify::option_terms(proposed, current) {
					prop_assert!(reverses(direction, back));
				}
			},
			Err(error) => prop_assert_eq!(error, BoundError::StepTooLarge),
		}
	}
}
