//! What the order book (and later liquidation) asks of the margin engine, and what the
//! margin engine asks of the book.

use crate::{collateral::Subaccount, Balance, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult, Permill, Weight};

/// Identifies a perpetual market.
pub type MarketId = u32;

/// Which way an order or a fill goes, for its taker.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum Side {
	Buy,
	Sell,
}

/// One match between a taker and a resting maker order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fill<AccountId> {
	pub market: MarketId,
	pub taker: Subaccount<AccountId>,
	pub maker: Subaccount<AccountId>,
	/// The taker's side; the maker takes the other.
	pub taker_side: Side,
	/// USD per whole base unit.
	pub price: Price,
	/// Base asset's smallest units, above zero.
	pub size: Balance,
}

/// Which side of a fill a refusal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillParty {
	Taker,
	Maker,
}

/// Why a fill was refused, and whose fault it is: a maker's refusal cancels its resting
/// order and matching goes on; a taker's fails the taker's call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FillRefusal {
	pub party: FillParty,
	pub error: DispatchError,
}

/// What a market accepts, from least to most restrictive. Set by governance per market; a
/// market whose index price is stale or flagged is at least `ReduceOnly` whatever is set.
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Encode, Decode,
	DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum MarketStatus {
	/// Any order; orders match.
	#[default]
	Active,
	/// Only post-only orders: the book refills without matching (as after a halt).
	PostOnly,
	/// Only reduce-only orders, and no fill that grows a position on either side.
	ReduceOnly,
	/// No new orders and no fills; cancels still work.
	Halted,
}

impl MarketStatus {
	/// Whether an order of this shape may be placed: `post_only` orders never match,
	/// `reduce_only` ones never grow a position.
	pub fn admits(self, post_only: bool, reduce_only: bool) -> bool {
		match self {
			Self::Active => true,
			Self::PostOnly => post_only,
			Self::ReduceOnly => reduce_only,
			Self::Halted => false,
		}
	}
}

/// A market's trading rules, as the order book needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketRules {
	/// What the market accepts now (its index price's freshness included).
	pub status: MarketStatus,
	pub base_decimals: u8,
	pub tick_size: Price,
	pub step_size: Balance,
	pub maker_fee: Permill,
	pub taker_fee: Permill,
	/// Orders rest and fills happen only within this fraction of the index price.
	pub price_band: Permill,
	/// The index price (the last one, whatever its status); `None` if never priced.
	pub index: Option<Price>,
	/// The index is fresh (recent enough and unflagged): what acting on it alone needs.
	pub index_fresh: bool,
}

impl MarketRules {
	/// `true` if `price` is a positive multiple of the tick.
	pub fn on_tick(&self, price: Price) -> bool {
		on_tick(price, self.tick_size)
	}

	/// `true` if `size` is a positive multiple of the step.
	pub fn on_step(&self, size: Balance) -> bool {
		on_step(size, self.step_size)
	}

	/// `true` if `price` is within the market's band around its index (never, unpriced).
	pub fn in_band(&self, price: Price) -> bool {
		self.index.is_some_and(|index| within_band(price, index, self.price_band))
	}
}

/// `true` if `price` is at most `band` × `index` away from `index` (the band rounded inwards,
/// so a price on its edge is never let through by rounding).
pub fn within_band(price: Price, index: Price, band: Permill) -> bool {
	let reach = band.mul_floor(index.into_inner());
	price.into_inner().abs_diff(index.into_inner()) <= reach
}

/// `true` if `price` is a positive multiple of `tick`.
pub fn on_tick(price: Price, tick: Price) -> bool {
	use sp_runtime::traits::Zero;
	!price.is_zero() && price.into_inner().checked_rem(tick.into_inner()) == Some(0)
}

/// `true` if `size` is a positive multiple of `step`.
pub fn on_step(size: Balance, step: Balance) -> bool {
	size > 0 && size.checked_rem(step) == Some(0)
}

/// The margin engine, for the order book: applies fills, checking both sides of every one.
pub trait MarginEngine<AccountId> {
	/// Settles both sides' funding, moves the trade's cash between them, updates their
	/// positions and the market's open interest. Fails, changing nothing, if the price is
	/// outside the market's band around the index, a market limit would be crossed, a side
	/// whose risk grew would fall below its initial requirement, or a side whose risk did not
	/// grow would end with negative equity, or below maintenance and worse off than before.
	/// Returns the weight it used: `apply_fill_weight()` at most, less when the two sides
	/// hold fewer positions than the bound.
	fn apply_fill(fill: &Fill<AccountId>) -> Result<Weight, FillRefusal>;

	/// As [`Self::apply_fill`], for a liquidation's close: the taker is the subaccount being
	/// liquidated, whose side is bounded by the close's own price limit (never worse than its
	/// bankruptcy price) rather than checked here; the maker is checked as in any fill.
	fn apply_close_fill(fill: &Fill<AccountId>) -> Result<Weight, FillRefusal>;

	/// The rules of `market`, if it exists.
	fn market_rules(market: MarketId) -> Option<MarketRules>;

