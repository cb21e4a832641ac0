//! The oracle, as each test sets it.

use crate::store::{get, put};
use clearing_primitives::{
	oracle::{Moment, PriceProvider, PriceQuote, PriceStatus, Smile, SurfaceQuote, TimeWeightedPoint},
	AssetId, Price,
};
use sp_runtime::FixedPointNumber;

/// Quotes a test has set, per asset; an asset never set has no price.
pub struct MockPrices;

impl PriceProvider for MockPrices {
	fn quote(asset: AssetId) -> Option<PriceQuote> {
		get::<Option<PriceQuote>>((b"mock-price", asset))
	}

	fn realized_volatility(asset: AssetId) -> Option<Price> {
		get::<Option<Price>>((b"mock-rv", asset))
	}

	fn dispersion(asset: AssetId) -> sp_runtime::Permill {
		get::<sp_runtime::Permill>((b"mock-dispersion", asset))
	}

	fn time_weighted(asset: AssetId) -> Option<TimeWeightedPoint> {
		get::<Option<TimeWeightedPoint>>((b"mock-twap", asset))
	}

	fn surfaces(underlying: AssetId) -> Vec<(Moment, SurfaceQuote)> {
		let mut expiries = get::<Vec<Moment>>((b"mock-smile-expiries", underlying));
		expiries.sort_unstable();
		expiries
			.into_iter()
			.filter_map(|expiry| get::<Option<SurfaceQuote>>((b"mock-smile", underlying, expiry)).map(|q| (expiry, q)))
			.collect()
	}
}

/// A fresh quote has been fresh this many aggregates in a row unless a test says otherwise:
/// enough for every consumer that waits for a streak.
pub const FRESH_STREAK: u32 = 10;

/// Sets `asset` to `price` with `status` (a fresh one with [`FRESH_STREAK`] behind it).
pub fn set_price(asset: AssetId, price: Price, status: PriceStatus) {
	let streak = if status == PriceStatus::Fresh { FRESH_STREAK } else { 0 };
	set_quote(asset, price, status, streak);
}

/// Sets `asset` to `price` with `status`, fresh for `streak` aggregates in a row.
pub fn set_quote(asset: AssetId, price: Price, status: PriceStatus, streak: u32) {
	put((b"mock-price", asset), Some(PriceQuote { price, updated_at: 0, status, fresh_streak: streak }));
}

/// USD per whole unit.
pub fn usd(whole: u128) -> Price {
	Price::saturating_from_integer(whole)
}

/// Sets `asset`'s realized volatility (annualized, 0.6 for 60%).
pub fn set_realized_volatility(asset: AssetId, volatility: Price) {
	put((b"mock-rv", asset), Some(volatility));
}

/// Sets `asset`'s time-weighted index as the oracle would report it now.
pub fn set_time_weighted(asset: AssetId, point: TimeWeightedPoint) {
	put((b"mock-twap", asset), Some(point));
}

/// Sets the smile of `underlying`'s expiry `expiry`, with `status`.
pub fn set_smile(underlying: AssetId, expiry: Moment, smile: Smile, status: PriceStatus) {
	let fresh_streak = if status == PriceStatus::Fresh { FRESH_STREAK } else { 0 };
	put((b"mock-smile", underlying, expiry), Some(SurfaceQuote { smile, updated_at: 0, status, fresh_streak }));
	let mut expiries = get::<Vec<Moment>>((b"mock-smile-expiries", underlying));
	if !expiries.contains(&expiry) {
		expiries.push(expiry);
		put((b"mock-smile-expiries", underlying), expiries);
	}
}

/// Sets how far `asset`'s feeds disagree ((highest − lowest) / median).
pub fn set_dispersion(asset: AssetId, dispersion: sp_runtime::Permill) {
	put((b"mock-dispersion", asset), dispersion);
}
