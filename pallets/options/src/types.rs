//! What the options pallet stores and reports.

use clearing_primitives::{
	black76::ONE,
	option_margin::LegMarginParams,
	options::SeriesTerms,
	oracle::Moment,
	Balance, MarketId, Price,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::{traits::Zero, FixedI128, Permill};

/// The governed parameters of option margin and pricing.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo, serde::Serialize, serde::Deserialize,
)]
pub struct OptionParams {
	/// A short's initial fraction of the index before its out-of-the-money allowance.
	pub initial_base: Permill,
	/// A short's least initial fraction of the index, however far out of the money.
	pub initial_floor: Permill,
	/// A short's maintenance fraction of the index.
	pub maintenance: Permill,
	/// `k` in σ_margin = max(IV, k·RV): how much of the realized volatility floors the
	/// volatility margin is computed at.
	pub realized_floor: Permill,
	/// The interest rate per year the forward is taken at (F = index × e^{rT}).
	pub rate: Permill,
	/// A series settles at the time-weighted average of its underlying's fresh index over
	/// this many milliseconds before its expiry…
	pub settlement_window_ms: Moment,
	/// …if the index was fresh for at least this share of the window; otherwise it waits for
	/// governance to set its settlement price.
	pub min_coverage: Permill,
}

impl Default for OptionParams {
	/// Deribit's published standard margin; margin never below the realized volatility; no
	/// interest.
	fn default() -> Self {
		Self {
			initial_base: Permill::from_percent(15),
			initial_floor: Permill::from_percent(10),
			maintenance: Permill::from_parts(75_000),
			realized_floor: Permill::one(),
			rate: Permill::zero(),
			settlement_window_ms: 30 * 60 * 1_000,
			min_coverage: Permill::from_percent(80),
		}
	}
}

/// The bounds no origin can set [`OptionParams`] outside.
pub mod bounds {
	use sp_runtime::Permill;

	/// The least maintenance fraction: a short is always backed by this share of the index.
	pub const MIN_MAINTENANCE: Permill = Permill::from_parts(25_000);
	/// The most any fraction of the index.
	pub const MAX_FRACTION: Permill = Permill::from_percent(100);
	/// The highest interest rate per year.
	pub const MAX_RATE: Permill = Permill::from_percent(20);
	/// A settlement window between 10 seconds and a day.
	pub const MIN_SETTLEMENT_WINDOW_MS: u64 = 10_000;
	pub const MAX_SETTLEMENT_WINDOW_MS: u64 = 86_400_000;
	/// At least half the window fresh.
	pub const MIN_COVERAGE: Permill = Permill::from_percent(50);
}

impl OptionParams {
	/// `true` if 2.5% ≤ maintenance ≤ floor ≤ base ≤ 100%, the rate is at most 20%, the
	/// settlement window lasts 10 s to a day and the coverage is at least 50%.
	pub fn is_valid(&self) -> bool {
		self.maintenance >= bounds::MIN_MAINTENANCE &&
			self.maintenance <= self.initial_floor &&
			self.initial_floor <= self.initial_base &&
			self.initial_base <= bounds::MAX_FRACTION &&
			self.rate <= bounds::MAX_RATE &&
			(bounds::MIN_SETTLEMENT_WINDOW_MS..=bounds::MAX_SETTLEMENT_WINDOW_MS)
				.contains(&self.settlement_window_ms) &&
			self.min_coverage >= bounds::MIN_COVERAGE
	}

	/// The per-leg rule in the fixed point of `clearing_primitives::black76`.
	pub fn leg_margin(&self) -> LegMarginParams {
		LegMarginParams {
			base: fraction(self.initial_base),
			floor: fraction(self.initial_floor),
			maintenance: fraction(self.maintenance),
		}
	}

	/// The rate per year in the fixed point of `clearing_primitives::black76`.
	pub fn rate_fixed(&self) -> i128 {
		fraction(self.rate)
	}
}

