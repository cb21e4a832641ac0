//! Benchmarks at the worst case: `place_order_resting` adding the best level to a side one
//! level short of full, beside a full opposite side, for an owner one order short of full;
//! `place_order` filling `f` makers at `f` different levels (each fill through the real
//! margin engine in the runtime) and resting what is left; `cancel_order` from the back of a
//! full level, by an owner with all its other orders open; `evict_level` emptying a worst
//! level of `n` orders; `place_orders` as `n` resting orders at the worst place in the book;
//! `cancel_orders` and `cancel_all` of `n` orders each alone at its level on a full side;
//! `expire_orders` (the block-start hook) the same for `n` good-til-block orders. Every
//! setup and measured order is good-til-block, so its removal also removes its expiry.
//! The signer is `whitelisted_caller`, as in `pallet_balances`' benchmarks: its account is read by the fee payment of every extrinsic.

use super::*;
use crate::pallet::*;
use clearing_primitives::{
	collateral::Subaccount,
	margin::{MarginEngine, Side},
	Price,
};
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, weights::Weight, BoundedVec};
use frame_system::RawOrigin;
use sp_runtime::{
	traits::{SaturatedConversion, Saturating},
	FixedPointNumber,
};

const PRICE: u32 = 60_000;

fn trader<T: Config>(name: &'static str, index: u32) -> Subaccount<T::AccountId> {
	let subaccount = Subaccount::new(account(name, index, 0), 0);
	T::BenchmarkHelper::fund(&subaccount);
	subaccount
}

/// The benchmarks' signer, subaccount 0, funded.
fn whitelisted_trader<T: Config>() -> Subaccount<T::AccountId> {
	let subaccount = Subaccount::new(whitelisted_caller(), 0);
	T::BenchmarkHelper::fund(&subaccount);
	subaccount
}

/// A good-til-block kind for the order about to get the next id, each order its own block
/// far ahead: removing a setup order also removes its expiry (the costlier case), and no
/// block's expiries fill up.
fn good_til_far<T: Config>() -> OrderKind {
	OrderKind::GoodTilBlock((NextOrderId::<T>::get() as u32).saturating_add(FAR))
}

/// Far enough ahead that no benchmark's block reaches it.
const FAR: u32 = 1_000_000;

fn place<T: Config>(
	who: &Subaccount<T::AccountId>,
	market: clearing_primitives::MarketId,
	side: Side,
	price: Price,
	size: clearing_primitives::Balance,
) {
	place_kind::<T>(who, market, side, price, size, good_til_far::<T>())
}

/// `n` tiers from $1 of volume up, the top one rebating makers 0.01% (every tier charging
/// takers 0.05%, which pays it).
fn full_fee_tiers<T: Config>(n: u32) -> BoundedVec<crate::FeeTier, T::MaxFeeTiers> {
	let tiers: alloc::vec::Vec<_> = (0..n)
		.map(|i| crate::FeeTier {
			min_volume: u128::from(i).saturating_add(1).saturating_mul(1_000_000),
			taker_fee: sp_runtime::Permill::from_parts(500),
			maker_fee: sp_runtime::Permill::zero(),
			maker_rebate: sp_runtime::Permill::from_parts(100),
		})
		.collect();
	tiers.try_into().expect("n is within MaxFeeTiers")
}

/// A full tier table in force, `accounts` in its top tier.
fn fee_tiers_in_force<T: Config>(accounts: &[T::AccountId]) {
	FeeTiers::<T>::put(full_fee_tiers::<T>(T::MaxFeeTiers::get()));
	let today = Pallet::<T>::volume_day();
	for account in accounts {
		Pallet::<T>::record_volume(account, today, 1_000_000_000_000);
	}
}

/// A single cancel's worst case: the owner at `MaxOpenOrders`, the target its last order
/// and last at a full level. Returns the owner and the target's id.
fn worst_cancel<T: Config>() -> (Subaccount<T::AccountId>, crate::OrderId) {
	let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
	let base = Price::saturating_from_integer(PRICE);
	let owner = whitelisted_trader::<T>();
	for i in 1..T::MaxOpenOrders::get() {
		let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(i)));
		place::<T>(&owner, market, Side::Sell, price, step);
	}
	for i in 1..T::MaxOrdersPerLevel::get() {
		place::<T>(&trader::<T>("other", i), market, Side::Sell, base, step);
	}
	place::<T>(&owner, market, Side::Sell, base, step);
	(owner, NextOrderId::<T>::get().saturating_sub(1))
}

