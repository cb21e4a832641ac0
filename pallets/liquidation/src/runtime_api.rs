//! `LiquidationApi`: which subaccounts are liquidatable, and deleveraging ranks.

use alloc::vec::Vec;
use clearing_primitives::{collateral::Subaccount, MarketId};
use codec::Codec;
use sp_runtime::FixedU128;

sp_api::decl_runtime_apis! {
	/// Liquidation state for keepers and clients.
	pub trait LiquidationApi<AccountId> where AccountId: Codec {
		/// Up to `limit` subaccounts liquidatable now, after `from` (from the start if none).
		fn liquidatable(from: Option<Subaccount<AccountId>>, limit: u32) -> Vec<Subaccount<AccountId>>;
		/// `subaccount`'s deleveraging rank in `market` (profit × leverage; higher goes
		/// first), `None` if its position there is not in profit.
		fn deleverage_rank(subaccount: Subaccount<AccountId>, market: MarketId) -> Option<FixedU128>;
	}
}
