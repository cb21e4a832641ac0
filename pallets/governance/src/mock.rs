//! A minimal runtime for the governance's tests: the risk parameters are a storage-backed
//! stand-in, so a failed enactment rolls back like the real pallets'.

use crate::{
	self as pallet_governance,
	classify::{MarginFractions, OptionTerms, OracleLimits},
	RiskChange, RiskChangeFor, RiskParameters,
};
use clearing_primitives::{margin::MarketStatus, AssetId, Balance, MarketId, Price};
use frame_support::{
	derive_impl, ord_parameter_types, storage_alias,
	traits::{ConstU32, ConstU64},
	Twox64Concat,
};
use frame_system::EnsureSignedBy;
use sp_core::H256;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, Permill, Weight};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Governance: pallet_governance,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

pub const COUNCIL: AccountId = 1;
pub const GUARDIAN: AccountId = 2;
pub const MALLORY: AccountId = 9;
pub const TIMELOCK: u64 = 20;
/// The deposit cap every mock collateral listing asks for.
pub const LISTING_CAP: Balance = 1_000_000;
pub const MAX_PENDING: u32 = 8;
pub const MAX_PER_BLOCK: u32 = 2;

ord_parameter_types! {
	pub const Council: AccountId = COUNCIL;
	pub const Guardian: AccountId = GUARDIAN;
}

/// A market as the stand-in keeps it: fractions, open-interest cap, status.
pub type MockMarket = (Permill, Permill, Balance, MarketStatus);

#[storage_alias]
pub type Markets = StorageMap<ParamStore, Twox64Concat, MarketId, MockMarket>;
#[storage_alias]
pub type Collateral = StorageMap<ParamStore, Twox64Concat, AssetId, (Permill, Balance)>;
#[storage_alias]
pub type Feeders = StorageMap<ParamStore, Twox64Concat, AccountId, ()>;
#[storage_alias]
pub type Oracle = StorageValue<ParamStore, (u32, u64, Permill)>;
#[storage_alias]
pub type Cooldown = StorageValue<ParamStore, u32>;
#[storage_alias]
pub type Penalty = StorageValue<ParamStore, Permill>;
#[storage_alias]
pub type Upgrade = StorageValue<ParamStore, H256>;
#[storage_alias]
pub type FeeTable = StorageValue<ParamStore, Permill>;
#[storage_alias]
pub type OptionParams = StorageValue<ParamStore, OptionTerms>;
#[storage_alias]
pub type Grids = StorageMap<ParamStore, Twox64Concat, AssetId, clearing_primitives::portfolio::ScenarioGrid>;
#[storage_alias]
pub type Curves = StorageMap<ParamStore, Twox64Concat, AssetId, clearing_primitives::haircut::HaircutCurve>;
/// A schedule is its strikes a side.
#[storage_alias]
pub type Schedules = StorageMap<ParamStore, Twox64Concat, MarketId, u32>;
/// Listed series by (underlying, expiry, strike).
#[storage_alias]
pub type OptionSeries = StorageMap<ParamStore, Twox64Concat, (MarketId, u64, Price), ()>;
#[storage_alias]
pub type SettlementPrices = StorageMap<ParamStore, Twox64Concat, (AssetId, u64), Price>;

/// The options' parameters at the start of every test: Deribit's standard margin.
pub const OPTION_TERMS: OptionTerms = OptionTerms {
	initial_base: Permill::from_percent(15),
	initial_floor: Permill::from_percent(10),
	maintenance: Permill::from_parts(75_000),
	realized_floor: Permill::from_percent(100),
	rate: Permill::zero(),
	settlement_window_ms: 1_800_000,
	min_coverage: Permill::from_percent(80),
};

pub const BTC_USD: MarketId = 0;
pub const USDC: AssetId = 1;

pub type Change = RiskChangeFor<AccountId, H256, MockParams>;

pub struct MockParams;
impl RiskParameters<AccountId, H256> for MockParams {
	/// A listing is its margin fractions.
	type MarketListing = (Permill, Permill);
	/// A listing is its haircut.
	type CollateralListing = Permill;
	/// A table is its takers' fee.
	type FeeTable = Permill;
	/// The parameters are the terms governance reads.
	type OptionParams = OptionTerms;
	/// A schedule is its strikes a side.
	type ListingSchedule = u32;

	fn market_margin(market: MarketId) -> Option<MarginFractions> {
		Markets::get(market).map(|(initial, maintenance, ..)| MarginFractions { initial, maintenance })
	}
	fn open_interest_cap(market: MarketId) -> Option<Balance> {
		Markets::get(market).map(|m| m.2)
	}
	fn market_status(market: MarketId) -> Option<MarketStatus> {
		Markets::get(market).map(|m| m.3)
	}
	fn collateral(asset: AssetId) -> Option<(Permill, Balance)> {
		Collateral::get(asset)
	}
	fn oracle_limits() -> OracleLimits {
		let (min_feeders, max_age_ms, max_jump) = Oracle::get().unwrap_or_default();
		OracleLimits { min_feeders, max_age_ms, max_jump }
	}
	fn is_feeder(who: &AccountId) -> bool {
		Feeders::contains_key(who)
	}
	fn unstake_cooldown() -> u32 {
		Cooldown::get().unwrap_or_default()
	}
	fn liquidation_penalty() -> Permill {
		Penalty::get().unwrap_or_default()
	}
	fn listing_margin(listing: &(Permill, Permill)) -> MarginFractions {
		MarginFractions { initial: listing.0, maintenance: listing.1 }
	}
	fn listing_haircut(listing: &Permill) -> Permill {
		*listing
	}
	fn listing_deposit_cap(_: &Permill) -> Balance {
		LISTING_CAP
	}
	fn option_terms() -> OptionTerms {
		OptionParams::get().unwrap_or(OPTION_TERMS)
	}
	fn proposed_option_terms(params: &OptionTerms) -> OptionTerms {
		*params
	}
	fn scenario_grid(asset: AssetId) -> clearing_primitives::portfolio::ScenarioGrid {
		Grids::get(asset).unwrap_or_default()
	}
	fn haircut_curve(asset: AssetId) -> Option<clearing_primitives::haircut::HaircutCurve> {
		Curves::get(asset)
	}

