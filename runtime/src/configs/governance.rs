//! Risk governance: a risk council (`pallet-collective`) whose risk-reducing changes take
//! effect at once, and whose risk-increasing ones wait out the timelock. The adapter below
//! is the only place the governance touches the other pallets: it reads each parameter for
//! classification and enacts a change through the owning pallet's own root call, so every
//! pallet's validation still applies.

use crate::{
	constants::{DAYS, MINUTES},
	AccountId, BlockNumber, Hash, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
};
use clearing_primitives::{margin::MarketStatus, AssetId, Balance, MarketId};
use frame_support::{
	parameter_types,
	traits::{ConstU32, EitherOfDiverse, Get},
	weights::Weight,
};
use frame_system::{EnsureRoot, RawOrigin};
use pallet_governance::{
	classify::{MarginFractions, OptionTerms, OracleLimits},
	RiskChange, RiskChangeFor, RiskParameters,
};
use sp_runtime::{DispatchResult, Perbill, Permill};

/// The risk council.
pub type RiskCouncilInstance = pallet_collective::Instance1;

parameter_types! {
	/// A council motion lapses after a day.
	pub const CouncilMotionDuration: BlockNumber = DAYS;
	pub const CouncilMaxProposals: u32 = 32;
	pub const CouncilMaxMembers: u32 = 16;
	pub MaxCouncilProposalWeight: Weight =
		crate::configs::system::share_of(Perbill::from_percent(50), crate::configs::RuntimeBlockWeights::get().max_block);
}

impl pallet_collective::Config<RiskCouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

/// Two thirds of the council (or root, which exists on `dev` only) propose changes.
pub type CouncilTwoThirds = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, RiskCouncilInstance, 2, 3>,
>;
/// A third of the council cancels a scheduled change: stopping added risk is easy.
pub type CouncilOneThird = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, RiskCouncilInstance, 1, 3>,
>;

parameter_types! {
	/// No chain may start with a timelock under a minute.
	pub const MinTimelock: BlockNumber = MINUTES;
}

/// The genesis timelock outside `dev`: a day.
pub const DEFAULT_TIMELOCK: BlockNumber = DAYS;
/// The `dev` timelock: a minute, so a risk-increasing change can be watched end to end.
pub const DEV_TIMELOCK: BlockNumber = MINUTES;

parameter_types! {
	/// What a chain that gains the governance by a runtime upgrade starts with.
	pub const UpgradeTimelock: BlockNumber = DEFAULT_TIMELOCK;
}

impl pallet_governance::Config for Runtime {
	type Parameters = ClearingRiskParameters;
	type CouncilOrigin = CouncilTwoThirds;
	type CancelOrigin = CouncilOneThird;
	type MinTimelock = MinTimelock;
	type MaxPending = ConstU32<32>;
	type MaxPerBlock = ConstU32<4>;
	type WeightInfo = pallet_governance::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::GovernanceBenchmarkHelper;
}

/// This runtime's risk change.
pub type ClearingRiskChange = RiskChangeFor<AccountId, Hash, ClearingRiskParameters>;
type MarketConfig = pallet_margin::MarketConfigOf<Runtime>;

/// The risk parameters, kept by the margin engine, the vaults, the oracle, the insurance
/// fund and `frame_system` (runtime code).
pub struct ClearingRiskParameters;

fn root() -> RuntimeOrigin {
	RawOrigin::Root.into()
}

fn market(market: MarketId) -> Result<MarketConfig, sp_runtime::DispatchError> {
	crate::Margin::market_config(market)
		.ok_or_else(|| pallet_margin::Error::<Runtime>::MarketNotFound.into())
}

fn collateral(asset: AssetId) -> Result<pallet_vaults::CollateralConfig, sp_runtime::DispatchError> {
	pallet_vaults::CollateralAssets::<Runtime>::get(asset)
		.ok_or_else(|| pallet_vaults::Error::<Runtime>::NotCollateral.into())
}

