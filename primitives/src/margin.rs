//! What the order book (and later liquidation) asks of the margin engine, and what the
//! margin engine asks of the book.

use crate::{collateral::Subaccount, Balance, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchResult, Weight};

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

/// The margin engine, for the order book: applies fills, refusing any that leaves a side that
/// took on risk below its initial requirement.
pub trait MarginEngine<AccountId> {
	/// Settles both sides' funding, moves the trade's cash between them, updates their
	/// positions and the market's open interest. Fails, changing nothing, if a side that
	/// increased its risk would fall below its initial margin requirement, or a market limit
	/// would be crossed.
	fn apply_fill(fill: &Fill<AccountId>) -> DispatchResult;

	/// The worst-case weight of one `apply_fill`.
	fn apply_fill_weight() -> Weight;
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
