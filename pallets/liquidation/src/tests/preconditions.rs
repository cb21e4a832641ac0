//! Who may be liquidated, and when: below maintenance, prices fresh long enough, never the
//! backstop; failures change nothing and name their reason.

use super::*;
use crate::{ClosedThisBlock, Error};
use frame_support::traits::Get;
use clearing_primitives::oracle::PriceStatus;
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_healthy_or_empty_subaccount_is_not_liquidatable() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		// $3,000 of equity against a $1,800 maintenance requirement.
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::NotLiquidatable);
		assert_noop!(liquidate(&sub(CAROL, 0)), Error::<Test>::NotLiquidatable);
		// At $58,200: equity $1,200 < $1,746 maintenance; at $59,000: $2,000 > $1,770.
		btc_at(58_200);
		assert!(liquidatable(&sub(ALICE, 0)));
		btc_at(59_000);
		assert!(!liquidatable(&sub(ALICE, 0)));
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::NotLiquidatable);
	});
}

#[test]
fn a_refused_liquidation_is_charged_its_check_not_a_whole_liquidation() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		let refused = Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), sub(ALICE, 0))
			.expect_err("Alice is healthy");
		assert_eq!(refused.error, Error::<Test>::NotLiquidatable.into());
		// The check read her one position; the call was declared at its worst.
		let check = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::authorize_liquidate(1);
		assert_eq!(refused.post_info.actual_weight, Some(check));
		assert!(check.ref_time() < Liquidation::liquidate_weight(0).ref_time());
	});
}

#[test]
fn the_protocols_own_subaccounts_are_never_liquidated() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(liquidate(&Liquidation::backstop()), Error::<Test>::ProtocolExempt);
		// The funding pool pays a receiver before the payers settle: it owes for a while by
		// design, and nobody may have the fund pay that (attack 3: farm the fund).
		let pool = pallet_margin::Pallet::<Test>::funding_pool();
		assert_ok!(<MockLedger as clearing_primitives::collateral::CollateralLedger<_>>::move_settlement(
			&pool,
			&sub(ALICE, 0),
			100 * USDC
		));
		assert!(liquidatable(&pool));
		assert_noop!(liquidate(&pool), Error::<Test>::ProtocolExempt);
		// So does the settlement pool, paying an expired option's holder before its writer
		// has paid in.
		let settlement = pallet_margin::Pallet::<Test>::settlement_pool();
		assert_ok!(<MockLedger as clearing_primitives::collateral::CollateralLedger<_>>::move_settlement(
			&settlement,
			&sub(ALICE, 0),
			100 * USDC
		));
		assert!(liquidatable(&settlement));
		assert_noop!(liquidate(&settlement), Error::<Test>::ProtocolExempt);
	});
}

#[test]
fn no_liquidation_on_a_stale_or_flagged_price_or_before_enough_fresh_aggregates() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		for (status, streak) in
			[(PriceStatus::Stale, 0), (PriceStatus::Flagged, 0), (PriceStatus::Fresh, 2)]
		{
			set_quote(BTC, usd(57_000), status, streak);
			assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::PriceNotReady);
		}
		// The third fresh aggregate after the recovery makes it ready.
		set_quote(BTC, usd(57_000), PriceStatus::Fresh, 3);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert_eq!(position(ALICE), 0);
	});
}

#[test]
fn a_used_up_block_cap_stops_a_solvent_liquidation_until_the_next_block() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		rest(Side::Buy, 58_200, ONE_BTC, sub(BOB, 0));
		btc_at(58_300);
		let cap = <<Test as crate::Config>::BlockNotionalCap as Get<u128>>::get();
		ClosedThisBlock::<Test>::put((1, cap));
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::LiquidationCapReached);
		System::set_block_number(2);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		assert!(!liquidatable(&sub(ALICE, 0)));
	});
}

#[test]
fn the_cap_limits_the_notional_closed_in_one_block() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice: 3 BTC long on $9,000; BTC at $58,500 wants 2.6 BTC closed, the cap
		// ($100,000) allows 1.709 BTC.
		open(ALICE, 9_000, Side::Buy, 3 * ONE_BTC, 60_000, sub(BOB, 0));
		rest(Side::Buy, 58_500, 5 * ONE_BTC, sub(BOB, 0));
		btc_at(58_500);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		let (_, used) = ClosedThisBlock::<Test>::get();
		let cap = <<Test as crate::Config>::BlockNotionalCap as Get<u128>>::get();
		assert!(used <= cap && used > cap - 60 * USDC, "used {used} of {cap}");
		assert_eq!(position(ALICE), (3 * ONE_BTC - 1_709 * STEP) as i128);
	});
}
