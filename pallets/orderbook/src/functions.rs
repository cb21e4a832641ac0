//! What placing an order costs and the checks its phases share (`placing.rs` runs them), the
//! book as liquidation and funding see it, the open-orders view and the book's invariants.

use crate::{
	pallet::*,
	placing::{Matched, PlacedBy, Request},
	weights::WeightInfo,
	OrderKind,
};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{Subaccount, SubaccountNumber},
	margin::{BookPrices, Closed, LiquidationBook, MarginEngine, MarketRules, MarketStatus, Side},
	notional, Balance, MarketId, Price,
};
use frame_support::{ensure, traits::Get, weights::Weight};
use sp_runtime::{
	traits::AccountIdConversion,
	ArithmeticError, DispatchError, DispatchResult, Rounding,
};

impl<T: Config> Pallet<T> {
	/// The subaccount fees are paid into.
	pub fn fee_subaccount() -> SubaccountOf<T> {
		Subaccount::new(T::PalletId::get().into_account_truncating(), 0)
	}

	/// What a `place_order` with `fills` fills may cost: the book's work plus the margin
	/// engine's worst case per fill, and for its rest the margin check and the eviction of a
	/// full worst level; an order that fills nothing is measured on its own (resting at the
	/// worst place in the book), not read off the fills' line.
	pub fn place_order_weight(fills: u32) -> Weight {
		Self::matching_weight(fills)
			.saturating_add(T::Margin::reserve_order_margin_weight())
			.saturating_add(T::WeightInfo::evict_level(T::MaxOrdersPerLevel::get()))
	}

	/// What matching `fills` fills may cost, with nothing resting (a liquidation's close).
	pub(crate) fn matching_weight(fills: u32) -> Weight {
		Self::book_weight(fills)
			.saturating_add(T::Margin::apply_fill_weight().saturating_mul(u64::from(fills)))
	}

	/// What an order that matched `matched` cost: the book's work for its fills, plus what
	/// the margin engine reported for each.
	pub(crate) fn matched_weight(matched: &Matched) -> Weight {
		Self::book_weight(matched.fills).saturating_add(matched.margin_weight)
	}

	/// The book's own work for an order with `fills` fills.
	fn book_weight(fills: u32) -> Weight {
		if fills == 0 {
			T::WeightInfo::place_order_resting()
		} else {
			T::WeightInfo::place_order(fills)
		}
	}

	/// How much of `size` a reduce-only order on `side` may fill: the position it reduces.
	pub(crate) fn reducible(owner: &SubaccountOf<T>, market: MarketId, side: Side, size: Balance) -> Balance {
		let position = T::Margin::position_size(owner, market);
		let reduces = match side {
			Side::Buy if position < 0 => position.unsigned_abs(),
			Side::Sell if position > 0 => position.unsigned_abs(),
			_ => 0,
		};
		size.min(reduces)
	}

	/// `fee` of `size` at `price`, rounded up.
	pub(crate) fn fee(rules: &MarketRules, fee: sp_runtime::Permill, size: Balance, price: Price) -> Result<Balance, DispatchError> {
		let value = notional(size, rules.base_decimals, price, Rounding::Up)
			.map_err(|_| ArithmeticError::Overflow)?;
		Ok(fee.mul_ceil(value))
	}

	/// Refuses a trader's order the market's status does not admit.
	pub(crate) fn ensure_admitted(status: MarketStatus, kind: OrderKind, reduce_only: bool) -> DispatchResult {
		if status.admits(kind == OrderKind::PostOnly, reduce_only) {
			return Ok(());
		}
		Err(match status {
			MarketStatus::PostOnly => Error::<T>::MarketPostOnly,
			MarketStatus::ReduceOnly => Error::<T>::MarketReduceOnly,
			_ => Error::<T>::MarketHalted,
		}
		.into())
	}

	/// `OrderbookApi.orders`: the subaccount's open orders, oldest first (at most
	/// `MaxOpenOrders` are read: the account's).
	pub fn open_orders(owner: T::AccountId, number: SubaccountNumber) -> Vec<OrderOf<T>> {
		let mut orders: Vec<OrderOf<T>> = Orders::<T>::iter_prefix_values(&owner)
			.take(T::MaxOpenOrders::get() as usize)
			.filter(|order| order.owner.number == number)
			.collect();
		orders.sort_by_key(|order| order.id);
		orders
	}

