//! A runtime for liquidation's tests: the real margin engine; storage-backed stand-ins for
//! the vaults' ledger (settlement balances and plain account balances), the oracle (status
//! and fresh streak per asset), a book of resting orders that fills through the margin
//! engine, and the insurance fund. Everything lives in storage, so a failed call rolls back.

use crate as pallet_liquidation;
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, Valuation},
	insurance::InsuranceFund,
	margin::{Closed, Fill, LiquidationBook, MarginEngine, Side},
	notional,
	oracle::{PriceProvider, PriceQuote, PriceStatus},
	AssetId, Balance, MarketId, Price, SignedBalance,
};
use codec::{Decode, Encode};
use frame_support::{
	derive_impl, parameter_types,
	storage::unhashed,
	traits::{ConstU128, ConstU32, ConstU64},
	PalletId,
};
use pallet_margin::MarketConfig;
use sp_runtime::{
	testing::UintAuthorityId, BuildStorage, DispatchError, DispatchResult, FixedPointNumber,
	Permill, Rounding, Weight,
};

pub type AccountId = u64;
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

fn get<V: Decode + Default>(key: impl Encode) -> V {
	unhashed::get(&key.encode()).unwrap_or_default()
}
fn put<V: Encode>(key: impl Encode, value: V) {
	unhashed::put(&key.encode(), &value);
}

/// Settlement balances of subaccounts and plain balances of accounts, both in storage, and
/// CLR collateral (6 decimals, valued at the oracle's CLR price less a 25% haircut); the
/// subaccounts seen and the totals minted are kept to check conservation.
pub struct MockLedger;
impl CollateralLedger<AccountId> for MockLedger {
	fn collateral_value(s: &Subaccount<AccountId>, valuation: Valuation) -> Result<SignedBalance, DispatchError> {
		Ok(Self::settlement_balance(s) + clr_value(s, valuation) as SignedBalance)
	}
	fn settlement_balance(s: &Subaccount<AccountId>) -> SignedBalance {
		get((b"settle", s))
	}
	fn move_settlement(from: &Subaccount<AccountId>, to: &Subaccount<AccountId>, amount: Balance) -> DispatchResult {
		add(from, -(amount as SignedBalance));
		add(to, amount as SignedBalance);
		Ok(())
	}
	fn pay_out(from: &Subaccount<AccountId>, to: &AccountId, amount: Balance) -> DispatchResult {
		add(from, -(amount as SignedBalance));
		put((b"account", to), account_balance(*to) + amount);
		Ok(())
	}
	fn pay_in(from: &AccountId, to: &Subaccount<AccountId>, amount: Balance) -> DispatchResult {
		let balance = account_balance(*from);
		let left = balance.checked_sub(amount).ok_or(DispatchError::Other("insufficient"))?;
		put((b"account", from), left);
		add(to, amount as SignedBalance);
		Ok(())
	}
	fn collateral_assets(s: &Subaccount<AccountId>) -> Vec<AssetId> {
		if clr(s) > 0 { vec![CLR] } else { Vec::new() }
	}
	fn seize_collateral(from: &Subaccount<AccountId>, to: &Subaccount<AccountId>, valuation: Valuation) -> Result<Balance, DispatchError> {
		let value = clr_value(from, valuation);
		let amount = clr(from);
		put((b"clr", from), 0u128);
		put((b"clr", to), clr(to) + amount);
		Ok(value)
	}
	fn debtors(_: Option<Vec<u8>>, limit: u32) -> (Vec<Subaccount<AccountId>>, Option<Vec<u8>>) {
		let seen: Vec<Subaccount<AccountId>> = get(b"seen");
		let owing = seen.into_iter().filter(|s| settlement(s) < 0).take(limit as usize).collect();
		(owing, None)
	}
}

/// The mock's CLR: 6 decimals, a 25% haircut.
pub const CLR: AssetId = 0;
pub const ONE_CLR: Balance = 1_000_000;

/// `s`'s CLR, in its smallest units.
pub fn clr(s: &Subaccount<AccountId>) -> Balance {
	get((b"clr", s))
}

/// What `s`'s CLR counts for: at the fresh price for opening risk, the last for maintenance.
fn clr_value(s: &Subaccount<AccountId>, valuation: Valuation) -> Balance {
	let Some(quote) = MockPrices::quote(CLR) else { return 0 };
	if valuation == Valuation::Opening && !quote.is_fresh() {
		return 0;
	}
	let value = notional(clr(s), 6, quote.price, Rounding::Down).unwrap_or_default();
	Permill::from_percent(75).mul_floor(value)
}

/// Gives `s` `amount` of CLR collateral from outside.
pub fn give_clr(s: &Subaccount<AccountId>, amount: Balance) {
	add(s, 0);
	put((b"clr", s), clr(s) + amount);
	put(b"clr-minted", get::<Balance>(b"clr-minted") + amount);
}

/// Σ CLR of every subaccount seen (the backstop's included): only ever moved.
pub fn total_clr() -> Balance {
	let seen: Vec<Subaccount<AccountId>> = get(b"seen");
	let backstop = Liquidation::backstop();
	let others: Balance = seen.iter().filter(|s| **s != backstop).map(clr).sum();
	others + clr(&backstop)
}

