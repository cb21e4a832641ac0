//! Size × price → notional, with the rounding direction chosen by the caller, so that every
//! pallet rounds in the protocol's favour (requirements up, payouts down).

use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding, traits::Zero, FixedPointNumber,
	FixedU128, Rounding,
};

/// USD per whole unit of an asset.
pub type Price = FixedU128;

/// Decimals of the settlement asset in which notionals are expressed.
pub const SETTLEMENT_DECIMALS: u8 = 6;

/// Largest base-asset decimals the conversion supports (10^(12+24) still fits a `u128`).
pub const MAX_BASE_DECIMALS: u8 = 24;

// `notional` assumes the price's inner value is the price × 10^18.
const _: () = assert!(<Price as FixedPointNumber>::DIV == 1_000_000_000_000_000_000);

/// A pure computation's result does not fit its type; to a dispatch, an arithmetic overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow;

impl From<Overflow> for sp_runtime::DispatchError {
	fn from(_: Overflow) -> Self {
		sp_runtime::ArithmeticError::Overflow.into()
	}
}

/// Why a notional could not be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotionalError {
	/// The base asset declares more than [`MAX_BASE_DECIMALS`] decimals.
	UnsupportedDecimals,
	/// The result does not fit a `u128`.
	Overflow,
}

/// Converts `size` (base asset's smallest units, with `base_decimals`) at `price` (USD per
/// whole unit) into settlement-asset units, rounding as `rounding` says.
///
/// `notional = size × price × 10^SETTLEMENT_DECIMALS / 10^base_decimals`, computed exactly in
/// 256-bit intermediate precision before the single rounding step.
pub fn notional(
	size: u128,
	base_decimals: u8,
	price: Price,
	rounding: Rounding,
) -> Result<u128, NotionalError> {
	if base_decimals > MAX_BASE_DECIMALS {
		return Err(NotionalError::UnsupportedDecimals);
	}
	if size.is_zero() || price.is_zero() {
		return Ok(0);
	}
	// price.into_inner() = price × 10^18, so divide by 10^(18 − 6 + base_decimals).
	let scale_exponent = u32::from(base_decimals).saturating_add(12);
	let denominator = 10u128.checked_pow(scale_exponent).ok_or(NotionalError::Overflow)?;
	multiply_by_rational_with_rounding(size, price.into_inner(), denominator, rounding)
		.ok_or(NotionalError::Overflow)
}

/// What a position of signed `size` is worth at `mark`, settlement units: a long's value
/// rounds down, a short's liability up (both against the holder).
pub fn position_value(size: i128, base_decimals: u8, mark: Price) -> Result<i128, NotionalError> {
	let magnitude = notional(size.unsigned_abs(), base_decimals, mark, if size >= 0 {
		Rounding::Down
	} else {
		Rounding::Up
	})?;
	let magnitude = i128::try_from(magnitude).map_err(|_| NotionalError::Overflow)?;
	if size >= 0 {
		Ok(magnitude)
	} else {
		magnitude.checked_neg().ok_or(NotionalError::Overflow)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn usd(whole: u128, cents: u128) -> Price {
		Price::from_inner(whole * 10u128.pow(18) + cents * 10u128.pow(16))
	}

	#[test]
	fn one_btc_at_sixty_thousand_dollars_is_sixty_billion_usdc_units() {
		let one_btc = 100_000_000; // 8 decimals
		assert_eq!(notional(one_btc, 8, usd(60_000, 0), Rounding::Down), Ok(60_000_000_000));
	}

	#[test]
	fn rounding_direction_is_the_callers() {
		// 1 satoshi at $60,000.01 = 0.0006000001 USD = 600.0001 USDC units.
		let price = usd(60_000, 1);
		assert_eq!(notional(1, 8, price, Rounding::Down), Ok(600));
		assert_eq!(notional(1, 8, price, Rounding::Up), Ok(601));
	}

	#[test]
	fn eighteen_decimal_assets_convert() {
		// 2.5 ETH at $3,000 = $7,500.
		let size = 25 * 10u128.pow(17);
		assert_eq!(notional(size, 18, usd(3_000, 0), Rounding::Down), Ok(7_500_000_000));
	}

	#[test]
	fn zero_size_or_price_is_zero_notional() {
		assert_eq!(notional(0, 8, usd(1, 0), Rounding::Up), Ok(0));
		assert_eq!(notional(5, 8, Price::zero(), Rounding::Up), Ok(0));
	}

	#[test]
	fn overflow_and_bad_decimals_are_named_errors() {
		assert_eq!(notional(u128::MAX, 0, Price::from_u32(u32::MAX), Rounding::Down),
			Err(NotionalError::Overflow));
		assert_eq!(notional(1, 25, usd(1, 0), Rounding::Down),
			Err(NotionalError::UnsupportedDecimals));
	}
}
