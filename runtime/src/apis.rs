//! Runtime APIs the node and clients call: block building, transaction validation, consensus,
//! session keys, nonces, fees, genesis presets and metadata (every version, including the
//! latest, so polkadot.js can call runtime APIs by name).

use crate::{
	genesis_config_presets, AccountId, Aura, Balance, Block,
	Executive, Grandpa, InherentDataExt, Nonce, Runtime, RuntimeCall, RuntimeGenesisConfig,
	SessionKeys, System, TransactionPayment, VERSION,
};
use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_session::OpaqueGeneratedSessionKeys;
use sp_version::RuntimeVersion;

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Without staking there is nothing to slash, so reports are not accepted.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			// `KeyOwnerProof` is the empty type `Void`: no proof can exist.
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_oracle::runtime_api::OracleApi<Block> for Runtime {
		fn price(asset: clearing_primitives::AssetId) -> Option<clearing_primitives::oracle::PriceQuote> {
			crate::Oracle::quote(asset)
		}

		fn prices() -> Vec<(clearing_primitives::AssetId, clearing_primitives::oracle::PriceQuote)> {
			crate::Oracle::quotes()
		}

		fn realized_volatility(asset: clearing_primitives::AssetId) -> Option<clearing_primitives::Price> {
			crate::Oracle::realized_volatility(asset)
		}

		fn dispersion(asset: clearing_primitives::AssetId) -> sp_runtime::Permill {
			pallet_oracle::Dispersions::<Runtime>::get(asset)
		}
	}

	impl pallet_options::runtime_api::OptionsApi<Block, AccountId> for Runtime {
		fn chain(
			underlying: clearing_primitives::AssetId,
			expiry: clearing_primitives::oracle::Moment,
		) -> Vec<pallet_options::ChainRow> {
			crate::Options::series_of_expiry(underlying, expiry)
				.into_iter()
				.filter_map(|market| {
					let series = crate::Options::series_view(market)?;
					let depth = crate::Orderbook::depth_view(market, 1);
					Some(pallet_options::ChainRow {
						series,
						open_interest: pallet_margin::MarketStates::<Runtime>::get(market).open_interest,
						best_bid: depth.bids.first().map(|(price, _)| *price),
						best_ask: depth.asks.first().map(|(price, _)| *price),
					})
				})
				.collect()
		}

		fn greeks(series: clearing_primitives::MarketId) -> Option<pallet_options::SeriesView> {
			crate::Options::series_view(series)
		}

		fn series() -> Vec<(clearing_primitives::MarketId, clearing_primitives::options::SeriesTerms)> {
			pallet_options::Series::<Runtime>::iter().map(|(market, listed)| (market, listed.terms)).collect()
		}

		fn portfolio(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Option<pallet_options::PortfolioGreeks> {
			let legs = crate::Margin::position_views(owner, number).into_iter().filter_map(|view| {
				let decimals = crate::Margin::market_config(view.market)?.base_decimals;
				Some((view.market, view.base_size, decimals))
			});
			crate::Options::portfolio_greeks(legs.collect::<Vec<_>>())
		}

		fn settlement(series: clearing_primitives::MarketId) -> Option<pallet_options::Settlement> {
			let terms = pallet_options::Series::<Runtime>::get(series)?.terms;
			pallet_options::Expiries::<Runtime>::get((terms.underlying, terms.expiry)).map(|r| r.settlement)
		}
	}

	impl pallet_vaults::runtime_api::VaultsApi<Block, AccountId> for Runtime {
		fn collateral(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> pallet_vaults::runtime_api::SubaccountCollateral {
			crate::Vaults::subaccount_view(owner, number)
		}

		fn haircut(
			asset: clearing_primitives::AssetId,
			holding: clearing_primitives::Balance,
		) -> Option<pallet_vaults::HaircutInForce> {
			crate::Vaults::haircut_of(asset, holding)
		}
	}

	impl pallet_insurance::runtime_api::InsuranceApi<Block, AccountId, crate::BlockNumber> for Runtime {
		fn fund() -> pallet_insurance::FundInfo {
			crate::Insurance::fund_info()
		}

		fn staker(who: AccountId) -> pallet_insurance::StakerInfo<crate::BlockNumber> {
			crate::Insurance::staker_info(who)
		}
	}

	impl pallet_margin::runtime_api::MarginApi<Block, AccountId, crate::BlockNumber> for Runtime {
		fn account_health(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Option<pallet_margin::Health> {
			crate::Margin::account_health(owner, number)
		}

		fn positions(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Vec<pallet_margin::PositionView> {
			crate::Margin::position_views(owner, number)
		}

		fn liquidation_price(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
			market: clearing_primitives::MarketId,
		) -> Option<clearing_primitives::Price> {
			crate::Margin::liquidation_price_of(owner, number, market)
		}

		fn margin_settings(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> pallet_margin::MarginSettings {
			crate::Margin::settings_view(owner, number)
		}

		fn scenarios(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Option<pallet_margin::PortfolioScenarios> {
			crate::Margin::scenarios_view(owner, number)
		}

		fn what_if(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
			order: pallet_margin::HypotheticalOrder,
		) -> Option<pallet_margin::Health> {
			crate::Margin::what_if_view(owner, number, order)
		}

		fn market_margin(market: clearing_primitives::MarketId) -> Option<pallet_margin::MarketMargin> {
			crate::Margin::market_margin_of(market)
		}

		fn market_status(
			market: clearing_primitives::MarketId,
		) -> Option<clearing_primitives::margin::MarketStatus> {
			crate::Margin::market_status(market)
		}

		fn markets() -> Vec<(
			clearing_primitives::MarketId,
			pallet_margin::MarketConfig<crate::BlockNumber>,
			pallet_margin::MarketState<crate::BlockNumber>,
		)> {
			crate::Margin::market_views()
		}
	}

	impl pallet_orderbook::runtime_api::OrderbookApi<Block, AccountId, crate::BlockNumber> for Runtime {
		fn depth(market: clearing_primitives::MarketId, levels: u32) -> pallet_orderbook::Depth {
			crate::Orderbook::depth(market, levels)
		}

		fn orders(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Vec<pallet_orderbook::Order<AccountId, crate::BlockNumber>> {
			crate::Orderbook::open_orders(owner, number)
		}

		fn triggers(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Vec<pallet_orderbook::Trigger<AccountId, crate::BlockNumber>> {
			crate::Orderbook::waiting_triggers(owner, number)
		}

		fn cancel_deadline(
			owner: AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Option<pallet_orderbook::Deadline<crate::BlockNumber>> {
			crate::Orderbook::cancel_deadline(owner, number)
		}

		fn fees(owner: AccountId) -> pallet_orderbook::AccountFees {
			crate::Orderbook::account_fees(&owner)
		}
	}

	impl pallet_liquidation::runtime_api::LiquidationApi<Block, AccountId> for Runtime {
		fn liquidatable(
			from: Option<clearing_primitives::collateral::Subaccount<AccountId>>,
			limit: u32,
		) -> Vec<clearing_primitives::collateral::Subaccount<AccountId>> {
			crate::Liquidation::liquidatable(from, limit)
		}

		fn deleverage_rank(
			subaccount: clearing_primitives::collateral::Subaccount<AccountId>,
			market: clearing_primitives::MarketId,
		) -> Option<sp_runtime::FixedU128> {
			crate::Liquidation::rank(&subaccount, market)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			crate::benchmarks::metadata(extra)
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			crate::benchmarks::dispatch(config)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// Fails loudly: a migration that cannot be tried must never reach a live chain.
			let weight = Executive::try_runtime_upgrade(checks)
				.unwrap_or_else(|e| panic!("try_runtime_upgrade failed: {e:?}"));
			(weight, <crate::configs::RuntimeBlockWeights as frame_support::traits::Get<_>>::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.unwrap_or_else(|e| panic!("try_execute_block failed: {e:?}"))
		}
	}
}
