//! What the order book stores and reports.

use clearing_primitives::{collateral::Subaccount, margin::Side, Balance, MarketId, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifies an order for its whole life.
pub type OrderId = u64;

/// How an order treats what it cannot fill at once.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum OrderKind {
	/// Fills what crosses, rests the rest.
	Limit,
	/// Fills what crosses up to its price, cancels the rest (a market order with a bound).
	ImmediateOrCancel,
	/// Only rests: refused if it would cross.
	PostOnly,
	/// Fills all of its size at once, up to its price, or is refused (`WouldNotFill`) and
	/// changes nothing.
	FillOrKill,
	/// A limit order good through block number `0`: from the next block on it never fills,
	/// and the block-start cleanup takes it off the book (`ExpiredAtBlock`), its deposit and
	/// margin released. Refused if that block has passed (`Expired`).
	GoodTilBlock(u32),
}

impl OrderKind {
	/// The last block an order of this kind is good in, if it leaves the book by itself.
	pub fn good_til(&self) -> Option<u32> {
		match self {
			OrderKind::GoodTilBlock(at) => Some(*at),
			_ => None,
		}
	}
}

/// A resting order.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Order<AccountId, BlockNumber> {
	pub id: OrderId,
	pub owner: Subaccount<AccountId>,
	pub market: MarketId,
	pub side: Side,
	/// USD per whole base unit.
	pub price: Price,
	/// Base units still open.
	pub remaining: Balance,
	/// Only ever reduces the owner's position.
	pub reduce_only: bool,
	pub placed_at: BlockNumber,
	/// Collateral set aside as the order's storage deposit while it rests (settlement
	/// units, in the margin engine's order margin), returned when it leaves.
	pub deposit: Balance,
	/// Initial margin the margin engine holds set aside for what is still open (none for a
	/// reduce-only order): a resting order is backed by collateral.
	pub margin: Balance,
	/// The last block a good-til-block order is good in: it leaves the book by itself at
	/// the start of the next. `None`: good until cancelled.
	pub good_til: Option<BlockNumber>,
	/// The owner's own id for it, unique among the subaccount's open orders.
	pub client_id: Option<ClientOrderId>,
}

/// A trader's own id for an order (a bot's sequence number, say): unique among one
/// subaccount's open orders, usable to cancel it, reported when it is placed.
pub type ClientOrderId = u64;

/// One price level: its orders (id and owning account, to find each in `Orders`), oldest
/// first, and their total size.
#[derive(
	frame_support::CloneNoBound,
	frame_support::DebugNoBound,
	frame_support::DefaultNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxOrders))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct Level<AccountId: Clone + core::fmt::Debug + PartialEq + Eq, MaxOrders: frame_support::traits::Get<u32>> {
	pub orders: frame_support::BoundedVec<(OrderId, AccountId), MaxOrders>,
	pub total: Balance,
	/// Of `total`, what reduce-only orders hold: no margin backs it, so funding's impact
	/// walk leaves it out.
	pub reduce_only: Balance,
}

/// Why an order left the book.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum CancelReason {
	/// Its owner cancelled it.
	ByOwner,
	/// An order of the same account crossed it (self-trade prevention cancels the resting one).
	SelfTrade,
	/// Its owner could no longer carry it at its initial margin.
	MarginRefused,
	/// A reduce-only order that would no longer reduce.
	ReduceOnly,
	/// The unfilled rest of an immediate-or-cancel order.
	Expired,
	/// The rest of a limit order that used its `MaxFills` fills while the book still crossed
	/// its price: resting it would cross the book.
	FillLimit,
	/// The index moved away: its price is outside the market's band, where nothing fills.
	OutsideBand,
	/// Its level was the side's worst while the side held `MaxLevels` levels, and a better
	/// price came to rest: the book keeps the levels nearest the market.
	Evicted,
	/// Its owner replaced it (`replace_order`) with a new order at another price or a larger
	/// size.
	Replaced,
	/// A good-til-block order's block began.
	ExpiredAtBlock,
	/// Its subaccount's dead-man's switch (`schedule_cancel`) was not renewed in time.
	DeadlineReached,
	/// Its market is an option series that has expired: it trades no more.
	SeriesExpired,
}

/// One order of a `place_orders` batch: what `place_order` takes, but the subaccount, which
/// is the batch's.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct NewOrder {
	pub market: MarketId,
	pub side: Side,
	/// USD per whole base unit.
	pub price: Price,
	/// Base units.
	#[codec(compact)]
	pub size: Balance,
	pub kind: OrderKind,
	pub reduce_only: bool,
	/// The trader's own id for the order (see [`ClientOrderId`]).
	pub client_id: Option<ClientOrderId>,
}

/// The book's aggregated levels, best first: `(price, total size)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Depth {
	pub bids: alloc::vec::Vec<(Price, Balance)>,
	pub asks: alloc::vec::Vec<(Price, Balance)>,
}

/// Identifies a conditional order (a trigger) for its whole life.
pub type TriggerId = u64;

