//! `OrderbookApi`: depth, open orders and waiting triggers for clients
//! (`api.call.orderbookApi.depth(market, levels)` in polkadot.js).

use crate::{AccountFees, Deadline, Depth, Order, Trigger};
use alloc::vec::Vec;
use clearing_primitives::{collateral::SubaccountNumber, MarketId};
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// The order book as the chain holds it now.
	pub trait OrderbookApi<AccountId: Codec, BlockNumber: Codec> {
		/// Up to `levels` aggregated price levels per side, best first.
		fn depth(market: MarketId, levels: u32) -> Depth;
		/// The open orders of `owner`'s subaccount `number`.
		fn orders(owner: AccountId, number: SubaccountNumber) -> Vec<Order<AccountId, BlockNumber>>;
		/// The waiting triggers (conditional orders) of `owner`'s subaccount `number`, oldest
		/// first.
		fn triggers(owner: AccountId, number: SubaccountNumber) -> Vec<Trigger<AccountId, BlockNumber>>;
		/// The dead-man's switch of `owner`'s subaccount `number` (`schedule_cancel`), if armed.
		fn cancel_deadline(owner: AccountId, number: SubaccountNumber) -> Option<Deadline<BlockNumber>>;
		/// `owner`'s traded volume over the last 30 days and the fee tier it reaches.
		fn fees(owner: AccountId) -> AccountFees;
	}
}