/// Changes one field of market `id`'s configuration through the margin engine's own update.
fn update_market(id: MarketId, change: impl FnOnce(&mut MarketConfig)) -> DispatchResult {
	let mut config = market(id)?;
	change(&mut config);
	crate::Margin::update_market(root(), id, config)
}

/// Changes one field of `asset`'s collateral configuration through the vaults' own setter.
fn update_collateral(
	asset: AssetId,
	change: impl FnOnce(&mut pallet_vaults::CollateralConfig),
) -> DispatchResult {
	let mut config = collateral(asset)?;
	change(&mut config);
	crate::Vaults::set_collateral_asset(root(), asset, config)
}

impl RiskParameters<AccountId, Hash> for ClearingRiskParameters {
	type MarketListing = MarketConfig;
	type CollateralListing = pallet_vaults::CollateralConfig;
	type FeeTable = frame_support::BoundedVec<
		pallet_orderbook::FeeTier,
		<Runtime as pallet_orderbook::Config>::MaxFeeTiers,
	>;
	type OptionParams = pallet_options::OptionParams;
	type ListingSchedule = pallet_options::ListingSchedule;

	fn market_margin(id: MarketId) -> Option<MarginFractions> {
		market(id).ok().map(|c| MarginFractions {
			initial: c.initial_margin,
			maintenance: c.maintenance_margin,
		})
	}
	fn open_interest_cap(id: MarketId) -> Option<Balance> {
		market(id).ok().map(|c| c.max_open_interest)
	}
	fn market_status(id: MarketId) -> Option<MarketStatus> {
		pallet_margin::Markets::<Runtime>::get(id).map(|stored| stored.status)
	}
	fn collateral(asset: AssetId) -> Option<(Permill, Balance)> {
		collateral(asset).ok().map(|c| (c.haircut, c.deposit_cap))
	}
	fn oracle_limits() -> OracleLimits {
		let params = pallet_oracle::Params::<Runtime>::get();
		OracleLimits {
			min_feeders: params.min_feeders,
			max_age_ms: params.max_age_ms,
			max_jump: params.max_jump,
		}
	}
	fn is_feeder(who: &AccountId) -> bool {
		pallet_oracle::Feeders::<Runtime>::contains_key(who)
	}
	fn unstake_cooldown() -> u32 {
		pallet_insurance::CooldownBlocks::<Runtime>::get()
	}
	fn liquidation_penalty() -> Permill {
		pallet_liquidation::PenaltyRate::<Runtime>::get()
	}
	fn listing_margin(listing: &MarketConfig) -> MarginFractions {
		MarginFractions { initial: listing.initial_margin, maintenance: listing.maintenance_margin }
	}
	fn listing_haircut(listing: &pallet_vaults::CollateralConfig) -> Permill {
		listing.haircut
	}
	fn listing_deposit_cap(listing: &pallet_vaults::CollateralConfig) -> Balance {
		listing.deposit_cap
	}
	fn option_terms() -> OptionTerms {
		Self::proposed_option_terms(&pallet_options::Params::<Runtime>::get())
	}
	fn proposed_option_terms(params: &pallet_options::OptionParams) -> OptionTerms {
		OptionTerms {
			initial_base: params.initial_base,
			initial_floor: params.initial_floor,
			maintenance: params.maintenance,
			realized_floor: params.realized_floor,
			rate: params.rate,
			settlement_window_ms: params.settlement_window_ms,
			min_coverage: params.min_coverage,
		}
	}
	fn scenario_grid(asset: clearing_primitives::AssetId) -> clearing_primitives::portfolio::ScenarioGrid {
		pallet_margin::ScenarioGrids::<Runtime>::get(asset)
	}
	fn haircut_curve(asset: clearing_primitives::AssetId) -> Option<clearing_primitives::haircut::HaircutCurve> {
		pallet_vaults::HaircutCurves::<Runtime>::get(asset)
	}

