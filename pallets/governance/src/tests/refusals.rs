//! Named errors: nothing crosses a bound, oversteps, or changes anything when refused.

use crate::{mock::*, Error, Pending, RiskChange};
use clearing_primitives::margin::MarketStatus;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};

#[test]
fn only_the_council_proposes() {
	ExtBuilder::default().build_and_execute(|| {
		let change = RiskChange::SetMarketStatus { market: BTC_USD, status: MarketStatus::Halted };
		assert_noop!(Governance::propose(RuntimeOrigin::signed(MALLORY), change.clone()), DispatchError::BadOrigin);
		assert_noop!(Governance::propose(RuntimeOrigin::signed(GUARDIAN), change), DispatchError::BadOrigin);
	});
}

#[test]
fn values_beyond_the_hard_bounds_are_refused_on_either_path() {
	ExtBuilder::default().build_and_execute(|| {
		let margin = |initial, maintenance| RiskChange::SetMarketMargin { market: BTC_USD, initial, maintenance };
		// Below 1% initial; maintenance not below initial; below 0.5% maintenance.
		assert_noop!(propose(margin(Permill::from_parts(9_000), pct(0))), Error::<Test>::OutOfBounds);
		assert_noop!(propose(margin(pct(5), pct(5))), Error::<Test>::OutOfBounds);
		assert_noop!(propose(margin(pct(6), Permill::from_parts(4_000))), Error::<Test>::OutOfBounds);
		assert_noop!(
			propose(RiskChange::SetHaircut { asset: USDC, haircut: pct(96) }),
			Error::<Test>::OutOfBounds
		);
		assert_noop!(
			propose(RiskChange::SetOpenInterestCap { market: BTC_USD, max_open_interest: 0 }),
			Error::<Test>::OutOfBounds
		);
		assert_noop!(
			propose(RiskChange::SetOracleLimits { min_feeders: 0, max_age_ms: 60_000, max_jump: pct(10) }),
			Error::<Test>::OutOfBounds
		);
		assert_noop!(propose(RiskChange::SetUnstakeCooldown { blocks: 9 }), Error::<Test>::OutOfBounds);
		assert_noop!(
			propose(RiskChange::SetLiquidationPenalty { rate: pct(10) }),
			Error::<Test>::OutOfBounds
		);
		assert_noop!(
			propose(RiskChange::ListMarket { market: 5, listing: (pct(1), pct(1)) }),
			Error::<Test>::OutOfBounds
		);
		assert_noop!(
			propose(RiskChange::ListCollateral { asset: 9, listing: Permill::one() }),
			Error::<Test>::OutOfBounds
		);
	});
}

#[test]
fn a_step_beyond_the_limit_is_refused_even_when_it_reduces_risk() {
	ExtBuilder::default().build_and_execute(|| {
		// 5% → 16% initial: 11 points in one change.
		assert_noop!(
			propose(RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(16), maintenance: pct(4) }),
			Error::<Test>::StepTooLarge
		);
		// A cap cut to below half, or raised to more than double.
		assert_noop!(
			propose(RiskChange::SetOpenInterestCap { market: BTC_USD, max_open_interest: 499_999 }),
			Error::<Test>::StepTooLarge
		);
		assert_noop!(
			propose(RiskChange::SetDepositCap { asset: USDC, deposit_cap: 2_000_001 }),
			Error::<Test>::StepTooLarge
		);
		assert_noop!(
			propose(RiskChange::SetHaircut { asset: USDC, haircut: pct(11) }),
			Error::<Test>::StepTooLarge
		);
		// 1.5% → 3%: more than a point.
		assert_noop!(
			propose(RiskChange::SetLiquidationPenalty { rate: pct(3) }),
			Error::<Test>::StepTooLarge
		);
	});
}

