//! A minimal runtime for the book's tests: the margin engine (which holds the orders' margin
//! and deposits) and the insurance fund are storage-backed stand-ins, the vaults' ledger the
//! shared one (`clearing-test-utils`), so a failed call rolls them back like the real ones.

use crate as pallet_orderbook;
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount},
	margin::{Fill, FillParty, FillRefusal, MarginEngine, MarketRules, MarketStatus, Side},
	Balance, MarketId, Price, SignedBalance,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	PalletId,
};
use sp_runtime::{BuildStorage, DispatchError, Permill, Weight};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Orderbook: pallet_orderbook,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub use clearing_test_utils::{
	fund_revenue, get, put, settlement, usd, AccountId, MockFund, MockLedger,
};

/// Fills as the margin engine saw them (a liquidation's close marked so); sizes per
/// subaccount; who it refuses.
pub struct MockMargin;
impl MarginEngine<AccountId> for MockMargin {
	fn apply_close_fill(fill: &Fill<AccountId>) -> Result<Weight, FillRefusal> {
		let mut closes: Vec<u128> = get(b"close-fills");
		closes.push(fill.size);
		put(b"close-fills", closes);
		Self::apply_fill(fill)
	}
	fn apply_fill(fill: &Fill<AccountId>) -> Result<Weight, FillRefusal> {
		let refused: Vec<AccountId> = get(b"refuse");
		let below_zero: bool = get(b"refuse-below-zero");
		for (party, who) in [(FillParty::Taker, &fill.taker), (FillParty::Maker, &fill.maker)] {
			if refused.contains(&who.owner) {
				return Err(FillRefusal { party, error: DispatchError::Other("margin") });
			}
			// As the real engine refuses a side left with negative equity (fees included).
			if below_zero && MockLedger::settlement_balance(who) < 0 {
				return Err(FillRefusal { party, error: DispatchError::Other("negative") });
			}
		}
		let size = fill.size as SignedBalance;
		let (buyer, seller) = match fill.taker_side {
			Side::Buy => (&fill.taker, &fill.maker),
			Side::Sell => (&fill.maker, &fill.taker),
		};
		put((b"pos", buyer), Self::position_size(buyer, fill.market) + size);
		put((b"pos", seller), Self::position_size(seller, fill.market) - size);
		let mut fills: Vec<(AccountId, AccountId, u128, u128)> = get(b"fills");
		fills.push((fill.taker.owner, fill.maker.owner, fill.price.into_inner(), fill.size));
		put(b"fills", fills);
		Ok(Weight::from_parts(MOCK_FILL_WEIGHT, 0))
	}
	fn market_rules(market: MarketId) -> Option<MarketRules> {
		(market == BTC_USD).then(|| MarketRules {
			status: BtcStatus::get(),
			base_decimals: 8,
			tick_size: usd(1),
			step_size: STEP,
			maker_fee: Permill::from_parts(200),
			taker_fee: Permill::from_parts(500),
			price_band: Permill::from_percent(10),
			index: Some(BtcIndex::get()),
			index_fresh: BtcIndexFresh::get(),
		})
	}
	fn position_size(subaccount: &Subaccount<AccountId>, _: MarketId) -> SignedBalance {
		get((b"pos", subaccount))
	}
	fn apply_fill_weight() -> Weight {
		Weight::from_parts(MOCK_WORST_FILL_WEIGHT, 0)
	}
	fn reserve_order_margin(
		subaccount: &Subaccount<AccountId>,
		_: MarketId,
		_: Side,
		size: Balance,
		price: Price,
		deposit: Balance,
	) -> Result<(Balance, Weight), DispatchError> {
		// A tenth of the notional, as a 10% initial margin would set aside.
		let amount = clearing_primitives::notional(size, 8, price, sp_runtime::Rounding::Up)
			.map_err(|_| DispatchError::Other("overflow"))? /
			10;
		let held = Self::order_margin(subaccount) + amount + deposit;
		if let Some(limit) = get::<Option<Balance>>((b"margin-limit", subaccount)) {
			if held > limit {
				return Err(DispatchError::Other("order margin"));
			}
		}
		put((b"order-margin", subaccount), held);
		Ok((amount, Weight::from_parts(MOCK_RESERVE_WEIGHT, 0)))
	}
	fn release_order_margin(subaccount: &Subaccount<AccountId>, amount: Balance) {
		let held = Self::order_margin(subaccount);
		assert!(amount <= held, "released more order margin than was set aside");
		put((b"order-margin", subaccount), held - amount);
	}
	fn restore_order_margin(subaccount: &Subaccount<AccountId>, amount: Balance) {
		put((b"order-margin", subaccount), Self::order_margin(subaccount) + amount);
	}
	fn order_margin(subaccount: &Subaccount<AccountId>) -> Balance {
		get((b"order-margin", subaccount))
	}
	fn reserve_order_margin_weight() -> Weight {
		Weight::from_parts(MOCK_RESERVE_WEIGHT, 0)
	}
}

/// What the mock margin engine says setting an order's margin aside weighs.
pub const MOCK_RESERVE_WEIGHT: u64 = 3;

