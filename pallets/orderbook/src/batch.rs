//! Batches for market makers: many orders placed, many cancelled, or a subaccount's book
//! cleared, in one transaction.
//!
//! Each entry of `place_orders` or `cancel_orders` succeeds or fails on its own, in a storage
//! layer of its own (a failed entry changes nothing), and is reported by a `BatchEntry`
//! event; with `atomic`, the first failure fails the whole call and nothing changes. A
//! batch's orders share one `MaxFills` fill budget, so what a batch may cost is bounded by
//! its length and that one budget, whatever its entries do.

use crate::{
	pallet::*,
	placing::{PlacedBy, Request},
	weights::WeightInfo,
	CancelReason, NewOrder, OrderId,
};
use alloc::vec::Vec;
use clearing_primitives::{collateral::SubaccountNumber, margin::MarginEngine, MarketId};
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, DispatchResultWithPostInfo},
	storage::with_storage_layer,
	traits::Get,
	weights::Weight,
};
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// What `place_orders` with `orders` may cost: the batch's measured book work, for every
	/// order its margin check, an eviction and the reads its benchmark does not make, the
	/// shared fill budget at the margin engine's worst case per fill, and for every market
	/// after the first the reads a single order makes (the benchmark places all its orders in
	/// one market).
	pub fn place_orders_weight(orders: &[NewOrder]) -> Weight {
		let count = orders.len() as u32;
		T::WeightInfo::place_orders(count)
			.saturating_add(Self::rest_check_weight().saturating_mul(u64::from(count)))
			.saturating_add(Self::unmeasured_reads().saturating_mul(u64::from(count)))
			.saturating_add(Self::fill_step_weight().saturating_mul(u64::from(T::MaxFills::get())))
			.saturating_add(Self::further_markets_weight(orders))
	}

	/// What an entry may read that the batch benchmark (each entry a new level, none
	/// reduce-only) does not: an existing level to join and, reduce-only, the position.
	fn unmeasured_reads() -> Weight {
		T::DbWeight::get().reads(2)
	}

	/// The margin check of an order that rests, and the eviction of a full worst level.
	fn rest_check_weight() -> Weight {
		T::Margin::reserve_order_margin_weight()
			.saturating_add(T::WeightInfo::evict_level(T::MaxOrdersPerLevel::get()))
	}

	/// What one fill adds to an order's book work (the larger of the first fill over a
	/// resting order and any later fill over the one before), and the margin engine's worst
	/// case for it.
	fn fill_step_weight() -> Weight {
		Self::fill_book_weight().saturating_add(T::Margin::apply_fill_weight())
	}

	fn fill_book_weight() -> Weight {
		let first = T::WeightInfo::place_order(1).saturating_sub(T::WeightInfo::place_order_resting());
		let next = T::WeightInfo::place_order(2).saturating_sub(T::WeightInfo::place_order(1));
		first.max(next)
	}

	/// A whole single order's weight for every market of `orders` after the first: its
	/// market's storage is read cold.
	fn further_markets_weight(orders: &[NewOrder]) -> Weight {
		let mut markets: Vec<MarketId> = orders.iter().map(|order| order.market).collect();
		markets.sort_unstable();
		markets.dedup();
		let further = markets.len().saturating_sub(1) as u64;
		T::WeightInfo::place_order_resting().saturating_mul(further)
	}

	/// Places `orders` for `owner`'s subaccount `number` in turn, sharing one `MaxFills`;
	/// charged what `place_batch` used, never above what it declared.
	pub(crate) fn do_place_orders(
		owner: T::AccountId,
		number: SubaccountNumber,
		orders: Vec<NewOrder>,
		atomic: bool,
	) -> DispatchResultWithPostInfo {
		let declared = Self::place_orders_weight(&orders);
		match Self::place_batch(owner, number, orders, atomic) {
			Ok(used) => Ok(Some(used.min(declared)).into()),
			Err((error, used)) => Err(DispatchErrorWithPostInfo { post_info: Some(used.min(declared)).into(), error }),
		}
	}

	/// `place_orders`' work; the weight it used (at the worst case for what it cannot
	/// measure), or the first error of an `atomic` batch and the weight used until then.
	pub(crate) fn place_batch(
		owner: T::AccountId,
		number: SubaccountNumber,
		orders: Vec<NewOrder>,
		atomic: bool,
	) -> Result<Weight, (DispatchError, Weight)> {
		let count = u64::from(orders.len() as u32);
		let mut used = T::WeightInfo::place_orders(orders.len() as u32)
			.saturating_add(Self::further_markets_weight(&orders))
			.saturating_add(Self::unmeasured_reads().saturating_mul(count));
		let mut budget = T::MaxFills::get();
		let subaccount = clearing_primitives::collateral::Subaccount::new(owner, number);
		for (index, new) in (0u32..).zip(orders) {
			let mut steps = 0;
			let request = Request {
				owner: subaccount.clone(),
				market: new.market,
				side: new.side,
				price: new.price,
				size: new.size,
				kind: new.kind,
				reduce_only: new.reduce_only,
				by: PlacedBy::Trader { max_fills: budget },
				client_id: new.client_id,
			};
			let placed = if atomic {
				Self::place_counted(request, &mut steps)
			} else {
				with_storage_layer(|| Self::place_counted(request, &mut steps))
			};
			budget = budget.saturating_sub(steps);
			let fills = u64::from(steps);
			let result = match placed {
				Ok(matched) => {
					used.saturating_accrue(Self::fill_book_weight().saturating_mul(fills));
					used.saturating_accrue(matched.margin_weight);
					Ok(matched.id.unwrap_or_default())
				},
				Err(error) => {
					// What it may have done before it failed, at the worst case.
					used.saturating_accrue(Self::fill_step_weight().saturating_mul(fills));
					used.saturating_accrue(Self::rest_check_weight());
					if atomic {
						return Err((error, used));
					}
					Err(error)
				},
			};
			Self::deposit_event(Event::BatchEntry { index, result });
		}
		Ok(used)
	}

	/// What cancelling `count` orders may cost: the larger of the batch benchmark (each
	/// order alone at its level, on a side of `MaxLevels` levels: the level goes) and
	/// `count` single cancels (each the last of a full level).
	pub fn cancels_weight(count: u32) -> Weight {
		T::WeightInfo::cancel_orders(count)
			.max(T::WeightInfo::cancel_order().saturating_mul(u64::from(count)))
	}

	/// What `cancel_by_client_id` may cost: its benchmark, or a worst-case single cancel and
	/// the client id's lookup if more.
	pub fn cancel_by_client_id_weight() -> Weight {
		T::WeightInfo::cancel_by_client_id()
			.max(Self::cancels_weight(1).saturating_add(T::DbWeight::get().reads(1)))
	}

	/// What `cancel_all` may cost having read `scanned` of the account's orders (and
	/// cancelled at most as many): as `cancels_weight`, with `cancel_all`'s benchmark.
	pub fn cancel_all_weight(scanned: u32) -> Weight {
		T::WeightInfo::cancel_all(scanned)
			.max(T::WeightInfo::cancel_order().saturating_mul(u64::from(scanned)))
	}

	/// Cancels the signer's orders `ids` in turn.
	pub(crate) fn do_cancel_orders(who: T::AccountId, ids: Vec<OrderId>, atomic: bool) -> DispatchResultWithPostInfo {
		let declared = Self::cancels_weight(ids.len() as u32);
		for (index, id) in (0u32..).zip(ids) {
			let cancelled = if atomic {
				Self::cancel_by_owner(&who, id)
			} else {
				with_storage_layer(|| Self::cancel_by_owner(&who, id))
			};
			if let (true, Err(error)) = (atomic, cancelled) {
				return Err(Self::failed_with(error, declared));
			}
			let result = cancelled.map(|()| id);
			Self::deposit_event(Event::BatchEntry { index, result });
		}
		Ok(Some(declared).into())
	}

	/// Cancels `who`'s open order `id`.
	pub(crate) fn cancel_by_owner(who: &T::AccountId, id: OrderId) -> DispatchResult {
		let order = Orders::<T>::get(who, id).ok_or(Error::<T>::OrderNotFound)?;
		Self::remove_order(&order, CancelReason::ByOwner)
	}

	/// Cancels every open order of `owner`'s subaccount `number` (in `market` only, if
	/// given); the weight of the account's orders it read.
	pub(crate) fn do_cancel_all(
		owner: T::AccountId,
		number: SubaccountNumber,
		market: Option<MarketId>,
	) -> Result<Weight, DispatchError> {
		let mut scanned: u32 = 0;
		let mine: Vec<_> = Orders::<T>::iter_prefix_values(&owner)
			.take(T::MaxOpenOrders::get() as usize)
			.inspect(|_| scanned = scanned.saturating_add(1))
			.filter(|order| order.owner.number == number && market.is_none_or(|m| order.market == m))
			.collect();
		let cancelled = mine.len() as u32;
		for order in mine {
			Self::remove_order(&order, CancelReason::ByOwner)?;
		}
		let subaccount = clearing_primitives::collateral::Subaccount::new(owner, number);
		Self::deposit_event(Event::AllCancelled { owner: subaccount, market, cancelled });
		Ok(Self::cancel_all_weight(scanned))
	}

	fn failed_with(error: DispatchError, weight: Weight) -> DispatchErrorWithPostInfo {
		DispatchErrorWithPostInfo { post_info: Some(weight).into(), error }
	}
}
