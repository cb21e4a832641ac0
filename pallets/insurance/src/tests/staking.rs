use crate::{mock::*, CooldownBlocks, Error, Event, FundBalance, PendingUnstakes, Shares, TotalShares};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn genesis_funds_the_reserve_and_sets_the_cooldown() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(balance(fund()), USDC_MIN);
		assert_eq!(FundBalance::<Test>::get(), 0);
		assert_eq!(CooldownBlocks::<Test>::get(), COOLDOWN);
	});
}

#[test]
fn the_first_stake_mints_one_share_per_unit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 500 * USDC_UNIT));
		assert_eq!(Shares::<Test>::get(ALICE), Some(500 * USDC_UNIT));
		assert_eq!(TotalShares::<Test>::get(), 500 * USDC_UNIT);
		assert_eq!(FundBalance::<Test>::get(), 500 * USDC_UNIT);
		assert_eq!(balance(ALICE), 999_500 * USDC_UNIT);
		assert_eq!(
			insurance_events(),
			vec![Event::Staked { who: ALICE, amount: 500 * USDC_UNIT, shares: 500 * USDC_UNIT }]
		);
	});
}

#[test]
fn later_stakes_buy_at_the_share_price() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		// Revenue lifts the price to 1.5.
		assert_ok!(<Insurance as clearing_primitives::insurance::InsuranceFund<_>>::receive_revenue(&sub(MARKET),
			500 * USDC_UNIT
		));
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(BOB), 300 * USDC_UNIT));
		assert_eq!(Shares::<Test>::get(BOB), Some(200 * USDC_UNIT));
	});
}

#[test]
fn stakes_below_the_minimum_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Insurance::stake(RuntimeOrigin::signed(ALICE), USDC_UNIT - 1),
			Error::<Test>::StakeTooSmall
		);
		assert_noop!(Insurance::stake(RuntimeOrigin::root(), USDC_UNIT), DispatchError::BadOrigin);
	});
}

#[test]
fn unstake_before_the_cooldown_fails_and_after_it_pays() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 400 * USDC_UNIT));
		assert_eq!(PendingUnstakes::<Test>::get(ALICE).map(|r| r.unlock_at), Some(1 + COOLDOWN));
		run_to_block(COOLDOWN);
		assert_noop!(Insurance::unstake(RuntimeOrigin::signed(ALICE)), Error::<Test>::CooldownNotOver);
		run_to_block(1 + COOLDOWN);
		let before = balance(ALICE);
		assert_ok!(Insurance::unstake(RuntimeOrigin::signed(ALICE)));
		assert_eq!(balance(ALICE), before + 400 * USDC_UNIT);
		assert_eq!(Shares::<Test>::get(ALICE), Some(600 * USDC_UNIT));
		assert_eq!(
			insurance_events().last(),
			Some(&Event::Unstaked { who: ALICE, shares: 400 * USDC_UNIT, amount: 400 * USDC_UNIT })
		);
	});
}

#[test]
fn a_loss_during_the_cooldown_is_borne_by_the_leaving_staker() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(BOB), 1_000 * USDC_UNIT));
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		// Bad debt of 500 lands while Alice waits: she leaves with half of it.
		assert_eq!(
			<Insurance as clearing_primitives::insurance::InsuranceFund<_>>::cover(&MARKET, 500 * USDC_UNIT),
			Ok(500 * USDC_UNIT)
		);
		run_to_block(1 + COOLDOWN);
		let before = balance(ALICE);
		assert_ok!(Insurance::unstake(RuntimeOrigin::signed(ALICE)));
		assert_eq!(balance(ALICE), before + 750 * USDC_UNIT);
		assert_eq!(Shares::<Test>::get(ALICE), None);
		assert_eq!(FundBalance::<Test>::get(), 750 * USDC_UNIT);
	});
}

#[test]
fn requests_are_checked() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 100 * USDC_UNIT));
		assert_noop!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroShares);
		assert_noop!(
			Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 100 * USDC_UNIT + 1),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(Insurance::unstake(RuntimeOrigin::signed(ALICE)), Error::<Test>::NoUnstakeRequested);
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 10 * USDC_UNIT));
		assert_noop!(
			Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 10 * USDC_UNIT),
			Error::<Test>::UnstakeAlreadyRequested
		);
		assert_ok!(Insurance::cancel_unstake(RuntimeOrigin::signed(ALICE)));
		assert_noop!(
			Insurance::cancel_unstake(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NoUnstakeRequested
		);
		assert_eq!(Insurance::fund_info().pending_shares, 0);
	});
}

