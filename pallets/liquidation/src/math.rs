//! Liquidation's pure arithmetic, checked throughout: how much to close, the bankruptcy
//! cash and price, the price bound in the book, the penalty, and the deleveraging rank.

use clearing_primitives::{Balance, Price, SignedBalance};
use sp_runtime::{
	traits::{CheckedAdd, CheckedMul, One, Saturating, Zero},
	FixedPointNumber, FixedU128, Permill, Rounding,
};

pub use clearing_primitives::units::Overflow;

/// The cash the receiver of a whole position worth `value` (signed, at the mark) pays the
/// liquidated subaccount so that its equity `equity` lands on exactly zero: value − equity
/// (negative: the liquidated side pays). The receiver's equity moves by `equity`: a loss
/// when the subaccount was bankrupt.
pub fn bankruptcy_cash(value: SignedBalance, equity: SignedBalance) -> Result<SignedBalance, Overflow> {
	value.checked_sub(equity).ok_or(Overflow)
}

/// The cash the receiver of a whole position worth `value` (signed, at the mark) pays when
/// it takes the position `penalty` below the mark: value − penalty (a long is sold for
/// less, a short bought back for more).
pub fn discounted_cash(value: SignedBalance, penalty: Balance) -> Result<SignedBalance, Overflow> {
	let penalty = SignedBalance::try_from(penalty).map_err(|_| Overflow)?;
	value.checked_sub(penalty).ok_or(Overflow)
}

/// The bankruptcy price: `cash` for `size` base units (`decimals`), in USD per whole unit.
/// `None` if the cash has the wrong sign for the side (no positive price gets there).
pub fn bankruptcy_price(cash: SignedBalance, size: SignedBalance, decimals: u8) -> Option<Price> {
	if size == 0 || (cash > 0) != (size > 0) || cash == 0 {
		return None;
	}
	let scale = 10u128.checked_pow(u32::from(decimals))?;
	let numerator = cash.unsigned_abs().checked_mul(scale)?;
	let denominator = size.unsigned_abs().checked_mul(1_000_000)?;
	FixedU128::checked_from_rational(numerator, denominator)
}

/// The base units to close (a multiple of `step`, at most `held`) so that a deficit of
/// `deficit` below maintenance is made good. The position carries `maintenance` in all;
/// each step closed frees its share of it and costs the penalty and at most the slippage
/// bound on `step_notional` (a step's notional at the mark). All of it if closing frees
/// nothing net (a long option, whose maintenance is none).
pub fn close_size(
	deficit: Balance,
	held: Balance,
	step: Balance,
	maintenance: Balance,
	step_notional: Balance,
	penalty: Permill,
	slippage: Permill,
) -> Result<Balance, Overflow> {
	if deficit == 0 || step == 0 || held == 0 {
		return Ok(held);
	}
	let step_maintenance = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		maintenance,
		step.min(held),
		held,
		Rounding::Down,
	)
	.ok_or(Overflow)?;
	let cost = penalty.saturating_add(slippage).mul_ceil(step_notional);
	let freed = step_maintenance.saturating_sub(cost);
	if freed == 0 {
		return Ok(held);
	}
	let steps = deficit.div_ceil(freed);
	Ok(steps.checked_mul(step).map_or(held, |size| size.min(held)))
}

/// The widest an option series' close band goes from its mark, whatever its vega: a close
/// never gives away more than half the premium.
pub const MAX_OPTION_BAND: Permill = Permill::from_percent(50);

