//! Books of expired option series, emptied in bounded steps by the options pallet's idle
//! hook: an expired series trades no more, so its resting orders and waiting triggers only
//! hold their owners' margin and deposits.

use crate::{pallet::*, CancelReason, Crossing, TriggerCancelReason};
use clearing_primitives::{
	margin::Side,
	options::{BookClearance, SeriesBooks},
	MarketId,
};
use frame_support::{storage::with_storage_layer, weights::Weight};

impl<T: Config> Pallet<T> {
	/// Cancels the first waiting trigger of `market` (rising queue first); `true` if there
	/// was one.
	fn cancel_first_trigger(market: MarketId) -> bool {
		for crossing in [Crossing::Rises, Crossing::Falls] {
			let Some((_, id)) = TriggerQueues::<T>::get(market, crossing).first().copied() else { continue };
			match Triggers::<T>::get(id) {
				Some(trigger) => {
					Self::remove_trigger(&trigger);
					Self::unpair(&trigger);
					Self::deposit_event(Event::TriggerCancelled { id, reason: TriggerCancelReason::SeriesExpired });
				},
				// A queue entry without its trigger (never expected): dropped so clearing ends,
				// and the market unlisted from the hook's once both queues are gone.
				None => {
					TriggerQueues::<T>::mutate_exists(market, crossing, |queue| {
						if let Some(entries) = queue {
							entries.retain(|(_, queued)| *queued != id);
							if entries.is_empty() {
								*queue = None;
							}
						}
					});
					if !TriggerQueues::<T>::contains_key(market, Crossing::Rises) &&
						!TriggerQueues::<T>::contains_key(market, Crossing::Falls)
					{
						TriggerMarkets::<T>::mutate(|markets| markets.retain(|m| *m != market));
					}
				},
			}
			return true;
		}
		false
	}

	/// Cancels the first resting order of `market` (bids first); `true` if there was one.
	fn cancel_first_order(market: MarketId) -> bool {
		for side in [Side::Buy, Side::Sell] {
			let Some(price) = LevelPrices::<T>::get(market, side).first().copied() else { continue };
			let first = Levels::<T>::get((market, side, price)).and_then(|level| level.orders.first().cloned());
			match first.and_then(|(id, owner)| Orders::<T>::get(&owner, id)) {
				Some(order) => {
					// In its own layer: an order that cannot be taken out (never expected)
					// has its level dropped whole instead, so clearing ends.
					if with_storage_layer(|| Self::remove_order(&order, CancelReason::SeriesExpired)).is_err() {
						let _ = with_storage_layer(|| Self::evict_level(market, side, price).map(|_| ()));
					}
				},
				None => {
					let _ = with_storage_layer(|| Self::evict_level(market, side, price).map(|_| ()));
				},
			}
			return true;
		}
		false
	}

	/// `true` if `market` has neither a resting order nor a waiting trigger.
	fn book_empty(market: MarketId) -> bool {
		[Side::Buy, Side::Sell].into_iter().all(|side| LevelPrices::<T>::get(market, side).is_empty()) &&
			[Crossing::Rises, Crossing::Falls]
				.into_iter()
				.all(|crossing| !TriggerQueues::<T>::contains_key(market, crossing))
	}
}

impl<T: Config> SeriesBooks for Pallet<T> {
	fn clear_book(market: MarketId, steps: u32) -> BookClearance {
		let mut taken: u32 = 0;
		while taken < steps {
			let trigger = Self::cancel_first_trigger(market);
			let order = Self::cancel_first_order(market);
			if !trigger && !order {
				break;
			}
			taken = taken.saturating_add(1);
		}
		BookClearance { steps: taken, empty: Self::book_empty(market) }
	}

	fn clear_book_weight(steps: u32) -> Weight {
		use crate::weights::WeightInfo;
		T::WeightInfo::clear_book(steps)
	}
}
