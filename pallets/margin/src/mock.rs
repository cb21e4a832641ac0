//! A minimal runtime for the margin engine's tests: the ledger and the oracle are the shared
//! stand-ins (`clearing-test-utils`), the book an impact mid each test sets.

use crate::{self as pallet_margin, MarketConfig};
use clearing_primitives::{
	collateral::Subaccount, margin::BookPrices, oracle::PriceStatus, AssetId, Balance, MarketId,
	Price,
};
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::{ConstU128, ConstU32, Hooks}, PalletId};
use sp_runtime::{BuildStorage, Permill};
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Margin: pallet_margin,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	static MID: RefCell<Option<Price>> = RefCell::new(None);
}

pub use clearing_test_utils::{
	fund, set_other_collateral, set_price, settlement, total_settlement, usd, AccountId, MockLedger,
	MockPrices,
};

pub struct MockBook;
impl BookPrices for MockBook {
	fn impact_mid(_: MarketId) -> Option<Price> {
		MID.with(|m| *m.borrow())
	}
}

pub fn set_impact_mid(mid: Option<Price>) {
	MID.with(|m| *m.borrow_mut() = mid);
}

parameter_types! {
	pub const MarginPalletId: PalletId = PalletId(*b"clr/mrgn");
	/// Half an interval's blocks must sample a premium.
	pub const MinPremiumSamples: Permill = Permill::from_percent(50);
}

impl pallet_margin::Config for Test {
	type Ledger = MockLedger;
	type Prices = MockPrices;
	type Book = MockBook;
	type Options = ();
	type PalletId = MarginPalletId;
	type MaxMarkets = ConstU32<4>;
	type MaxPositions = ConstU32<3>;
	type MaxPortfolioPositions = ConstU32<3>;
	type MaxPortfolioUnderlyings = ConstU32<2>;
	type Unbounded = UnboundedBackstop;
	type MinPremiumSamples = MinPremiumSamples;
	type SettingsDeposit = ConstU128<SETTINGS_DEPOSIT>;
	type MinPortfolioEquity = ConstU128<MIN_PORTFOLIO_EQUITY>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_margin::BenchmarkHelper<AccountId> for MockHelper {
	fn set_price(asset: AssetId, price: Price) {
		set_price(asset, price, PriceStatus::Fresh);
	}
	fn fund(subaccount: &Subaccount<AccountId>, amount: Balance) {
		fund(subaccount, amount);
	}
}

/// Stands for the liquidation backstop: its subaccount 0 may hold every market.
pub const BACKSTOP: AccountId = 90;
pub struct UnboundedBackstop;
impl frame_support::traits::Contains<Subaccount<AccountId>> for UnboundedBackstop {
	fn contains(subaccount: &Subaccount<AccountId>) -> bool {
		*subaccount == sub(BACKSTOP, 0)
	}
}

/// $1 held while a subaccount stores margin settings.
pub const SETTINGS_DEPOSIT: Balance = 1_000_000;
/// $10,000 of equity to enter portfolio margin.
pub const MIN_PORTFOLIO_EQUITY: Balance = 10_000_000_000;

pub const BTC: AssetId = 2;
pub const ETH: AssetId = 3;
pub const BTC_USD: MarketId = 0;
pub const ETH_USD: MarketId = 1;
pub const ONE_BTC: Balance = 100_000_000;
pub const USDC: Balance = 1_000_000;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;

pub fn sub(owner: AccountId, number: u16) -> Subaccount<AccountId> {
	Subaccount::new(owner, number)
}

/// BTC-USD: 5% / 3%, open interest 10 → 20 BTC raises the initial fraction, cap 30 BTC,
/// $1 ticks, 0.001 BTC steps, funding every 10 blocks capped at 1%, 0.001% interest.
pub fn btc_usd() -> MarketConfig<u64> {
	MarketConfig {
		base_asset: BTC,
		base_decimals: 8,
		initial_margin: Permill::from_percent(5),
		maintenance_margin: Permill::from_percent(3),
		oi_lower: 10 * ONE_BTC,
		oi_upper: 20 * ONE_BTC,
		max_open_interest: 30 * ONE_BTC,
		tick_size: usd(1),
		step_size: ONE_BTC / 1_000,
		maker_fee: Permill::from_parts(100),
		taker_fee: Permill::from_parts(500),
		price_band: Permill::from_percent(10),
		funding_interval: 10,
		funding_cap: Permill::from_percent(1),
		interest_per_interval: Permill::from_parts(10),
		isolated_only: false,
	}
}

/// ETH-USD: 18 decimals, isolated only.
pub fn eth_usd() -> MarketConfig<u64> {
	MarketConfig {
		base_asset: ETH,
		base_decimals: 18,
		oi_lower: 1_000 * 10u128.pow(18),
		oi_upper: 2_000 * 10u128.pow(18),
		max_open_interest: 5_000 * 10u128.pow(18),
		step_size: 10u128.pow(15),
		isolated_only: true,
		..btc_usd()
	}
}

/// BTC-USD and ETH-USD open; BTC $60,000 and ETH $3,000, fresh; no book.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			margin: pallet_margin::GenesisConfig { markets: vec![(BTC_USD, btc_usd()), (ETH_USD, eth_usd())] },
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			set_price(BTC, usd(60_000), PriceStatus::Fresh);
			set_price(ETH, usd(3_000), PriceStatus::Fresh);
			set_impact_mid(None);
		});
		// Into the backend, so the benchmark suite's wipe between component values keeps it.
		ext.commit_all().expect("the mock's setup commits");
		ext
	}

	/// Runs `test`, then checks the margin engine's invariants (`try_state`).
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			Margin::do_try_state().expect("try_state holds after the test");
		});
	}
}

pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Margin::on_initialize(next);
	}
}

pub fn margin_events() -> Vec<pallet_margin::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Margin(e) => Some(e),
			_ => None,
		})
		.collect()
}
