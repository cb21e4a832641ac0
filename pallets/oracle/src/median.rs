//! Pure aggregation math: the median of feeds and the jump clamp. Takes values, not storage,
//! so it is property-tested natively.

use clearing_primitives::Price;
use sp_runtime::{
	traits::{Saturating, Zero},
	Permill,
};

/// The median of `values` (sorted in place); the mean of the middle two for an even count,
/// rounded down. `None` for no values.
pub fn median(values: &mut [Price]) -> Option<Price> {
	values.sort_unstable();
	let len = values.len();
	let upper = len.checked_div(2)?;
	let high = *values.get(upper)?;
	if len % 2 == 1 {
		return Some(high);
	}
	let low = *values.get(upper.checked_sub(1)?)?;
	// (low + high) / 2 without overflow: low + (high − low) / 2, high ≥ low after sorting.
	let half_gap = high.into_inner().saturating_sub(low.into_inner()) / 2;
	Some(Price::from_inner(low.into_inner().saturating_add(half_gap)))
}

/// What an aggregation decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
	/// Fewer recent feeds than the quorum: keep the last price, mark it stale.
	NoQuorum,
	/// The new price, and whether it had to be clamped to the jump band.
	Price { price: Price, clamped: bool },
}

/// Aggregates `recent` feed values: their median if at least `min_feeders` are given, clamped
/// to within `max_jump` of `last` (when there is a last price).
pub fn aggregate(
	recent: &mut [Price],
	min_feeders: u32,
	last: Option<Price>,
	max_jump: Permill,
) -> Aggregate {
	let enough = u32::try_from(recent.len()).map_or(true, |n| n >= min_feeders);
	let Some(median) = median(recent).filter(|_| enough && min_feeders > 0) else {
		return Aggregate::NoQuorum;
	};
	match last {
		None => Aggregate::Price { price: median, clamped: false },
		Some(last) => {
			let (price, clamped) = clamp(median, last, max_jump);
			Aggregate::Price { price, clamped }
		},
	}
}

/// Limits `price` to `[last − last×max_jump, last + last×max_jump]`; says whether it moved it.
/// The band is rounded inwards, so a clamped move never exceeds `max_jump`.
pub fn clamp(price: Price, last: Price, max_jump: Permill) -> (Price, bool) {
	let step = Price::from_inner(max_jump.mul_floor(last.into_inner()));
	let low = last.saturating_sub(step);
	let high = last.saturating_add(step);
	if price < low {
		(low, true)
	} else if price > high {
		(high, true)
	} else {
		(price, false)
	}
}

/// `true` if `price` is a usable price: positive.
pub fn is_positive(price: &Price) -> bool {
	!price.is_zero()
}