/// What a conditional order becomes when the index reaches its trigger price.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum TriggerKind {
	/// A stop (fires when the index moves against a position: down for a sell, up for a
	/// buy) placing an immediate-or-cancel order bounded by its price.
	StopMarket,
	/// A stop placing a limit order at its price.
	StopLimit,
	/// A take-profit (fires when the index moves the other way: up for a sell, down for a
	/// buy) placing an immediate-or-cancel order bounded by its price.
	TakeProfitMarket,
	/// A take-profit placing a limit order at its price.
	TakeProfitLimit,
}

impl TriggerKind {
	/// The kind of the order it places.
	pub fn order_kind(&self) -> OrderKind {
		match self {
			TriggerKind::StopMarket | TriggerKind::TakeProfitMarket => OrderKind::ImmediateOrCancel,
			TriggerKind::StopLimit | TriggerKind::TakeProfitLimit => OrderKind::Limit,
		}
	}

	/// Which way the index must move for a trigger of this kind on `side` to fire.
	pub fn crossing(&self, side: Side) -> Crossing {
		let stop = matches!(self, TriggerKind::StopMarket | TriggerKind::StopLimit);
		match (stop, side) {
			(true, Side::Buy) | (false, Side::Sell) => Crossing::Rises,
			(true, Side::Sell) | (false, Side::Buy) => Crossing::Falls,
		}
	}
}

/// Which way the index must move for a trigger to fire.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo,
)]
pub enum Crossing {
	/// Fires when the index is at or above the trigger price.
	Rises,
	/// Fires when the index is at or below the trigger price.
	Falls,
}

impl Crossing {
	/// `true` if an index at `index` fires a trigger at `trigger`.
	pub fn fires(&self, trigger: Price, index: Price) -> bool {
		match self {
			Crossing::Rises => index >= trigger,
			Crossing::Falls => index <= trigger,
		}
	}

	/// `true` if a trigger at `a` fires before (or with) one at `b` as the index moves.
	pub fn sooner(&self, a: Price, b: Price) -> bool {
		match self {
			Crossing::Rises => a <= b,
			Crossing::Falls => a >= b,
		}
	}
}

/// A conditional order waiting for the index: when it reaches `trigger_price` the order is
/// placed as a trader's would be.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Trigger<AccountId, BlockNumber> {
	pub id: TriggerId,
	pub owner: Subaccount<AccountId>,
	pub market: MarketId,
	pub side: Side,
	pub kind: TriggerKind,
	/// The index price that fires it (USD per whole base unit).
	pub trigger_price: Price,
	/// The placed order's price: a limit kind's limit, a market kind's worst price.
	pub price: Price,
	/// Base units; `None`: the whole position at the time it fires (reduce-only).
	pub size: Option<Balance>,
	pub reduce_only: bool,
	/// Collateral set aside as its storage deposit (the margin engine's order margin),
	/// returned when it fires or is cancelled.
	pub deposit: Balance,
	pub placed_at: BlockNumber,
	/// The other half of a take-profit/stop-loss pair: when one fires, the other is
	/// cancelled.
	pub pair: Option<TriggerId>,
}

/// Why a trigger left without firing.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum TriggerCancelReason {
	/// Its owner cancelled it.
	ByOwner,
	/// The other half of its take-profit/stop-loss pair fired.
	PairFired,
	/// Its subaccount's dead-man's switch passed after it was placed.
	DeadlineReached,
	/// Its market is an option series that has expired.
	SeriesExpired,
}

/// A subaccount's dead-man's switch: at the start of block `at`, every order it placed
/// before then is cancelled, unless renewed or cleared first.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Deadline<BlockNumber> {
	pub at: BlockNumber,
	/// Collateral set aside as its storage deposit (the margin engine's order margin),
	/// returned when it fires or is cleared.
	pub deposit: Balance,
}

/// Days in the fee tiers' volume window.
pub const VOLUME_DAYS: u32 = 30;

/// One row of the governed fee tier table: from `min_volume` of 30-day traded volume (the
/// account's, over all its subaccounts, maker and taker), these rates replace a market's own
/// where lower.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct FeeTier {
	/// Settlement units.
	pub min_volume: Balance,
	pub taker_fee: sp_runtime::Permill,
	pub maker_fee: sp_runtime::Permill,
	/// Paid to the maker out of the same fill's taker fee, never more than it; a tier with a
	/// rebate charges no maker fee.
	pub maker_rebate: sp_runtime::Permill,
}

/// An account's traded notional per day over the last `VOLUME_DAYS` days (a ring of daily
/// buckets, settlement units, saturating), and the last day recorded.
#[derive(
	Clone, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct VolumeWindow {
	pub day: u32,
	pub days: [u64; VOLUME_DAYS as usize],
}

/// What `OrderbookApi.fees` reports of an account.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountFees {
	/// Traded notional over the last 30 days (settlement units).
	pub volume: Balance,
	/// The tier it reaches; `None`: each market's own fees.
	pub tier: Option<FeeTier>,
}