/// From now on the mock margin engine refuses to set more than `limit` aside in all for
/// `subaccount`'s resting orders.
pub fn limit_order_margin(subaccount: &Subaccount<AccountId>, limit: Balance) {
	put((b"margin-limit", subaccount), Some(limit));
}

/// What the mock margin engine holds set aside for `subaccount`'s resting orders.
pub fn order_margin(subaccount: &Subaccount<AccountId>) -> Balance {
	MockMargin::order_margin(subaccount)
}

/// What the mock margin engine says an applied fill weighed, and its worst case.
pub const MOCK_FILL_WEIGHT: u64 = 7;
pub const MOCK_WORST_FILL_WEIGHT: u64 = 20;

/// `(taker, maker, price inner, size)` of every applied fill.
pub fn fills() -> Vec<(AccountId, AccountId, u128, u128)> {
	get(b"fills")
}

/// Sizes of the fills applied as a liquidation's close.
pub fn close_fills() -> Vec<u128> {
	get(b"close-fills")
}

/// From now on the mock margin engine refuses a side whose settlement balance is below zero
/// when it checks the fill.
pub fn refuse_below_zero() {
	put(b"refuse-below-zero", true);
}

pub fn refuse(who: Vec<AccountId>) {
	put(b"refuse", who);
}

parameter_types! {
	/// The mock BTC market's status, as its margin engine reports it.
	pub storage BtcStatus: MarketStatus = MarketStatus::Active;
	/// The mock BTC market's index price (its band is 10% either way).
	pub storage BtcIndex: Price = Price::from_u32(60_000);
	/// Whether the mock BTC index is fresh.
	pub storage BtcIndexFresh: bool = true;
	/// What the block-start hook may spend firing triggers.
	pub storage TriggerBudget: Weight = Weight::from_parts(1_000_000_000_000_000, 1_000_000_000_000);
	/// What the block-start hook may spend on expired orders and due dead-man's switches.
	pub storage CleanupBudget: Weight = Weight::from_parts(1_000_000_000_000_000, 1_000_000_000_000);
}

parameter_types! {
	pub const OrderbookPalletId: PalletId = PalletId(*b"clr/book");
	pub const InsuranceShare: Permill = Permill::from_percent(50);
}

impl pallet_orderbook::Config for Test {
	type Margin = MockMargin;
	type Ledger = MockLedger;
	type Insurance = MockFund;
	type PalletId = OrderbookPalletId;
	type OrderDeposit = ConstU128<DEPOSIT>;
	type FeeOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxFeeTiers = frame_support::traits::ConstU32<4>;
	/// Ten blocks a volume day, so tests can watch the window roll.
	type VolumeDayBlocks = frame_support::traits::ConstU64<10>;
	type InsuranceShare = InsuranceShare;
	type MaxFills = ConstU32<MAX_FILLS>;
	type MaxTriggerFills = ConstU32<MAX_TRIGGER_FILLS>;
	// As many as an account may have open.
	type MaxBatchOrders = ConstU32<5>;
	type MaxBatchCancels = ConstU32<5>;
	type MaxOpenTriggers = ConstU32<3>;
	type MaxTriggersPerQueue = ConstU32<4>;
	type MaxTriggerMarkets = ConstU32<2>;
	type TriggerBlockWeight = TriggerBudget;
	type MaxCancelHorizon = ConstU64<100>;
	type CleanupBlockWeight = CleanupBudget;
	type MaxOpenOrders = ConstU32<5>;
	type MaxLevels = ConstU32<6>;
	type MaxOrdersPerLevel = ConstU32<3>;
	type ImpactNotional = ConstU128<{ 10_000 * USDC }>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_orderbook::BenchmarkHelper<AccountId> for MockHelper {
	fn market(_: Price) -> (MarketId, Price, Balance) {
		(BTC_USD, usd(1), STEP)
	}
	fn fund(subaccount: &Subaccount<AccountId>) {
		let _ = <Balances as frame_support::traits::fungible::Mutate<AccountId>>::mint_into(
			&subaccount.owner,
			1_000_000,
		);
	}
	fn series_market() -> (MarketId, Price, Balance, Price) {
		(BTC_USD, usd(1), STEP, usd(60_000))
	}
}

/// The book's fill bound per order.
pub const MAX_FILLS: u32 = 4;
/// A fired trigger's fill bound per firing.
pub const MAX_TRIGGER_FILLS: u32 = 2;
pub const BTC_USD: MarketId = 0;
pub const STEP: Balance = 100_000; // 0.001 BTC
pub const USDC: Balance = 1_000_000;
pub const DEPOSIT: Balance = 10;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CAROL: AccountId = 3;

pub fn sub(owner: AccountId, number: u16) -> Subaccount<AccountId> {
	Subaccount::new(owner, number)
}

#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig {
				balances: vec![(ALICE, 1_000), (BOB, 1_000), (CAROL, 1_000)],
				..Default::default()
			},
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the book's invariants (`try_state`) and that the fund was
	/// paid exactly what it booked.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			Orderbook::do_try_state().expect("try_state holds after the test");
			let (booked, paid) = fund_revenue();
			assert_eq!(booked, paid);
		});
	}
}

pub fn book_events() -> Vec<pallet_orderbook::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Orderbook(e) => Some(e),
			_ => None,
		})
		.collect()
}
