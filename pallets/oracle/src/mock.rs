//! A minimal runtime for the oracle's tests: accounts are sr25519 keys, so the offchain
//! feeder's keystore keys are feeder accounts directly.

use crate::{self as pallet_oracle, OracleParams, SourceFormat};
use clearing_primitives::{
	oracle::{ListedExpiries, Moment},
	AssetId, Price,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
};
use sp_core::sr25519;
use sp_runtime::{
	generic::UncheckedExtrinsic, traits::IdentityLookup, BuildStorage, Permill,
};

pub type AccountId = sr25519::Public;
/// The mock's extrinsic: signed by an account (no real signature), no extensions.
pub type Extrinsic = UncheckedExtrinsic<AccountId, RuntimeCall, (), ()>;
type Block = sp_runtime::generic::Block<
	sp_runtime::generic::Header<u64, sp_runtime::traits::BlakeTwo256>,
	Extrinsic,
>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Oracle: pallet_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

impl frame_system::offchain::SigningTypes for Test {
	type Public = sr25519::Public;
	type Signature = sr25519::Signature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_signed_transaction<
		C: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		_public: sr25519::Public,
		account: AccountId,
		_nonce: u32,
	) -> Option<Extrinsic> {
		Some(Extrinsic::new_signed(call, account, (), ()))
	}
}

parameter_types! {
	pub const FeedPriority: u64 = 1 << 40;
}

impl pallet_oracle::Config for Test {
	type AuthorityId = crate::crypto::OracleAuthId;
	type Time = Timestamp;
	type MaxFeeders = ConstU32<5>;
	type MaxAssets = ConstU32<4>;
	type MaxSpread = MaxSpread;
	type VolatilitySampleMs = ConstU64<VOLATILITY_SAMPLE_MS>;
	type VolatilityDecay = VolatilityDecay;
	type MaxSources = ConstU32<3>;
	type MaxUrlLen = ConstU32<128>;
	type FeedInterval = ConstU64<1>;
	type FeedPriority = FeedPriority;
	type WeightInfo = ();
	type MaxSurfaces = ConstU32<3>;
	type MaxSmileSpread = MaxSpread;
	type ListedExpiries = MockExpiries;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockExpiries;
}