/// How far from `mark` a close in the book may go, as a fraction of it: `slippage`, or for an
/// option series with `vega` (USD per 1.00 of volatility) its vega × `shift` where that is
/// wider, at most [`MAX_OPTION_BAND`] (and never below `slippage`).
pub fn close_band(mark: Price, vega: Option<Price>, shift: Permill, slippage: Permill) -> Permill {
	let Some(vega) = vega else { return slippage };
	if mark.is_zero() {
		return slippage.max(MAX_OPTION_BAND);
	}
	let moved = shift.mul_floor(vega.into_inner());
	// parts per million of the mark, rounded down
	let parts = moved
		.checked_mul(1_000_000)
		.and_then(|scaled| scaled.checked_div(mark.into_inner()))
		.unwrap_or(u128::MAX);
	let band = Permill::from_parts(u32::try_from(parts).unwrap_or(u32::MAX).min(1_000_000));
	band.min(MAX_OPTION_BAND).max(slippage)
}

/// The price bound for closing in the book: at most `slippage` worse than `mark`, and never
/// worse than `bankruptcy` (when there is one), on `tick`. Selling closes a long: the bound
/// is a floor rounded up; buying closes a short: a cap rounded down (at least one tick).
pub fn limit_price(
	selling: bool,
	mark: Price,
	bankruptcy: Option<Price>,
	slippage: Permill,
	tick: Price,
) -> Result<Price, Overflow> {
	let slip = FixedU128::saturating_from_rational(slippage.deconstruct(), 1_000_000u32);
	let tick_inner = tick.into_inner();
	if tick_inner == 0 {
		return Err(Overflow);
	}
	let (bound, rounding_up) = if selling {
		let floor = mark.checked_mul(&FixedU128::one().saturating_sub(slip)).ok_or(Overflow)?;
		(bankruptcy.map_or(floor, |b| b.max(floor)), true)
	} else {
		let cap = mark.checked_mul(&FixedU128::one().checked_add(&slip).ok_or(Overflow)?).ok_or(Overflow)?;
		(bankruptcy.map_or(cap, |b| b.min(cap)), false)
	};
	let ticks = if rounding_up {
		bound.into_inner().div_ceil(tick_inner)
	} else {
		bound.into_inner().checked_div(tick_inner).ok_or(Overflow)?.max(1)
	};
	ticks.checked_mul(tick_inner).map(Price::from_inner).ok_or(Overflow)
}

/// The penalty on `closed` notional at `rate`, never more than the equity left (nothing
/// when it is gone), split into the keeper's `keeper_share` and the fund's rest.
pub fn penalty(
	closed: Balance,
	rate: Permill,
	equity: SignedBalance,
	keeper_share: Permill,
) -> (Balance, Balance) {
	let charged = rate.mul_floor(closed).min(equity.max(0).unsigned_abs());
	let keeper = keeper_share.mul_floor(charged);
	(keeper, charged.saturating_sub(keeper))
}

/// A share of `total` for `part` of `whole`, rounded towards zero; the last share is what
/// is left, so the shares sum to `total` exactly.
pub fn pro_rata(total: SignedBalance, part: Balance, whole: Balance) -> Result<SignedBalance, Overflow> {
	if whole == 0 {
		return Err(Overflow);
	}
	let magnitude = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		total.unsigned_abs(),
		part,
		whole,
		Rounding::Down,
	)
	.ok_or(Overflow)?;
	let magnitude = SignedBalance::try_from(magnitude).map_err(|_| Overflow)?;
	Ok(if total < 0 { magnitude.checked_neg().ok_or(Overflow)? } else { magnitude })
}

/// The deleveraging rank of a position: profit × leverage, i.e. (unrealized profit ÷
/// equity) × (|value| ÷ equity). `None` for a position not in profit or an account with no
/// equity: those are never deleveraged.
pub fn deleverage_rank(pnl: SignedBalance, value: SignedBalance, equity: SignedBalance) -> Option<FixedU128> {
	if pnl <= 0 || equity <= 0 {
		return None;
	}
	let equity = equity.unsigned_abs();
	let profit = FixedU128::checked_from_rational(pnl.unsigned_abs(), equity)?;
	let leverage = FixedU128::checked_from_rational(value.unsigned_abs(), equity)?;
	let rank = profit.checked_mul(&leverage)?;
	(!rank.is_zero()).then_some(rank)
}
