//! A runtime with the options pallet alone: prices from the shared stand-in, a stand-in margin
//! engine that opens series markets on one perpetual.

use crate as pallet_options;
use clearing_primitives::{
	black76::OptionKind,
	options::{BookClearance, SeriesBooks, SeriesMarket, SeriesMarkets, SweepOutcome},
	oracle::{Moment, PriceStatus},
	AssetId, Balance, MarketId, Price,
};
use clearing_test_utils::{get, put, set_price, usd, MockPrices};
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use sp_runtime::{BuildStorage, DispatchError, FixedPointNumber, Weight};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Options: pallet_options,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = u64;
	type Lookup = sp_runtime::traits::IdentityLookup<u64>;
	// Real database weights: the hooks' limits are tested against what they read.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

impl pallet_timestamp::Config for Test {
	type Moment = Moment;
	type OnTimestampSet = ();
	type MinimumPeriod = frame_support::traits::ConstU64<1>;
	type WeightInfo = ();
}

/// The perpetual series are written on, and its base asset.
pub const BTC_PERP: MarketId = 0;
pub const BTC: AssetId = 2;
/// Underlyings with no implied-volatility source.
pub const DOT_PERP: MarketId = 4;
pub const DOT: AssetId = 4;
pub const ETH_PERP: MarketId = 1;
pub const ETH: AssetId = 3;
/// The oracle asset of BTC's implied volatility.
pub const BTC_IV: AssetId = 1_002;
pub const FIRST_SERIES: MarketId = 1_000_000;
pub const DAY_MS: Moment = 86_400_000;
/// The mock chain's time at the start of every test.
pub const START_MS: Moment = 1_000 * DAY_MS;

parameter_types! {
	pub const FirstSeriesId: MarketId = FIRST_SERIES;
	pub const MaxTimeToExpiry: Moment = 365 * DAY_MS;
}

/// The base decimals of each stand-in perpetual (and of the series written on it): each its
/// own, so a series' decimals are seen to come from its market.
pub fn perpetual_decimals(perpetual: MarketId) -> u8 {
	match perpetual {
		BTC_PERP => 8,
		DOT_PERP => 10,
		_ => 18,
	}
}

/// Opens series markets on `BTC_PERP` and `DOT_PERP`, counting them.
pub struct MockMarkets;

impl MockMarkets {
	pub fn opened() -> Vec<MarketId> {
		get::<Vec<MarketId>>(b"mock-series-markets")
	}
}

impl SeriesMarkets for MockMarkets {
	fn open_series_market(
		market: MarketId,
		underlying: MarketId,
		_tick_size: Price,
		_max_open_interest: Balance,
	) -> Result<SeriesMarket, DispatchError> {
		let asset = Self::perpetual_asset(underlying)?;
		// A stand-in refusal after `fail_opening_after(n)` markets opened.
		let left = get::<Option<u32>>(b"mock-open-budget");
		if let Some(left) = left {
			if left == 0 {
				return Err(DispatchError::Other("TooManyMarkets"));
			}
			put(b"mock-open-budget", Some(left - 1));
		}
		let mut opened = Self::opened();
		opened.push(market);
		put(b"mock-series-markets", opened);
		let base_decimals = perpetual_decimals(underlying);
		let mut decimals = get::<Vec<(MarketId, u8)>>(b"mock-series-decimals");
		decimals.push((market, base_decimals));
		put(b"mock-series-decimals", decimals);
		Ok(SeriesMarket { base_asset: asset, base_decimals })
	}

	fn base_decimals(market: MarketId) -> Option<u8> {
		if Self::perpetual_asset(market).is_ok() {
			return Some(perpetual_decimals(market));
		}
		if !Self::opened().contains(&market) {
			return None;
		}
		get::<Vec<(MarketId, u8)>>(b"mock-series-decimals").into_iter().find(|(m, _)| *m == market).map(|(_, d)| d)
	}

	fn open_series_market_weight() -> Weight {
		Weight::zero()
	}

	fn scenario_grid(underlying: AssetId) -> clearing_primitives::portfolio::ScenarioGrid {
		get::<Vec<(AssetId, clearing_primitives::portfolio::ScenarioGrid)>>(b"mock-grids")
			.into_iter()
			.find(|(asset, _)| *asset == underlying)
			.map(|(_, grid)| grid)
			.unwrap_or_default()
	}

	fn perpetual_asset(underlying: MarketId) -> Result<AssetId, DispatchError> {
		match underlying {
			BTC_PERP => Ok(BTC),
			DOT_PERP => Ok(DOT),
			ETH_PERP => Ok(ETH),
			_ => Err(DispatchError::Other("MarketNotFound")),
		}
	}

	/// Scans a stand-in of `set_positions_to_sweep`'s positions, settling as many as it reads
	/// while any is left to settle.
	fn settle_expired_positions(limit: u32) -> SweepOutcome {
		let total = get::<u32>(b"mock-sweep-total");
		let cursor = get::<u32>(b"mock-sweep-cursor");
		let read = (total - cursor).min(limit);
		let left = get::<u32>(b"mock-sweep-left");
		let settled = left.min(read);
		put(b"mock-sweep-left", left - settled);
		put(b"mock-sweep-calls", get::<u32>(b"mock-sweep-calls") + 1);
		let finished = cursor + read == total;
		put(b"mock-sweep-cursor", if finished { 0 } else { cursor + read });
		SweepOutcome { read, settled, from_start: cursor == 0, finished }
	}

	fn settle_expired_position_weight() -> Weight {
		Weight::from_parts(1_000_000, 0)
	}

