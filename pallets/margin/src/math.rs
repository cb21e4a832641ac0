//! Pure margin math: values, requirements, funding and cost basis. Takes values, not
//! storage, so it is property-tested natively. Every rounding favours the protocol: what a
//! trader owns rounds down, what it owes or must hold rounds up.

use clearing_primitives::{notional, Balance, Price, SignedBalance};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{CheckedAdd, CheckedDiv, CheckedMul, CheckedSub, Saturating, Zero},
	FixedI128, FixedPointNumber, Permill, Rounding,
};

/// A fraction as a signed fixed-point number.
fn fraction(p: Permill) -> FixedI128 {
	FixedI128::saturating_from_rational(p.deconstruct(), 1_000_000u32)
}

pub use clearing_primitives::units::Overflow;

fn signed(amount: Balance) -> Result<SignedBalance, Overflow> {
	SignedBalance::try_from(amount).map_err(|_| Overflow)
}

/// |size| × price in settlement units.
fn size_notional(
	size: SignedBalance,
	decimals: u8,
	price: Price,
	rounding: Rounding,
) -> Result<Balance, Overflow> {
	notional(size.unsigned_abs(), decimals, price, rounding).map_err(|_| Overflow)
}

/// The initial margin fraction at open interest `oi`: `base` up to `lower`, rising linearly
/// to 100% at `upper` (rounded up).
pub fn initial_fraction(base: Permill, oi: Balance, lower: Balance, upper: Balance) -> Permill {
	if oi <= lower {
		return base;
	}
	if oi >= upper || upper <= lower {
		return Permill::one();
	}
	let room = Permill::one().deconstruct().saturating_sub(base.deconstruct());
	// oi − lower < upper − lower here, so the extra is below `room`.
	let extra = multiply_by_rational_with_rounding(
		u128::from(room),
		oi.saturating_sub(lower),
		upper.saturating_sub(lower),
		Rounding::Up,
	)
	.and_then(|extra| u32::try_from(extra).ok())
	.unwrap_or(room);
	Permill::from_parts(base.deconstruct().saturating_add(extra))
}

/// The least initial fraction leverage `x` allows: 1/x, rounded up (so the requirement it
/// sets is never below 1/x of the notional); `None` for a leverage of zero.
pub fn leverage_fraction(leverage: u8) -> Option<Permill> {
	if leverage == 0 {
		return None;
	}
	<Permill as sp_runtime::PerThing>::from_rational_with_rounding(1u32, u32::from(leverage), Rounding::Up).ok()
}

/// What a position is worth at `mark`: a long's value rounds down, a short's liability up.
pub fn position_value(
	size: SignedBalance,
	decimals: u8,
	mark: Price,
) -> Result<SignedBalance, Overflow> {
	clearing_primitives::units::position_value(size, decimals, mark).map_err(|_| Overflow)
}

/// The margin `fraction` of a position's notional at `mark`, rounded up.
pub fn requirement(
	size: SignedBalance,
	decimals: u8,
	mark: Price,
	fraction: Permill,
) -> Result<Balance, Overflow> {
	Ok(fraction.mul_ceil(size_notional(size, decimals, mark, Rounding::Up)?))
}

/// Funding due to a position of `size` as the index moved from `then` to `now`: positive
/// when it receives (rounded down), negative when it pays (rounded up). A long pays the
/// index's growth.
pub fn funding_payment(
	size: SignedBalance,
	decimals: u8,
	then: FixedI128,
	now: FixedI128,
) -> Result<SignedBalance, Overflow> {
	let delta = now.checked_sub(&then).ok_or(Overflow)?;
	if delta.is_zero() || size == 0 {
		return Ok(0);
	}
	let pays = (size > 0) == delta.is_positive();
	let per_unit = Price::from_inner(delta.into_inner().unsigned_abs());
	let rounding = if pays { Rounding::Up } else { Rounding::Down };
	let amount = signed(size_notional(size, decimals, per_unit, rounding)?)?;
	if pays {
		amount.checked_neg().ok_or(Overflow)
	} else {
		Ok(amount)
	}
}

/// The funding rate for an interval: mean premium plus interest, clamped to ±`cap`.
pub fn funding_rate(mean_premium: FixedI128, interest: Permill, cap: Permill) -> FixedI128 {
	let interest = fraction(interest);
	let cap = fraction(cap);
	let rate = mean_premium.saturating_add(interest);
	rate.max(cap.saturating_mul(FixedI128::from_inner(-FixedI128::DIV))).min(cap)
}

/// One premium sample: (book mid − index) ÷ index.
pub fn premium(mid: Price, index: Price) -> Option<FixedI128> {
	if index.is_zero() {
		return None;
	}
	let mid = i128::try_from(mid.into_inner()).ok()?;
	let index_inner = i128::try_from(index.into_inner()).ok()?;
	FixedI128::checked_from_rational(mid.checked_sub(index_inner)?, index_inner)
}