	fn enact(change: &ClearingRiskChange) -> DispatchResult {
		match change.clone() {
			RiskChange::SetMarketMargin { market: id, initial, maintenance } =>
				update_market(id, |c| {
					c.initial_margin = initial;
					c.maintenance_margin = maintenance;
				}),
			RiskChange::SetOpenInterestCap { market: id, max_open_interest } =>
				update_market(id, |c| c.max_open_interest = max_open_interest),
			RiskChange::SetMarketStatus { market: id, status } =>
				crate::Margin::set_market_status(root(), id, status),
			RiskChange::ListMarket { market: id, listing } =>
				crate::Margin::create_market(root(), id, listing),
			RiskChange::SetHaircut { asset, haircut } =>
				update_collateral(asset, |c| c.haircut = haircut),
			RiskChange::SetDepositCap { asset, deposit_cap } =>
				update_collateral(asset, |c| c.deposit_cap = deposit_cap),
			RiskChange::ListCollateral { asset, listing } =>
				crate::Vaults::set_collateral_asset(root(), asset, listing),
			RiskChange::SetOracleLimits { min_feeders, max_age_ms, max_jump } =>
				crate::Oracle::set_params(
					root(),
					pallet_oracle::OracleParams { min_feeders, max_age_ms, max_jump },
				),
			RiskChange::AddFeeder { feeder } => crate::Oracle::add_feeder(root(), feeder),
			RiskChange::RemoveFeeder { feeder } => crate::Oracle::remove_feeder(root(), feeder),
			RiskChange::SetUnstakeCooldown { blocks } =>
				crate::Insurance::set_cooldown(root(), blocks),
			RiskChange::SetLiquidationPenalty { rate } => crate::Liquidation::set_penalty_rate(rate),
			RiskChange::AuthorizeUpgrade { code_hash } => {
				frame_system::Pallet::<Runtime>::do_authorize_upgrade(code_hash, true);
				Ok(())
			},
			RiskChange::SetFeeTiers { tiers } => crate::Orderbook::set_fee_tiers(root(), tiers),
			RiskChange::ListSeries { underlying, expiry, strike, kind, tick_size, max_open_interest } =>
				crate::Options::list_series(root(), underlying, expiry, strike, kind, tick_size, max_open_interest),
			RiskChange::SetListingSchedule { underlying, schedule } =>
				crate::Options::set_listing_schedule(root(), underlying, schedule),
			RiskChange::SetOptionParams { params } => crate::Options::set_params(root(), params),
			RiskChange::SetScenarioGrid { asset, grid } => crate::Margin::set_scenario_grid(root(), asset, grid),
			RiskChange::SetHaircutCurve { asset, curve } => crate::Vaults::set_haircut_curve(root(), asset, curve),
			RiskChange::SetSettlementPrice { underlying, expiry, price } =>
				crate::Options::set_settlement_price(root(), underlying, expiry, price),
		}
	}

