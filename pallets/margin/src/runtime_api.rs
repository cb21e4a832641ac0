//! `MarginApi`: health, positions, liquidation prices and markets for clients
//! (`api.call.marginApi.accountHealth(owner, number)` in polkadot.js).

use crate::{Health, MarginSettings, MarketConfig, MarketState, PortfolioScenarios, PositionView};
use alloc::vec::Vec;
use clearing_primitives::{collateral::SubaccountNumber, MarketId, Price};
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// The margin engine's view of accounts and markets, at the last index prices.
	/// Version 2 adds `scenarios`, `what_if` and `market_margin`.
	#[api_version(2)]
	pub trait MarginApi<AccountId: Codec, BlockNumber: Codec> {
		/// Equity, initial and maintenance requirement, free collateral, liquidatable;
		/// `None` if it cannot be computed (a market without any price).
		fn account_health(owner: AccountId, number: SubaccountNumber) -> Option<Health>;
		/// Every open position with its value, PnL and unsettled funding.
		fn positions(owner: AccountId, number: SubaccountNumber) -> Vec<PositionView>;
		/// The mark of `market` at which the subaccount reaches its maintenance requirement.
		fn liquidation_price(owner: AccountId, number: SubaccountNumber, market: MarketId) -> Option<Price>;
		/// What `market` accepts now: its status as governance set it, and at least
		/// `ReduceOnly` while its index price is stale or flagged.
		fn market_status(market: MarketId) -> Option<clearing_primitives::margin::MarketStatus>;
		/// The subaccount's chosen leverage per market and isolated market (the default if
		/// none: cross margin at each market's own fraction).
		fn margin_settings(owner: AccountId, number: SubaccountNumber) -> MarginSettings;
		/// Every market with its rules and state.
		fn markets() -> Vec<(MarketId, MarketConfig<BlockNumber>, MarketState<BlockNumber>)>;
		/// The subaccount's book per underlying under its scenario grid at the last prices:
		/// every scenario's profit or loss, the one that binds, the requirement it sets
		/// (whatever its mode: a `Standard` subaccount sees what `Portfolio` would charge);
		/// `None` if it cannot be read.
		#[api_version(2)]
		fn scenarios(owner: AccountId, number: SubaccountNumber) -> Option<PortfolioScenarios>;
		/// The subaccount's health at the last prices after `order` fills whole at its price
		/// (fees left out): what an order would leave, before it is signed. `None` for an
		/// unknown market, a zero size or price, or no health.
		#[api_version(2)]
		fn what_if(owner: AccountId, number: SubaccountNumber, order: crate::HypotheticalOrder) -> Option<Health>;
		/// Market `market`'s initial fraction now (raised by open interest), its maintenance
		/// fraction, how far its asset's feeds disagree and the share of the notional that
		/// adds to initial requirements for it (on perpetuals and short options).
		#[api_version(2)]
		fn market_margin(market: MarketId) -> Option<crate::MarketMargin>;
	}
}
