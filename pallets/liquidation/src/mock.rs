//! A runtime for liquidation's tests: the real margin engine; storage-backed stand-ins for
//! the vaults' ledger (settlement balances and plain account balances), the oracle (status
//! and fresh streak per asset), a book of resting orders that fills through the margin
//! engine, and the insurance fund. Everything lives in storage, so a failed call rolls back.

use crate as pallet_liquidation;
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount},
	margin::{Closed, Fill, LiquidationBook, MarginEngine, Side},
	notional,
	oracle::PriceStatus,
	AssetId, Balance, MarketId, Price, SignedBalance,
};
use codec::Encode;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	PalletId,
};
use pallet_margin::MarketConfig;
use sp_runtime::{testing::UintAuthorityId, BuildStorage, DispatchError, Permill, Rounding, Weight};

type Block = frame_system::mocking::MockBlock<Test>;
pub type TxExtension = (frame_system::AuthorizeCall<Test>,);
pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, TxExtension>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Margin: pallet_margin,
		Liquidation: pallet_liquidation,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> TxExtension {
		(frame_system::AuthorizeCall::<Test>::new(),)
	}
}

pub use clearing_test_utils::{
	account_balance, clr, clr_minted, fund, fund_balance, get, give_clr, minted, put, seed_fund,
	seen, set_price, set_quote, settlement, total_clr, usd, AccountId, MockFund, MockLedger,
	MockPrices, CLR, FUND, ONE_CLR,
};

/// Σ settlement balances + Σ outside accounts' balances (the fund's included): only ever
/// moved.
pub fn total_tokens() -> SignedBalance {
	let subs: SignedBalance = seen().iter().map(settlement).sum();
	let accounts: Balance = [ALICE, BOB, CAROL, DAVE, KEEPER, FUND, Liquidation::backstop_account()]
		.iter()
		.map(|a| account_balance(*a))
		.sum();
	subs + accounts as SignedBalance
}

/// BTC's price, fresh long enough for liquidation.
pub fn btc_at(whole: u128) {
	set_price(BTC, usd(whole), PriceStatus::Fresh);
}

/// What the mock book says each of its fills weighs (`close_weight(f)` is `f` of them).
pub const CLOSE_WEIGHT_PER_FILL: u64 = 100;

/// Resting orders: (price, size, maker), per side, matched best price first.
pub struct MockBook;
impl LiquidationBook<AccountId> for MockBook {
	fn close(
		subaccount: &Subaccount<AccountId>,
		market: MarketId,
		side: Side,
		size: Balance,
		limit: Price,
		max_fills: u32,
	) -> Result<Closed, DispatchError> {
		let against = match side {
			Side::Buy => Side::Sell,
			Side::Sell => Side::Buy,
		};
		let mut orders: Vec<(Price, Balance, Subaccount<AccountId>)> = get((b"book", against.encode()));
		orders.sort_by(|a, b| if side == Side::Sell { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) });
		let mut left = size.min(Margin::position_size(subaccount, market).unsigned_abs());
		let (mut filled, mut value, mut fills) = (0, 0, 0u64);
		let mut fill_bound_reached = false;
		let mut rest = Vec::new();
		for (price, available, maker) in orders {
			let crosses = if side == Side::Sell { price >= limit } else { price <= limit };
			if left > 0 && crosses && fills >= u64::from(max_fills) {
				fill_bound_reached = true;
			}
			if left == 0 || !crosses || fill_bound_reached {
				rest.push((price, available, maker));
				continue;
			}
			let take = left.min(available);
			let fill = Fill { market, taker: subaccount.clone(), maker: maker.clone(), taker_side: side, price, size: take };
			// A maker the margin engine refuses is cancelled and, as in the real book, is a
			// step of matching: it counts toward the fill bound.
			if Margin::apply_close_fill(&fill).is_err() {
				fills += 1;
				continue;
			}
			// A flat taker fee per fill, if a test set one.
			let fee: Balance = get(b"taker-fee");
			MockLedger::move_settlement(subaccount, &sub(FEES, 0), fee)?;
			left -= take;
			filled += take;
			fills += 1;
			value += notional(take, 8, price, Rounding::Down).map_err(|_| DispatchError::Other("notional"))?;
			if available > take {
				rest.push((price, available - take, maker));
			}
		}
		put((b"book", against.encode()), rest);
		let weight = Weight::from_parts(CLOSE_WEIGHT_PER_FILL * fills, 0);
		Ok(Closed { size: filled, notional: value, weight, fill_bound_reached, fills: fills as u32 })
	}
	fn close_weight(max_fills: u32) -> Weight {
		Weight::from_parts(CLOSE_WEIGHT_PER_FILL * u64::from(max_fills), 0)
	}
}