	fn enact_weight(change: &ClearingRiskChange) -> Weight {
		use frame_system::WeightInfo as _;
		use pallet_insurance::WeightInfo as _;
		use pallet_margin::WeightInfo as _;
		use pallet_oracle::WeightInfo as _;
		use pallet_vaults::WeightInfo as _;
		type MarginW = pallet_margin::weights::SubstrateWeight<Runtime>;
		type VaultsW = pallet_vaults::weights::SubstrateWeight<Runtime>;
		type OracleW = pallet_oracle::weights::SubstrateWeight<Runtime>;
		type InsuranceW = pallet_insurance::weights::SubstrateWeight<Runtime>;
		use pallet_options::WeightInfo as _;
		type OptionsW = pallet_options::weights::SubstrateWeight<Runtime>;
		// Reading the current configuration first costs one more read.
		let read = <Runtime as frame_system::Config>::DbWeight::get().reads(1);
		match change {
			RiskChange::SetMarketMargin { .. } | RiskChange::SetOpenInterestCap { .. } =>
				MarginW::update_market().saturating_add(read),
			RiskChange::SetMarketStatus { .. } => MarginW::set_market_status(),
			RiskChange::ListMarket { .. } => MarginW::create_market(),
			RiskChange::SetHaircut { .. } | RiskChange::SetDepositCap { .. } =>
				VaultsW::set_collateral_asset().saturating_add(read),
			RiskChange::ListCollateral { .. } => VaultsW::set_collateral_asset(),
			RiskChange::SetOracleLimits { .. } => OracleW::set_params(),
			RiskChange::AddFeeder { .. } => OracleW::add_feeder(),
			RiskChange::RemoveFeeder { .. } => {
				let assets = <Runtime as pallet_oracle::Config>::MaxAssets::get();
				OracleW::remove_feeder(assets).saturating_add(OracleW::aggregate(assets))
			},
			RiskChange::SetUnstakeCooldown { .. } => InsuranceW::set_cooldown(),
			// Liquidation's penalty: one storage item written, and its event.
			RiskChange::SetLiquidationPenalty { .. } =>
				<Runtime as frame_system::Config>::DbWeight::get().reads_writes(1, 1),
			RiskChange::AuthorizeUpgrade { .. } =>
				frame_system::weights::SubstrateWeight::<Runtime>::authorize_upgrade(),
			RiskChange::SetFeeTiers { .. } => {
				use pallet_orderbook::WeightInfo as _;
				pallet_orderbook::weights::SubstrateWeight::<Runtime>::set_fee_tiers()
			},
			RiskChange::ListSeries { .. } => {
				use clearing_primitives::options::SeriesMarkets as _;
				OptionsW::list_series().saturating_add(crate::Margin::open_series_market_weight())
			},
			RiskChange::SetListingSchedule { .. } => OptionsW::set_listing_schedule(),
			RiskChange::SetOptionParams { .. } => OptionsW::set_params(),
			RiskChange::SetScenarioGrid { .. } => MarginW::set_scenario_grid(),
			RiskChange::SetHaircutCurve { .. } => VaultsW::set_haircut_curve(),
			RiskChange::SetSettlementPrice { .. } => OptionsW::set_settlement_price(),
		}
	}
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use super::*;

	/// Changes valid on a fresh `dev` genesis.
	pub struct GovernanceBenchmarkHelper;

