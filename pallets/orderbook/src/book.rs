//! The book's storage: levels in price order, orders in time order at a level.

use crate::{pallet::*, weights::WeightInfo, CancelReason, Depth};
use alloc::vec::Vec;
use clearing_primitives::{
	margin::{MarginEngine, MarketRules, Side},
	notional, Balance, MarketId, Price,
};
use codec::{Compact, Decode};
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating},
	DispatchError, DispatchResult, Rounding,
};

/// The side a taker on `side` trades against.
pub(crate) fn opposite(side: Side) -> Side {
	match side {
		Side::Buy => Side::Sell,
		Side::Sell => Side::Buy,
	}
}

/// `true` if a level at `level` comes before one at `other` on `side` (better price).
fn better(side: Side, level: Price, other: Price) -> bool {
	match side {
		Side::Buy => level > other,
		Side::Sell => level < other,
	}
}

/// The part of `margin` (held for `remaining`) that a fill of `size` frees: in proportion,
/// rounded down, so the last fill frees the rest.
pub(crate) fn margin_share(margin: Balance, size: Balance, remaining: Balance) -> Balance {
	if size >= remaining {
		return margin;
	}
	sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		margin,
		size,
		remaining,
		Rounding::Down,
	)
	.unwrap_or(0)
}

/// `true` if an order on `side` at `limit` trades with a resting level at `level`.
pub(crate) fn crosses(side: Side, limit: Price, level: Price) -> bool {
	match side {
		Side::Buy => level <= limit,
		Side::Sell => level >= limit,
	}
}

impl<T: Config> Pallet<T> {
	/// The best resting price on `side` of `market`.
	pub(crate) fn best_price(market: MarketId, side: Side) -> Option<Price> {
		// Only the head of the side's price vector is read and decoded (its compact length,
		// then the first price), not every level's price: matching asks this once per fill.
		let key = LevelPrices::<T>::hashed_key_for(market, side);
		let mut head = [0u8; 5 + core::mem::size_of::<u128>()];
		let stored = sp_io::storage::read(&key, &mut head, 0)?;
		let mut input = head.get(..(stored as usize).min(head.len()))?;
		let count = Compact::<u32>::decode(&mut input).ok()?.0;
		if count == 0 {
			return None;
		}
		Price::decode(&mut input).ok()
	}

	/// The oldest order at the level of `side` at `price`.
	pub(crate) fn first_order_at(market: MarketId, side: Side, price: Price) -> Option<OrderOf<T>> {
		let level = Levels::<T>::get((market, side, price))?;
		let (id, owner) = level.orders.first()?;
		Orders::<T>::get(owner, id)
	}

	/// Puts `order` at the back of its level, creating the level in price order. A side
	/// holding `MaxLevels` levels makes room for a better price by evicting its worst level
	/// (its orders cancelled, deposits and margin released), if the order is at least as
	/// large as that level: a small order never clears out a larger one's liquidity. Returns
	/// how many orders that evicted.
	pub(crate) fn insert_order(order: &OrderOf<T>) -> Result<u32, DispatchError> {
		let key = (order.market, order.side, order.price);
		let mut prices = LevelPrices::<T>::get(order.market, order.side);
		// Where the price sits on its side: a level of its own already, or the place a new
		// one goes (then there is no level to read).
		let mut evicted = 0;
		let mut level = match prices.iter().position(|p| !better(order.side, *p, order.price)) {
			Some(at) if prices.get(at) == Some(&order.price) => Levels::<T>::get(key).unwrap_or_default(),
			at => {
				if prices.len() >= T::MaxLevels::get() as usize {
					let worst = prices.last().copied();
					let worst_total =
						|price| Levels::<T>::get((order.market, order.side, price)).map_or(0, |l| l.total);
					match worst {
						Some(worst)
							if better(order.side, order.price, worst) &&
								order.remaining >= worst_total(worst) =>
						{
							evicted = Self::evict_level(order.market, order.side, worst)?;
							prices = LevelPrices::<T>::get(order.market, order.side);
						},
						_ => return Err(Error::<T>::BookFull.into()),
					}
				}
				let at = at.unwrap_or(prices.len()).min(prices.len());
				prices.try_insert(at, order.price).map_err(|_| Error::<T>::BookFull)?;
				LevelPrices::<T>::insert(order.market, order.side, prices);
				Default::default()
			},
		};
		level
			.orders
			.try_push((order.id, order.owner.owner.clone()))
			.map_err(|_| Error::<T>::BookFull)?;
		level.total = level.total.saturating_add(order.remaining);
		if order.reduce_only {
			level.reduce_only = level.reduce_only.saturating_add(order.remaining);
		}
		Levels::<T>::insert(key, level);
		Ok(evicted)
	}

