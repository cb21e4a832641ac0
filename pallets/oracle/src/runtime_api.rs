//! `OracleApi`: prices for clients (`api.call.oracleApi.price(assetId)` in polkadot.js).

use alloc::vec::Vec;
use clearing_primitives::{oracle::PriceQuote, AssetId, Price};

sp_api::decl_runtime_apis! {
	/// Index prices as the chain holds them now.
	pub trait OracleApi {
		/// The quote of one asset; `None` if it has never been priced.
		fn price(asset: AssetId) -> Option<PriceQuote>;
		/// Every priced asset's quote.
		fn prices() -> Vec<(AssetId, PriceQuote)>;
		/// The asset's realized volatility, annualized (0.6 for 60%): an EWMA of its index's
		/// squared log returns; `None` before its first sample.
		fn realized_volatility(asset: AssetId) -> Option<Price>;
	}
}