/// `part` as a fixed-point fraction of [`ONE`] (exact: a part per million divides it).
pub fn fraction(part: Permill) -> i128 {
	i128::from(part.deconstruct()).saturating_mul(ONE / 1_000_000)
}

/// Most expiry cycles one listing schedule has (daily, weekly, monthly).
pub const MAX_CYCLES: u32 = 3;
/// Most strikes a schedule lists on each side of the index.
pub const MAX_STRIKES_EACH_SIDE: u32 = 4;
/// The shortest cycle: a minute.
pub const MIN_CYCLE_MS: Moment = 60_000;

/// Expiries every `period_ms`, at `offset_ms` past each multiple of it since the Unix epoch:
/// a day and 8 hours for 08:00 UTC daily; a week and a day and 8 hours for Fridays at 08:00
/// UTC weekly (1970-01-01 was a Thursday).
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo, serde::Serialize, serde::Deserialize,
)]
pub struct ExpiryCycle {
	pub period_ms: Moment,
	pub offset_ms: Moment,
}

/// What series an underlying lists by itself: the next expiry of each cycle, as soon as the
/// one before enters its settlement window, with calls and puts at `strikes_each_side`
/// strikes `strike_step` apart on each side of the strike nearest the index, and that one.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	serde::Serialize, serde::Deserialize,
)]
pub struct ListingSchedule {
	pub cycles: BoundedVec<ExpiryCycle, ConstU32<MAX_CYCLES>>,
	pub strike_step: Price,
	pub strikes_each_side: u32,
	/// Each series' premium tick (USD per contract).
	pub tick_size: Price,
	/// Each series' open-interest cap (contracts, base units).
	pub max_open_interest: Balance,
}

impl ListingSchedule {
	/// Series one expiry lists: a call and a put at each strike.
	pub fn series_per_expiry(&self) -> u32 {
		self.strikes_each_side.saturating_mul(2).saturating_add(1).saturating_mul(2)
	}

	/// Series slots the schedule may hold at once: two expiries of each cycle (one settling,
	/// the next listed as its window opens).
	pub fn slots(&self) -> u32 {
		u32::try_from(self.cycles.len()).unwrap_or(u32::MAX).saturating_mul(2).saturating_mul(self.series_per_expiry())
	}

	/// `true` if it has one to three distinct cycles, each at least a minute and at most
	/// `longest` long with its offset inside it; at most [`MAX_STRIKES_EACH_SIDE`] strikes a
	/// side and no more than `max_per_expiry` series an expiry; a strike step, tick and cap
	/// above zero.
	pub fn is_valid(&self, longest: Moment, max_per_expiry: u32) -> bool {
		let cycles_valid = !self.cycles.is_empty() &&
			self.cycles.iter().enumerate().all(|(i, c)| {
				(MIN_CYCLE_MS..=longest).contains(&c.period_ms) &&
					c.offset_ms < c.period_ms &&
					!self.cycles.iter().skip(i.saturating_add(1)).any(|other| other == c)
			});
		cycles_valid &&
			self.strikes_each_side <= MAX_STRIKES_EACH_SIDE &&
			self.series_per_expiry() <= max_per_expiry &&
			!self.strike_step.is_zero() &&
			!self.tick_size.is_zero() &&
			self.max_open_interest > 0
	}
}

/// A schedule; for each of its cycles, the latest expiry it listed (0 before any); and, after
/// a listing failed, when it tries again.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ScheduledListing {
	pub schedule: ListingSchedule,
	pub listed_through: BoundedVec<Moment, ConstU32<MAX_CYCLES>>,
	pub retry_at: Moment,
}

/// Where an expiry's settlement stands.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum Settlement {
	/// Before expiry, or at it until the hook settles it.
	Awaiting,
	/// The index was fresh for too little of the window: governance sets the price.
	Pending,
	/// Settled at this index price: each series pays its intrinsic value at it.
	Settled(Price),
}

