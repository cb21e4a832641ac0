//! `OptionsApi`: option chains, Greeks and net Greeks for clients
//! (`api.call.optionsApi.chain(underlying, expiry)` in polkadot.js).

use crate::{ChainRow, PortfolioGreeks, SeriesView};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::SubaccountNumber, options::SeriesTerms, oracle::Moment, AssetId, MarketId,
};

sp_api::decl_runtime_apis! {
	/// Option series as the chain prices them now.
	pub trait OptionsApi<AccountId> where AccountId: codec::Codec {
		/// Every series on `underlying` expiring at `expiry`: its figures, open interest and
		/// best bid and ask.
		fn chain(underlying: AssetId, expiry: Moment) -> Vec<ChainRow>;
		/// One series' figures and Greeks; `None` if not listed or not priceable.
		fn greeks(series: MarketId) -> Option<SeriesView>;
		/// Every listed series.
		fn series() -> Vec<(MarketId, SeriesTerms)>;
		/// The subaccount's net Greeks over its series positions.
		fn portfolio(owner: AccountId, number: SubaccountNumber) -> Option<PortfolioGreeks>;
		/// Where the series' expiry stands: awaiting, pending governance, or settled (at
		/// which index price); `None` if not listed.
		fn settlement(series: MarketId) -> Option<crate::Settlement>;
	}
}