fn add(s: &Subaccount<AccountId>, delta: SignedBalance) {
	let mut seen: Vec<Subaccount<AccountId>> = get(b"seen");
	if !seen.contains(s) {
		seen.push(s.clone());
		put(b"seen", seen);
	}
	put((b"settle", s), MockLedger::settlement_balance(s) + delta);
}

/// Gives `s` `amount` of settlement collateral from outside.
pub fn fund(s: &Subaccount<AccountId>, amount: Balance) {
	add(s, amount as SignedBalance);
	put(b"minted", minted() + amount);
}

pub fn settlement(s: &Subaccount<AccountId>) -> SignedBalance {
	MockLedger::settlement_balance(s)
}

pub fn account_balance(who: AccountId) -> Balance {
	get((b"account", who))
}

fn minted() -> Balance {
	get(b"minted")
}

/// Σ settlement balances + Σ account balances (the fund's included): only ever moved.
pub fn total_tokens() -> SignedBalance {
	let seen: Vec<Subaccount<AccountId>> = get(b"seen");
	let subs: SignedBalance = seen.iter().map(settlement).sum();
	let accounts: Balance = [ALICE, BOB, CAROL, DAVE, KEEPER, FUND, Liquidation::backstop_account()]
		.iter()
		.map(|a| account_balance(*a))
		.sum();
	subs + accounts as SignedBalance
}

pub struct MockPrices;
impl PriceProvider for MockPrices {
	fn quote(asset: AssetId) -> Option<PriceQuote> {
		get::<Option<PriceQuote>>((b"price", asset))
	}
}

/// Sets `asset` to `price`, fresh for `streak` aggregates in a row (0: stale).
pub fn set_price(asset: AssetId, price: Price, status: PriceStatus, streak: u32) {
	put((b"price", asset), Some(PriceQuote { price, updated_at: 0, status, fresh_streak: streak }));
}

/// BTC's price, fresh long enough for liquidation.
pub fn btc_at(whole: u128) {
	set_price(BTC, usd(whole), PriceStatus::Fresh, 10);
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

pub const FUND: AccountId = 999;
pub const FEES: AccountId = 998;

/// Every fill in the book charges its taker `fee`.
pub fn set_taker_fee(fee: Balance) {
	put(b"taker-fee", fee);
}

/// The fund: a balance in storage, paid out of the `FUND` account.
pub struct MockInsurance;
impl InsuranceFund<AccountId> for MockInsurance {
	/// Through the mock ledger, as the runtime's fund pays through the vaults.
	fn receive_revenue(from: &Subaccount<AccountId>, amount: Balance) -> DispatchResult {
		MockLedger::pay_out(from, &FUND, amount)?;
		put(b"fund", fund_balance() + amount);
		Ok(())
	}
	fn cover(to: &AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let paid = amount.min(fund_balance());
		put(b"fund", fund_balance() - paid);
		put((b"account", FUND), account_balance(FUND) - paid);
		put((b"account", to), account_balance(*to) + paid);
		Ok(paid)
	}
	fn fund_balance() -> Balance {
		fund_balance()
	}
	fn account() -> AccountId {
		FUND
	}
}

pub fn fund_balance() -> Balance {
	get(b"fund")
}

/// Puts `amount` in the fund (from outside).
pub fn seed_fund(amount: Balance) {
	put(b"fund", fund_balance() + amount);
	put((b"account", FUND), account_balance(FUND) + amount);
	put(b"minted", minted() + amount);
}

parameter_types! {
	pub const MarginPalletId: PalletId = PalletId(*b"clr/mrgn");
	pub const MinPremiumSamples: Permill = Permill::from_percent(50);
	pub const BackstopId: PalletId = PalletId(*b"clr/liqd");
	pub const DefaultPenaltyRate: Permill = Permill::from_parts(15_000);
	pub const MaxPenaltyRate: Permill = Permill::from_percent(10);
	pub const KeeperShare: Permill = Permill::from_percent(50);
	pub const MaxSlippage: Permill = Permill::from_percent(1);
	pub const UnwindSlippage: Permill = Permill::from_parts(5_000);
	/// Ten fills per market by default; a test lowers it to cut a close short.
	pub static MaxCloseFills: u32 = 10;
}

impl pallet_margin::Config for Test {
	type Ledger = MockLedger;
	type Prices = MockPrices;
	type Book = ();
	type PalletId = MarginPalletId;
	type MaxMarkets = ConstU32<4>;
	type MaxPositions = ConstU32<4>;
	type Unbounded = TheBackstop;
	type MinPremiumSamples = MinPremiumSamples;
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
	type Insurance = MockInsurance;
	type KeeperId = UintAuthorityId;
	type Keepers = MockKeepers;
	type BackstopId = BackstopId;
	type DefaultPenaltyRate = DefaultPenaltyRate;
	type MaxPenaltyRate = MaxPenaltyRate;
	type KeeperShare = KeeperShare;
	type MaxSlippage = MaxSlippage;
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
		set_price(asset, price, PriceStatus::Fresh, 10);
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

pub fn usd(whole: u128) -> Price {
	Price::saturating_from_integer(whole)
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
			assert_eq!(total_clr(), get::<Balance>(b"clr-minted"), "CLR was created or lost");
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