/// The settlement sweep's pass under way.
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo,
)]
pub struct SweepPassState {
	/// The pass began (from the first position) after the last settlement.
	pub clean: bool,
	/// It settled at least one position.
	pub settled_any: bool,
}

/// One expiry of one underlying: how many series it lists, the time-weighted index read
/// when its settlement window opened, and its settlement.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct ExpiryRecord {
	pub series: u32,
	pub window_start: Option<WindowStart>,
	pub settlement: Settlement,
}

/// An expiry's settlement window as opened: the underlying's time-weighted index then (`None`
/// if it had none) and when.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct WindowStart {
	pub reading: Option<clearing_primitives::oracle::TimeWeightedPoint>,
	pub at: Moment,
}

/// A listed series: its terms and the decimals its contracts are counted in (its market's,
/// copied from the perpetual it is written on), kept here so that a health reading needs one
/// read per series leg, not two.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct ListedSeries {
	pub terms: SeriesTerms,
	pub base_decimals: u8,
}

/// One series as `OptionsApi` reports it, with the inputs its figures were computed from.
/// Prices are USD per contract (one whole unit of the underlying); Greeks are per contract:
/// delta per unit of the underlying, gamma per USD of it, vega per 1.00 of volatility, theta
/// per year.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SeriesView {
	pub market: MarketId,
	pub terms: SeriesTerms,
	/// The underlying's index the figures use (its last one, whatever its status).
	pub index: Price,
	/// The implied volatility the mark is computed at (0.6 for 60%).
	pub volatility: Price,
	/// The volatility a short's requirements are computed at: max(IV, k·RV).
	pub margin_volatility: Price,
	/// The interest rate per year.
	pub rate: Price,
	/// When the figures were computed (the block's timestamp).
	pub priced_at: Moment,
	pub mark: Price,
	pub delta: FixedI128,
	pub gamma: FixedI128,
	pub vega: FixedI128,
	pub theta: FixedI128,
	/// A short contract's initial and maintenance requirement.
	pub short_initial: Price,
	pub short_maintenance: Price,
	pub expired: bool,
}

/// One row of an expiry's chain: the series and its market.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ChainRow {
	pub series: SeriesView,
	/// Σ long contracts (base units).
	pub open_interest: Balance,
	pub best_bid: Option<Price>,
	pub best_ask: Option<Price>,
}

/// A subaccount's net Greeks over its series positions (sizes in whole contracts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PortfolioGreeks {
	pub delta: FixedI128,
	pub gamma: FixedI128,
	pub vega: FixedI128,
	pub theta: FixedI128,
	/// Series positions counted.
	pub legs: u32,
}

/// An underlying's scenario book: each of its listed series' mark and scenario vector, by
/// market, as the refresh left them in block `refreshed` (portfolio margin reads the whole
/// book in one read, however many legs it holds on the underlying).
#[derive(
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(S))]
#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
pub struct ScenarioBook<BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug, S: frame_support::traits::Get<u32>> {
	/// The block whose refresh last visited every series of the underlying.
	pub refreshed: BlockNumber,
	/// The underlying's grid and the rate (fixed point) its entries were computed on: when
	/// either changes, the next refresh recomputes every entry.
	pub grid: clearing_primitives::portfolio::ScenarioGrid,
	pub rate: i128,
	/// Ascending by market, one entry per listed series the refresh could price. (Not
	/// `entries`: polkadot.js would read `Map.entries` under that name.)
	pub series: BoundedVec<clearing_primitives::options::BookEntry, S>,
}

impl<BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug, S: frame_support::traits::Get<u32>> ScenarioBook<BlockNumber, S> {
	/// Series `market`'s entry, if the book holds one.
	pub fn entry(&self, market: MarketId) -> Option<&clearing_primitives::options::BookEntry> {
		self.series
			.binary_search_by_key(&market, |entry| entry.market)
			.ok()
			.and_then(|at| self.series.get(at))
	}
}