/// `maker` rests an order on `side` at `$price` for `size`.
pub fn rest(side: Side, price: u128, size: Balance, maker: Subaccount<AccountId>) {
	let mut orders: Vec<(Price, Balance, Subaccount<AccountId>)> = get((b"book", side.encode()));
	orders.push((usd(price), size, maker));
	put((b"book", side.encode()), orders);
}

pub const FEES: AccountId = 998;

/// Every fill in the book charges its taker `fee`.
pub fn set_taker_fee(fee: Balance) {
	put(b"taker-fee", fee);
}

parameter_types! {
	pub const MarginPalletId: PalletId = PalletId(*b"clr/mrgn");
	pub const MinPremiumSamples: Permill = Permill::from_percent(50);
	pub const BackstopId: PalletId = PalletId(*b"clr/liqd");
	pub const DefaultPenaltyRate: Permill = Permill::from_parts(15_000);
	pub const MaxPenaltyRate: Permill = Permill::from_percent(10);
	pub const KeeperShare: Permill = Permill::from_percent(50);
	pub const MaxSlippage: Permill = Permill::from_percent(1);
	pub const OptionVolatilityShift: Permill = Permill::from_percent(5);
	pub const UnwindSlippage: Permill = Permill::from_parts(5_000);
	/// Ten fills per market by default; a test lowers it to cut a close short.
	pub static MaxCloseFills: u32 = 10;
}