/// How far the funding index moves in an interval: rate × index price (USD per whole unit).
pub fn index_step(rate: FixedI128, index: Price) -> Option<FixedI128> {
	let index = FixedI128::from_inner(i128::try_from(index.into_inner()).ok()?);
	rate.checked_mul(&index)
}

/// The cost basis after a fill of signed `delta` (positive buys) for `cash` (what the
/// holder paid, negative when it received). Adding to a position adds the cash; reducing it
/// keeps the cost of what stays (proportionally); flipping it keeps the cost of the new side.
pub fn cost_after_fill(
	size: SignedBalance,
	cost: SignedBalance,
	delta: SignedBalance,
	cash: SignedBalance,
) -> Result<SignedBalance, Overflow> {
	let new_size = size.checked_add(delta).ok_or(Overflow)?;
	if size == 0 || (size > 0) == (delta > 0) {
		return cost.checked_add(cash).ok_or(Overflow);
	}
	if new_size == 0 {
		return Ok(0);
	}
	if (new_size > 0) == (size > 0) {
		// Reduced: the cost of what stays, cost × new / old (same signs, exact ratio < 1).
		return scale(cost, new_size.unsigned_abs(), size.unsigned_abs());
	}
	// Flipped: the part of this fill's cash that opened the new side.
	scale(cash, new_size.unsigned_abs(), delta.unsigned_abs())
}

/// `value × numerator ÷ denominator` (numerator ≤ denominator), rounded towards zero.
fn scale(value: SignedBalance, numerator: Balance, denominator: Balance) -> Result<SignedBalance, Overflow> {
	let magnitude =
		multiply_by_rational_with_rounding(value.unsigned_abs(), numerator, denominator, Rounding::Down)
			.ok_or(Overflow)?;
	let magnitude = signed(magnitude)?;
	Ok(if value < 0 { magnitude.checked_neg().ok_or(Overflow)? } else { magnitude })
}

/// The mark at which a subaccount's equity would meet its maintenance requirement, all
/// other prices fixed: `mark + (M − E) ÷ (size − |size| × mmf)` with sizes in whole units.
/// `None` for no position, or if no positive price gets there.
pub fn liquidation_price(
	equity: SignedBalance,
	maintenance: Balance,
	size: SignedBalance,
	decimals: u8,
	mmf: Permill,
	mark: Price,
) -> Option<Price> {
	if size == 0 {
		return None;
	}
	let unit = FixedI128::saturating_from_integer(10i128.checked_pow(u32::from(decimals))?);
	let whole = FixedI128::checked_from_rational(size, 1)?.checked_div(&unit)?;
	let keep = fraction(Permill::one().saturating_sub(mmf));
	let abs_whole = FixedI128::from_inner(whole.into_inner().checked_abs()?);
	// size − |size| × mmf = size × (1 − mmf) for a long, size × (1 + mmf) for a short.
	let slope = if size > 0 {
		whole.checked_mul(&keep)?
	} else {
		whole.checked_sub(&abs_whole.checked_mul(&fraction(mmf))?)?
	};
	let shortfall = signed(maintenance).ok()?.checked_sub(equity)?;
	let shortfall_usd = FixedI128::checked_from_rational(shortfall, 1_000_000)?;
	let mark = FixedI128::from_inner(i128::try_from(mark.into_inner()).ok()?);
	let price = mark.checked_add(&shortfall_usd.checked_div(&slope)?)?;
	if price.is_positive() {
		Some(Price::from_inner(price.into_inner().unsigned_abs()))
	} else {
		None
	}
}

/// Whether a position of `held` takes on risk from a fill of signed `delta`: it grows, or
/// flips to the other side.
pub fn risk_grows(held: SignedBalance, delta: SignedBalance) -> bool {
	let Some(new) = held.checked_add(delta) else { return true };
	let flipped = held != 0 && new != 0 && (new > 0) != (held > 0);
	new.unsigned_abs() > held.unsigned_abs() || flipped
}

/// Whether a subaccount that went from `before` to `after` (equity, maintenance requirement)
/// without taking on risk is acceptable: never with negative equity; at or above its
/// maintenance requirement, always; below it, only if its equity per unit of requirement did
/// not fall (rounded against the subaccount).
pub fn no_worse(before: (SignedBalance, Balance), after: (SignedBalance, Balance)) -> bool {
	let (equity_before, required_before) = before;
	let (equity_after, required_after) = after;
	if equity_after < 0 {
		return false;
	}
	let Ok(signed_after) = SignedBalance::try_from(required_after) else { return false };
	if equity_after >= signed_after {
		return true;
	}
	// Below maintenance now (so `required_after` > 0). Was it healthier before?
	if equity_before < 0 {
		return true;
	}
	// equity_after / required_after ≥ equity_before / required_before, i.e.
	// equity_after × required_before / required_after ≥ equity_before (rounded down).
	match multiply_by_rational_with_rounding(
		equity_after.unsigned_abs(),
		required_before,
		required_after,
		Rounding::Down,
	) {
		Some(scaled) => scaled >= equity_before.unsigned_abs(),
		// Beyond a u128: far above any equity.
		None => required_before > 0,
	}
}

