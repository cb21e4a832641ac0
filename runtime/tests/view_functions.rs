//! Every read-only query is also a view function: dispatched by its id through the
//! runtime's `RuntimeViewFunction` entry point, it answers exactly as the runtime API of the
//! same name does.

mod common;

use clearing_primitives::{collateral::Subaccount, BTC_ASSET_ID};
use clearing_runtime::{Liquidation, Margin, Oracle, Orderbook, Runtime, Insurance, Vaults};
use codec::{Decode, Encode};
use common::*;
use frame_support::view_functions::ViewFunction;

/// Runs view function `V` on `args` through the runtime's dispatcher and decodes its answer.
fn view<V: ViewFunction>(args: impl Encode) -> V::ReturnType
where
	V::ReturnType: Decode,
{
	let output = Runtime::execute_view_function(V::id(), args.encode()).expect("the view function runs");
	V::ReturnType::decode(&mut &output[..]).expect("its answer decodes")
}

#[test]
fn each_pallets_view_functions_answer_as_its_runtime_api() {
	run(|| {
		let alice = trader("view reader", 10_000);
		deposit(&alice, 0, clearing_primitives::USDC_ASSET_ID, 5_000 * USDC);
		assert!(Oracle::quote(BTC_ASSET_ID).is_some(), "BTC is priced on dev");
		assert_eq!(
			view::<pallet_oracle::PriceViewFunction<Runtime>>(BTC_ASSET_ID),
			Oracle::quote(BTC_ASSET_ID)
		);
		assert_eq!(view::<pallet_oracle::PricesViewFunction<Runtime>>(()), Oracle::quotes());
		let holdings: pallet_vaults::runtime_api::SubaccountCollateral =
			view::<pallet_vaults::CollateralViewFunction<Runtime>>((alice.clone(), 0u16));
		assert_eq!(holdings, Vaults::subaccount_view(alice.clone(), 0));
		assert_eq!(view::<pallet_insurance::FundViewFunction<Runtime>>(()), Insurance::fund_info());
		assert_eq!(
			view::<pallet_insurance::StakerViewFunction<Runtime>>(alice.clone()),
			Insurance::staker_info(alice.clone())
		);
		let health: Option<pallet_margin::Health> =
			view::<pallet_margin::AccountHealthViewFunction<Runtime>>((alice.clone(), 0u16));
		assert!(health.is_some(), "a funded subaccount has a health");
		assert_eq!(health, Margin::health_view(alice.clone(), 0));
		let markets: Vec<(u32, pallet_margin::MarketConfig<clearing_runtime::BlockNumber>, pallet_margin::MarketState<clearing_runtime::BlockNumber>)> =
			view::<pallet_margin::MarketsViewFunction<Runtime>>(());
		assert!(!markets.is_empty(), "dev lists markets");
		assert_eq!(markets, Margin::market_views());
		assert_eq!(
			view::<pallet_margin::MarketStatusViewFunction<Runtime>>(
				BTC_USD
			),
			Margin::status_of(BTC_USD)
		);
		let depth: pallet_orderbook::Depth = view::<pallet_orderbook::DepthViewFunction<Runtime>>((BTC_USD, 5u32));
		assert_eq!(depth, Orderbook::depth_view(BTC_USD, 5));
		let none: Option<Subaccount<clearing_runtime::AccountId>> = None;
		let liquidatable: Vec<Subaccount<clearing_runtime::AccountId>> =
			view::<pallet_liquidation::LiquidatableViewFunction<Runtime>>((none, 10u32));
		assert_eq!(liquidatable, Liquidation::liquidatable_page(None, 10));
	});
}
