use crate::{mock::*, Error, Event, FundBalance, ProtocolShares, Shares, TotalShares};
use clearing_primitives::insurance::InsuranceFund;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::FixedU128;

type Fund = Insurance;

#[test]
fn revenue_moves_tokens_in_and_raises_the_balance() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(<Fund as InsuranceFund<_>>::receive_revenue(&sub(MARKET), 25 * USDC_UNIT));
		assert_eq!(FundBalance::<Test>::get(), 25 * USDC_UNIT);
		assert_eq!(balance(MARKET), 999_975 * USDC_UNIT);
		assert_eq!(insurance_events(), vec![Event::RevenueDeposited { from: sub(MARKET), amount: 25 * USDC_UNIT }]);
	});
}

#[test]
fn revenue_that_arrived_before_any_staker_is_the_protocols() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(<Fund as InsuranceFund<_>>::receive_revenue(&sub(MARKET), 100 * USDC_UNIT));
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 100 * USDC_UNIT));
		assert_eq!(ProtocolShares::<Test>::get(), 100 * USDC_UNIT);
		assert_eq!(Shares::<Test>::get(ALICE), Some(100 * USDC_UNIT));
		// Alice's shares are worth what she put in, not half the revenue too.
		assert_eq!(Insurance::staker_info(ALICE).value, 100 * USDC_UNIT);
	});
}

#[test]
fn cover_pays_up_to_what_the_fund_holds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 300 * USDC_UNIT));
		assert_eq!(<Fund as InsuranceFund<_>>::cover(&MARKET, 100 * USDC_UNIT), Ok(100 * USDC_UNIT));
		assert_eq!(<Fund as InsuranceFund<_>>::cover(&MARKET, 1_000 * USDC_UNIT), Ok(200 * USDC_UNIT));
		assert_eq!(<Fund as InsuranceFund<_>>::cover(&MARKET, 1), Ok(0));
		assert_eq!(FundBalance::<Test>::get(), 0);
		// The reserve stays: the account is never reaped.
		assert_eq!(balance(fund()), USDC_MIN);
		assert_eq!(
			insurance_events().last(),
			Some(&Event::LossCovered { to: MARKET, requested: 1_000 * USDC_UNIT, paid: 200 * USDC_UNIT })
		);
	});
}

#[test]
fn a_depleted_fund_refuses_stakes_until_revenue_arrives() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 300 * USDC_UNIT));
		assert_ok!(<Fund as InsuranceFund<_>>::cover(&MARKET, 300 * USDC_UNIT));
		assert_noop!(Insurance::stake(RuntimeOrigin::signed(BOB), 100 * USDC_UNIT), Error::<Test>::FundDepleted);
		assert_ok!(<Fund as InsuranceFund<_>>::receive_revenue(&sub(MARKET), 30 * USDC_UNIT));
		// Price 0.1: 100 buys 1,000 shares.
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(BOB), 100 * USDC_UNIT));
		assert_eq!(Shares::<Test>::get(BOB), Some(1_000 * USDC_UNIT));
	});
}

#[test]
fn failed_revenue_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(<Fund as InsuranceFund<_>>::receive_revenue(&sub(ISSUER), USDC_UNIT).is_err());
		assert_eq!(FundBalance::<Test>::get(), 0);
		assert!(insurance_events().is_empty());
	});
}

#[test]
fn the_fund_report_adds_up() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 200 * USDC_UNIT));
		assert_ok!(<Fund as InsuranceFund<_>>::receive_revenue(&sub(MARKET), 100 * USDC_UNIT));
		assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(ALICE), 50 * USDC_UNIT));
		let info = Insurance::fund_info();
		assert_eq!(info.balance, 300 * USDC_UNIT);
		assert_eq!(info.total_shares, TotalShares::<Test>::get());
		assert_eq!(info.share_price, FixedU128::from_rational(3, 2));
		assert_eq!((info.pending_unstakes, info.pending_shares), (1, 50 * USDC_UNIT));
		assert_eq!(info.cooldown_blocks, COOLDOWN as u32);
	});
}

#[test]
fn tokens_sent_straight_to_the_fund_account_do_not_move_the_share_price() {
	// Not `build_and_execute`: the donation makes the account hold more than the fund, which
	// is allowed (try_state checks the fund is covered, not that nothing else arrived).
	ExtBuilder::default().build().execute_with(|| {
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), 100 * USDC_UNIT));
		mint(fund(), 1_000_000 * USDC_UNIT);
		assert_eq!(Insurance::fund_info().share_price, FixedU128::from_u32(1));
		assert_ok!(Insurance::stake(RuntimeOrigin::signed(BOB), 100 * USDC_UNIT));
		assert_eq!(Shares::<Test>::get(BOB), Some(100 * USDC_UNIT));
		Insurance::do_try_state().expect("the fund is still covered");
	});
}