pub use clearing_primitives::margin::{on_step, on_tick};

#[cfg(test)]
mod tests {
	use super::*;

	const BTC: u8 = 8;
	const ONE_BTC: i128 = 100_000_000;
	fn usd(whole: u128) -> Price {
		Price::saturating_from_integer(whole)
	}

	#[test]
	fn the_initial_fraction_rises_linearly_between_the_bounds() {
		let base = Permill::from_percent(5);
		assert_eq!(initial_fraction(base, 100, 100, 200), base);
		assert_eq!(initial_fraction(base, 150, 100, 200), Permill::from_parts(525_000));
		assert_eq!(initial_fraction(base, 200, 100, 200), Permill::one());
		assert_eq!(initial_fraction(base, 10_000, 100, 200), Permill::one());
	}

	#[test]
	fn one_btc_long_at_sixty_thousand() {
		assert_eq!(position_value(ONE_BTC, BTC, usd(60_000)), Ok(60_000_000_000));
		assert_eq!(position_value(-ONE_BTC, BTC, usd(60_000)), Ok(-60_000_000_000));
		assert_eq!(requirement(ONE_BTC, BTC, usd(60_000), Permill::from_percent(5)), Ok(3_000_000_000));
	}

	#[test]
	fn a_long_pays_a_rising_index_and_a_short_receives_it() {
		let then = FixedI128::zero();
		let now = FixedI128::saturating_from_integer(6); // $6 per BTC
		assert_eq!(funding_payment(ONE_BTC, BTC, then, now), Ok(-6_000_000));
		assert_eq!(funding_payment(-ONE_BTC, BTC, then, now), Ok(6_000_000));
		// One satoshi owes 0.00006 USDC units: the payer rounds up, the receiver down.
		assert_eq!(funding_payment(1, BTC, then, now), Ok(-1));
		assert_eq!(funding_payment(-1, BTC, then, now), Ok(0));
	}

	#[test]
	fn the_funding_rate_is_clamped_to_the_cap() {
		let cap = Permill::from_percent(1);
		let big = FixedI128::saturating_from_rational(5, 100);
		assert_eq!(funding_rate(big, Permill::zero(), cap), FixedI128::saturating_from_rational(1, 100));
		assert_eq!(funding_rate(-big, Permill::zero(), cap), FixedI128::saturating_from_rational(-1, 100));
		let small = FixedI128::saturating_from_rational(1, 1_000);
		assert_eq!(
			funding_rate(small, Permill::from_parts(10), cap),
			FixedI128::saturating_from_rational(1_010, 1_000_000)
		);
	}

	#[test]
	fn cost_basis_follows_adds_reductions_and_flips() {
		// Buy 2 for 120,000; sell 1: half the cost stays; sell 3: short 2 for the new cash.
		let cost = cost_after_fill(0, 0, 2, 120_000).unwrap();
		assert_eq!(cost, 120_000);
		let cost = cost_after_fill(2, cost, -1, -61_000).unwrap();
		assert_eq!(cost, 60_000);
		assert_eq!(cost_after_fill(1, cost, -3, -180_000), Ok(-120_000));
		assert_eq!(cost_after_fill(1, cost, -1, -70_000), Ok(0));
	}

	#[test]
	fn a_long_is_liquidated_below_its_mark() {
		// 1 BTC long at $60,000, equity $6,000, maintenance 3% ($1,800).
		let price = liquidation_price(
			6_000_000_000,
			1_800_000_000,
			ONE_BTC,
			BTC,
			Permill::from_percent(3),
			usd(60_000),
		)
		.unwrap();
		// 60,000 − 4,200 / 0.97 = 55,670.10…
		assert!(price > usd(55_670) && price < usd(55_671), "{price:?}");
		assert_eq!(liquidation_price(1, 0, 0, BTC, Permill::zero(), usd(1)), None);
	}

	#[test]
	fn ticks_and_steps() {
		assert!(on_tick(usd(60_001), usd(1)));
		assert!(!on_tick(Price::saturating_from_rational(1, 2), usd(1)));
		assert!(on_step(2_000, 1_000) && !on_step(1_500, 1_000) && !on_step(0, 1_000));
	}
}