	fn enact(change: &Change) -> DispatchResult {
		let market = |id: MarketId| Markets::get(id).ok_or(DispatchError::Other("no market"));
		match change.clone() {
			RiskChange::SetMarketMargin { market: id, initial, maintenance } => {
				let m = market(id)?;
				Markets::insert(id, (initial, maintenance, m.2, m.3));
			},
			RiskChange::SetOpenInterestCap { market: id, max_open_interest } => {
				let m = market(id)?;
				Markets::insert(id, (m.0, m.1, max_open_interest, m.3));
			},
			RiskChange::SetMarketStatus { market: id, status } => {
				let m = market(id)?;
				Markets::insert(id, (m.0, m.1, m.2, status));
			},
			RiskChange::ListMarket { market: id, listing } => {
				// The margin engine refuses a market id in use.
				if Markets::contains_key(id) {
					return Err(DispatchError::Other("market exists"));
				}
				Markets::insert(id, (listing.0, listing.1, 1_000, MarketStatus::Active));
			},
			RiskChange::SetHaircut { asset, haircut } => Collateral::mutate(asset, |c| {
				if let Some(c) = c {
					c.0 = haircut
				}
			}),
			RiskChange::SetDepositCap { asset, deposit_cap } => Collateral::mutate(asset, |c| {
				if let Some(c) = c {
					c.1 = deposit_cap
				}
			}),
			RiskChange::ListCollateral { asset, listing } => Collateral::insert(asset, (listing, LISTING_CAP)),
			RiskChange::SetOracleLimits { min_feeders, max_age_ms, max_jump } =>
				Oracle::put((min_feeders, max_age_ms, max_jump)),
			RiskChange::AddFeeder { feeder } => Feeders::insert(feeder, ()),
			RiskChange::RemoveFeeder { feeder } => Feeders::remove(feeder),
			RiskChange::SetUnstakeCooldown { blocks } => Cooldown::put(blocks),
			RiskChange::SetLiquidationPenalty { rate } => Penalty::put(rate),
			RiskChange::AuthorizeUpgrade { code_hash } => Upgrade::put(code_hash),
			RiskChange::SetFeeTiers { tiers } => FeeTable::put(tiers),
			RiskChange::ListSeries { underlying, expiry, strike, .. } => {
				// The options pallet refuses a series listed already.
				if OptionSeries::contains_key((underlying, expiry, strike)) {
					return Err(DispatchError::Other("series exists"));
				}
				OptionSeries::insert((underlying, expiry, strike), ());
			},
			RiskChange::SetListingSchedule { underlying, schedule: Some(each_side) } =>
				Schedules::insert(underlying, each_side),
			RiskChange::SetListingSchedule { underlying, schedule: None } => {
				if !Schedules::contains_key(underlying) {
					return Err(DispatchError::Other("no schedule"));
				}
				Schedules::remove(underlying);
			},
			RiskChange::SetOptionParams { params } => OptionParams::put(params),
			RiskChange::SetSettlementPrice { underlying, expiry, price } =>
				SettlementPrices::insert((underlying, expiry), price),
			RiskChange::SetScenarioGrid { asset, grid } => Grids::insert(asset, grid),
			RiskChange::SetHaircutCurve { asset, curve } => Curves::set(asset, curve),
		}
		Ok(())
	}
	fn enact_weight(_: &Change) -> Weight {
		Weight::from_parts(1_000, 0)
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<Change> for MockHelper {
	fn reducing() -> Change {
		RiskChange::SetMarketStatus { market: BTC_USD, status: MarketStatus::Halted }
	}
	fn increasing(i: u32) -> Change {
		RiskChange::AddFeeder { feeder: 1_000 + u64::from(i) }
	}
}

impl pallet_governance::Config for Test {
	type Parameters = MockParams;
	type CouncilOrigin = EnsureSignedBy<Council, AccountId>;
	type CancelOrigin = EnsureSignedBy<Guardian, AccountId>;
	type MinTimelock = ConstU64<10>;
	type MaxPending = ConstU32<MAX_PENDING>;
	type MaxPerBlock = ConstU32<MAX_PER_BLOCK>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

pub fn pct(n: u32) -> Permill {
	Permill::from_percent(n)
}

#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			governance: pallet_governance::GenesisConfig { timelock: TIMELOCK },
		}
		.build_storage()
		.expect("genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			Markets::insert(BTC_USD, (pct(5), pct(3), 1_000_000, MarketStatus::Active));
			Collateral::insert(USDC, (pct(0), 1_000_000));
			Oracle::put((2, 60_000, pct(10)));
			Feeders::insert(7, ());
			Cooldown::put(100);
			Penalty::put(Permill::from_parts(15_000));
		});
		ext
	}

	/// Runs `test`, then checks the governance's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			crate::Pallet::<Test>::do_try_state().expect("try_state holds after the test");
		});
	}
}

/// Runs blocks up to `n`, each with the governance's hook.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Governance::on_initialize(next);
	}
}

pub fn governance_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Governance(e) => Some(e),
			_ => None,
		})
		.collect()
}

pub fn propose(change: Change) -> DispatchResult {
	Governance::propose(RuntimeOrigin::signed(COUNCIL), change)
}
