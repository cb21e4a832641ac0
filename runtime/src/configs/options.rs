//! Option series: listed by the risk governance, priced from the oracle's index and implied
//! volatility, margined per leg by the margin engine.

use crate::{Margin, Oracle, Orderbook, Runtime, Timestamp};
use clearing_primitives::{oracle::Moment, MarketId};
use frame_support::{parameter_types, traits::ConstU32};

/// A day in milliseconds.
const DAY_MS: Moment = 86_400_000;

parameter_types! {
	/// Series market ids start here, far above any perpetual's.
	pub const FirstSeriesId: MarketId = 1_000_000;
	/// A series expires within a year of its listing.
	pub const MaxTimeToExpiry: Moment = 366 * DAY_MS;
}

impl pallet_options::Config for Runtime {
	type Prices = Oracle;
	type Time = Timestamp;
	type Markets = Margin;
	type Books = Orderbook;
	// An expired series' book empties at up to 32 orders and 32 triggers a block.
	type MaxBookStepsPerBlock = ConstU32<32>;
	// Root: the risk governance enacts option changes as root (listings, schedules, looser
	// parameters and settlement prices after its timelock); sudo too on `dev`.
	type GovernanceOrigin = frame_system::EnsureRoot<crate::AccountId>;
	type FirstSeriesId = FirstSeriesId;
	// Series are markets: with the perpetuals, within the margin engine's 80. 64 lets one
	// portfolio subaccount hold its 64 legs (`MaxPortfolioPositions`).
	type MaxSeries = ConstU32<64>;
	// Every listed expiry can hold a smile: the oracle's `MaxSurfaces`.
	type MaxExpiries = ConstU32<24>;
	type MaxTimeToExpiry = MaxTimeToExpiry;
	// Settling 500 positions of an expiry takes 8 blocks at most.
	type MaxSettlementsPerBlock = ConstU32<64>;
	// Up to 18 series list in a block; one expiry of a schedule is ten series at most (four
	// strikes a side would be eighteen).
	type MaxListingsPerBlock = ConstU32<18>;
	type MaxSchedules = ConstU32<4>;
	// A series' mark and scenario vector are recomputed when its index or volatility moves,
	// or every 15 s for the time value lost.
	type ScenarioMaxAge = frame_support::traits::ConstU64<30_000>;
	// An expiry that could not list (no fresh index, no free slots) is tried every 6 s.
	type ListingRetryMs = frame_support::traits::ConstU64<6_000>;
	type WeightInfo = pallet_options::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::OptionsBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub(crate) mod benchmark_helper {
	use crate::{configs::margin::benchmark_helper::set_price, Runtime, Timestamp};
	use clearing_primitives::{
		AssetId, MarketId, Price, BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID, ETH_ASSET_ID, ETH_VOLATILITY_ASSET_ID,
	};
	use frame_support::traits::Time;
	use sp_runtime::FixedPointNumber;

	pub struct OptionsBenchmarkHelper;

	/// Settles series `market`'s expiry at $61,000 with the time past it.
	pub fn settle_series(market: MarketId) -> bool {
		let Some(terms) = pallet_options::Series::<Runtime>::get(market).map(|listed| listed.terms) else { return false };
		pallet_timestamp::Now::<Runtime>::put(terms.expiry);
		pallet_options::Expiries::<Runtime>::insert(
			(terms.underlying, terms.expiry),
			pallet_options::ExpiryRecord {
				series: 1,
				window_start: None,
				settlement: pallet_options::Settlement::Settled(Price::saturating_from_integer(61_000u32)),
			},
		);
		true
	}

	/// Lists series `i`, on BTC for even `i` and ETH for odd (calls at strikes 1/60 of the
	/// index apart from $60,000 and $3,000, expiring a week and `i` days out; beyond
	/// `MaxExpiries`, puts at the same expiries), at the inputs [`underlying`] and
	/// [`eth_underlying`] set, and returns its market and its mark on the $1 tick. The dearest legs to read: both underlyings' inputs,
	/// each series its own expiry (as far as the expiries go), the first of each underlying on
	/// its volatility index and every later one with its own fresh smile.
	pub fn open_series(i: u32) -> Option<(MarketId, Price)> {
		use pallet_options::benchmarking::BenchmarkHelper;
		// 10,000 contracts of open interest in base units (8 decimals for BTC, 18 for ETH).
		let ((perpetual, asset), index, step, cap) = if i.is_multiple_of(2) {
			(underlying(), 60_000u32, 1_000u32, 1_000_000_000_000u128)
		} else {
			(eth_underlying(), 3_000, 50, 10_000_000_000_000_000_000_000)
		};
		let market = super::FirstSeriesId::get().saturating_add(pallet_options::SeriesListed::<Runtime>::get());
		// Each its own expiry up to `MaxExpiries`; beyond, a listed expiry's puts, first at the
		// calls' strikes, then below the index (every premium well above its $1 tick).
		let expiries = <<Runtime as pallet_options::Config>::MaxExpiries as frame_support::traits::Get<u32>>::get();
		let (slot, round) = (i % expiries, i / expiries);
		let (kind, strike) = match round {
			0 => (clearing_primitives::black76::OptionKind::Call, index.saturating_add(slot.saturating_mul(step))),
			1 => (clearing_primitives::black76::OptionKind::Put, index.saturating_add(slot.saturating_mul(step))),
			_ => (
				clearing_primitives::black76::OptionKind::Put,
				index.saturating_sub(slot.saturating_add(1).saturating_mul(step)),
			),
		};
		let expiry = Timestamp::now().saturating_add(super::DAY_MS.saturating_mul(7u64.saturating_add(u64::from(slot))));
		// A new expiry's smile (a listed one keeps its own: its series stay priced as listed).
		if i > 1 && slot == i {
			OptionsBenchmarkHelper::smile(asset, expiry, true);
		}
		pallet_options::Pallet::<Runtime>::list_series(
			crate::RuntimeOrigin::root(),
			perpetual,
			expiry,
			Price::saturating_from_integer(strike),
			kind,
			Price::saturating_from_integer(1u32),
			cap,
		)
		.ok()?;
		let mark = pallet_options::Pallet::<Runtime>::leg_of(
			market,
			clearing_primitives::collateral::Valuation::Opening,
		)?
		.mark;
		Some((market, Price::saturating_from_integer(mark.into_inner().div_ceil(Price::DIV))))
	}

	/// ETH at a fresh $3,000, its implied volatility at a fresh 60%, its realized one at 80%.
	pub fn eth_underlying() -> (MarketId, AssetId) {
		set_inputs(ETH_ASSET_ID, ETH_VOLATILITY_ASSET_ID, 3_000);
		(crate::genesis_config_presets::ETH_USD, ETH_ASSET_ID)
	}

	/// `asset` at a fresh `index` USD, its implied volatility (oracle asset `volatility`, its
	/// source) at a fresh 60%, its realized one at 80%.
	fn set_inputs(asset: AssetId, volatility: AssetId, index: u32) {
		set_price(asset, Price::saturating_from_integer(index));
		set_price(volatility, Price::saturating_from_rational(60u32, 100u32));
		pallet_options::VolatilitySources::<Runtime>::insert(asset, volatility);
		// A realized volatility of 80% a year: its variance per sampling interval.
		let per_year = 31_557_600_000u64
			.checked_div(<Runtime as pallet_oracle::Config>::VolatilitySampleMs::get())
			.unwrap_or(1);
		let variance = 640_000_000_000_000_000u128.checked_div(u128::from(per_year)).unwrap_or_default();
		pallet_oracle::RealizedVolatilities::<Runtime>::insert(
			asset,
			pallet_oracle::RealizedVolatility {
				sample_price: Price::saturating_from_integer(index),
				sampled_at: Timestamp::now(),
				variance,
			},
		);
	}

	/// BTC at a fresh $60,000, its implied volatility at a fresh 60%, its realized one at 80%.
	pub fn underlying() -> (MarketId, AssetId) {
		<OptionsBenchmarkHelper as pallet_options::benchmarking::BenchmarkHelper>::underlying()
	}

	impl pallet_options::benchmarking::BenchmarkHelper for OptionsBenchmarkHelper {
		fn underlying() -> (MarketId, AssetId) {
			set_inputs(BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID, 60_000);
			(crate::genesis_config_presets::BTC_USD, BTC_ASSET_ID)
		}

		fn set_time(now: clearing_primitives::oracle::Moment) {
			pallet_timestamp::Now::<Runtime>::put(now);
		}

		fn smile(underlying: AssetId, expiry: clearing_primitives::oracle::Moment, fresh: bool) {
			let smile = [Price::saturating_from_rational(70u32, 100u32); clearing_primitives::oracle::SMILE_POINTS];
			let now = Timestamp::now();
			let record = pallet_oracle::SurfaceRecord {
				smile,
				updated_at: now,
				stale: !fresh,
				flagged: false,
				fresh_streak: if fresh { 10 } else { 0 },
			};
			pallet_oracle::Surfaces::<Runtime>::mutate(underlying, |smiles| {
				smiles.retain(|(at, _)| *at != expiry);
				let at = smiles.partition_point(|(at, _)| *at < expiry);
				let _ = smiles.try_insert(at, (expiry, record));
			});
		}
	}
}
