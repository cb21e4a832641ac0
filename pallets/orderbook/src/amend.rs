//! Amending a resting order in place of a cancel and a new order: one call, so there is no
//! moment in which neither order exists, and no moment in which both do.

use crate::{
	pallet::*,
	placing::{PlacedBy, Request},
	weights::WeightInfo,
	CancelReason, OrderId, OrderKind,
};
use clearing_primitives::{margin::MarginEngine, Balance, Price};
use frame_support::{ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::DispatchError;

impl<T: Config> Pallet<T> {
	/// What `replace_order` may cost: the old order's removal and a whole new order.
	pub fn replace_order_weight() -> Weight {
		Self::cancels_weight(1)
			.saturating_add(Self::place_order_weight(T::MaxFills::get()))
			.saturating_add(Self::client_id_weight())
	}

	/// A replacement carrying a client id: its uniqueness read and its entry written
	/// (`place_order`'s benchmarks place without one).
	fn client_id_weight() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}

	/// What a cut costs: a cancel's work on the book and the order, and the market's rules
	/// read (a resting order reads them too, and more).
	fn cut_weight() -> Weight {
		Self::cancels_weight(1).saturating_add(T::WeightInfo::place_order_resting())
	}

	/// Replaces `who`'s open order `id` by one at `price` for `size` of `kind`, on the same
	/// subaccount, market and side and as reduce-only as it was. A smaller size at the same
	/// price (and a resting kind with the order's own expiry, or none if it has none) lowers
	/// the order where it stands, keeping its id and its place in time; anything else cancels it and places the new order, which queues
	/// behind the level's orders. Returns the weight used.
	pub(crate) fn do_replace_order(
		who: T::AccountId,
		id: OrderId,
		price: Price,
		size: Balance,
		kind: OrderKind,
	) -> Result<Weight, DispatchError> {
		let mut order = Orders::<T>::get(&who, id).ok_or(Error::<T>::OrderNotFound)?;
		// A cut keeps the order as it rests, time in force included.
		let rests = matches!(kind, OrderKind::Limit | OrderKind::PostOnly | OrderKind::GoodTilBlock(_));
		let same_time_in_force = kind.good_til().map(BlockNumberFor::<T>::from) == order.good_til;
		if rests && same_time_in_force && price == order.price && size < order.remaining {
			let rules = T::Margin::market_rules(order.market).ok_or(Error::<T>::MarketNotFound)?;
			ensure!(rules.on_step(size), Error::<T>::SizeOffStep);
			// A size cut is what a partial fill does to the book: the level's total and the
			// margin for the part cut go, the deposit stays.
			let cut = order.remaining.saturating_sub(size);
			Self::reduce_order(&mut order, cut)?;
			Self::deposit_event(Event::OrderReduced { id, remaining: size });
			return Ok(Self::cut_weight());
		}
		// The old order goes first, so the margin it held backs the new one.
		Self::remove_order(&order, CancelReason::Replaced)?;
		let matched = Self::do_place_order(Request {
			owner: order.owner,
			market: order.market,
			side: order.side,
			price,
			size,
			kind,
			reduce_only: order.reduce_only,
			by: PlacedBy::trader::<T>(),
			// The replacement carries the replaced order's client id on.
			client_id: order.client_id,
		})?;
		Self::deposit_event(Event::OrderReplaced { old: id, new: matched.id.unwrap_or_default() });
		let client_id = if order.client_id.is_some() { Self::client_id_weight() } else { Weight::zero() };
		Ok(Self::cancels_weight(1).saturating_add(Self::matched_weight(&matched)).saturating_add(client_id))
	}
}