	/// Cancels every order at `price` on `side` of `market` and drops the level; returns how
	/// many it cancelled.
	pub(crate) fn evict_level(market: MarketId, side: Side, price: Price) -> Result<u32, DispatchError> {
		let level = Levels::<T>::take((market, side, price)).unwrap_or_default();
		LevelPrices::<T>::mutate(market, side, |prices| prices.retain(|p| *p != price));
		let mut evicted: u32 = 0;
		for (id, owner) in level.orders {
			let Some(order) = Orders::<T>::get(&owner, id) else { continue };
			Self::discard(&order)?;
			Self::deposit_event(Event::OrderCancelled {
				id,
				remaining: order.remaining,
				reason: CancelReason::Evicted,
			});
			evicted = evicted.saturating_add(1);
		}
		Ok(evicted)
	}

	/// Takes `order` out of its level (dropping an emptied level) — book only.
	fn unlink_order(order: &OrderOf<T>) {
		let key = (order.market, order.side, order.price);
		let Some(mut level) = Levels::<T>::get(key) else { return };
		level.orders.retain(|(id, _)| *id != order.id);
		level.total = level.total.saturating_sub(order.remaining);
		if order.reduce_only {
			level.reduce_only = level.reduce_only.saturating_sub(order.remaining);
		}
		if level.orders.is_empty() {
			Levels::<T>::remove(key);
			LevelPrices::<T>::mutate(order.market, order.side, |prices| {
				prices.retain(|p| *p != order.price)
			});
		} else {
			Levels::<T>::insert(key, level);
		}
	}

	/// Forgets `order` (already out of its level): storage, and the margin and deposit it
	/// set aside.
	fn discard(order: &OrderOf<T>) -> DispatchResult {
		Orders::<T>::remove(&order.owner.owner, order.id);
		if let Some(good_til) = order.good_til {
			Expiries::<T>::remove(good_til, order.id);
		}
		if let Some(client_id) = order.client_id {
			ClientOrders::<T>::remove(&order.owner, client_id);
		}
		OpenOrders::<T>::mutate_exists(&order.owner.owner, |open| {
			*open = open.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
		});
		T::Margin::release_order_margin(&order.owner, order.margin.saturating_add(order.deposit));
		Ok(())
	}

	/// Takes `order` out of the book and storage, and releases its deposit and margin.
	fn take_out(order: &OrderOf<T>) -> DispatchResult {
		Self::unlink_order(order);
		Self::discard(order)
	}

	/// Removes `order` unfilled (or partly filled), and says why.
	pub(crate) fn remove_order(order: &OrderOf<T>, reason: CancelReason) -> DispatchResult {
		Self::take_out(order)?;
		Self::deposit_event(Event::OrderCancelled {
			id: order.id,
			remaining: order.remaining,
			reason,
		});
		Ok(())
	}

	/// Lowers a resting order by a fill of `size`, releasing the margin that part held; takes
	/// it out (deposit and the rest of its margin released, no cancellation event) when it is
	/// filled.
	pub(crate) fn reduce_order(order: &mut OrderOf<T>, size: Balance) -> DispatchResult {
		if size >= order.remaining {
			return Self::take_out(order);
		}
		let key = (order.market, order.side, order.price);
		if let Some(mut level) = Levels::<T>::get(key) {
			level.total = level.total.saturating_sub(size);
			if order.reduce_only {
				level.reduce_only = level.reduce_only.saturating_sub(size);
			}
			Levels::<T>::insert(key, level);
		}
		let released = margin_share(order.margin, size, order.remaining);
		if released > 0 {
			T::Margin::release_order_margin(&order.owner, released);
		}
		order.margin = order.margin.saturating_sub(released);
		order.remaining = order.remaining.saturating_sub(size);
		Orders::<T>::insert(&order.owner.owner, order.id, order.clone());
		Ok(())
	}

	/// Rests `order`: in the book and storage, with its deposit and, unless it only reduces,
	/// its initial margin set aside (refused if its owner cannot carry them). Returns the
	/// weight of what varies: the margin check, and an eviction if it made one.
	pub(crate) fn rest_order(order: &mut OrderOf<T>) -> Result<Weight, DispatchError> {
		let owner = &order.owner.owner;
		if OpenOrders::<T>::get(owner) >= T::MaxOpenOrders::get() {
			return Err(Error::<T>::TooManyOpenOrders.into());
		}
		if let Some(good_til) = order.good_til {
			Expiries::<T>::insert(good_til, order.id, owner.clone());
		}
		if let Some(client_id) = order.client_id {
			ClientOrders::<T>::insert(&order.owner, client_id, order.id);
		}
		// A reduce-only order adds no risk: it sets its deposit aside, no margin.
		let margined = if order.reduce_only { 0 } else { order.remaining };
		let (margin, mut weight) =
			T::Margin::reserve_order_margin(&order.owner, order.market, order.side, margined, order.price, order.deposit)?;
		order.margin = margin;
		let evicted = Self::insert_order(order)?;
		if evicted > 0 {
			weight.saturating_accrue(T::WeightInfo::evict_level(evicted));
		}
		// Counted after the eviction, which may have taken some of the owner's own orders.
		OpenOrders::<T>::mutate(owner, |open| *open = open.saturating_add(1));
		Orders::<T>::insert(owner, order.id, order.clone());
		Ok(weight)
	}