#[test]
fn root_sets_the_cooldown_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::set_cooldown(RuntimeOrigin::root(), 1_000));
		assert_eq!(CooldownBlocks::<Test>::get(), 1_000);
		assert_noop!(Insurance::set_cooldown(RuntimeOrigin::root(), 0), Error::<Test>::CooldownOutOfBounds);
		assert_noop!(Insurance::set_cooldown(RuntimeOrigin::root(), 1_001), Error::<Test>::CooldownOutOfBounds);
		assert_noop!(Insurance::set_cooldown(RuntimeOrigin::signed(ALICE), 10), DispatchError::BadOrigin);
	});
}

/// Attack 6 (exit ahead of a loss): a matured request held open as an option to leave in the
/// block a loss shows. It lapses after the claim window; a new request starts a new cooldown.
#[test]
fn a_matured_request_lapses_after_the_claim_window_and_a_new_one_waits_again() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 400 * USDC_UNIT));
		// Claimable through the last block of the window…
		run_to_block(1 + COOLDOWN + CLAIM_WINDOW + 1);
		assert_noop!(Insurance::unstake(RuntimeOrigin::signed(ALICE)), Error::<Test>::RequestLapsed);
		// …then only a new request, with a new cooldown, lets her leave.
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 300 * USDC_UNIT));
		assert_eq!(Insurance::fund_info().pending_shares, 300 * USDC_UNIT);
		assert_noop!(Insurance::unstake(RuntimeOrigin::signed(ALICE)), Error::<Test>::CooldownNotOver);
		let unlock = System::block_number() + COOLDOWN;
		run_to_block(unlock + CLAIM_WINDOW);
		assert_ok!(Insurance::unstake(RuntimeOrigin::signed(ALICE)));
		assert_eq!(Shares::<Test>::get(ALICE), Some(700 * USDC_UNIT));
	});
}

#[test]
fn a_live_request_is_not_replaced() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 400 * USDC_UNIT));
		run_to_block(1 + COOLDOWN + CLAIM_WINDOW);
		// Still inside the window: matured, not lapsed.
		assert_noop!(
			Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 10 * USDC_UNIT),
			Error::<Test>::UnstakeAlreadyRequested
		);
	});
}

/// Attack 5 (hide a loss) and 6 (exit ahead of it): while the backstop carries a loss at the
/// mark, a leaving staker takes its share of it, and a new staker buys at the lower value;
/// the backstop's unrealized gain is not paid out before it is realized.
#[test]
fn the_backstops_loss_at_the_mark_is_in_the_share_price_and_its_gain_waits_until_realized() {
	use crate::mock::BackstopEquityNow;
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 1_000 * USDC_UNIT));
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 500 * USDC_UNIT));
		// The backstop took a position that is now $400 under water.
		BackstopEquityNow::set(&-((400 * USDC_UNIT) as i128));
		let info = Insurance::fund_info();
		assert_eq!((info.balance, info.value), (1_000 * USDC_UNIT, 600 * USDC_UNIT));
		assert_eq!(info.share_price, sp_runtime::FixedU128::from_rational(6, 10));
		// Bob buys in at $0.60 a share: 300 for 500 shares.
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(BOB), 300 * USDC_UNIT));
		assert_eq!(Shares::<Test>::get(BOB), Some(500 * USDC_UNIT));
		// Alice leaves with half her shares at $0.60 each, not at par.
		run_to_block(1 + COOLDOWN);
		let before = balance(ALICE);
		assert_ok!(Insurance::unstake(RuntimeOrigin::signed(ALICE)));
		assert_eq!(balance(ALICE), before + 300 * USDC_UNIT);
		// A gain at the mark is not paid out: Bob's shares are worth the balance's share.
		BackstopEquityNow::set(&((10_000 * USDC_UNIT) as i128));
		let bob = Insurance::staker_info(BOB);
		assert_eq!(bob.value, 500 * USDC_UNIT * FundBalance::<Test>::get() / TotalShares::<Test>::get());
	});
}