fn place_kind<T: Config>(
	who: &Subaccount<T::AccountId>,
	market: clearing_primitives::MarketId,
	side: Side,
	price: Price,
	size: clearing_primitives::Balance,
	kind: OrderKind,
) {
	Pallet::<T>::do_place_order(crate::placing::Request {
		owner: who.clone(),
		market,
		side,
		price,
		size,
		kind,
		reduce_only: false,
		by: crate::placing::PlacedBy::trader::<T>(),
		// Every setup order carries a client id (its order id: unique), so each removal a
		// benchmark measures drops a client-id entry too.
		client_id: Some(NextOrderId::<T>::get()),
	})
	.expect("the setup order rests");
}

/// A market whose ask side is full from one tick above `PRICE` up, and whose bid side holds a
/// level every tick from `room` ticks below `PRICE` down to `MaxLevels - 1` below: `room` new
/// best bids fill it. `owner` holds the first of those bids, up to `MaxOpenOrders - room`;
/// makers hold the rest. Returns the market, its tick and step, and the owner's bids.
fn book_with_room_for_bids<T: Config>(
	owner: &Subaccount<T::AccountId>,
	room: u32,
) -> (clearing_primitives::MarketId, Price, clearing_primitives::Balance, u32) {
	let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
	let base = Price::saturating_from_integer(PRICE);
	let at = |ticks: u32| tick.saturating_mul(Price::saturating_from_integer(ticks));
	let per_maker = T::MaxOpenOrders::get().max(1);
	let makers: alloc::vec::Vec<_> = (0..=T::MaxLevels::get().saturating_mul(2) / per_maker)
		.map(|i| trader::<T>("maker", i))
		.collect();
	let maker = |k: u32| makers.get((k / per_maker) as usize).expect("enough makers").clone();
	let mut placed = 0u32;
	for level in 1..=T::MaxLevels::get() {
		place::<T>(&maker(placed), market, Side::Sell, base.saturating_add(at(level)), step);
		placed = placed.saturating_add(1);
	}
	let mut own = 0u32;
	for level in room..T::MaxLevels::get() {
		let price = base.saturating_sub(at(level));
		if own.saturating_add(room) < T::MaxOpenOrders::get() {
			place::<T>(owner, market, Side::Buy, price, step);
			own = own.saturating_add(1);
		} else {
			place::<T>(&maker(placed), market, Side::Buy, price, step);
			placed = placed.saturating_add(1);
		}
	}
	(market, tick, step, own)
}

/// Fills the queue a `kind` trigger on `side` joins with triggers of other accounts, up to
/// `room` short of `MaxTriggersPerQueue`, each two ticks or more from the index on the side
/// where it does not fire yet.
fn fill_trigger_queue<T: Config>(
	market: clearing_primitives::MarketId,
	tick: Price,
	step: clearing_primitives::Balance,
	side: Side,
	kind: TriggerKind,
	room: u32,
) {
	let base = Price::saturating_from_integer(PRICE);
	let crossing = kind.crossing(side);
	let per_owner = T::MaxOpenTriggers::get().max(1);
	let already = TriggerQueues::<T>::get(market, crossing).len() as u32;
	for i in already..T::MaxTriggersPerQueue::get().saturating_sub(room) {
		let owner = trader::<T>("trigger owner", i / per_owner + 1_000 * (crossing as u32 + 1));
		let away = tick.saturating_mul(Price::saturating_from_integer(i.saturating_add(2)));
		let trigger_price = match crossing {
			Crossing::Falls => base.saturating_sub(away),
			Crossing::Rises => base.saturating_add(away),
		};
		let new = crate::triggers::NewTrigger::<T> {
			owner,
			market,
			side,
			kind,
			trigger_price,
			price: trigger_price,
			size: Some(step),
			reduce_only: false,
		};
		Pallet::<T>::add_trigger(new, None).expect("the setup trigger waits");
	}
}

