//! The book's storage: levels in price order, orders in time order at a level.

use crate::{pallet::*, CancelReason, Depth};
use alloc::vec::Vec;
use clearing_primitives::{
	margin::{MarketRules, Side},
	notional, Balance, MarketId, Price,
};
use frame_support::traits::{
	fungible::{InspectHold, MutateHold},
	tokens::Precision,
	Get,
};
use sp_runtime::{DispatchResult, Rounding};

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
		LevelPrices::<T>::get(market, side).first().copied()
	}

	/// The oldest order at the level of `side` at `price`.
	pub(crate) fn first_order_at(market: MarketId, side: Side, price: Price) -> Option<OrderOf<T>> {
		let level = Levels::<T>::get((market, side, price))?;
		let (id, owner) = level.orders.first()?;
		Orders::<T>::get(owner, id)
	}

	/// How many orders `who` has open: its order deposits over the deposit per order.
	pub(crate) fn open_order_count(who: &T::AccountId) -> u128 {
		T::Currency::balance_on_hold(&HoldReason::OrderDeposit.into(), who)
			.checked_div(T::OrderDeposit::get())
			.unwrap_or_default()
	}

	/// Puts `order` at the back of its level, creating the level in price order.
	pub(crate) fn insert_order(order: &OrderOf<T>) -> DispatchResult {
		let key = (order.market, order.side, order.price);
		let mut level = Levels::<T>::get(key).unwrap_or_default();
		if level.orders.is_empty() {
			LevelPrices::<T>::try_mutate(order.market, order.side, |prices| {
				let at = prices
					.iter()
					.position(|p| better(order.side, order.price, *p))
					.unwrap_or(prices.len());
				prices.try_insert(at, order.price).map_err(|_| Error::<T>::BookFull)
			})?;
		}
		level
			.orders
			.try_push((order.id, order.owner.owner.clone()))
			.map_err(|_| Error::<T>::BookFull)?;
		level.total = level.total.saturating_add(order.remaining);
		Levels::<T>::insert(key, level);
		Ok(())
	}

	/// Takes `order` out of its level (dropping an emptied level) — book only.
	fn unlink_order(order: &OrderOf<T>) {
		let key = (order.market, order.side, order.price);
		let Some(mut level) = Levels::<T>::get(key) else { return };
		level.orders.retain(|(id, _)| *id != order.id);
		level.total = level.total.saturating_sub(order.remaining);
		if level.orders.is_empty() {
			Levels::<T>::remove(key);
			LevelPrices::<T>::mutate(order.market, order.side, |prices| {
				prices.retain(|p| *p != order.price)
			});
		} else {
			Levels::<T>::insert(key, level);
		}
	}

	/// Takes `order` out of the book and storage, and releases its deposit.
	fn take_out(order: &OrderOf<T>) -> DispatchResult {
		Self::unlink_order(order);
		Orders::<T>::remove(&order.owner.owner, order.id);
		T::Currency::release(
			&HoldReason::OrderDeposit.into(),
			&order.owner.owner,
			order.deposit,
			Precision::BestEffort,
		)?;
		Ok(())
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

	/// Lowers a resting order by a fill of `size`; takes it out (deposit released, no
	/// cancellation event) when it is filled.
	pub(crate) fn reduce_order(order: &mut OrderOf<T>, size: Balance) -> DispatchResult {
		if size >= order.remaining {
			return Self::take_out(order);
		}
		let key = (order.market, order.side, order.price);
		if let Some(mut level) = Levels::<T>::get(key) {
			level.total = level.total.saturating_sub(size);
			Levels::<T>::insert(key, level);
		}
		order.remaining = order.remaining.saturating_sub(size);
		Orders::<T>::insert(&order.owner.owner, order.id, order.clone());
		Ok(())
	}

	/// Rests `order`: in the book and storage, its deposit held.
	pub(crate) fn rest_order(order: &OrderOf<T>) -> DispatchResult {
		let owner = &order.owner.owner;
		if Self::open_order_count(owner) >= u128::from(T::MaxOpenOrders::get()) {
			return Err(Error::<T>::TooManyOpenOrders.into());
		}
		Self::insert_order(order)?;
		T::Currency::hold(&HoldReason::OrderDeposit.into(), owner, order.deposit)?;
		Orders::<T>::insert(owner, order.id, order.clone());
		Ok(())
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
	pub fn depth(market: MarketId, levels: u32) -> Depth {
		let levels = levels.min(T::MaxLevels::get());
		Depth {
			bids: Self::side_depth(market, Side::Buy, levels),
			asks: Self::side_depth(market, Side::Sell, levels),
		}
	}

	/// The price at which `ImpactNotional` would fill against `side`, walking at most eight
	/// levels; `None` if the side is thinner than that. Only levels inside the market's band
	/// count: orders that would never fill cannot steer funding.
	pub(crate) fn impact_price(market: MarketId, side: Side, rules: &MarketRules) -> Option<Price> {
		let mut filled: Balance = 0;
		// Eight levels inside the band: levels outside it neither count nor use up the walk.
		let levels = LevelPrices::<T>::get(market, side)
			.into_iter()
			.filter(|price| rules.in_band(*price))
			.take(8)
			.filter_map(|price| Levels::<T>::get((market, side, price)).map(|l| (price, l.total)));
		for (price, size) in levels {
			filled = filled.saturating_add(notional(size, rules.base_decimals, price, Rounding::Down).ok()?);
			if filled >= T::ImpactNotional::get() {
				return Some(price);
			}
		}
		None
	}
}