impl pallet_margin::Config for Test {
	type Ledger = MockLedger;
	type Prices = MockPrices;
	type Book = ();
	type Options = ();
	type PalletId = MarginPalletId;
	type MaxMarkets = ConstU32<4>;
	type MaxPositions = ConstU32<4>;
	type MaxPortfolioPositions = ConstU32<4>;
	type MaxPortfolioUnderlyings = ConstU32<2>;
	type Unbounded = TheBackstop;
	type MinPremiumSamples = MinPremiumSamples;
	type SettingsDeposit = frame_support::traits::ConstU128<1_000_000>;
	type MinPortfolioEquity = frame_support::traits::ConstU128<10_000_000_000>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// The backstop holds every market, as in the runtime.
pub struct TheBackstop;
impl frame_support::traits::Contains<Subaccount<AccountId>> for TheBackstop {
	fn contains(subaccount: &Subaccount<AccountId>) -> bool {
		*subaccount == Liquidation::backstop()
	}
}

/// The mock's one keeper key.
pub const KEEPER_KEY: u64 = 77;

/// Only `KEEPER_KEY` is a keeper.
pub struct MockKeepers;
impl frame_support::traits::Contains<UintAuthorityId> for MockKeepers {
	fn contains(key: &UintAuthorityId) -> bool {
		key.0 == KEEPER_KEY
	}
}

impl pallet_liquidation::Config for Test {
	type Margin = Margin;
	type Ledger = MockLedger;
	type Prices = MockPrices;
	type ClosingBook = MockBook;
	type Insurance = MockFund;
	type KeeperId = UintAuthorityId;
	type Keepers = MockKeepers;
	type BackstopId = BackstopId;
	type DefaultPenaltyRate = DefaultPenaltyRate;
	type MaxPenaltyRate = MaxPenaltyRate;
	type KeeperShare = KeeperShare;
	type MaxSlippage = MaxSlippage;
	type OptionVolatilityShift = OptionVolatilityShift;
	type UnwindSlippage = UnwindSlippage;
	type MaxUnwindRounds = ConstU32<4>;
	// $100,000 of notional per block.
	type BlockNotionalCap = ConstU128<100_000_000_000>;
	type MinFreshAggregates = ConstU32<3>;
	type MaxMarketsPerCall = ConstU32<2>;
	type MaxCloseFills = MaxCloseFills;
	type MaxStallBlocks = ConstU64<3>;
	type MaxCounterparties = ConstU32<4>;
	type MaxBatch = ConstU32<4>;
	type MaxBatchFills = ConstU32<1>;
	type KeeperScanPerBlock = ConstU32<2>;
	type KeeperRankScan = ConstU32<100>;
	type KeeperPriority = ConstU64<{ u64::MAX / 2 }>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockScenario;
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

#[cfg(feature = "runtime-benchmarks")]
pub struct MockScenario;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_liquidation::BenchmarkHelper<AccountId, UintAuthorityId> for MockScenario {
	fn keeper() -> UintAuthorityId {
		UintAuthorityId(KEEPER_KEY)
	}
	fn bankrupt(victim: &Subaccount<AccountId>, _positions: u32, counterparties: u32) -> Vec<Subaccount<AccountId>> {
		let shorts = crate::tests::bankrupt_scenario(victim, counterparties);
		if counterparties == 0 {
			// The fund covers the loss: the backstop takes the position over.
			seed_fund(10_000 * USDC);
			return Vec::new();
		}
		shorts
	}
	fn underwater(victim: &Subaccount<AccountId>) {
		crate::tests::bankrupt_scenario(victim, 0);
		// $1,500 of equity against $1,755 of maintenance.
		btc_at(58_500);
	}
}

pub const BTC: AssetId = 2;
pub const BTC_USD: MarketId = 0;
pub const ONE_BTC: Balance = 100_000_000;
pub const STEP: Balance = ONE_BTC / 1_000;
pub const USDC: Balance = 1_000_000;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CAROL: AccountId = 3;
pub const DAVE: AccountId = 4;
pub const KEEPER: AccountId = 7;

pub fn sub(owner: AccountId, number: u16) -> Subaccount<AccountId> {
	Subaccount::new(owner, number)
}

/// BTC-USD: 5% / 3%, $1 ticks, 0.001 BTC steps, no fees, no funding to speak of.
pub fn btc_usd() -> MarketConfig<u64> {
	MarketConfig {
		base_asset: BTC,
		base_decimals: 8,
		initial_margin: Permill::from_percent(5),
		maintenance_margin: Permill::from_percent(3),
		oi_lower: 1_000 * ONE_BTC,
		oi_upper: 2_000 * ONE_BTC,
		max_open_interest: 3_000 * ONE_BTC,
		tick_size: usd(1),
		step_size: STEP,
		maker_fee: Permill::zero(),
		taker_fee: Permill::zero(),
		price_band: Permill::from_percent(10),
		funding_interval: 1_000,
		funding_cap: Permill::from_percent(1),
		interest_per_interval: Permill::zero(),
		isolated_only: false,
	}
}

#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			margin: pallet_margin::GenesisConfig { markets: vec![(BTC_USD, btc_usd())] },
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			btc_at(60_000);
		});
		// A test may have lowered it on this thread.
		MaxCloseFills::set(10);
		// Into the backend, so the benchmark suite's wipe between component values keeps it.
		ext.commit_all().expect("the mock's setup commits");
		ext
	}

	/// Runs `test`, then checks the invariants: the margin engine's (open interest, counts),
	/// liquidation's own, and that tokens were only moved.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			Liquidation::do_try_state().expect("liquidation's try_state holds after the test");
			Margin::do_try_state().expect("the margin engine's try_state holds after the test");
			assert_eq!(total_tokens(), minted() as SignedBalance, "tokens were created or lost");
			assert_eq!(total_clr(), clr_minted(), "CLR was created or lost");
		});
	}
}

pub fn liquidation_events() -> Vec<pallet_liquidation::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Liquidation(e) => Some(e),
			_ => None,
		})
		.collect()
}
