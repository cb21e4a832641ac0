//! Pure valuation math: what an amount of collateral counts for. Takes values, not storage,
//! so it is property-tested natively.

use clearing_primitives::{notional, Balance, NotionalError, Price};
use sp_runtime::{traits::Saturating, Permill, Rounding};

/// `value` less `haircut`, rounded down (in the protocol's favour).
pub fn after_haircut(value: Balance, haircut: Permill) -> Balance {
	Permill::one().saturating_sub(haircut).mul_floor(value)
}

/// The collateral value, in settlement units, of `amount` (smallest units of an asset with
/// `decimals`) at `price` (USD per whole unit) after `haircut`, rounded down.
pub fn collateral_value(
	amount: Balance,
	decimals: u8,
	price: Price,
	haircut: Permill,
) -> Result<Balance, NotionalError> {
	notional(amount, decimals, price, Rounding::Down).map(|value| after_haircut(value, haircut))
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::traits::One;

	#[test]
	fn ten_clr_at_two_dollars_with_a_twenty_percent_haircut_is_sixteen_dollars() {
		let ten_clr = 10 * 10u128.pow(12);
		let value = collateral_value(ten_clr, 12, Price::one().saturating_add(Price::one()), Permill::from_percent(20));
		assert_eq!(value, Ok(16_000_000));
	}

	#[test]
	fn haircut_rounds_down() {
		// 999_999 × 0.999999 = 999_998.000001 → 999_998.
		assert_eq!(after_haircut(999_999, Permill::from_parts(1)), 999_998);
		assert_eq!(after_haircut(1, Permill::from_parts(1)), 0);
		assert_eq!(after_haircut(1_000, Permill::zero()), 1_000);
	}
}