	/// What taking one expired order off the book costs the hook: the benchmark's slope, and
	/// its side's price vector read and written (the benchmark keeps one side; orders may
	/// sit on every side of every market).
	fn expiry_weight() -> Weight {
		T::WeightInfo::expire_orders(1)
			.saturating_sub(T::WeightInfo::expire_orders(0))
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}

	/// `true` while the block-start cleanup is behind by more than a block (a crowd of
	/// expiries or switches): dead orders may then still sit in the levels.
	pub(crate) fn cleanup_behind() -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		let lag = |cursor: BlockNumberFor<T>| cursor.saturating_add(One::one()) < now;
		lag(ExpiryCursor::<T>::get()) || lag(DeadlineCursor::<T>::get())
	}

	/// The least the cleanup budget must allow: the cursors, a step, an expired order and a
	/// switch at its worst.
	pub fn cleanup_floor() -> Weight {
		T::WeightInfo::expire_orders(0)
			.saturating_add(Self::expiry_weight())
			.saturating_add(T::DbWeight::get().reads_writes(3, 1))
			.saturating_add(Self::deadline_worst_weight())
	}

	/// `true` if `order` is a good-til-block order whose last block has ended: it may no
	/// longer fill.
	pub(crate) fn expired(order: &OrderOf<T>) -> bool {
		order.good_til.is_some_and(|good_til| good_til < frame_system::Pallet::<T>::block_number())
	}

	/// Takes the good-til-block orders whose last block ended before `now` off the book
	/// (`ExpiredAtBlock`), oldest block first, while `limit` allows one more; returns the
	/// weight used.
	pub(crate) fn expire_orders(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let step = T::DbWeight::get().reads(1);
		let mut used = T::WeightInfo::expire_orders(0);
		if !used.all_lte(limit) {
			return Weight::zero();
		}
		let mut cursor = ExpiryCursor::<T>::get();
		while cursor < now {
			if !used.saturating_add(step).saturating_add(Self::expiry_weight()).all_lte(limit) {
				break;
			}
			used.saturating_accrue(step);
			let Some((id, owner)) = Expiries::<T>::iter_prefix(cursor).next() else {
				cursor.saturating_accrue(One::one());
				continue;
			};
			used.saturating_accrue(Self::expiry_weight());
			match Orders::<T>::get(&owner, id) {
				// In its own layer: an order that cannot be taken out stays whole, good until
				// cancelled from now on.
				Some(order) => {
					if with_storage_layer(|| Self::remove_order(&order, CancelReason::ExpiredAtBlock)).is_err() {
						Expiries::<T>::remove(cursor, id);
						Orders::<T>::insert(&owner, id, OrderOf::<T> { good_til: None, ..order });
					}
				},
				// An entry without its order (never expected): dropped so the cursor moves on.
				None => Expiries::<T>::remove(cursor, id),
			}
		}
		ExpiryCursor::<T>::put(cursor);
		used
	}

	/// Up to `levels` aggregated levels of `side`, best first.
	pub(crate) fn side_depth(market: MarketId, side: Side, levels: u32) -> Vec<(Price, Balance)> {
		LevelPrices::<T>::get(market, side)
			.into_iter()
			.take(levels as usize)
			.filter_map(|price| Levels::<T>::get((market, side, price)).map(|l| (price, l.total)))
			.collect()
	}

	/// `OrderbookApi.depth`.
	pub fn depth_view(market: MarketId, levels: u32) -> Depth {
		let levels = levels.min(T::MaxLevels::get());
		Depth {
			bids: Self::side_depth(market, Side::Buy, levels),
			asks: Self::side_depth(market, Side::Sell, levels),
		}
	}

	/// The price at which `ImpactNotional` would fill against `side`, walking at most eight
	/// levels; `None` if the side is thinner than that. Only margin-backed orders inside the
	/// market's band count: orders that would never fill, or that no margin backs (reduce-only
	/// ones, which a closed position leaves resting), cannot steer funding.
	pub(crate) fn impact_price(market: MarketId, side: Side, rules: &MarketRules) -> Option<Price> {
		let mut filled: Balance = 0;
		// Eight levels inside the band: levels outside it neither count nor use up the walk.
		let levels = LevelPrices::<T>::get(market, side)
			.into_iter()
			.filter(|price| rules.in_band(*price))
			.take(8)
			.filter_map(|price| {
				Levels::<T>::get((market, side, price))
					.map(|l| (price, l.total.saturating_sub(l.reduce_only)))
			});
		for (price, size) in levels {
			filled = filled.saturating_add(notional(size, rules.base_decimals, price, Rounding::Down).ok()?);
			if filled >= T::ImpactNotional::get() {
				return Some(price);
			}
		}
		None
	}
}
