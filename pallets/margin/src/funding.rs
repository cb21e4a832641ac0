//! Funding: a premium sample every block, an index update every interval.

use crate::{math, pallet::*, Market};
use clearing_primitives::{margin::BookPrices, options::OptionMarks, oracle::PriceProvider};
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::traits::Get;
use sp_runtime::{
	traits::{CheckedDiv, Saturating, UniqueSaturatedInto, Zero},
	FixedI128, FixedPointNumber,
};

impl<T: Config> Pallet<T> {
	/// For every market (at most `MaxMarkets`): samples the premium when the book and a
	/// fresh index price allow it, and at the end of each interval moves the funding index
	/// by the clamped mean premium (zero unless `MinPremiumSamples` of the interval's blocks
	/// were sampled) plus interest, times the index price.
	pub(crate) fn update_funding(now: BlockNumberFor<T>) {
		for (market, Market { config, .. }) in Markets::<T>::iter() {
			// Option series pay no funding.
			if T::Options::is_series(market) {
				continue;
			}
			let Some(index_price) = T::Prices::fresh_price(config.base_asset) else { continue };
			let mut state = MarketStates::<T>::get(market);
			if let Some(premium) =
				T::Book::impact_mid(market).and_then(|mid| math::premium(mid, index_price))
			{
				state.premium_sum = state.premium_sum.saturating_add(premium);
				state.premium_samples = state.premium_samples.saturating_add(1);
			}
			if now >= state.next_funding_at {
				// A premium needs samples from enough of the interval's blocks: one block of
				// a thin or steered book never sets the rate alone.
				let interval: u32 = config.funding_interval.unique_saturated_into();
				let needed = T::MinPremiumSamples::get().mul_ceil(interval).max(1);
				let mean = if state.premium_samples < needed {
					FixedI128::zero()
				} else {
					state
						.premium_sum
						.checked_div(&FixedI128::saturating_from_integer(state.premium_samples))
						.unwrap_or_default()
				};
				let rate =
					math::funding_rate(mean, config.interest_per_interval, config.funding_cap);
				if let Some(step) = math::index_step(rate, index_price) {
					state.funding_index = state.funding_index.saturating_add(step);
					Self::deposit_event(Event::FundingUpdated {
						market,
						rate,
						index: state.funding_index,
					});
				}
				state.premium_sum = FixedI128::zero();
				state.premium_samples = 0;
				state.next_funding_at = now.saturating_add(config.funding_interval);
			}
			MarketStates::<T>::insert(market, state);
		}
	}
}
