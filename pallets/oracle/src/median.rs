//! Pure aggregation math: the median of feeds and the jump clamp. Takes values, not storage,
//! so it is property-tested natively.

use clearing_primitives::Price;
use sp_runtime::{
	traits::{Saturating, Zero},
	Permill,
};

/// The lower median of `values` (sorted in place): the middle value for an odd count, the
/// lower of the middle two for an even count. Always one of the feeds, never a mean a single
/// feeder could move by half its lie. `None` for no values.
pub fn median(values: &mut [Price]) -> Option<Price> {
	values.sort_unstable();
	let index = values.len().checked_sub(1)? / 2;
	values.get(index).copied()
}

/// For an even count (sorted), whether its middle two disagree by more than `max_spread` of
/// the lower: half the feeds against the other half, so no value is trusted.
pub fn split(sorted: &[Price], max_spread: Permill) -> bool {
	let len = sorted.len();
	if len % 2 == 1 {
		return false;
	}
	let upper = len / 2;
	match (upper.checked_sub(1).and_then(|i| sorted.get(i)), sorted.get(upper)) {
		(Some(low), Some(high)) =>
			high.into_inner().saturating_sub(low.into_inner()) > max_spread.mul_floor(low.into_inner()),
		_ => false,
	}
}

/// How far `sorted` feeds disagree: (highest − lowest) / their lower median, rounded up;
/// zero for fewer than two (at most 100%).
pub fn dispersion(sorted: &[Price]) -> Permill {
	let (Some(low), Some(high)) = (sorted.first(), sorted.last()) else { return Permill::zero() };
	let Some(middle) = sorted.len().checked_sub(1).and_then(|last| sorted.get(last / 2)) else {
		return Permill::zero();
	};
	if middle.is_zero() {
		return Permill::zero();
	}
	let gap = high.into_inner().saturating_sub(low.into_inner());
	<Permill as sp_runtime::PerThing>::from_rational_with_rounding(gap, middle.into_inner(), sp_runtime::Rounding::Up)
		.unwrap_or(Permill::one())
}

/// The quorum for `registered` feeders: a strict majority of them, and at least
/// `min_feeders`.
pub fn quorum(min_feeders: u32, registered: u32) -> u32 {
	min_feeders.max((registered / 2).saturating_add(1))
}

/// What an aggregation decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
	/// Fewer recent feeds than the quorum: keep the last price, mark it stale.
	NoQuorum,
	/// The new price, and whether it is flagged: clamped to the jump band, or taken from
	/// feeds split beyond the spread limit.
	Price { price: Price, clamped: bool },
}

/// Aggregates `recent` feed values: their lower median if at least `quorum` are given (and
/// `quorum` is above zero), clamped to within `max_jump` of `last` (when there is a last
/// price), and flagged if clamped or if the middle two of an even count are more than
/// `max_spread` apart.
pub fn aggregate(
	recent: &mut [Price],
	quorum: u32,
	last: Option<Price>,
	max_jump: Permill,
	max_spread: Permill,
) -> Aggregate {
	let enough = u32::try_from(recent.len()).map_or(true, |n| n >= quorum);
	let Some(median) = median(recent).filter(|_| enough && quorum > 0) else {
		return Aggregate::NoQuorum;
	};
	let disputed = split(recent, max_spread);
	match last {
		None => Aggregate::Price { price: median, clamped: disputed },
		Some(last) => {
			let (price, clamped) = clamp(median, last, max_jump);
			Aggregate::Price { price, clamped: clamped || disputed }
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