	/// The book's invariants: levels and orders agree both ways, levels are in price order,
	/// every resting order carries a deposit, the margin engine holds exactly its orders'
	/// margin and deposits set aside for each subaccount with orders, and each account's
	/// count of open orders is right and within `MaxOpenOrders`; every good-til-block order
	/// is listed under its block, which the cleanup has not passed, and every listed one
	/// rests; triggers and dead-man's switches as their own checks say.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut counts = BTreeMap::<T::AccountId, u32>::new();
		let mut margins = BTreeMap::<SubaccountOf<T>, Balance>::new();
		let cursor = ExpiryCursor::<T>::get();
		ensure!(cursor <= frame_system::Pallet::<T>::block_number(), "the expiry cursor is ahead of the chain");
		for (owner, id, order) in Orders::<T>::iter() {
			ensure!(!order.reduce_only || order.margin == 0, "a reduce-only order holds margin");
			ensure!(order.deposit > 0, "a resting order without a deposit");
			let margin = margins.entry(order.owner.clone()).or_default();
			*margin = margin.saturating_add(order.margin).saturating_add(order.deposit);
			ensure!(order.id == id && order.owner.owner == owner, "an order stored under another key");
			ensure!(order.remaining > 0, "an empty order rests");
			let level = Levels::<T>::get((order.market, order.side, order.price))
				.ok_or("an order without its level")?;
			ensure!(level.orders.contains(&(id, owner.clone())), "an order missing from its level");
			if let Some(good_til) = order.good_til {
				ensure!(
					Expiries::<T>::get(good_til, id).as_ref() == Some(&owner),
					"a good-til-block order missing from its block's expiries"
				);
				ensure!(good_til >= cursor, "the cleanup passed a good-til-block order's block");
			}
			if let Some(client_id) = order.client_id {
				ensure!(
					ClientOrders::<T>::get(&order.owner, client_id) == Some(id),
					"an order missing from its client ids"
				);
			}
			let count = counts.entry(owner).or_default();
			*count = count.saturating_add(1);
		}
		for (subaccount, client_id, id) in ClientOrders::<T>::iter() {
			let order = Orders::<T>::get(&subaccount.owner, id).ok_or("a client id without its order")?;
			ensure!(
				order.owner == subaccount && order.client_id == Some(client_id),
				"a client id naming another order"
			);
		}
		for (good_til, id, owner) in Expiries::<T>::iter() {
			let order = Orders::<T>::get(&owner, id).ok_or("an expiry without its order")?;
			ensure!(order.good_til == Some(good_til), "an expiry under another block than its order's");
		}
		for ((market, side, price), level) in Levels::<T>::iter() {
			ensure!(!level.orders.is_empty(), "an empty level is stored");
			ensure!(
				LevelPrices::<T>::get(market, side).contains(&price),
				"a level missing from its side's prices"
			);
			let (mut total, mut reduce_only): (Balance, Balance) = (0, 0);
			for (id, owner) in &level.orders {
				let order = Orders::<T>::get(owner, id).ok_or("a level lists a missing order")?;
				ensure!(order.price == price && order.side == side, "an order at the wrong level");
				total = total.saturating_add(order.remaining);
				if order.reduce_only {
					reduce_only = reduce_only.saturating_add(order.remaining);
				}
			}
			ensure!(total == level.total, "a level's total differs from its orders");
			ensure!(reduce_only == level.reduce_only, "a level's reduce-only total differs from its orders");
		}
		for (market, side, prices) in LevelPrices::<T>::iter() {
			let sorted = prices.windows(2).all(|w| match (w.first(), w.get(1), side) {
				(Some(a), Some(b), Side::Buy) => a > b,
				(Some(a), Some(b), Side::Sell) => a < b,
				_ => true,
			});
			ensure!(sorted, "levels out of price order");
			for price in prices {
				ensure!(Levels::<T>::contains_key((market, side, price)), "a price without a level");
			}
		}
		Self::triggers_try_state(&mut margins)?;
		Self::deadlines_try_state(&mut margins)?;
		for (subaccount, margin) in margins {
			ensure!(
				T::Margin::order_margin(&subaccount) == margin,
				"the collateral set aside differs from the resting orders' margin and deposits"
			);
		}
		for (who, open) in OpenOrders::<T>::iter() {
			ensure!(counts.get(&who) == Some(&open), "an account's open-order count differs from its orders");
		}
		for (who, count) in counts {
			ensure!(OpenOrders::<T>::get(&who) == count, "an account's orders are not all counted");
			ensure!(count <= T::MaxOpenOrders::get(), "an account over its open-order bound");
		}
		Ok(())
	}
}

impl<T: Config> LiquidationBook<T::AccountId> for Pallet<T> {
	fn close(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		side: Side,
		size: Balance,
		limit: Price,
		max_fills: u32,
	) -> Result<Closed, DispatchError> {
		let matched = Self::do_place_order(Request {
			owner: subaccount.clone(),
			market,
			side,
			price: limit,
			size,
			kind: OrderKind::ImmediateOrCancel,
			reduce_only: true,
			by: PlacedBy::Liquidation { max_fills },
			client_id: None,
		})?;
		// A close that made no fill read the best level, wrote the order counter and did not
		// rest: the liquidation benchmark, run against the real book, measures exactly that.
		let weight = if matched.fills == 0 { Weight::zero() } else { Self::matched_weight(&matched) };
		Ok(Closed {
			size: matched.size,
			notional: matched.notional,
			weight,
			fill_bound_reached: matched.fill_bound_reached,
			fills: matched.fills,
		})
	}

	fn close_weight(max_fills: u32) -> Weight {
		Self::matching_weight(max_fills.min(T::MaxFills::get()))
	}
}

impl<T: Config> BookPrices for Pallet<T> {
	fn impact_mid(market: MarketId) -> Option<Price> {
		// Orders that can no longer fill may still sit in the levels while the cleanup is
		// behind: no sample from them.
		if Self::cleanup_behind() {
			return None;
		}
		let rules = T::Margin::market_rules(market)?;
		let bid = Self::impact_price(market, Side::Buy, &rules)?;
		let ask = Self::impact_price(market, Side::Sell, &rules)?;
		Some(Price::from_inner(
			bid.into_inner().saturating_add(ask.into_inner().saturating_sub(bid.into_inner()) / 2),
		))
	}
}
