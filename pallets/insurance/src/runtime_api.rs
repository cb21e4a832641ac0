//! `InsuranceApi`: the fund for clients (`api.call.insuranceApi.fund()` in polkadot.js).

use crate::types::{FundInfo, StakerInfo};
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// The insurance fund as the chain holds it now.
	pub trait InsuranceApi<AccountId: Codec, BlockNumber: Codec> {
		/// Balance, shares, share price and pending unstakes.
		fn fund() -> FundInfo;
		/// One staker's shares, their value and its pending request.
		fn staker(who: AccountId) -> StakerInfo<BlockNumber>;
	}
}
