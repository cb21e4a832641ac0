//! Haircut curves through governance. ATTACKS: 17 (every curve change, tighter or looser,
//! waits out the timelock; each field moves one step per window, whichever changes move it;
//! a first curve starts one step from the neutral curve at the deposit cap and a removed one
//! ends one step from it, so removing and re-adding skips no step; nothing leaves the
//! curve's hard bounds).

use crate::{mock::*, Error, Event, RiskChange};
use clearing_primitives::haircut::HaircutCurve;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Permill;

/// USDC's deposit cap in the mock.
const CAP: u128 = 1_000_000;

fn pct(p: u32) -> Permill {
	Permill::from_percent(p)
}

fn set(curve: Option<HaircutCurve>) -> Change {
	RiskChange::SetHaircutCurve { asset: USDC, curve }
}

fn first_curve() -> HaircutCurve {
	HaircutCurve { volatility_factor: pct(10), max_volatility_haircut: pct(10), liquidity_depth: CAP, size_factor: pct(10) }
}

/// Proposes `change`, which must be scheduled, and runs to its enactment.
fn wait_out(change: Change) {
	assert_ok!(propose(change.clone()));
	let enact_at = governance_events()
		.iter()
		.rev()
		.find_map(|e| match e {
			Event::ChangeScheduled { change: c, enact_at, .. } if *c == change => Some(*enact_at),
			_ => None,
		})
		.expect("a curve change is scheduled");
	run_to_block(enact_at);
}

#[test]
fn every_curve_change_waits_out_the_timelock() {
	ExtBuilder::default().build_and_execute(|| {
		wait_out(set(Some(first_curve())));
		assert_eq!(Curves::get(USDC), Some(first_curve()));
		run_to_block(System::block_number() + TIMELOCK);
		// Tighter (a larger factor, a smaller depth) still waits: it cuts large holdings at once.
		let tighter = HaircutCurve { volatility_factor: pct(20), liquidity_depth: CAP / 2, ..first_curve() };
		assert_ok!(propose(set(Some(tighter))));
		assert_eq!(Curves::get(USDC), Some(first_curve()));
		run_to_block(System::block_number() + TIMELOCK);
		assert_eq!(Curves::get(USDC), Some(tighter));
		// The same curve again is no change.
		assert_noop!(propose(set(Some(tighter))), Error::<Test>::NoChange);
	});
}

#[test]
fn a_curve_outside_its_bounds_or_beyond_a_step_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		// A first curve starts from the neutral one at the deposit cap: fractions at most ten
		// points, the depth at least half the cap.
		assert_noop!(
			propose(set(Some(HaircutCurve { volatility_factor: pct(11), ..first_curve() }))),
			Error::<Test>::StepTooLarge
		);
		assert_noop!(
			propose(set(Some(HaircutCurve { liquidity_depth: CAP / 2 - 1, ..first_curve() }))),
			Error::<Test>::StepTooLarge
		);
		assert_noop!(propose(set(Some(HaircutCurve { liquidity_depth: 0, ..first_curve() }))), Error::<Test>::OutOfBounds);
		assert_noop!(
			propose(set(Some(HaircutCurve { max_volatility_haircut: pct(91), ..first_curve() }))),
			Error::<Test>::OutOfBounds
		);
		// Only a registered collateral asset takes a curve; no curve to remove is no change.
		assert_noop!(
			propose(RiskChange::SetHaircutCurve { asset: 9, curve: Some(first_curve()) }),
			Error::<Test>::NotCollateral
		);
		assert_noop!(propose(set(None)), Error::<Test>::NoChange);
		wait_out(set(Some(first_curve())));
		// The depth more than halved or doubled in one change.
		for depth in [CAP / 2 - 1, 2 * CAP + 1] {
			assert_noop!(
				propose(set(Some(HaircutCurve { liquidity_depth: depth, ..first_curve() }))),
				Error::<Test>::StepTooLarge
			);
		}
	});
}

#[test]
fn each_curve_field_moves_one_step_per_window() {
	ExtBuilder::default().build_and_execute(|| {
		// The first curve opened windows at the neutral curve: another ten points of size
		// factor within them is two steps.
		wait_out(set(Some(first_curve())));
		assert_noop!(
			propose(set(Some(HaircutCurve { size_factor: pct(20), ..first_curve() }))),
			Error::<Test>::StepTooLarge
		);
		// Past the window, one step more; then halving the depth twice in one window is refused.
		run_to_block(System::block_number() + TIMELOCK);
		let up = HaircutCurve { size_factor: pct(20), ..first_curve() };
		wait_out(set(Some(up)));
		wait_out(set(Some(HaircutCurve { liquidity_depth: CAP / 2, ..up })));
		assert_noop!(
			propose(set(Some(HaircutCurve { liquidity_depth: CAP / 4, ..up }))),
			Error::<Test>::StepTooLarge
		);
	});
}

#[test]
fn removing_a_curve_moves_one_step_and_re_adding_it_skips_none() {
	ExtBuilder::default().build_and_execute(|| {
		wait_out(set(Some(first_curve())));
		run_to_block(System::block_number() + TIMELOCK);
		let up = HaircutCurve { size_factor: pct(20), ..first_curve() };
		wait_out(set(Some(up)));
		run_to_block(System::block_number() + TIMELOCK);
		// A 20% size factor cannot drop to none in one change…
		assert_noop!(propose(set(None)), Error::<Test>::StepTooLarge);
		// …only from within a step of zero, and removing waits out the timelock too.
		wait_out(set(Some(first_curve())));
		run_to_block(System::block_number() + TIMELOCK);
		wait_out(set(Some(HaircutCurve { liquidity_depth: CAP / 2, ..first_curve() })));
		wait_out(set(None));
		assert_eq!(Curves::get(USDC), None);
		// Re-added, it starts again from the neutral curve at the deposit cap: no deeper cut
		// than a first curve may make.
		assert_noop!(
			propose(set(Some(HaircutCurve { liquidity_depth: CAP / 4, ..first_curve() }))),
			Error::<Test>::StepTooLarge
		);
	});
}
