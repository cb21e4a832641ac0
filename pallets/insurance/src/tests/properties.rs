//! Property tests: the share math never pays out more than came in.

use crate::{mock::*, shares};
use frame_support::assert_ok;
use proptest::prelude::*;

proptest! {
	#[test]
	fn new_shares_are_never_worth_more_than_their_price(
		amount in 1u128..=10u128.pow(30),
		fund in 1u128..=10u128.pow(30),
		total in 1u128..=10u128.pow(30),
	) {
		if let Some(minted) = shares::shares_for_deposit(amount, fund, total) {
			let worth = shares::value_of_shares(minted, fund + amount, total + minted);
			prop_assert!(worth <= amount);
		}
	}

	#[test]
	fn all_shares_together_are_worth_at_most_the_fund(
		fund in 0u128..=10u128.pow(30), total in 1u128..=10u128.pow(30), part in 0u128..=100,
	) {
		let some = total * part / 100;
		let rest = total - some;
		prop_assert!(
			shares::value_of_shares(some, fund, total) + shares::value_of_shares(rest, fund, total) <= fund
		);
		prop_assert_eq!(shares::value_of_shares(total, fund, total), fund);
	}

	#[test]
	fn stake_then_unstake_returns_at_most_the_stake(
		first in USDC_UNIT..=1_000 * USDC_UNIT,
		revenue in 0u128..=1_000 * USDC_UNIT,
		second in USDC_UNIT..=1_000 * USDC_UNIT,
	) {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Insurance::stake(RuntimeOrigin::signed(ALICE), first));
			if revenue > 0 {
				assert_ok!(<Insurance as clearing_primitives::insurance::InsuranceFund<_>>::receive_revenue(&sub(MARKET), revenue));
			}
			let before = balance(BOB);
			assert_ok!(Insurance::stake(RuntimeOrigin::signed(BOB), second));
			let held = crate::Shares::<Test>::get(BOB).unwrap();
			assert_ok!(Insurance::request_unstake(RuntimeOrigin::signed(BOB), held));
			run_to_block(1 + COOLDOWN);
			assert_ok!(Insurance::unstake(RuntimeOrigin::signed(BOB)));
			assert!(balance(BOB) <= before);
			// And loses less than one share's worth to rounding.
			assert!(before - balance(BOB) <= 2 + (first + revenue) / first);
		});
	}
}