	impl pallet_governance::BenchmarkHelper<ClearingRiskChange> for GovernanceBenchmarkHelper {
		fn reducing() -> ClearingRiskChange {
			RiskChange::SetMarketStatus { market: 0, status: MarketStatus::Halted }
		}
		fn increasing(i: u32) -> ClearingRiskChange {
			let feeder: AccountId = frame_benchmarking::account("feeder", i, 0);
			RiskChange::AddFeeder { feeder }
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::RuntimeEvent;
	use pallet_governance::classify::Direction;

	#[test]
	fn an_enacted_penalty_change_lands_in_liquidations_storage() {
		sp_io::TestExternalities::default().execute_with(|| {
			frame_system::Pallet::<Runtime>::set_block_number(1);
			assert_eq!(ClearingRiskParameters::liquidation_penalty(), Permill::from_parts(15_000));
			let rate = Permill::from_percent(2);
			assert!(ClearingRiskParameters::enact(&RiskChange::SetLiquidationPenalty { rate }).is_ok());
			assert_eq!(pallet_liquidation::PenaltyRate::<Runtime>::get(), rate);
			assert_eq!(ClearingRiskParameters::liquidation_penalty(), rate);
			let set = RuntimeEvent::Liquidation(pallet_liquidation::Event::PenaltyRateSet { rate });
			assert!(frame_system::Pallet::<Runtime>::events().iter().any(|record| record.event == set));
		});
	}

	#[test]
	fn option_parameters_are_classified_and_enacted_in_the_options_pallet() {
		sp_io::TestExternalities::default().execute_with(|| {
			frame_system::Pallet::<Runtime>::set_block_number(1);
			let defaults = pallet_options::OptionParams::default();
			let assess = |params| {
				pallet_governance::Pallet::<Runtime>::assess(&RiskChange::SetOptionParams { params })
			};
			let tighter = pallet_options::OptionParams { maintenance: Permill::from_percent(10), ..defaults };
			assert_eq!(assess(tighter), Ok(Direction::Reduces));
			let looser = pallet_options::OptionParams { initial_floor: Permill::from_percent(8), ..defaults };
			assert_eq!(assess(looser), Ok(Direction::Increases));
			assert!(ClearingRiskParameters::enact(&RiskChange::SetOptionParams { params: tighter }).is_ok());
			assert_eq!(pallet_options::Params::<Runtime>::get(), tighter);
			// Below the options pallet's 2.5% maintenance: refused, nothing changes.
			let unsafe_params = pallet_options::OptionParams { maintenance: Permill::from_percent(2), ..tighter };
			assert!(ClearingRiskParameters::enact(&RiskChange::SetOptionParams { params: unsafe_params }).is_err());
			assert_eq!(pallet_options::Params::<Runtime>::get(), tighter);
		});
	}

	#[test]
	fn scenario_grids_are_classified_and_enacted_in_the_margin_engine() {
		use clearing_primitives::portfolio::ScenarioGrid;
		sp_io::TestExternalities::default().execute_with(|| {
			frame_system::Pallet::<Runtime>::set_block_number(1);
			let assess = |grid| {
				pallet_governance::Pallet::<Runtime>::assess(&RiskChange::SetScenarioGrid { asset: 2, grid })
			};
			let defaults = ScenarioGrid::default();
			let tighter = ScenarioGrid { vol_up: Permill::from_percent(60), ..defaults };
			assert_eq!(assess(tighter), Ok(Direction::Reduces));
			let looser = ScenarioGrid { extreme_weight: Permill::from_percent(90), ..defaults };
			assert_eq!(assess(looser), Ok(Direction::Increases));
			assert!(ClearingRiskParameters::enact(&RiskChange::SetScenarioGrid { asset: 2, grid: tighter }).is_ok());
			assert_eq!(pallet_margin::ScenarioGrids::<Runtime>::get(2), tighter);
			assert_eq!(ClearingRiskParameters::scenario_grid(2), tighter);
		});
	}

	#[test]
	fn haircut_curves_wait_out_the_timelock_and_are_enacted_in_the_vaults() {
		use clearing_primitives::{haircut::HaircutCurve, CLR_ASSET_ID, USDC_ASSET_ID};
		sp_io::TestExternalities::default().execute_with(|| {
			frame_system::Pallet::<Runtime>::set_block_number(1);
			let assess = |asset, curve| pallet_governance::Pallet::<Runtime>::assess(&RiskChange::SetHaircutCurve { asset, curve });
			let (_, clr) = crate::genesis_config_presets::collateral_assets()
				.into_iter()
				.find(|(asset, _)| *asset == CLR_ASSET_ID)
				.expect("CLR is dev collateral");
			// A first curve: one step from the neutral curve at the deposit cap.
			let first = HaircutCurve {
				volatility_factor: Permill::from_percent(10),
				max_volatility_haircut: Permill::from_percent(10),
				liquidity_depth: clr.deposit_cap,
				size_factor: Permill::from_percent(10),
			};
			assert_eq!(assess(CLR_ASSET_ID, Some(first)), Err(pallet_governance::Error::<Runtime>::NotCollateral.into()));
			pallet_vaults::CollateralAssets::<Runtime>::insert(CLR_ASSET_ID, clr);
			assert_eq!(assess(CLR_ASSET_ID, Some(first)), Ok(Direction::Increases));
			assert!(ClearingRiskParameters::enact(&RiskChange::SetHaircutCurve { asset: CLR_ASSET_ID, curve: Some(first) }).is_ok());
			assert_eq!(pallet_vaults::HaircutCurves::<Runtime>::get(CLR_ASSET_ID), Some(first));
			assert_eq!(ClearingRiskParameters::haircut_curve(CLR_ASSET_ID), Some(first));
			// Removing it waits too.
			assert_eq!(assess(CLR_ASSET_ID, None), Ok(Direction::Increases));
			// The vaults refuse a curve on the settlement asset: nothing changes.
			let (_, usdc) = crate::genesis_config_presets::collateral_assets().remove(0);
			pallet_vaults::CollateralAssets::<Runtime>::insert(USDC_ASSET_ID, usdc);
			assert!(ClearingRiskParameters::enact(&RiskChange::SetHaircutCurve { asset: USDC_ASSET_ID, curve: Some(first) }).is_err());
			assert_eq!(pallet_vaults::HaircutCurves::<Runtime>::get(USDC_ASSET_ID), None);
		});
	}

	#[test]
	fn option_listings_schedules_and_settlement_prices_wait_out_the_timelock() {
		let schedule = crate::genesis_config_presets::dev_listing_schedules().remove(0).1;
		for change in [
			RiskChange::SetListingSchedule { underlying: 0, schedule: Some(schedule) },
			RiskChange::ListSeries {
				underlying: 0,
				expiry: 1,
				strike: clearing_primitives::Price::from_u32(60_000),
				kind: clearing_primitives::black76::OptionKind::Call,
				tick_size: clearing_primitives::Price::from_u32(1),
				max_open_interest: 1,
			},
			RiskChange::SetSettlementPrice { underlying: 2, expiry: 1, price: clearing_primitives::Price::from_u32(1) },
		] {
			assert_eq!(pallet_governance::Pallet::<Runtime>::assess(&change), Ok(Direction::Increases));
		}
		let removal = RiskChange::SetListingSchedule { underlying: 0, schedule: None };
		assert_eq!(pallet_governance::Pallet::<Runtime>::assess(&removal), Ok(Direction::Reduces));
	}

	#[test]
	fn liquidations_bound_is_governances_ceiling() {
		let most = <Runtime as pallet_liquidation::Config>::MaxPenaltyRate::get();
		let ceiling = pallet_governance::classify::bounds::PENALTY_CEILING;
		assert!(most < ceiling, "governance can never set what liquidation refuses");
		assert_eq!(most.deconstruct() + 1, ceiling.deconstruct(), "and liquidation allows all it can set");
	}

	#[test]
	fn an_enacted_penalty_above_liquidations_bound_fails_and_changes_nothing() {
		sp_io::TestExternalities::default().execute_with(|| {
			let above = Permill::from_percent(11);
			assert!(ClearingRiskParameters::enact(&RiskChange::SetLiquidationPenalty { rate: above }).is_err());
			assert_eq!(ClearingRiskParameters::liquidation_penalty(), Permill::from_parts(15_000));
		});
	}

	#[test]
	fn an_enacted_fee_table_lands_in_the_order_book_and_a_bad_one_changes_nothing() {
		sp_io::TestExternalities::default().execute_with(|| {
			frame_system::Pallet::<Runtime>::set_block_number(1);
			let tier = |rebate| pallet_orderbook::FeeTier {
				min_volume: 1_000_000_000,
				taker_fee: Permill::from_parts(300),
				maker_fee: Permill::zero(),
				maker_rebate: Permill::from_parts(rebate),
			};
			let table = |rebate| frame_support::BoundedVec::truncate_from(vec![tier(rebate)]);
			assert!(ClearingRiskParameters::enact(&RiskChange::SetFeeTiers { tiers: table(100) }).is_ok());
			assert_eq!(pallet_orderbook::FeeTiers::<Runtime>::get().into_inner(), vec![tier(100)]);
			// A rebate above half the taker fee: the order book refuses it.
			assert!(ClearingRiskParameters::enact(&RiskChange::SetFeeTiers { tiers: table(200) }).is_err());
			assert_eq!(pallet_orderbook::FeeTiers::<Runtime>::get().into_inner(), vec![tier(100)]);
		});
	}
}
