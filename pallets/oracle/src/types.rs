//! Stored types of the oracle.

use clearing_primitives::{oracle::Moment, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Permill;

/// The JSON body a price source answers with.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug, serde::Serialize, serde::Deserialize,
)]
pub enum SourceFormat {
	/// `GET /api/v3/ticker/price?symbol=BTCUSDT` → `{"symbol":"BTCUSDT","price":"60000.12"}`
	Binance,
	/// `GET /v2/prices/BTC-USD/spot` → `{"data":{"amount":"60000.12","base":"BTC",...}}`
	Coinbase,
	/// `GET /0/public/Ticker?pair=XBTUSD` → `{"error":[],"result":{"XXBTZUSD":{"c":["60000.1",..]}}}`
	/// (last trade price `c[0]`; the result key is Kraken's pair name, not the query's).
	Kraken,
	/// Deribit's volatility index (DVOL), a 30-day implied volatility in percent:
	/// `GET /api/v2/public/get_index_price?index_name=btcdvol_usdc` →
	/// `{"jsonrpc":"2.0","result":{"index_price":55.12,...}}`, fed as a fraction (0.5512).
	DeribitVolatility,
	/// Deribit's option book summary, the marks of every listed option on one currency:
	/// `GET /api/v2/public/get_book_summary_by_currency?currency=BTC&kind=option` →
	/// `{"result":[{"instrument_name":"BTC-27DEC26-60000-C","mark_iv":55.1,"underlying_price":60012.5,...},...]}`.
	/// An underlying with such a source gets an implied-volatility smile per listed expiry
	/// (`feed_surfaces`), not a price: the feeder reads each Deribit expiry's smile at the
	/// oracle's log-moneyness points and interpolates between expiries in total variance.
	DeribitOptions,
}

/// Where the offchain feeder reads one asset's price.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct PriceSource<Url> {
	/// Full URL, `http://` or `https://`. An operator may redirect its scheme and host locally.
	pub url: Url,
	pub format: SourceFormat,
}

/// One feeder's latest value for one asset.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct Feed<AccountId> {
	pub feeder: AccountId,
	pub price: Price,
	/// When it was fed (the block's timestamp).
	pub at: Moment,
}

/// One feeder's latest smile for one expiry.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct SurfaceFeed<AccountId> {
	pub feeder: AccountId,
	pub smile: clearing_primitives::oracle::Smile,
	/// When it was fed (the block's timestamp).
	pub at: Moment,
}

/// An expiry's aggregated smile as stored: each point aggregated like a price, the whole
/// stale or flagged together.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct SurfaceRecord {
	pub smile: clearing_primitives::oracle::Smile,
	pub updated_at: Moment,
	/// The last aggregation had too few recent feeds.
	pub stale: bool,
	/// A point of the last aggregate was clamped (or its feeds split).
	pub flagged: bool,
	/// Aggregates in a row since it was last stale, flagged or too old: liquidation waits
	/// for a few before trusting a smile again.
	pub fresh_streak: u32,
}

/// An asset's realized volatility as kept: the last sampled price and when it was sampled,
/// and the EWMA of squared log returns per sampling interval (× 10^18).
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct RealizedVolatility {
	pub sample_price: Price,
	pub sampled_at: Moment,
	pub variance: u128,
}

/// An asset's time-weighted index as kept: the point as of its last aggregate, and that
/// aggregate (which stands for the index until the next, while fresh).
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct TimeWeightedIndex {
	pub point: clearing_primitives::oracle::TimeWeightedPoint,
	pub last_price: Price,
	pub last_at: Moment,
	/// The last aggregate was fresh (not clamped): the time after it counts.
	pub last_fresh: bool,
}

/// The aggregated price of an asset as stored.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
pub struct PriceRecord {
	/// USD per whole unit of the asset.
	pub price: Price,
	/// When this price was aggregated.
	pub updated_at: Moment,
	/// The last aggregation attempt had fewer than `min_feeders` recent feeds.
	pub stale: bool,
	/// The last aggregate jumped beyond `max_jump` and was clamped.
	pub flagged: bool,
	/// Aggregates in a row since the price was last stale, flagged or too old (a halt, a
	/// restart): liquidation waits for a few before trusting the price again.
	pub fresh_streak: u32,
}

/// Governed parameters of the aggregation.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Debug,
)]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OracleParams {
	/// Recent feeds an aggregate needs; with fewer the last price stays and goes stale.
	pub min_feeders: u32,
	/// A feed older than this (ms) no longer counts, and a price older than this is stale.
	pub max_age_ms: Moment,
	/// The largest move one aggregate may make from the last price; beyond it, the price is
	/// clamped to this band and flagged.
	pub max_jump: Permill,
}

/// Hard bounds no origin can set the parameters beyond.
pub mod bounds {
	use super::*;
	/// A feed may count for at most an hour.
	pub const MAX_AGE_CEILING_MS: Moment = 3_600_000;
	/// …and must count for at least 6 s: two intervals of the feeders' smiles (every third
	/// 1 s block), so a smile stays fresh between its feeds; below that every expiry's smile
	/// would go stale between feeds and its series could open no risk.
	pub const MAX_AGE_FLOOR_MS: Moment = 6_000;
	/// One aggregate may never move the price by more than half.
	pub const MAX_JUMP_CEILING: Permill = Permill::from_percent(50);
}