#[test]
fn unknown_targets_and_non_changes_are_named() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			propose(RiskChange::SetMarketStatus { market: 9, status: MarketStatus::Halted }),
			Error::<Test>::MarketNotFound
		);
		assert_noop!(
			propose(RiskChange::SetHaircut { asset: 9, haircut: pct(1) }),
			Error::<Test>::NotCollateral
		);
		assert_noop!(
			propose(RiskChange::SetMarketStatus { market: BTC_USD, status: MarketStatus::Active }),
			Error::<Test>::NoChange
		);
		assert_noop!(propose(RiskChange::AddFeeder { feeder: 7 }), Error::<Test>::AlreadyFeeder);
		assert_noop!(propose(RiskChange::RemoveFeeder { feeder: 8 }), Error::<Test>::NotFeeder);
	});
}

#[test]
fn a_scheduled_change_the_pallet_would_refuse_is_refused_when_proposed() {
	ExtBuilder::default().build_and_execute(|| {
		// The market id is in use: the dry run fails now, not after the timelock.
		assert_noop!(
			propose(RiskChange::ListMarket { market: BTC_USD, listing: (pct(10), pct(5)) }),
			DispatchError::Other("market exists")
		);
		assert_eq!(Pending::<Test>::count(), 0);
	});
}

#[test]
fn the_queue_and_each_block_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		for feeder in 0..u64::from(MAX_PER_BLOCK) {
			assert_ok!(propose(RiskChange::AddFeeder { feeder: 100 + feeder }));
		}
		assert_noop!(propose(RiskChange::AddFeeder { feeder: 99 }), Error::<Test>::AgendaFull);
		for feeder in u64::from(MAX_PER_BLOCK)..u64::from(MAX_PENDING) {
			run_to_block(System::block_number() + 1);
			assert_ok!(propose(RiskChange::AddFeeder { feeder: 100 + feeder }));
		}
		run_to_block(System::block_number() + 1);
		assert_noop!(propose(RiskChange::AddFeeder { feeder: 99 }), Error::<Test>::TooManyPending);
	});
}

/// Attack 17 (governance), tried here: chained risk-reducing motions in one block walking a
/// margin fraction up step by step, and re-listing a listed collateral to skip the haircut's
/// step. Within a timelock window each parameter moves at most one step from where the window
/// opened, whatever path the changes take.
#[test]
fn chained_changes_within_a_timelock_move_a_parameter_at_most_one_step_in_all() {
	use crate::{ParameterKey, StepAnchors};
	ExtBuilder::default().build_and_execute(|| {
		// BTC-USD starts at 5% / 3%: up to 15% / 13% is one step of ten points.
		assert_ok!(propose(RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(15), maintenance: pct(10) }));
		// The next motion, in the same block, would take it to 25%: two steps from 5%.
		assert_noop!(
			propose(RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(25), maintenance: pct(10) }),
			Error::<Test>::StepTooLarge
		);
		assert_eq!(StepAnchors::<Test>::get(ParameterKey::InitialMargin(BTC_USD)), Some((50_000, 1)));
		// A small change just before the window would close keeps it open a timelock more:
		// the value a window opened at is not left behind by waiting for its edge.
		run_to_block(TIMELOCK);
		assert_ok!(propose(RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(15), maintenance: pct(11) }));
		run_to_block(1 + TIMELOCK);
		assert_noop!(
			propose(RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(25), maintenance: pct(11) }),
			Error::<Test>::StepTooLarge
		);
		// A timelock after the last change, a new window opens at the value then.
		run_to_block(2 * TIMELOCK);
		assert_ok!(propose(RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(25), maintenance: pct(11) }));
		assert_eq!(StepAnchors::<Test>::get(ParameterKey::InitialMargin(BTC_USD)), Some((150_000, 2 * TIMELOCK)));
	});
}

#[test]
fn relisting_a_listed_collateral_is_held_to_the_haircut_and_cap_steps() {
	ExtBuilder::default().build_and_execute(|| {
		// USDC is listed at a 0% haircut: a new listing at 50% would skip ten-point steps.
		assert_noop!(
			propose(RiskChange::ListCollateral { asset: USDC, listing: pct(50) }),
			Error::<Test>::StepTooLarge
		);
		// Within a step it is scheduled like any listing.
		assert_ok!(propose(RiskChange::ListCollateral { asset: USDC, listing: pct(5) }));
		assert_eq!(crate::Pending::<Test>::count(), 1);
	});
}
