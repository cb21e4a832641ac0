//! `OracleApi`: prices for clients (`api.call.oracleApi.price(assetId)` in polkadot.js).

use alloc::vec::Vec;
use clearing_primitives::{oracle::PriceQuote, AssetId, Price};

sp_api::decl_runtime_apis! {
	/// Index prices as the chain holds them now. Version 2 adds `dispersion`.
	#[api_version(2)]
	pub trait OracleApi {
		/// The quote of one asset; `None` if it has never been priced.
		fn price(asset: AssetId) -> Option<PriceQuote>;
		/// Every priced asset's quote.
		fn prices() -> Vec<(AssetId, PriceQuote)>;
		/// The asset's realized volatility, annualized (0.6 for 60%): an EWMA of its index's
		/// squared log returns; `None` before its first sample.
		fn realized_volatility(asset: AssetId) -> Option<Price>;
		/// How far the asset's feeds disagreed at its last aggregate: (highest − lowest) /
		/// median of the recent feeds (0.02 for 2%); zero with one feed. Initial margin on
		/// markets of the asset rises with it past the margin engine's threshold.
		#[api_version(2)]
		fn dispersion(asset: AssetId) -> sp_runtime::Permill;
	}
}