std::thread_local! {
	static LISTED: core::cell::RefCell<Vec<(AssetId, Moment)>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// The option expiries the mock lists: those `list_expiry` added, while unexpired.
pub struct MockExpiries;

impl MockExpiries {
	pub fn list(underlying: AssetId, expiry: Moment) {
		LISTED.with(|listed| listed.borrow_mut().push((underlying, expiry)));
	}

	pub fn delist(underlying: AssetId, expiry: Moment) {
		LISTED.with(|listed| listed.borrow_mut().retain(|key| *key != (underlying, expiry)));
	}
}

impl ListedExpiries for MockExpiries {
	fn is_listed(underlying: AssetId, expiry: Moment) -> bool {
		expiry > pallet_timestamp::Now::<Test>::get() &&
			LISTED.with(|listed| listed.borrow().contains(&(underlying, expiry)))
	}

	fn listed() -> Vec<(AssetId, Moment)> {
		let now = pallet_timestamp::Now::<Test>::get();
		LISTED.with(|listed| listed.borrow().iter().filter(|(_, e)| *e > now).copied().collect())
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper for MockExpiries {
	fn list_expiry(underlying: AssetId, expiry: Moment) {
		Self::list(underlying, expiry);
	}

	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Test>::put(now);
	}
}

frame_support::parameter_types! {
	/// The middle two of an even count may be 1% apart.
	pub const MaxSpread: Permill = Permill::from_percent(1);
	/// Realized volatility keeps half its past at each sample.
	pub const VolatilityDecay: sp_runtime::Perbill = sp_runtime::Perbill::from_percent(50);
}

/// Realized volatility samples at most every 10 s.
pub const VOLATILITY_SAMPLE_MS: u64 = 10_000;

pub const BTC: AssetId = 2;
pub const ETH: AssetId = 3;
pub const DOT: AssetId = 4;
/// Milliseconds between mock blocks.
pub const BLOCK_MS: u64 = 1_000;
/// The first block's timestamp.
pub const GENESIS_MS: u64 = 1_700_000_000_000;

/// A test account from a small number.
pub fn account(n: u8) -> AccountId {
	sr25519::Public::from_raw([n; 32])
}

/// `whole.cents` dollars.
pub fn usd(whole: u128, cents: u128) -> Price {
	Price::from_inner(whole * 10u128.pow(18) + cents * 10u128.pow(16))
}

/// The sources BTC is read from in tests (the local simulator's three formats).
pub fn btc_sources() -> Vec<(Vec<u8>, SourceFormat)> {
	vec![
		(b"https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT".to_vec(), SourceFormat::Binance),
		(b"https://api.coinbase.com/v2/prices/BTC-USD/spot".to_vec(), SourceFormat::Coinbase),
		(b"https://api.kraken.com/0/public/Ticker?pair=XBTUSD".to_vec(), SourceFormat::Kraken),
	]
}

pub fn default_params() -> OracleParams {
	OracleParams { min_feeders: 2, max_age_ms: 10_000, max_jump: Permill::from_percent(10) }
}

/// Builds test state: feeders 1, 2 and 3; BTC (three sources) and ETH (none); quorum 2,
/// 10 s expiry, 10% jump limit.
pub struct ExtBuilder {
	feeders: Vec<AccountId>,
	assets: Vec<(AssetId, Vec<(Vec<u8>, SourceFormat)>)>,
	params: OracleParams,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			feeders: vec![account(1), account(2), account(3)],
			assets: vec![(BTC, btc_sources()), (ETH, vec![])],
			params: default_params(),
		}
	}
}

impl ExtBuilder {
	/// No feeders, no assets (benchmarks set up their own worst case).
	#[cfg_attr(not(feature = "runtime-benchmarks"), allow(dead_code))]
	pub fn empty() -> Self {
		Self { feeders: vec![], assets: vec![], params: default_params() }
	}

	/// Registers `asset` with `sources` (replacing any it had).
	#[allow(dead_code)]
	pub fn asset(mut self, asset: AssetId, sources: Vec<(Vec<u8>, SourceFormat)>) -> Self {
		self.assets.retain(|(a, _)| *a != asset);
		self.assets.push((asset, sources));
		self
	}

	pub fn min_feeders(mut self, min: u32) -> Self {
		self.params.min_feeders = min;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			oracle: pallet_oracle::GenesisConfig {
				feeders: self.feeders,
				assets: self.assets,
				params: Some(self.params),
			},
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		LISTED.with(|listed| listed.borrow_mut().clear());
		ext.execute_with(|| {
			System::set_block_number(1);
			Timestamp::set_timestamp(GENESIS_MS);
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants (`try_state`) on the final state.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			Oracle::do_try_state().expect("try_state holds after the test");
		});
	}
}

/// Ends the current block (aggregating what it queued) and starts the next one, one
/// `BLOCK_MS` later.
pub fn next_block() {
	Oracle::on_finalize(System::block_number());
	let next = System::block_number() + 1;
	System::set_block_number(next);
	Timestamp::set_timestamp(pallet_timestamp::Now::<Test>::get() + BLOCK_MS);
	Oracle::on_initialize(next);
}

/// Ends the current block and advances the clock by `ms` more than one block.
pub fn next_block_after(ms: u64) {
	Timestamp::set_timestamp(pallet_timestamp::Now::<Test>::get() + ms);
	next_block();
}

/// The events this pallet emitted, oldest first.
pub fn oracle_events() -> Vec<pallet_oracle::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Oracle(e) => Some(e),
			_ => None,
		})
		.collect()
}