	/// `subaccount`'s signed position size in `market` (zero if none).
	fn position_size(subaccount: &Subaccount<AccountId>, market: MarketId) -> i128;

	/// The worst-case weight of one `apply_fill`.
	fn apply_fill_weight() -> Weight;

	/// Sets collateral aside for a resting order: the initial margin of `size` base units
	/// at `price` in `market` on `side` (a reduce-only order passes `size` 0: it adds no risk), plus
	/// the order's `deposit`, its storage deposit, returned when it leaves the book. So a
	/// resting order is backed by collateral as a position would be. Fails, changing
	/// nothing, if `subaccount` could not carry it beside its positions and its other resting
	/// orders at fresh prices. Returns the margin set aside (released in proportion as the
	/// order fills; the deposit goes back when it leaves) and the weight used, at most
	/// `reserve_order_margin_weight()`.
	fn reserve_order_margin(
		subaccount: &Subaccount<AccountId>,
		market: MarketId,
		side: Side,
		size: Balance,
		price: Price,
		deposit: Balance,
	) -> Result<(Balance, Weight), DispatchError>;

	/// Gives back `amount` of what `reserve_order_margin` set aside for `subaccount`.
	fn release_order_margin(subaccount: &Subaccount<AccountId>, amount: Balance);

	/// Sets `amount` aside again for `subaccount` with no margin check: what its caller
	/// released earlier in the same call for something that stays (a trigger put back in its
	/// queue). Holding only raises the initial requirement; maintenance ignores it. Within
	/// one read and one write.
	fn restore_order_margin(subaccount: &Subaccount<AccountId>, amount: Balance);

	/// What `subaccount`'s resting orders hold set aside.
	fn order_margin(subaccount: &Subaccount<AccountId>) -> Balance;

	/// The worst-case weight of one `reserve_order_margin`.
	fn reserve_order_margin_weight() -> Weight;

	/// The part of what `reserve_order_margin` reports that a subaccount without positions
	/// costs: a caller's benchmark run against this engine with such subaccounts measured it
	/// already, and takes it off what the engine reports. Zero takes nothing off.
	fn reserve_order_margin_base_weight() -> Weight {
		Weight::zero()
	}

	/// `Ok` if `subaccount` may trade `market` at all (a subaccount isolated to another
	/// market may not), for what sets only a deposit aside now and trades later (a trigger).
	/// Within `reserve_order_margin_weight()`.
	fn ensure_may_trade(_subaccount: &Subaccount<AccountId>, _market: MarketId) -> DispatchResult {
		Ok(())
	}
}

/// What one `LiquidationBook::close` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Closed {
	/// Base units traded.
	pub size: Balance,
	/// Their notional at the makers' prices, settlement units.
	pub notional: Balance,
	/// The weight the close used beyond a look at the book, for the caller's refund: at most
	/// `close_weight(max_fills)`; zero when it made no fill (the caller's own benchmark,
	/// which closes against the real book, already holds that look).
	pub weight: Weight,
	/// The close stopped at its fill bound while the book still offered more within the
	/// limit: a later close can take more.
	pub fill_bound_reached: bool,
	/// Fills made (makers the margin engine refused and self-trades cancelled count: each
	/// was a step of matching).
	pub fills: u32,
}

/// The order book, for liquidation: closing a position against resting orders.
pub trait LiquidationBook<AccountId> {
	/// Trades up to `size` of `subaccount`'s position in `market` on `side` (reduce only,
	/// immediate or cancel) at `limit` or better, through the book's usual matching and
	/// fees, in at most `max_fills` fills (the book's own bound if lower).
	fn close(
		subaccount: &Subaccount<AccountId>,
		market: MarketId,
		side: Side,
		size: Balance,
		limit: Price,
		max_fills: u32,
	) -> Result<Closed, DispatchError>;

	/// The worst-case weight of one `close` of at most `max_fills` fills.
	fn close_weight(max_fills: u32) -> Weight;
}

/// No book: nothing closes there.
impl<AccountId> LiquidationBook<AccountId> for () {
	fn close(
		_: &Subaccount<AccountId>,
		_: MarketId,
		_: Side,
		_: Balance,
		_: Price,
		_: u32,
	) -> Result<Closed, DispatchError> {
		Ok(Closed::default())
	}

	fn close_weight(_: u32) -> Weight {
		Weight::zero()
	}
}

/// Prices the order book offers the margin engine for funding.
pub trait BookPrices {
	/// The mid of the prices at which a standard-size order would fill on each side, if both
	/// sides are deep enough.
	fn impact_mid(market: MarketId) -> Option<Price>;
}

/// No order book: no premium to sample, funding is interest only.
impl BookPrices for () {
	fn impact_mid(_: MarketId) -> Option<Price> {
		None
	}
}

/// Anything that fails before a side's margin is checked is the taker's to answer for.
impl From<DispatchError> for FillRefusal {
	fn from(error: DispatchError) -> Self {
		Self { party: FillParty::Taker, error }
	}
}
