//! What the oracle offers the other pallets: a quoted index price per asset and how much
//! to trust it.

use crate::{AssetId, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Milliseconds since the Unix epoch (the timestamp pallet's unit).
pub type Moment = u64;

/// How far a quoted price can be trusted.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum PriceStatus {
	/// Aggregated from enough recent feeds, within the jump limit.
	Fresh,
	/// Too few recent feeds (or none for longer than the maximum age): the last price stands,
	/// but may be far from the market. Value collateral at zero for opening risk.
	Stale,
	/// The market moved more than the jump limit in one aggregation: the price was clamped and
	/// lags the feeds until they confirm it.
	Flagged,
}

/// An index price as the oracle holds it.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct PriceQuote {
	/// USD per whole unit of the asset.
	pub price: Price,
	/// When the price was aggregated.
	pub updated_at: Moment,
	/// Whether to trust it.
	pub status: PriceStatus,
	/// Aggregates in a row since the price was last stale, flagged or too old (0 unless
	/// fresh): liquidation waits for a few after a halt or a restart.
	pub fresh_streak: u32,
}

impl PriceQuote {
	/// Only a fresh price may be used to take on more risk.
	pub fn is_fresh(&self) -> bool {
		self.status == PriceStatus::Fresh
	}
}

/// An asset's time-weighted index so far: read two points, and the average fresh price
/// between them is `Δ price_time / Δ fresh_ms` (each field wraps: only differences count).
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TimeWeightedPoint {
	/// Σ price (its `FixedU128` inner value) × milliseconds, over the time the index was
	/// fresh.
	pub price_time: u128,
	/// Milliseconds the index was fresh.
	pub fresh_ms: u64,
}

impl TimeWeightedPoint {
	/// The average fresh price from `earlier` to `self`, and the fresh milliseconds it covers;
	/// `None` if none were fresh.
	pub fn average_since(&self, earlier: &Self) -> Option<(Price, u64)> {
		let fresh = self.fresh_ms.wrapping_sub(earlier.fresh_ms);
		let sum = self.price_time.wrapping_sub(earlier.price_time);
		let average = sum.checked_div(u128::from(fresh))?;
		Some((Price::from_inner(average), fresh))
	}
}

/// Index prices for the margin engine, vaults and liquidation.
pub trait PriceProvider {
	/// The current quote for `asset`, with its status as of now; `None` if never priced.
	fn quote(asset: AssetId) -> Option<PriceQuote>;

	/// The price only if it is fresh; `None` when stale, flagged or missing.
	fn fresh_price(asset: AssetId) -> Option<Price> {
		Self::quote(asset).filter(PriceQuote::is_fresh).map(|q| q.price)
	}

	/// `asset`'s realized volatility, annualized (0.6 for 60%); `None` if none is kept.
	fn realized_volatility(_asset: AssetId) -> Option<Price> {
		None
	}

	/// How far `asset`'s sources disagreed at its last aggregate: (highest − lowest) / median
	/// of the recent feeds; zero with one feed or none.
	fn dispersion(_asset: AssetId) -> sp_runtime::Permill {
		sp_runtime::Permill::zero()
	}

	/// `asset`'s time-weighted index as of now (settlement averages read two); `None` before
	/// its first aggregate.
	fn time_weighted(_asset: AssetId) -> Option<TimeWeightedPoint> {
		None
	}

	/// Every smile of options on `underlying`, by expiry (ascending), each with its status
	/// as of now: one read for all of them.
	fn surfaces(_underlying: AssetId) -> alloc::vec::Vec<(Moment, SurfaceQuote)> {
		alloc::vec::Vec::new()
	}

	/// The smile of options on `underlying` expiring at `expiry`, with its status as of now;
	/// `None` if none was ever aggregated.
	fn surface(underlying: AssetId, expiry: Moment) -> Option<SurfaceQuote> {
		Self::surfaces(underlying).into_iter().find(|(at, _)| *at == expiry).map(|(_, quote)| quote)
	}
}

/// Points an expiry's implied-volatility smile is quoted at.
pub const SMILE_POINTS: usize = 7;

/// The log-moneyness ln(K / F) of each smile point, in the fixed point of
/// [`crate::black76`] (× 10^18): dense near the money, where listed strikes sit, and out to
/// ±30% for the wings.
pub const SMILE_LOG_MONEYNESS: [i128; SMILE_POINTS] = [
	-300_000_000_000_000_000,
	-150_000_000_000_000_000,
	-50_000_000_000_000_000,
	0,
	50_000_000_000_000_000,
	150_000_000_000_000_000,
	300_000_000_000_000_000,
];

/// An expiry's smile: the implied volatility (0.6 for 60%) at each of
/// [`SMILE_LOG_MONEYNESS`].
pub type Smile = [Price; SMILE_POINTS];

/// An expiry's aggregated smile as the oracle holds it.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SurfaceQuote {
	/// The implied volatility at each smile point.
	pub smile: Smile,
	/// When it was aggregated.
	pub updated_at: Moment,
	/// Whether to trust it, by the rules of prices.
	pub status: PriceStatus,
	/// Aggregates in a row since it was last stale, flagged or too old (0 unless fresh).
	pub fresh_streak: u32,
}

/// The oracle input a live series' implied volatility is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolatilityInput {
	/// The underlying's volatility index, an oracle asset (no smile for the expiry).
	Index(AssetId),
	/// The smile of `underlying`'s expiry `expiry`.
	Smile { underlying: AssetId, expiry: Moment },
}

impl SurfaceQuote {
	/// Only a fresh smile may price opening risk.
	pub fn is_fresh(&self) -> bool {
		self.status == PriceStatus::Fresh
	}
}

/// The expiries the options pallet lists, which the oracle accepts smiles for.
pub trait ListedExpiries {
	/// `true` if options on `underlying` expiring at `expiry` are listed and not yet expired.
	fn is_listed(underlying: AssetId, expiry: Moment) -> bool;
	/// Every listed, unexpired `(underlying, expiry)` (for the offchain feeder).
	fn listed() -> alloc::vec::Vec<(AssetId, Moment)>;
}

impl ListedExpiries for () {
	fn is_listed(_underlying: AssetId, _expiry: Moment) -> bool {
		false
	}

	fn listed() -> alloc::vec::Vec<(AssetId, Moment)> {
		alloc::vec::Vec::new()
	}
}