	/// Refused while `set_holders` left positions in `market`.
	fn close_series_market(market: MarketId) -> sp_runtime::DispatchResult {
		if get::<Vec<MarketId>>(b"mock-held").contains(&market) {
			return Err(DispatchError::Other("SeriesPositionsOpen"));
		}
		let mut opened = Self::opened();
		opened.retain(|m| *m != market);
		put(b"mock-series-markets", opened);
		Ok(())
	}
}

/// The stand-in margin engine opens `n` more markets, then refuses.
pub fn fail_opening_after(n: u32) {
	put(b"mock-open-budget", Some(n));
}

/// Positions are held in `markets` (the stand-in margin engine refuses to close them).
pub fn set_holders(markets: Vec<MarketId>) {
	put(b"mock-held", markets);
}

/// A stand-in book: each market's resting items (orders and triggers), taken one a step.
pub struct MockBooks;

fn book_key(market: MarketId) -> Vec<u8> {
	let mut key = b"mock-book-".to_vec();
	key.extend_from_slice(&market.to_le_bytes());
	key
}

/// `market`'s stand-in book holds `items` resting orders or triggers.
pub fn set_book(market: MarketId, items: u32) {
	put(&book_key(market), items);
}

/// What `market`'s stand-in book still holds.
pub fn book_items(market: MarketId) -> u32 {
	get::<u32>(&book_key(market))
}

impl SeriesBooks for MockBooks {
	fn clear_book(market: MarketId, steps: u32) -> BookClearance {
		let items = book_items(market);
		let taken = items.min(steps);
		set_book(market, items - taken);
		BookClearance { steps: taken, empty: items == taken }
	}

	fn clear_book_weight(steps: u32) -> Weight {
		Weight::from_parts(1_000_000, 0).saturating_mul(u64::from(steps))
	}
}

/// The stand-in sweep scans `total` positions, `settleable` of them in settled series.
pub fn set_positions_to_sweep(total: u32, settleable: u32) {
	put(b"mock-sweep-total", total);
	put(b"mock-sweep-left", settleable);
}

/// Where the stand-in sweep's scan stands (positions read in the pass under way).
pub fn set_sweep_cursor(cursor: u32) {
	put(b"mock-sweep-cursor", cursor);
}

/// How many times the sweep ran.
pub fn sweep_calls() -> u32 {
	get::<u32>(b"mock-sweep-calls")
}

impl pallet_options::Config for Test {
	type Prices = MockPrices;
	type Time = Timestamp;
	type Markets = MockMarkets;
	type Books = MockBooks;
	type MaxBookStepsPerBlock = ConstU32<5>;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type FirstSeriesId = FirstSeriesId;
	type MaxSeries = ConstU32<8>;
	type MaxExpiries = ConstU32<6>;
	type MaxTimeToExpiry = MaxTimeToExpiry;
	type MaxSettlementsPerBlock = ConstU32<10>;
	type MaxListingsPerBlock = ConstU32<2>;
	type MaxSchedules = ConstU32<2>;
	type ListingRetryMs = frame_support::traits::ConstU64<60_000>;
	type ScenarioMaxAge = frame_support::traits::ConstU64<30_000>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper for MockBenchmarkHelper {
	fn underlying() -> (MarketId, AssetId) {
		set_market_inputs(60_000, 60);
		clearing_test_utils::set_realized_volatility(BTC, percent(80));
		(BTC_PERP, BTC)
	}

	fn set_time(now: Moment) {
		Timestamp::set_timestamp(now);
	}

	fn smile(underlying: AssetId, expiry: Moment, fresh: bool) {
		let status = if fresh { PriceStatus::Fresh } else { PriceStatus::Stale };
		clearing_test_utils::set_smile(underlying, expiry, [percent(70); clearing_primitives::oracle::SMILE_POINTS], status);
	}
}

/// `p`% as a volatility.
pub fn percent(p: u128) -> Price {
	Price::saturating_from_rational(p, 100)
}

/// BTC's index at `index` and its implied volatility at `iv_percent`, both fresh.
pub fn set_market_inputs(index: u128, iv_percent: u128) {
	set_price(BTC, usd(index), PriceStatus::Fresh);
	set_price(BTC_IV, percent(iv_percent), PriceStatus::Fresh);
}

/// Lists a BTC series expiring `days` from the start.
pub fn list(kind: OptionKind, strike: u128, days: u64) -> Result<MarketId, sp_runtime::DispatchError> {
	let next = FIRST_SERIES + crate::SeriesListed::<Test>::get();
	Options::list_series(
		RuntimeOrigin::root(),
		BTC_PERP,
		START_MS + days * DAY_MS,
		usd(strike),
		kind,
		usd(1),
		1_000_000_000,
	)?;
	Ok(next)
}

#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			options: pallet_options::GenesisConfig {
				volatility_sources: vec![(BTC, BTC_IV)],
				..Default::default()
			},
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			Timestamp::set_timestamp(START_MS);
			set_market_inputs(60_000, 60);
			set_price(DOT, usd(5), PriceStatus::Fresh);
		});
		ext
	}

	/// Runs `test`, then the pallet's invariants (`try_state`).
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Options::do_try_state().expect("the options invariants hold");
		});
	}
}

/// Makes `grid` the scenario grid the stand-in margin engine gives `underlying`.
pub fn set_grid(underlying: AssetId, grid: clearing_primitives::portfolio::ScenarioGrid) {
	let mut grids = get::<Vec<(AssetId, clearing_primitives::portfolio::ScenarioGrid)>>(b"mock-grids");
	grids.retain(|(asset, _)| *asset != underlying);
	grids.push((underlying, grid));
	put(b"mock-grids", grids);
}
