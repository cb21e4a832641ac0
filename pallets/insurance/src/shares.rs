//! Pure share math of the fund. Every rounding favours the fund: shares minted round down,
//! payouts round down. Takes values, not storage, so it is property-tested natively.

use clearing_primitives::Balance;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding, FixedPointNumber, FixedU128, Rounding,
};

/// Shares minted for depositing `amount` into a fund of `fund` value and `total_shares`
/// shares: `amount × total_shares / fund`, rounded down. With no shares yet a share is worth
/// one unit. `None` when shares exist but the fund is worth nothing (a depleted fund prices
/// no new stake), or on overflow.
pub fn shares_for_deposit(amount: Balance, fund: Balance, total_shares: Balance) -> Option<Balance> {
	if total_shares == 0 {
		return Some(amount);
	}
	if fund == 0 {
		return None;
	}
	multiply_by_rational_with_rounding(amount, total_shares, fund, Rounding::Down)
}

/// What `shares` are worth out of a fund of `fund` value and `total_shares` shares,
/// rounded down. Zero when there are no shares.
pub fn value_of_shares(shares: Balance, fund: Balance, total_shares: Balance) -> Balance {
	if total_shares == 0 {
		return 0;
	}
	// shares ≤ total_shares, so the result ≤ fund and never overflows.
	multiply_by_rational_with_rounding(shares, fund, total_shares, Rounding::Down).unwrap_or(0)
}

/// What the fund is worth: its `balance` plus the backstop's `equity` (negative: a loss),
/// never below zero.
pub fn fund_value(balance: Balance, equity: clearing_primitives::SignedBalance) -> Balance {
	if equity >= 0 {
		balance.saturating_add(equity.unsigned_abs())
	} else {
		balance.saturating_sub(equity.unsigned_abs())
	}
}

/// Fund value per share (1 while there are no shares).
pub fn share_price(fund: Balance, total_shares: Balance) -> FixedU128 {
	if total_shares == 0 {
		return FixedU128::from_u32(1);
	}
	FixedU128::checked_from_rational(fund, total_shares).unwrap_or(FixedU128::from_inner(u128::MAX))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_first_stake_mints_one_share_per_unit() {
		assert_eq!(shares_for_deposit(500, 0, 0), Some(500));
		assert_eq!(share_price(0, 0), FixedU128::from_u32(1));
	}

	#[test]
	fn revenue_raises_the_price_of_later_shares() {
		// 1,000 shares, fund grew to 1,500: 300 buys 200 shares, 100 shares pay 150.
		assert_eq!(shares_for_deposit(300, 1_500, 1_000), Some(200));
		assert_eq!(value_of_shares(100, 1_500, 1_000), 150);
		assert_eq!(share_price(1_500, 1_000), FixedU128::from_rational(3, 2));
	}

	#[test]
	fn rounding_favours_the_fund() {
		// 3 shares, fund 10: 1 unit buys 0.3 share → 0; 1 share pays 3.33 → 3.
		assert_eq!(shares_for_deposit(1, 10, 3), Some(0));
		assert_eq!(value_of_shares(1, 10, 3), 3);
	}

	#[test]
	fn a_depleted_fund_prices_no_stake() {
		assert_eq!(shares_for_deposit(100, 0, 1_000), None);
		assert_eq!(value_of_shares(1_000, 0, 1_000), 0);
	}
}
