//! The index's realized volatility: sampled at fresh, unclamped aggregates at least
//! `VolatilitySampleMs` apart, kept as an EWMA of squared log returns per interval, and read
//! annualized (the floor under implied volatility that option margins use).

use crate::{pallet::*, types::RealizedVolatility};
use clearing_primitives::{
	black76::ONE,
	oracle::Moment,
	volatility::{annualized_volatility, ewma_variance},
	AssetId, Price,
};
use frame_support::traits::Get;

/// Milliseconds in a year of 365.25 days.
const YEAR_MS: u64 = 31_557_600_000;

/// A `Perbill` part (10^-9) in the fixed point of `black76` (10^-18).
const PERBILL_TO_FIXED: i128 = ONE / 1_000_000_000;

/// The EWMA after `price`, `intervals` sampling intervals after `kept`'s sample.
fn next_variance(kept: &RealizedVolatility, price: Price, intervals: u64, lambda: i128) -> Option<u128> {
	let previous = i128::try_from(kept.variance).ok()?;
	let last = i128::try_from(kept.sample_price.into_inner()).ok()?;
	let now_price = i128::try_from(price.into_inner()).ok()?;
	let variance = ewma_variance(previous, last, now_price, intervals, lambda).ok()?;
	u128::try_from(variance).ok()
}

impl<T: Config> Pallet<T> {
	/// Takes `price`, aggregated at `now`, as `asset`'s next sample if the interval has
	/// passed since the last (the first aggregate only starts the series). A return the
	/// fixed-point math cannot take leaves the series as it was.
	pub(crate) fn sample_volatility(asset: AssetId, price: Price, now: Moment) {
		let interval = T::VolatilitySampleMs::get().max(1);
		let Some(kept) = RealizedVolatilities::<T>::get(asset) else {
			let first = RealizedVolatility { sample_price: price, sampled_at: now, variance: 0 };
			RealizedVolatilities::<T>::insert(asset, first);
			return;
		};
		let elapsed = now.saturating_sub(kept.sampled_at);
		let Some(intervals) = elapsed.checked_div(interval).filter(|n| *n > 0) else { return };
		let lambda = i128::from(T::VolatilityDecay::get().deconstruct()).saturating_mul(PERBILL_TO_FIXED);
		if let Some(variance) = next_variance(&kept, price, intervals, lambda) {
			RealizedVolatilities::<T>::insert(asset, RealizedVolatility { sample_price: price, sampled_at: now, variance });
		}
	}

	/// `OracleApi.realized_volatility`: `asset`'s realized volatility, annualized (0.6 for
	/// 60%); `None` before its first sample.
	pub fn realized_volatility(asset: AssetId) -> Option<Price> {
		let kept = RealizedVolatilities::<T>::get(asset)?;
		let per_year = YEAR_MS.checked_div(T::VolatilitySampleMs::get().max(1))?;
		let yearly = annualized_volatility(i128::try_from(kept.variance).ok()?, per_year).ok()?;
		Some(Price::from_inner(u128::try_from(yearly).ok()?))
	}
}
