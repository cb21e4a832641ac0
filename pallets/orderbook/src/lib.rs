//! # Order book
//!
//! A price-time priority limit order book per perpetual market.
//!
//! - `place_order` matches at once against the opposite side, best price first and oldest
//!   order first at a price, up to `MaxFills` fills per call; what is left rests (`Limit`),
//!   is cancelled (`ImmediateOrCancel`), or the order is refused if it would cross at all
//!   (`PostOnly`). A limit order that used its `MaxFills` while the book still crosses its
//!   price is cancelled for the rest (`FillLimit`): the book never rests crossed. Reduce-only orders are clipped to the position they reduce.
//! - Every fill goes through the margin engine
//!   ([`clearing_primitives::margin::MarginEngine::apply_fill`]): a maker it refuses loses its
//!   order and matching goes on; a taker it refuses fails the call, changing nothing.
//! - An order crossing one of its own account's resting orders cancels the resting one
//!   (self-trade prevention).
//! - Taker and maker fees are paid in the settlement asset into the book's fee subaccount in
//!   the vaults; `InsuranceShare` of them goes to the insurance fund.
//! - A resting order sets `OrderDeposit` of its owner's collateral aside (settlement units,
//!   beside its initial margin, in the margin engine's order margin), returned when it leaves
//!   the book. Open orders per account (`OpenOrders`), levels per side and orders per level
//!   are bounded.
//! - Orders are stored under their owner's account, so a cancel finds its order in one read
//!   and a fill needs no per-owner list: placing, cancelling and filling each touch as few
//!   storage items as the book allows.
//!
//! - Time in force: `FillOrKill` (all at once or refused) and `GoodTilBlock(n)` (never filled
//!   after block n). Triggers (`place_trigger`, `place_tp_sl`): stops and take-profits fired
//!   when the fresh index reaches them, placing their order as a trader's. A dead-man's switch
//!   per subaccount (`schedule_cancel`). After each block's inherents (`on_poll`), expired
//!   orders and due switches are cleaned up and triggers fired, each within its share of the
//!   block, oldest or soonest first; what does not fit waits, and dead orders never fill
//!   meanwhile.
//!
//! The book offers the margin engine its impact prices for funding
//! ([`clearing_primitives::margin::BookPrices`]), and clients `OrderbookApi`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod amend;
mod batch;
mod book;
mod fees;
mod functions;
pub mod migrations;
mod placing;
mod triggers;
mod deadline;
mod expired;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee (pallet names, storage
// prefixes); the calls here are thin and the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use clearing_primitives::{
		collateral::{CollateralLedger, Subaccount, SubaccountNumber},
		insurance::InsuranceFund,
		margin::{MarginEngine, Side},
		Balance, MarketId, Price,
	};
	use frame_support::{pallet_prelude::*, PalletId};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Permill;

	pub use clearing_primitives::collateral::SubaccountOf;
	/// An order with this runtime's types.
	pub type OrderOf<T> = Order<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// A price level with this runtime's types and bound.
	pub type LevelOf<T> =
		Level<<T as frame_system::Config>::AccountId, <T as Config>::MaxOrdersPerLevel>;
	/// A trigger with this runtime's types.
	pub type TriggerOf<T> = Trigger<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// v1: `Order` carries `good_til` (migrations::v1).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Applies fills and knows the markets' rules.
		type Margin: MarginEngine<Self::AccountId>;

		/// Where fees are paid (the vaults' settlement balances).
		type Ledger: CollateralLedger<Self::AccountId>;

		/// Receives its share of the fees.
		type Insurance: InsuranceFund<Self::AccountId>;

		/// Derives the fee subaccount.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Collateral (settlement units) a resting order sets aside as its storage deposit,
		/// returned when it leaves the book; above zero. Orders resting when a runtime changes
		/// it keep, and get back, what they set aside.
		#[pallet::constant]
		type OrderDeposit: Get<Balance>;

		/// The insurance fund's share of every fee.
		#[pallet::constant]
		type InsuranceShare: Get<Permill>;

		/// Sets the fee tier table.
		type FeeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Most rows in the fee tier table.
		#[pallet::constant]
		type MaxFeeTiers: Get<u32>;

		/// Blocks in one day of the fee tiers' 30-day volume window.
		#[pallet::constant]
		type VolumeDayBlocks: Get<BlockNumberFor<Self>>;

		/// Most fills one `place_order` makes.
		#[pallet::constant]
		type MaxFills: Get<u32>;

		/// Most fills a fired trigger's order makes at one firing (at most `MaxFills`): a
		/// trigger whose order stopped there with size left goes back to its place in the
		/// queue with the rest and fires again in the next block.
		#[pallet::constant]
		type MaxTriggerFills: Get<u32>;

		/// Most orders one `place_orders` batch carries.
		#[pallet::constant]
		type MaxBatchOrders: Get<u32>;

		/// Most ids one `cancel_orders` batch carries.
		#[pallet::constant]
		type MaxBatchCancels: Get<u32>;

		/// Most open orders per account, over all its subaccounts and markets.
		#[pallet::constant]
		type MaxOpenOrders: Get<u32>;

		/// Most triggers (conditional orders) per account, over all its subaccounts.
		#[pallet::constant]
		type MaxOpenTriggers: Get<u32>;

		/// Most triggers waiting per market and direction.
		#[pallet::constant]
		type MaxTriggersPerQueue: Get<u32>;

		/// Most markets with triggers waiting (at least the markets the margin engine may
		/// open).
		#[pallet::constant]
		type MaxTriggerMarkets: Get<u32>;

		/// The most weight the block-start hook spends firing triggers in one block; the
		/// rest fire in the next blocks, soonest first.
		#[pallet::constant]
		type TriggerBlockWeight: Get<Weight>;

		/// The most weight the block-start hook spends in one block taking expired
		/// good-til-block orders and the orders of due dead-man's switches off the book; the
		/// rest go in the next blocks, oldest first (they never fill meanwhile).
		#[pallet::constant]
		type CleanupBlockWeight: Get<Weight>;

		/// The furthest ahead a dead-man's switch may be set (`schedule_cancel`).
		#[pallet::constant]
		type MaxCancelHorizon: Get<BlockNumberFor<Self>>;


		/// Most price levels per side of a market.
		#[pallet::constant]
		type MaxLevels: Get<u32>;

		/// Most orders at one price level.
		#[pallet::constant]
		type MaxOrdersPerLevel: Get<u32>;

		/// The notional (settlement units) an impact price must fill, for funding.
		#[pallet::constant]
		type ImpactNotional: Get<Balance>;

		/// Weights of the calls, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;

		/// Sets a market and collateral up for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What the benchmarks need the runtime to arrange.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// A market with a fresh index price at `price`, and its tick and step.
		fn market(price: Price) -> (MarketId, Price, Balance);
		/// Gives `subaccount` settlement collateral, and its owner native tokens for fees.
		fn fund(subaccount: &Subaccount<AccountId>);
		/// An option series' market, priced at fresh inputs: its tick, its step and its mark
		/// on the tick (a runtime without options: any market and its price).
		fn series_market() -> (MarketId, Price, Balance, Price);
	}

	/// Every resting order, under its owner's account.
	#[pallet::storage]
	pub type Orders<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		OrderId,
		OrderOf<T>,
		OptionQuery,
	>;

	/// Each side's price levels, best first (bids descending, asks ascending).
	#[pallet::storage]
	pub type LevelPrices<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		MarketId,
		Twox64Concat,
		Side,
		BoundedVec<Price, T::MaxLevels>,
		ValueQuery,
	>;

	/// The orders at one price (id and owner), oldest first.
	#[pallet::storage]
	pub type Levels<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, MarketId>,
			NMapKey<Twox64Concat, Side>,
			NMapKey<Twox64Concat, Price>,
		),
		LevelOf<T>,
		OptionQuery,
	>;

	/// The fee tier table, by rising 30-day volume (empty: every market's own fees).
	#[pallet::storage]
	pub type FeeTiers<T: Config> = StorageValue<_, BoundedVec<crate::FeeTier, T::MaxFeeTiers>, ValueQuery>;

	/// Each account's traded volume over the last 30 days, in daily buckets (one bounded
	/// window per account that has traded).
	#[pallet::storage]
	pub type TradedVolume<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, crate::VolumeWindow, ValueQuery>;

	/// Each subaccount's open orders by the trader's own id (`NewOrder.client_id`): one open
	/// order per client id and subaccount. Bounded by the open orders, each with its deposit.
	#[pallet::storage]
	pub type ClientOrders<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		SubaccountOf<T>,
		Twox64Concat,
		crate::ClientOrderId,
		OrderId,
		OptionQuery,
	>;

	/// The good-til-block orders (id and owning account) good through each block, taken off
	/// the book from the start of the next (no bound per block: each is a resting order with
	/// its deposit).
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		OrderId,
		T::AccountId,
		OptionQuery,
	>;

	/// The oldest block whose good-til-block orders may not all have left the book.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Every waiting trigger.
	#[pallet::storage]
	pub type Triggers<T: Config> = StorageMap<_, Twox64Concat, TriggerId, TriggerOf<T>, OptionQuery>;

	/// Each market's waiting triggers by the way the index must move, in firing order
	/// (`(trigger price, id)`: rising ones lowest first, falling ones highest first, then
	/// oldest first).
	#[pallet::storage]
	pub type TriggerQueues<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		MarketId,
		Twox64Concat,
		Crossing,
		BoundedVec<(Price, TriggerId), T::MaxTriggersPerQueue>,
		ValueQuery,
	>;

	/// The markets with triggers waiting, which the block-start hook checks.
	#[pallet::storage]
	pub type TriggerMarkets<T: Config> = StorageValue<_, BoundedVec<MarketId, T::MaxTriggerMarkets>, ValueQuery>;

	/// The next trigger's id.
	#[pallet::storage]
	pub type NextTriggerId<T: Config> = StorageValue<_, TriggerId, ValueQuery>;

	/// Each account's waiting triggers (over all its subaccounts), oldest first.
	#[pallet::storage]
	pub type AccountTriggers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<TriggerId, T::MaxOpenTriggers>, ValueQuery>;

	/// Each subaccount's dead-man's switch.
	#[pallet::storage]
	pub type CancelDeadlines<T: Config> =
		StorageMap<_, Blake2_128Concat, SubaccountOf<T>, Deadline<BlockNumberFor<T>>, OptionQuery>;

	/// The subaccounts whose dead-man's switch is due at each block.
	#[pallet::storage]
	pub type DeadlinesDue<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Blake2_128Concat, SubaccountOf<T>, (), OptionQuery>;

	/// The oldest block whose due dead-man's switches may not all have been handled.
	#[pallet::storage]
	pub type DeadlineCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The next order's id.
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

	/// How many orders each account has resting, over all its subaccounts and markets.
	#[pallet::storage]
	pub type OpenOrders<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An order was placed (before matching).
		OrderPlaced {
			id: OrderId,
			owner: SubaccountOf<T>,
			market: MarketId,
			side: Side,
			price: Price,
			size: Balance,
			kind: OrderKind,
			/// The trader's own id for it, if it gave one.
			client_id: Option<crate::ClientOrderId>,
		},
		/// The fee tier table was replaced.
		FeeTiersSet { tiers: BoundedVec<crate::FeeTier, T::MaxFeeTiers> },
		/// An account's volume window, all of it older than 30 days, was removed.
		VolumeForgotten { account: T::AccountId },
		/// A taker filled `size` against resting order `maker_order` at its price.
		OrderFilled {
			maker_order: OrderId,
			taker_order: OrderId,
			market: MarketId,
			price: Price,
			size: Balance,
			taker_fee: Balance,
			maker_fee: Balance,
			/// Paid to the maker out of `taker_fee` (its fee tier's rebate).
			maker_rebate: Balance,
		},
		/// What was left of an order rests in the book.
		OrderRested { id: OrderId, remaining: Balance },
		/// An order left the book unfilled (or partly), its deposit released.
		OrderCancelled { id: OrderId, remaining: Balance, reason: CancelReason },
		/// Entry `index` of a `place_orders` or `cancel_orders` batch: the order it placed or
		/// cancelled, or why it failed (that entry changed nothing).
		BatchEntry { index: u32, result: Result<OrderId, DispatchError> },
		/// `cancel_all` cancelled `cancelled` orders of `owner` (in `market`, if given).
		AllCancelled { owner: SubaccountOf<T>, market: Option<MarketId>, cancelled: u32 },
		/// A resting order was cut to `remaining` where it stands (`replace_order`), keeping
		/// its time priority.
		OrderReduced { id: OrderId, remaining: Balance },
		/// Order `old` was replaced by order `new` (`replace_order`), which queued anew.
		OrderReplaced { old: OrderId, new: OrderId },
		/// A trigger (conditional order) waits for the index to reach `trigger_price`.
		TriggerPlaced {
			id: TriggerId,
			owner: SubaccountOf<T>,
			market: MarketId,
			side: Side,
			kind: TriggerKind,
			trigger_price: Price,
			price: Price,
			size: Option<Balance>,
			pair: Option<TriggerId>,
		},
		/// The index reached trigger `id`'s price: it placed an order (its id) or the order
		/// was refused (the error; nothing of it stays). Its deposit is released either way.
		TriggerFired { id: TriggerId, index: Price, result: Result<OrderId, DispatchError> },
		/// Trigger `id` left without firing, its deposit released.
		TriggerCancelled { id: TriggerId, reason: TriggerCancelReason },
		/// `subaccount`'s dead-man's switch is set for block `at` (`None`: cleared).
		CancelScheduled { subaccount: SubaccountOf<T>, at: Option<BlockNumberFor<T>> },
		/// `subaccount`'s dead-man's switch for block `at` cancelled `cancelled` orders.
		ScheduledCancelFired { subaccount: SubaccountOf<T>, at: BlockNumberFor<T>, cancelled: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No market by that id.
		MarketNotFound,
		/// The price is not a positive multiple of the market's tick.
		PriceOffTick,
		/// The size is not a positive multiple of the market's step.
		SizeOffStep,
		/// A post-only order would cross the book.
		WouldCross,
		/// A reduce-only order with no position to reduce on its side.
		NothingToReduce,
		/// The account has `MaxOpenOrders` open orders.
		TooManyOpenOrders,
		/// The side holds `MaxLevels` levels and the order is not better than the worst or
		/// smaller than it (only a better, at least as large order evicts it), or the level
		/// holds `MaxOrdersPerLevel` orders.
		BookFull,
		/// The signer has no open order by that id.
		OrderNotFound,
		/// The subaccount has an open order with that client id already.
		ClientIdInUse,
		/// The subaccount has no open order with that client id.
		UnknownClientId,
		/// A fee tier table must rise in volume from above zero, charge at most 1% a side,
		/// and rebate makers only in tiers without a maker fee, never more than half of any
		/// tier's taker fee.
		InvalidFeeTiers,
		/// The account has no volume window.
		NoVolume,
		/// Some of the account's volume is within the last 30 days.
		VolumeStillCounted,
		/// The market is halted: only cancels.
		MarketHalted,
		/// The market takes post-only orders only.
		MarketPostOnly,
		/// The market takes reduce-only orders only (set so, or its index price is stale or
		/// flagged).
		MarketReduceOnly,
		/// The order's price is further from the index than the market's price band allows.
		PriceOutsideBand,
		/// A fill-or-kill order the book cannot fill in full at once (within `MaxFills`
		/// fills and its price).
		WouldNotFill,
		/// A good-til-block order whose block has passed.
		Expired,
		/// The account has `MaxOpenTriggers` triggers waiting.
		TooManyTriggers,
		/// The market's triggers in that direction number `MaxTriggersPerQueue`.
		TriggerQueueFull,
		/// The signer has no waiting trigger by that id.
		TriggerNotFound,
		/// A trigger sized to the whole position (no size) must be reduce-only.
		WholePositionNeedsReduceOnly,
		/// A take-profit/stop-loss call with neither.
		NoTrigger,
		/// The index has already reached the trigger price: place the order instead.
		TriggerAlreadyReached,
		/// A dead-man's switch for a block already begun.
		DeadlinePassed,
		/// A dead-man's switch further ahead than `MaxCancelHorizon`.
		DeadlineTooFar,
	}

	/// Read-only queries by name (`RuntimeViewFunction`), beside the runtime API of the same
	/// names that clients already use.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// Up to `levels` price levels a side of `market` (`OrderbookApi.depth`).
		pub fn depth(market: MarketId, levels: u32) -> crate::Depth {
			Self::depth_view(market, levels)
		}

		/// A subaccount's open orders, oldest first (`OrderbookApi.orders`).
		pub fn orders(owner: T::AccountId, number: SubaccountNumber) -> alloc::vec::Vec<OrderOf<T>> {
			Self::open_orders(owner, number)
		}

		/// A subaccount's waiting triggers, oldest first (`OrderbookApi.triggers`).
		pub fn triggers(owner: T::AccountId, number: SubaccountNumber) -> alloc::vec::Vec<TriggerOf<T>> {
			Self::waiting_triggers(owner, number)
		}

		/// The dead-man's switch of `owner`'s subaccount `number`, if armed
		/// (`OrderbookApi.cancel_deadline`).
		pub fn cancel_deadline(
			owner: T::AccountId,
			number: SubaccountNumber,
		) -> Option<crate::Deadline<BlockNumberFor<T>>> {
			CancelDeadlines::<T>::get(Subaccount::new(owner, number))
		}

		/// `owner`'s 30-day traded volume and fee tier (`OrderbookApi.fees`).
		pub fn fees(owner: T::AccountId) -> crate::AccountFees {
			Self::account_fees(&owner)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Places an order for the signer's subaccount `subaccount`: `side` `size` base units at
		/// `price` or better. Matches at once (at most `MaxFills` fills), then rests or cancels
		/// the rest as `kind` says (a limit order's rest that would still cross is cancelled,
		/// `FillLimit`); a post-only order that would cross is refused, and so is a
		/// fill-or-kill order that would not fill in full. A good-til-block order rests as a
		/// limit order does, until the start of the block after the one it names.
		///
		/// Fees are paid per fill; a resting order sets its initial margin (none if reduce-only)
		/// and `OrderDeposit` of collateral aside. A reduce-only order is clipped to the position
		/// it reduces.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: `MarketNotFound`; `MarketHalted`, `MarketPostOnly` or `MarketReduceOnly` (the
		///   market's status refuses it); `PriceOffTick`, `SizeOffStep`, `PriceOutsideBand`
		///   (beyond the market's band around the index); `WouldCross` (post-only);
		///   `NothingToReduce` (reduce-only, no position on its side); `WouldNotFill`
		///   (fill-or-kill); `Expired` (good-til-block, its block passed); to rest,
		///   `TooManyOpenOrders`, `BookFull` or the margin engine's `InitialMarginBreached`; the
		///   margin engine's refusal of the taker's side of a fill; nothing changes on any error.
		/// - Weight: `Pallet::place_order_weight(MaxFills)`, refunded to the fills made (the
		///   book's work and the margin engine's for each) and, for a rest, its margin check and
		///   eviction.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::place_order_weight(T::MaxFills::get()))]
		pub fn place_order(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			market: MarketId,
			side: Side,
			price: Price,
			#[pallet::compact] size: Balance,
			kind: OrderKind,
			reduce_only: bool,
		) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
			let matched = Self::do_place_order(crate::placing::Request {
				owner: Subaccount::new(owner, subaccount),
				market,
				side,
				price,
				size,
				kind,
				reduce_only,
				by: crate::placing::PlacedBy::trader::<T>(),
				client_id: None,
			})?;
			Ok(Some(Self::matched_weight(&matched)).into())
		}

		/// Cancels the signer's open order `id` (any of its subaccounts') and releases its deposit
		/// and the margin it set aside.
		///
		/// - Origin: signed, by the order's owner.
		/// - Errors: `OrderNotFound` (the signer has no open order `id`); nothing changes on any
		///   error.
		/// - Weight: `Pallet::cancels_weight(1)`: the larger of the last order of a full level
		///   and an order alone at its level on a full side.
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::cancels_weight(1))]
		pub fn cancel_order(origin: OriginFor<T>, id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::cancel_by_owner(&who, id)
		}

		/// Places up to `MaxBatchOrders` orders (any markets) for the signer's subaccount
		/// `subaccount`, in turn, each as `place_order` would, sharing one `MaxFills` fill
		/// budget between them (an order that finds the budget spent matches nothing: a limit
		/// order that would still cross is cancelled, `FillLimit`).
		///
		/// Each entry is reported by `BatchEntry` with its order id or its error, and a failed
		/// entry changes nothing; with `atomic`, the first failure fails the call and nothing
		/// of the batch stays.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: none of its own without `atomic` (each entry's error is in its
		///   `BatchEntry`: any of `place_order`'s); with `atomic`, the first entry's error.
		/// - Weight: `Pallet::place_orders_weight`: the batch benchmark at its length, each
		///   order's margin check and eviction, `MaxFills` fills at the margin engine's worst
		///   case, and a single order's reads per further market; refunded to what ran.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::place_orders_weight(orders))]
		pub fn place_orders(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			orders: BoundedVec<NewOrder, T::MaxBatchOrders>,
			atomic: bool,
		) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
			Self::do_place_orders(owner, subaccount, orders.into_inner(), atomic)
		}

		/// Cancels up to `MaxBatchCancels` of the signer's open orders by id, in turn, each
		/// as `cancel_order` would. Each entry is reported by `BatchEntry` with its id or
		/// `OrderNotFound`; with `atomic`, a missing order fails the call and nothing is
		/// cancelled.
		///
		/// - Origin: signed, by the orders' owner.
		/// - Errors: none of its own without `atomic`; with `atomic`, `OrderNotFound`.
		/// - Weight: `Pallet::cancels_weight(ids)`.
		#[pallet::call_index(3)]
		#[pallet::weight(Pallet::<T>::cancels_weight(ids.len() as u32))]
		pub fn cancel_orders(
			origin: OriginFor<T>,
			ids: BoundedVec<OrderId, T::MaxBatchCancels>,
			atomic: bool,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_cancel_orders(who, ids.into_inner(), atomic)
		}

		/// Cancels every open order of the signer's subaccount `subaccount`, or only those in
		/// `market`, releasing their deposits and margin (`AllCancelled` tells how many; none
		/// is not an error).
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: none.
		/// - Weight: `Pallet::cancel_all_weight(MaxOpenOrders)`, refunded to the account's open
		///   orders read.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::cancel_all_weight(T::MaxOpenOrders::get()))]
		pub fn cancel_all(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			market: Option<MarketId>,
		) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
			Ok(Some(Self::do_cancel_all(owner, subaccount, market)?).into())
		}

		/// Replaces the signer's open order `id` with one at `price` for `size` of `kind`, on
		/// the same subaccount, market and side, reduce-only if it was. A smaller `size` at
		/// the same `price` (a limit or post-only `kind` for an order good until cancelled, or
		/// `GoodTilBlock` of the order's own block) cuts the order where it stands: same id,
		/// same place in time (`OrderReduced`). Anything else cancels it (`Replaced`) and
		/// places the new order as `place_order` would, behind its level's orders
		/// (`OrderReplaced`). Both happen or neither: if the new order is refused, the old
		/// one stays as it was. A cut only lowers risk, so it goes through in any market
		/// status, as a cancel does.
		///
		/// - Origin: signed, by the order's owner.
		/// - Errors: `OrderNotFound`; `SizeOffStep` for a cut; for a new order, any of
		///   `place_order`'s; nothing changes on any error.
		/// - Weight: `Pallet::replace_order_weight`: a cancel and a whole `place_order`,
		///   refunded to what ran (a cut: a cancel and a resting order's market reads).
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::replace_order_weight())]
		pub fn replace_order(
			origin: OriginFor<T>,
			id: OrderId,
			price: Price,
			#[pallet::compact] size: Balance,
			kind: OrderKind,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Ok(Some(Self::do_replace_order(who, id, price, size, kind)?).into())
		}

		/// Places a trigger (conditional order) for the signer's subaccount `subaccount`: when
		/// `market`'s fresh index reaches `trigger_price` (moving up for a buy stop or a sell
		/// take-profit, down for a sell stop or a buy take-profit), the start of the next block
		/// places a `side` order of `size` at `price` as `place_order` would (market kinds:
		/// immediate-or-cancel bounded by `price`; limit kinds: a limit order). `size` `None`
		/// sizes it to the whole position when it fires (reduce-only only). Sets
		/// `OrderDeposit` of collateral aside until it fires or is cancelled.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: `MarketNotFound`; `MarketHalted`, `MarketPostOnly`, `MarketReduceOnly`;
		///   `PriceOffTick` (either price), `SizeOffStep`; `WholePositionNeedsReduceOnly`;
		///   `TriggerAlreadyReached` (the index is already there);
		///   `TooManyTriggers`, `TriggerQueueFull`; the margin engine's refusal of the deposit.
		///   Nothing changes on any error.
		/// - Weight: `Pallet::place_trigger_weight()`: its benchmark (the front of a full
		///   queue) and the margin engine's worst deposit check.
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::place_trigger_weight())]
		pub fn place_trigger(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			market: MarketId,
			side: Side,
			kind: TriggerKind,
			trigger_price: Price,
			price: Price,
			size: Option<Balance>,
			reduce_only: bool,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let new = crate::triggers::NewTrigger {
				owner: Subaccount::new(owner, subaccount),
				market,
				side,
				kind,
				trigger_price,
				price,
				size,
				reduce_only,
			};
			Self::add_trigger(new, None).map(|_| ())
		}

		/// Places a take-profit and/or a stop-loss for the signer's position in `market`
		/// (subaccount `subaccount`): each `(trigger price, worst price)`, a reduce-only
		/// market trigger on the closing side, sized to the whole position when it fires (so
		/// it shrinks and grows with it). Given both, they are a pair: when one fires and its
		/// order fills in full (or no position is left), the other is cancelled
		/// (`TriggerCancelled { reason: PairFired }`); a refused or partly filled one leaves
		/// the other waiting, unpaired.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: `NoTrigger` (neither given); `NothingToReduce` (no position); any of
		///   `place_trigger`'s. Nothing changes on any error.
		/// - Weight: `Pallet::place_tp_sl_weight()`: its benchmark (both at the front of full
		///   queues) and the margin engine's worst deposit check for each.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::place_tp_sl_weight())]
		pub fn place_tp_sl(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			market: MarketId,
			take_profit: Option<(Price, Price)>,
			stop_loss: Option<(Price, Price)>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_place_tp_sl(Subaccount::new(owner, subaccount), market, take_profit, stop_loss)
		}

		/// Cancels the signer's waiting trigger `id` and releases its deposit; the other half
		/// of its pair, if any, stays (unpaired).
		///
		/// - Origin: signed, by the trigger's owner.
		/// - Errors: `TriggerNotFound`; nothing changes on any error.
		/// - Weight: `WeightInfo::cancel_trigger()` (from a full queue, with a pair).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_trigger())]
		pub fn cancel_trigger(origin: OriginFor<T>, id: TriggerId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::cancel_trigger_by_owner(&who, id)
		}

		/// Sets the dead-man's switch of the signer's subaccount `subaccount`: at the start of
		/// block `at`, every order of the subaccount placed before it is cancelled
		/// (`DeadlineReached`), unless this call is made again first with a later `at`
		/// (renewed) or `None` (cleared). From block `at` on, those orders never fill, even
		/// before the block-start hook reaches them. A switch already past its block takes
		/// effect first: a late renewal does not bring its orders back. Sets `OrderDeposit` of
		/// collateral aside while set.
		///
		/// - Origin: signed, by the subaccount's owner.
		/// - Errors: `DeadlinePassed` (`at` has begun), `DeadlineTooFar` (beyond
		///   `MaxCancelHorizon`), the margin engine's refusal of the deposit; nothing changes
		///   on any error.
		/// - Weight: `Pallet::schedule_cancel_weight()`: its benchmark, a passed switch firing
		///   over a full account, and the deposit's margin check; refunded to what ran.
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::schedule_cancel_weight())]
		pub fn schedule_cancel(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			at: Option<BlockNumberFor<T>>,
		) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
			let used = Self::do_schedule_cancel(Subaccount::new(owner, subaccount), at)?;
			Ok(Some(used).into())
		}

		/// Replaces the fee tier table: from each row's 30-day volume, its taker fee, maker
		/// fee and maker rebate apply (each fee never above the market's own; a rebate never
		/// above half the fill's taker fee, and none on a liquidation's close).
		///
		/// - Origin: `FeeOrigin` (root).
		/// - Errors: `InvalidFeeTiers` (thresholds not rising from above zero, a fee above 1%,
		///   a rebate beside a maker fee, or a rebate above half some tier's taker fee); nothing
		///   changes on any error.
		/// - Weight: `WeightInfo::set_fee_tiers()`, a full table.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_fee_tiers())]
		pub fn set_fee_tiers(
			origin: OriginFor<T>,
			tiers: BoundedVec<crate::FeeTier, T::MaxFeeTiers>,
		) -> DispatchResult {
			T::FeeOrigin::ensure_origin(origin)?;
			Self::do_set_fee_tiers(tiers)
		}

		/// Removes `account`'s volume window once all its volume is older than 30 days, so
		/// windows are kept only for accounts that traded within the window. Anyone may call
		/// it (it changes no fee: the account's volume is zero either way).
		///
		/// - Origin: signed, anyone.
		/// - Errors: `NoVolume`, `VolumeStillCounted`; nothing changes on any error.
		/// - Weight: `WeightInfo::forget_volume()`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::forget_volume())]
		pub fn forget_volume(origin: OriginFor<T>, account: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_forget_volume(&account)
		}

		/// Cancels the open order the signer's subaccount `subaccount` placed with client id
		/// `client_id` (see `NewOrder.client_id`), as `cancel_order` would.
		///
		/// - Origin: signed, by the order's owner.
		/// - Errors: `UnknownClientId` (no open order of that subaccount has it); nothing
		///   changes on any error.
		/// - Weight: `Pallet::cancel_by_client_id_weight()`: its benchmark, or `cancel_order`'s
		///   worst case and the client id's lookup if more.
		#[pallet::call_index(10)]
		#[pallet::weight(Pallet::<T>::cancel_by_client_id_weight())]
		pub fn cancel_by_client_id(
			origin: OriginFor<T>,
			subaccount: SubaccountNumber,
			client_id: crate::ClientOrderId,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let id = ClientOrders::<T>::get(Subaccount::new(owner.clone(), subaccount), client_id)
				.ok_or(Error::<T>::UnknownClientId)?;
			Self::cancel_by_owner(&owner, id)
		}

	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// After the block's inherents (so the timestamp, and the oracle's freshness, are
		/// this block's): takes expired good-til-block orders and the orders of due dead-man's
		/// switches off the book, oldest first, within `CleanupBlockWeight`; then fires the
		/// triggers the fresh index (aggregated at the end of the previous block) has reached,
		/// soonest first, within `TriggerBlockWeight`. What does not fit goes in the next
		/// blocks; expired orders and orders past a switch never fill meanwhile.
		fn on_poll(now: BlockNumberFor<T>, meter: &mut frame_support::weights::WeightMeter) {
			let cleanup = T::CleanupBlockWeight::get().min(meter.remaining());
			let expired = Self::expire_orders(now, cleanup);
			let switched = Self::process_deadlines(now, cleanup.saturating_sub(expired));
			meter.consume(expired.saturating_add(switched).min(meter.remaining()));
			let firing = Self::fire_triggers(now, T::TriggerBlockWeight::get().min(meter.remaining()));
			meter.consume(firing.min(meter.remaining()));
		}

		fn integrity_test() {
			assert!(T::OrderDeposit::get() > 0, "every resting order carries a deposit");
			assert!(
				(1..=T::MaxFills::get()).contains(&T::MaxTriggerFills::get()),
				"a fired trigger makes at least one fill and no more than any order"
			);
			assert!(
				T::TriggerBlockWeight::get().all_gte(
					T::WeightInfo::check_triggers()
						.saturating_mul(u64::from(T::MaxTriggerMarkets::get()))
						.saturating_add(Self::fire_trigger_weight())
				),
				"the trigger budget looks at every market and fires a trigger per block"
			);
			assert!(
				T::CleanupBlockWeight::get().all_gte(Self::cleanup_floor()),
				"the cleanup budget handles an expired order and a switch per block"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}
}
