//! Property tests: the valuation math, and deposit-then-withdraw round trips.

use crate::{mock::*, valuation};
use clearing_primitives::{notional, Price};
use frame_support::assert_ok;
use proptest::prelude::*;
use sp_runtime::{Permill, Rounding};

proptest! {
	#[test]
	fn a_haircut_never_adds_value(value in any::<u128>(), parts in 0u32..=1_000_000) {
		let after = valuation::after_haircut(value, Permill::from_parts(parts));
		prop_assert!(after <= value);
		// And takes off no more than the haircut, rounded up.
		prop_assert!(after.saturating_add(Permill::from_parts(parts).mul_ceil(value)) >= value);
	}

	#[test]
	fn collateral_value_is_monotone_in_amount_and_below_the_notional(
		a in 0u128..=10u128.pow(24), b in 0u128..=10u128.pow(24),
		price in 1u128..=10u128.pow(24), decimals in 0u8..=18, parts in 0u32..1_000_000,
	) {
		let price = Price::from_inner(price);
		let haircut = Permill::from_parts(parts);
		let (low, high) = if a <= b { (a, b) } else { (b, a) };
		let v_low = valuation::collateral_value(low, decimals, price, haircut).unwrap();
		let v_high = valuation::collateral_value(high, decimals, price, haircut).unwrap();
		prop_assert!(v_low <= v_high);
		prop_assert!(v_high <= notional(high, decimals, price, Rounding::Down).unwrap());
	}

	#[test]
	fn deposit_then_withdraw_returns_exactly_what_was_put_in(
		amount in USDC_UNIT..=100_000 * USDC_UNIT, split in 0u128..=100, number in any::<u16>(),
	) {
		ExtBuilder::default().build_and_execute(|| {
			let start = balance(USDC, ALICE);
			assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), number, USDC, amount));
			// Out in two pieces, one of them possibly via another subaccount.
			let first = amount * split / 100;
			let second = amount - first;
			if first > 0 {
				let other = number.wrapping_add(1);
				assert_ok!(Vaults::transfer(RuntimeOrigin::signed(ALICE), number, other, USDC, first));
				assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), other, USDC, first));
			}
			if second > 0 {
				assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), number, USDC, second));
			}
			assert_eq!(balance(USDC, ALICE), start);
			assert_eq!(held(&sub(ALICE, number), USDC), 0);
		});
	}
}