/// Gives `owner` triggers up to `room` short of `MaxOpenTriggers`, in a far-off queue of
/// their own (buy stops far above the index).
fn own_triggers<T: Config>(
	owner: &Subaccount<T::AccountId>,
	market: clearing_primitives::MarketId,
	tick: Price,
	step: clearing_primitives::Balance,
	room: u32,
) {
	let base = Price::saturating_from_integer(PRICE);
	let have = AccountTriggers::<T>::get(&owner.owner).len() as u32;
	for i in have..T::MaxOpenTriggers::get().saturating_sub(room) {
		let trigger_price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(i.saturating_add(1_000))));
		let new = crate::triggers::NewTrigger::<T> {
			owner: owner.clone(),
			market,
			side: Side::Buy,
			kind: TriggerKind::StopLimit,
			trigger_price,
			price: trigger_price,
			size: Some(step),
			reduce_only: false,
		};
		Pallet::<T>::add_trigger(new, None).expect("the owner's trigger waits");
	}
}

/// A stop-sell and a take-profit-sell of `owner`, paired, in full queues: the stop at the
/// head of its queue if `stop_first`, else at the back; the
/// take-profit at the head of its queue. Returns (stop, take-profit).
fn paired_triggers<T: Config>(
	owner: &Subaccount<T::AccountId>,
	market: clearing_primitives::MarketId,
	tick: Price,
	step: clearing_primitives::Balance,
	stop_first: bool,
) -> (TriggerId, TriggerId) {
	let base = Price::saturating_from_integer(PRICE);
	// A long position of a step for the triggers to close (closed again below).
	place_kind::<T>(&trader::<T>("seller", 0), market, Side::Sell, base, step, OrderKind::Limit);
	place_kind::<T>(owner, market, Side::Buy, base, step, OrderKind::ImmediateOrCancel);
	own_triggers::<T>(owner, market, tick, step, 2);
	fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::StopMarket, 1);
	fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::TakeProfitMarket, 1);
	let far = tick.saturating_mul(Price::saturating_from_integer(T::MaxTriggersPerQueue::get().saturating_add(10)));
	// A tick under the index: the head of its queue, not yet reached.
	let stop_price = if stop_first { base.saturating_sub(tick) } else { base.saturating_sub(far) };
	// Whole-position closes.
	let new = |kind, trigger_price| crate::triggers::NewTrigger::<T> {
		owner: owner.clone(),
		market,
		side: Side::Sell,
		kind,
		trigger_price,
		price: trigger_price,
		size: None,
		reduce_only: true,
	};
	let take_profit = Pallet::<T>::add_trigger(new(TriggerKind::TakeProfitMarket, base.saturating_add(tick)), None)
		.expect("the take-profit waits");
	let stop = Pallet::<T>::add_trigger(new(TriggerKind::StopMarket, stop_price), Some(take_profit))
		.expect("the stop waits");
	Triggers::<T>::mutate(take_profit, |t| {
		if let Some(t) = t {
			t.pair = Some(stop);
		}
	});
	// The position closed meanwhile: a fired stop is done at once (nothing left to reduce),
	// so its pair goes too, and placing nothing is all it does beyond the bookkeeping.
	place_kind::<T>(&trader::<T>("bidder", 0), market, Side::Buy, base.saturating_sub(tick), step, OrderKind::Limit);
	place_kind::<T>(owner, market, Side::Sell, base.saturating_sub(tick), step, OrderKind::ImmediateOrCancel);
	assert_eq!(T::Margin::position_size(owner, market), 0);
	(stop, take_profit)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A limit buy that crosses nothing and rests as the new best bid: every other bid
	/// price shifts, the full ask side is read for crossing, and the owner reaches its bound.
	#[benchmark]
	fn place_order_resting() {
		let owner = whitelisted_trader::<T>();
		let (market, _, step, own) = book_with_room_for_bids::<T>(&owner, 1);
		let base = Price::saturating_from_integer(PRICE);

		let kind = good_til_far::<T>();

		#[extrinsic_call]
		place_order(RawOrigin::Signed(owner.owner.clone()), 0, market, Side::Buy, base, step, kind, false);

		assert_eq!(Orders::<T>::iter_prefix(&owner.owner).count(), own as usize + 1);
		assert_eq!(LevelPrices::<T>::get(market, Side::Buy).first(), Some(&base));
	}

	/// A limit sell of one step of an option series at its mark, into an empty book: it rests,
	/// setting aside a short's initial requirement priced at the series' fresh inputs (an
	/// option order's own cost, measured against a transfer in `scripts/bench/ratios`).
	#[benchmark]
	fn place_order_resting_series() {
		let owner = whitelisted_trader::<T>();
		let (market, _, step, mark) = T::BenchmarkHelper::series_market();
		let kind = good_til_far::<T>();

		#[extrinsic_call]
		place_order(RawOrigin::Signed(owner.owner.clone()), 0, market, Side::Sell, mark, step, kind, false);

		assert_eq!(LevelPrices::<T>::get(market, Side::Sell).first(), Some(&mark));
	}

	/// `f` makers rest one step each at `f` rising prices; the taker crosses them all and
	/// rests one more step. (No fills is `place_order_resting`.) A full fee tier table is in
	/// force and every side has volume in its top tier, whose maker rebate each fill pays.
	#[benchmark]
	fn place_order(f: Linear<1, { T::MaxFills::get() }>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let mut accounts = alloc::vec::Vec::new();
		for i in 0..f {
			let maker = trader::<T>("maker", i);
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(i)));
			place::<T>(&maker, market, Side::Sell, price, step);
			accounts.push(maker.owner);
		}
		let taker = whitelisted_trader::<T>();
		accounts.push(taker.owner.clone());
		fee_tiers_in_force::<T>(&accounts);
		let limit = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(f)));
		let size = step.saturating_mul(u128::from(f).saturating_add(1));

		let kind = good_til_far::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(taker.owner.clone()), 0, market, Side::Buy, limit, size, kind, false);

		assert_eq!(Orders::<T>::iter_prefix(&taker.owner).count(), 1);
		assert!(LevelPrices::<T>::get(market, Side::Sell).is_empty());
	}

	/// A full table (its bound: the weight of any shorter one is below it).
	#[benchmark]
	fn set_fee_tiers() {
		let most = T::MaxFeeTiers::get();
		let tiers = full_fee_tiers::<T>(most);

		#[extrinsic_call]
		_(RawOrigin::Root, tiers);

		assert_eq!(FeeTiers::<T>::get().len() as u32, most);
	}

	/// A window whose last day left the 30 (every bucket rolled).
	#[benchmark]
	fn forget_volume() {
		let account: T::AccountId = account("trader", 0, 0);
		Pallet::<T>::record_volume(&account, Pallet::<T>::volume_day(), 1_000_000);
		let later = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::VolumeDayBlocks::get().saturating_mul(31u32.into()));
		frame_system::Pallet::<T>::set_block_number(later);
		let caller = whitelisted_trader::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.owner), account.clone());

		assert!(!TradedVolume::<T>::contains_key(&account));
	}

	/// `cancel_order`'s worst case, the order found by its client id.
	#[benchmark]
	fn cancel_by_client_id() {
		let (owner, id) = worst_cancel::<T>();
		// Setup orders carry their order id as client id.
		let client_id = id;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), owner.number, client_id);

		assert!(!Orders::<T>::contains_key(&owner.owner, id));
		assert!(!ClientOrders::<T>::contains_key(&owner, client_id));
	}

	#[benchmark]
	fn cancel_order() {
		let (owner, id) = worst_cancel::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), id);

		assert!(!Orders::<T>::contains_key(&owner.owner, id));
	}

	/// A full bid side whose worst level holds `n` orders of `n` owners, evicted: each order
	/// read, removed, its deposit and margin released, its cancellation told.
	#[benchmark]
	fn evict_level(n: Linear<1, { T::MaxOrdersPerLevel::get() }>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let at = |ticks: u32| tick.saturating_mul(Price::saturating_from_integer(ticks));
		let per_filler = T::MaxOpenOrders::get().max(1);
		for level in 0..T::MaxLevels::get().saturating_sub(1) {
			let filler = trader::<T>("filler", level / per_filler);
			place::<T>(&filler, market, Side::Buy, base.saturating_sub(at(level)), step);
		}
		let worst = base.saturating_sub(at(T::MaxLevels::get()));
		for i in 0..n {
			place::<T>(&trader::<T>("evicted", i), market, Side::Buy, worst, step);
		}

		#[block]
		{
			let evicted = Pallet::<T>::evict_level(market, Side::Buy, worst).expect("evicts");
			assert_eq!(evicted, n);
		}

		assert!(!LevelPrices::<T>::get(market, Side::Buy).contains(&worst));
	}

	/// `n` limit bids, each the new best bid of a side that they fill to `MaxLevels`, beside a
	/// full ask side, by an owner they bring to `MaxOpenOrders`: `place_order_resting` `n`
	/// times in one call, each entry in its own storage layer and with a client id.
	#[benchmark]
	fn place_orders(n: Linear<1, { T::MaxBatchOrders::get() }>) {
		let owner = whitelisted_trader::<T>();
		let (market, tick, step, own) = book_with_room_for_bids::<T>(&owner, n);
		let base = Price::saturating_from_integer(PRICE);
		let at = |ticks: u32| tick.saturating_mul(Price::saturating_from_integer(ticks));
		// Rising prices: each entry becomes the best bid.
		let orders: alloc::vec::Vec<NewOrder> = (0..n)
			.map(|i| NewOrder {
				market,
				side: Side::Buy,
				price: base.saturating_sub(at(n.saturating_sub(1).saturating_sub(i))),
				size: step,
				kind: OrderKind::GoodTilBlock(FAR.saturating_add(i)),
				reduce_only: false,
				// Each with a client id: its uniqueness read and its entry written.
				client_id: Some(u64::from(i)),
			})
			.collect();
		let orders: BoundedVec<_, _> = orders.try_into().expect("within the bound");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), 0, orders, false);

		assert_eq!(OpenOrders::<T>::get(&owner.owner), own.saturating_add(n));
		assert_eq!(LevelPrices::<T>::get(market, Side::Buy).first(), Some(&base));
	}

	/// `n` good-til-block orders whose block has ended, each of its own account and alone at
	/// its level on an ask side of `MaxLevels` levels: the hook takes them all off, each
	/// removing its level and rewriting the side's prices.
	#[benchmark]
	fn expire_orders(n: Linear<0, { T::MaxLevels::get() }>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let now = frame_system::Pallet::<T>::block_number();
		let good_til: u32 = now.saturated_into();
		let per_owner = T::MaxOpenOrders::get().max(1);
		for level in 0..T::MaxLevels::get() {
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(level)));
			if level < n {
				place_kind::<T>(&trader::<T>("expiring", level), market, Side::Sell, price, step, OrderKind::GoodTilBlock(good_til));
			} else {
				place::<T>(&trader::<T>("resting", level / per_owner), market, Side::Sell, price, step);
			}
		}
		ExpiryCursor::<T>::put(now);
		let next = now.saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(next);

		#[block]
		{
			Pallet::<T>::expire_orders(next, Weight::MAX);
		}

		assert_eq!(Expiries::<T>::iter_prefix(now).count(), 0);
		assert_eq!(
			LevelPrices::<T>::get(market, Side::Sell).len() as u32,
			T::MaxLevels::get().saturating_sub(n)
		);
	}

	/// `n` of the owner's orders, each alone at its level, on an ask side of `MaxLevels`
	/// levels: each cancel removes its level and rewrites the side's prices.
	fn orders_to_cancel<T: Config>(n: u32) -> (Subaccount<T::AccountId>, alloc::vec::Vec<OrderId>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let owner = whitelisted_trader::<T>();
		let per_maker = T::MaxOpenOrders::get().max(1);
		let mut ids = alloc::vec::Vec::new();
		for level in 0..T::MaxLevels::get() {
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(level)));
			if level < n {
				ids.push(NextOrderId::<T>::get());
				place::<T>(&owner, market, Side::Sell, price, step);
			} else {
				place::<T>(&trader::<T>("other", level / per_maker), market, Side::Sell, price, step);
			}
		}
		(owner, ids)
	}

	#[benchmark]
	fn cancel_orders(n: Linear<1, { T::MaxBatchCancels::get().min(T::MaxOpenOrders::get()) }>) {
		let (owner, ids) = orders_to_cancel::<T>(n);
		let ids: BoundedVec<_, _> = ids.try_into().expect("within the bound");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), ids, false);

		assert_eq!(OpenOrders::<T>::get(&owner.owner), 0);
	}

	/// `n` open orders of the account, all of the subaccount, all cancelled.
	#[benchmark]
	fn cancel_all(n: Linear<1, { T::MaxOpenOrders::get() }>) {
		let (owner, _) = orders_to_cancel::<T>(n);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), 0, None);

		assert_eq!(OpenOrders::<T>::get(&owner.owner), 0);
	}

	/// The front of a market's stop-sell queue that holds `MaxTriggersPerQueue - 1` triggers
	/// (every one shifts), by an owner one trigger short of `MaxOpenTriggers`.
	#[benchmark]
	fn place_trigger() {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let owner = whitelisted_trader::<T>();
		fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::StopMarket, 1);
		own_triggers::<T>(&owner, market, tick, step, 1);
		let trigger_price = base.saturating_sub(tick);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.owner.clone()),
			0,
			market,
			Side::Sell,
			TriggerKind::StopMarket,
			trigger_price,
			trigger_price,
			Some(step),
			false,
		);

		assert_eq!(AccountTriggers::<T>::get(&owner.owner).len() as u32, T::MaxOpenTriggers::get());
		assert_eq!(
			TriggerQueues::<T>::get(market, Crossing::Falls).first().map(|(price, _)| *price),
			Some(trigger_price)
		);
	}

	/// A take-profit and a stop-loss for a long position, each at the front of a queue one
	/// short of full, by an owner two short of `MaxOpenTriggers`.
	#[benchmark]
	fn place_tp_sl() {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let owner = whitelisted_trader::<T>();
		// A long position: the owner buys a maker's ask.
		place_kind::<T>(&trader::<T>("seller", 0), market, Side::Sell, base, step, OrderKind::Limit);
		place_kind::<T>(&owner, market, Side::Buy, base, step, OrderKind::ImmediateOrCancel);
		assert!(T::Margin::position_size(&owner, market) > 0);
		// The owner's own triggers first: the take-profit queue counts them.
		own_triggers::<T>(&owner, market, tick, step, 2);
		fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::StopMarket, 1);
		fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::TakeProfitMarket, 1);
		let stop = base.saturating_sub(tick);
		let profit = base.saturating_add(tick);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), 0, market, Some((profit, profit)), Some((stop, stop)));

		assert_eq!(AccountTriggers::<T>::get(&owner.owner).len() as u32, T::MaxOpenTriggers::get());
	}

	/// A paired trigger from the back of a full queue.
	#[benchmark]
	fn cancel_trigger() {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let owner = whitelisted_trader::<T>();
		let (id, pair) = paired_triggers::<T>(&owner, market, tick, step, false);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), id);

		assert!(!Triggers::<T>::contains_key(id));
		assert_eq!(Triggers::<T>::get(pair).and_then(|t| t.pair), None);
	}

	/// `n` stop-sell limits of `n` owners, each its own level: fired one after another from
	/// the head of a full queue, each trigger leaves and its order rests as the new best ask
	/// (every ask price shifts). What the queue's triggers share (the market's rules, the
	/// queue, the side's prices) is counted once: the slope is one more trigger. (A pair, a
	/// position read, fills and the margin engine beyond an owner without positions are
	/// charged on top.)
	#[benchmark]
	fn fire_triggers(n: Linear<1, { T::MaxLevels::get().min(T::MaxTriggersPerQueue::get()) }>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		for i in 0..n {
			let trigger_price = base.saturating_sub(tick.saturating_mul(Price::saturating_from_integer(i.saturating_add(1))));
			let new = crate::triggers::NewTrigger::<T> {
				owner: trader::<T>("stop owner", i),
				market,
				side: Side::Sell,
				kind: TriggerKind::StopLimit,
				trigger_price,
				price: trigger_price,
				size: Some(step),
				reduce_only: false,
			};
			Pallet::<T>::add_trigger(new, None).expect("the stop waits");
		}
		// Behind them, the queue filled up with triggers that do not fire.
		fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::StopMarket, 0);
		let index = T::Margin::market_rules(market).and_then(|rules| rules.index).expect("priced");

		#[block]
		{
			for _ in 0..n {
				if let Some((_, id)) = Pallet::<T>::queue_entry(market, Crossing::Falls, 0) {
					Pallet::<T>::fire(market, Crossing::Falls, id, index, 0);
				}
			}
		}

		assert_eq!(LevelPrices::<T>::get(market, Side::Sell).len() as u32, n);
		let left = T::MaxTriggersPerQueue::get().saturating_sub(n);
		assert_eq!(TriggerQueues::<T>::get(market, Crossing::Falls).len() as u32, left);
	}

	/// `n` steps of clearing an expired series' book: a full falling trigger queue and an
	/// ask side of `MaxLevels` levels, each order of its own account alone at its level (each
	/// cancel removes its level and rewrites the side's prices); each step cancels the first
	/// trigger and the best ask.
	#[benchmark]
	fn clear_book(n: Linear<0, { T::MaxLevels::get().min(T::MaxTriggersPerQueue::get()) }>) {
		use clearing_primitives::options::SeriesBooks;
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		for level in 0..T::MaxLevels::get() {
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(level)));
			place::<T>(&trader::<T>("expired maker", level), market, Side::Sell, price, step);
		}
		fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::StopMarket, 0);

		#[block]
		{
			Pallet::<T>::clear_book(market, n);
		}

		assert_eq!(LevelPrices::<T>::get(market, Side::Sell).len() as u32, T::MaxLevels::get().saturating_sub(n));
		let left = T::MaxTriggersPerQueue::get().saturating_sub(n);
		assert_eq!(TriggerQueues::<T>::get(market, Crossing::Falls).len() as u32, left);
	}

	/// The hook's look at one market whose two queues are full and neither fires.
	#[benchmark]
	fn check_triggers() {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		fill_trigger_queue::<T>(market, tick, step, Side::Sell, TriggerKind::StopMarket, 0);
		fill_trigger_queue::<T>(market, tick, step, Side::Buy, TriggerKind::StopMarket, 0);
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::fire_triggers(now, Weight::MAX);
		}

		assert_eq!(TriggerQueues::<T>::get(market, Crossing::Falls).len() as u32, T::MaxTriggersPerQueue::get());
	}

	/// Renewing a switch for a later block: the old one dropped with its deposit, the new one
	/// due with its own. (A passed switch firing first is charged as `fire_deadline`.)
	#[benchmark]
	fn schedule_cancel() {
		let owner = whitelisted_trader::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		Pallet::<T>::do_schedule_cancel(owner.clone(), Some(now.saturating_add(10u32.into()))).expect("set");
		let renewed = now.saturating_add(20u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), 0, Some(renewed));

		assert_eq!(CancelDeadlines::<T>::get(&owner).map(|deadline| deadline.at), Some(renewed));
	}

	/// A due switch of a subaccount with `n` orders, its account at `MaxOpenOrders` (the rest
	/// in another subaccount, read and left), each order alone at its level on a full ask
	/// side: each cancel removes its level and rewrites the side's prices.
	#[benchmark]
	fn fire_deadline(n: Linear<0, { T::MaxOpenOrders::get() }>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let owner = whitelisted_trader::<T>();
		let other_subaccount = Subaccount::new(owner.owner.clone(), 1);
		T::BenchmarkHelper::fund(&other_subaccount);
		let per_maker = T::MaxOpenOrders::get().max(1);
		for level in 0..T::MaxLevels::get() {
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(level)));
			let who = if level < n {
				owner.clone()
			} else if level < T::MaxOpenOrders::get() {
				other_subaccount.clone()
			} else {
				trader::<T>("other", level / per_maker)
			};
			place::<T>(&who, market, Side::Sell, price, step);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let at = now.saturating_add(1u32.into());
		Pallet::<T>::do_schedule_cancel(owner.clone(), Some(at)).expect("set");
		frame_system::Pallet::<T>::set_block_number(at);
		let deadline = CancelDeadlines::<T>::get(&owner).expect("set");

		#[block]
		{
			Pallet::<T>::fire_deadline(&owner, deadline);
		}

		assert_eq!(OpenOrders::<T>::get(&owner.owner), T::MaxOpenOrders::get().saturating_sub(n));
		assert!(CancelDeadlines::<T>::get(&owner).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
