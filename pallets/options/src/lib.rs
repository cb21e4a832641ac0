//! # Options
//!
//! European options on an index, cash-settled in the settlement asset, listed as markets of
//! the margin engine so the order book, market statuses and runtime APIs treat them as any
//! market.
//!
//! - A **series** is `(underlying, expiry, strike, call or put)`; one contract is one whole
//!   unit of the underlying, and sizes are in its base units, as on its perpetual. Series get
//!   market ids from their own range, from `FirstSeriesId` up.
//! - **Listing** (`list_series`) is governed: it raises risk, so the risk governance enacts
//!   it after its timelock. A strike lies within [1/5, 5] × the index.
//! - **Pricing**: the mark is Black-76 on the forward at the oracle's implied volatility of
//!   the underlying (an oracle asset named per underlying, `VolatilitySources`); from expiry
//!   on, the intrinsic value at the index.
//! - **Margin** (through [`clearing_primitives::options::OptionMarks`]): a long pays its
//!   premium in full; a short needs `max(base − OTM / index, floor) × index + premium` to
//!   open and `maintenance × index + premium` to stay, with the premium at
//!   σ_margin = max(IV, k·RV), the realized volatility the oracle keeps.
//! - **Schedules** (`set_listing_schedule`, governed too): an underlying lists the next expiry
//!   of each of its cycles (daily, weekly…) by itself, a ladder of calls and puts around the
//!   index, in a bounded hook.
//! - An expired series is halted: it trades no more.
//!
//! Clients read a chain, one series' Greeks and a subaccount's net Greeks through
//! `OptionsApi`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod expiry;
pub mod migrations;
pub mod inputs;
pub mod ladder;
pub mod pricing;
mod retire;
pub mod runtime_api;
mod scenarios;
mod schedule;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee; the calls are thin and
// the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use clearing_primitives::{
		black76::OptionKind,
		options::{SeriesBooks, SeriesMarkets, SeriesTerms},
		oracle::{Moment, PriceProvider},
		AssetId, Balance, MarketId, Price,
	};
	use frame_support::{pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Zero;

	/// v1: each series keeps its contracts' decimals ([`migrations::v1`]); v2: scenario
	/// vectors kept per underlying ([`migrations::v2`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Index prices, implied volatilities (as oracle assets) and realized volatilities.
		type Prices: PriceProvider;

		/// The block's time: how long a series has left.
		type Time: Time<Moment = Moment>;

		/// Opens a series' market in the margin engine, settles its positions, closes it.
		type Markets: SeriesMarkets;

		/// Empties an expired series' book in the order book.
		type Books: SeriesBooks;

		/// Who lists series and sets the parameters (the risk governance).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The first series' market id; every id from it up is a series'.
		#[pallet::constant]
		type FirstSeriesId: Get<MarketId>;

		/// Most series listed at once.
		#[pallet::constant]
		type MaxSeries: Get<u32>;

		/// Most expiries listed at once (each holds at least one series): no more than the
		/// oracle's smile slots, so every listed expiry can hold a smile.
		#[pallet::constant]
		type MaxExpiries: Get<u32>;

		/// Longest time to expiry a series is listed with (milliseconds).
		#[pallet::constant]
		type MaxTimeToExpiry: Get<Moment>;

		/// Most positions the settlement sweep reads in one block (within what the block
		/// leaves idle).
		#[pallet::constant]
		type MaxSettlementsPerBlock: Get<u32>;

		/// Most steps (each one resting order and one waiting trigger) an expired series'
		/// book is emptied by in one block (within what the block leaves idle).
		#[pallet::constant]
		type MaxBookStepsPerBlock: Get<u32>;

		/// Most series listing schedules list in one block, and so in one expiry.
		#[pallet::constant]
		type MaxListingsPerBlock: Get<u32>;

		/// Most underlyings with a listing schedule.
		#[pallet::constant]
		type MaxSchedules: Get<u32>;

		/// How long a schedule waits to try again when an expiry could not be listed (no
		/// fresh index or volatility, no free series slots).
		#[pallet::constant]
		type ListingRetryMs: Get<Moment>;

		/// A series' mark and scenario vector are recomputed when their inputs move or half
		/// this has passed (milliseconds): the time value they lose meanwhile.
		#[pallet::constant]
		type ScenarioMaxAge: Get<Moment>;

		/// Weights of the calls, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;

		/// Arranges an underlying for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::benchmarking::BenchmarkHelper;
	}

	/// Every listed series by market id: its terms and its contracts' decimals.
	#[pallet::storage]
	pub type Series<T: Config> = CountedStorageMap<_, Twox64Concat, MarketId, ListedSeries, OptionQuery>;

	/// Each series' market id by its terms: one market per series.
	#[pallet::storage]
	pub type SeriesByTerms<T: Config> =
		StorageMap<_, Blake2_128Concat, SeriesTerms, MarketId, OptionQuery>;

	/// Series listed so far: the next one's id is `FirstSeriesId` plus this.
	#[pallet::storage]
	pub type SeriesListed<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The oracle asset whose price is each underlying's implied volatility (0.6 for 60%).
	#[pallet::storage]
	pub type VolatilitySources<T: Config> =
		StorageMap<_, Twox64Concat, AssetId, AssetId, OptionQuery>;

	/// Margin and pricing parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, OptionParams, ValueQuery>;

	/// Each listed expiry of each underlying: its series count, window and settlement.
	#[pallet::storage]
	pub type Expiries<T: Config> =
		CountedStorageMap<_, Twox64Concat, (AssetId, Moment), ExpiryRecord, OptionQuery>;

	/// When the expiry hook next has something to do (a window to open, an expiry to settle).
	#[pallet::storage]
	pub type NextExpiryAction<T: Config> = StorageValue<_, Moment, OptionQuery>;

	/// A settled expiry may still have positions open: the idle hook sweeps them.
	#[pallet::storage]
	pub type SweepPending<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// The sweep's pass under way: whether it began after the last settlement, and whether it
	/// settled anything yet.
	#[pallet::storage]
	pub type SweepPass<T: Config> = StorageValue<_, SweepPassState, ValueQuery>;

	/// Expired series whose books still hold orders or triggers, emptied first to last by
	/// the idle hook.
	#[pallet::storage]
	pub type BooksToClear<T: Config> = StorageValue<_, BoundedVec<MarketId, T::MaxSeries>, ValueQuery>;

	/// A series may have become delistable (a book emptied, the sweep finished): the idle
	/// hook checks once the sweep is idle.
	#[pallet::storage]
	pub type DelistCheck<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Each underlying perpetual's listing schedule, and how far it has listed.
	#[pallet::storage]
	pub type ListingSchedules<T: Config> =
		CountedStorageMap<_, Twox64Concat, MarketId, ScheduledListing, OptionQuery>;

	/// When a schedule next has an expiry to list (or a listing to retry); `None` without
	/// schedules.
	#[pallet::storage]
	pub type NextListingCheck<T: Config> = StorageValue<_, Moment, OptionQuery>;

	/// Each optioned underlying's scenario book (portfolio margin): its listed series' marks
	/// and scenario vectors, refreshed at the start of every block, a series recomputed when
	/// its inputs moved.
	#[pallet::storage]
	pub type ScenarioBooks<T: Config> =
		StorageMap<_, Twox64Concat, AssetId, crate::ScenarioBook<BlockNumberFor<T>, T::MaxSeries>, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `(underlying, implied-volatility asset)` pairs.
		pub volatility_sources: alloc::vec::Vec<(AssetId, AssetId)>,
		/// The parameters, if not the defaults (a test chain's shorter settlement window).
		pub params: Option<OptionParams>,
		/// `(underlying perpetual, schedule)` pairs: series list by themselves from the
		/// first block.
		pub listing_schedules: alloc::vec::Vec<(MarketId, ListingSchedule)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (underlying, source) in &self.volatility_sources {
				VolatilitySources::<T>::insert(underlying, source);
			}
			if let Some(params) = self.params {
				assert!(params.is_valid(), "genesis option parameters out of bounds");
				Params::<T>::put(params);
			}
			for (underlying, schedule) in &self.listing_schedules {
				assert!(Pallet::<T>::schedule_valid(schedule), "a genesis listing schedule out of bounds");
				let window = Params::<T>::get().settlement_window_ms;
				assert!(
					schedule.cycles.iter().all(|c| c.period_ms > window),
					"a genesis listing cycle no longer than the settlement window"
				);
				ListingSchedules::<T>::insert(underlying, ScheduledListing::new(schedule.clone(), None));
				NextListingCheck::<T>::put(0);
			}
			assert!(
				ListingSchedules::<T>::count() <= T::MaxSchedules::get(),
				"more genesis listing schedules than MaxSchedules"
			);
			assert!(
				Pallet::<T>::scheduled_slots() <= T::MaxSeries::get(),
				"genesis listing schedules could hold more series than MaxSeries"
			);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A series was listed as market `market`.
		SeriesListed { market: MarketId, terms: SeriesTerms },
		/// `underlying`'s implied volatility is now read from oracle asset `source`.
		VolatilitySourceSet { underlying: AssetId, source: AssetId },
		/// The margin and pricing parameters changed.
		ParamsSet { params: OptionParams },
		/// The settlement window of `underlying`'s `expiry` opened: its time-weighted index
		/// was read.
		SettlementWindowOpened { underlying: AssetId, expiry: Moment },
		/// Series of `underlying` expiring at `expiry` settle at `price`, the window's average
		/// fresh index, fresh for `coverage` of the window.
		ExpirySettled { underlying: AssetId, expiry: Moment, price: Price, coverage: sp_runtime::Permill },
		/// The index was fresh for only `coverage` of the window: governance sets the price.
		SettlementPending { underlying: AssetId, expiry: Moment, coverage: sp_runtime::Permill },
		/// Governance set the settlement price of a pending expiry.
		SettlementPriceSet { underlying: AssetId, expiry: Moment, price: Price },
		/// Expired series `market`'s book is empty: every resting order and waiting trigger
		/// was cancelled.
		BookCleared { market: MarketId },
		/// Series `market` settled, its positions and book gone, was delisted: its market
		/// closed and its slot is free.
		SeriesDelisted { market: MarketId, terms: SeriesTerms },
		/// Perpetual `underlying` lists series by `schedule` from now on (`None`: no longer;
		/// its listed series stay).
		ListingScheduleSet { underlying: MarketId, schedule: Option<ListingSchedule> },
		/// `underlying`'s schedule listed `series` series expiring at `expiry`.
		ExpiryListed { underlying: MarketId, expiry: Moment, series: u32 },
		/// `underlying`'s schedule could not list `expiry` (`error` says why); it tries again
		/// after `ListingRetryMs`.
		ListingDeferred { underlying: MarketId, expiry: Moment, error: DispatchError },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A series with these terms is listed already.
		SeriesExists,
		/// `MaxSeries` series are listed.
		TooManySeries,
		/// `MaxExpiries` expiries are listed: a series of a new expiry waits for one to go.
		TooManyExpiries,
		/// The series' id range is used up.
		SeriesIdsExhausted,
		/// The expiry is not after now.
		ExpiryPassed,
		/// The expiry is further than `MaxTimeToExpiry` away.
		ExpiryTooFar,
		/// The strike is outside [1/5, 5] × the index.
		StrikeOutOfRange,
		/// The underlying has no fresh index price.
		NoFreshIndex,
		/// The underlying has no implied-volatility source.
		NoVolatilitySource,
		/// The underlying's implied volatility is not fresh, or outside [1%, 500%].
		NoFreshVolatility,
		/// The parameters are outside their bounds (2.5% ≤ maintenance ≤ floor ≤ base ≤
		/// 100%, a rate of at most 20%).
		InvalidParams,
		/// A tick size of zero.
		ZeroTickSize,
		/// An open-interest cap of zero.
		ZeroOpenInterestCap,
		/// The expiry is closer than the settlement window: the window would not be watched
		/// whole.
		ExpiryTooSoon,
		/// No such expiry waits for a settlement price from governance.
		NotPendingSettlement,
		/// A settlement price of zero.
		ZeroPrice,
		/// A listing schedule without a cycle, with a cycle under a minute, no longer than the
		/// settlement window or beyond the longest time to expiry, an offset outside its cycle, a cycle twice, more than four
		/// strikes a side or more series an expiry than a block lists, or a zero strike step,
		/// tick or cap.
		InvalidSchedule,
		/// `MaxSchedules` underlyings have a schedule.
		TooManySchedules,
		/// With this schedule the schedules could hold more series than `MaxSeries` (two
		/// expiries of each cycle at once).
		TooManyScheduledSeries,
		/// The underlying has no listing schedule to remove.
		NoSchedule,
		/// A listing schedule has a cycle no longer than this settlement window (it would keep
		/// more than two expiries listed).
		WindowNotShorterThanCycles,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// After the inherents (the block's time is known): opens settlement windows and
		/// settles expiries that are due (one read when none is).
		/// Then lists the expiries schedules have due, at most `MaxListingsPerBlock` series
		/// (one read when none is due). Then refreshes every underlying's scenario book,
		/// recomputing the series whose inputs moved.
		fn on_poll(_n: BlockNumberFor<T>, meter: &mut frame_support::weights::WeightMeter) {
			let used = Self::process_expiries();
			meter.consume(used.min(meter.remaining()));
			let used = Self::list_scheduled(meter.remaining());
			meter.consume(used.min(meter.remaining()));
			let used = Self::refresh_scenarios(meter.remaining());
			meter.consume(used.min(meter.remaining()));
		}

		/// With what the block leaves: settles positions of settled expiries, at most
		/// `MaxSettlementsPerBlock` read, resuming where the last block stopped; empties
		/// expired series' books, at most `MaxBookStepsPerBlock` steps; delists series with
		/// nothing left.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut used = Self::sweep(remaining);
			used.saturating_accrue(Self::clear_books(remaining.saturating_sub(used)));
			used.saturating_accrue(Self::delist_settled(remaining.saturating_sub(used)));
			used
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Lists a `kind` option on the perpetual `underlying`'s base asset, expiring at
		/// `expiry` (milliseconds since the Unix epoch) at `strike`: opens it as the next
		/// series' market, premiums on multiples of `tick_size`, at most `max_open_interest`
		/// contracts (base units) open.
		///
		/// - Origin: `GovernanceOrigin` (risk-increasing: after the timelock).
		/// - Errors: `ZeroTickSize`, `ZeroOpenInterestCap`, `ExpiryPassed`, `ExpiryTooFar`,
		///   `ExpiryTooSoon` (closer than the settlement window),
		///   `TooManySeries`, `SeriesIdsExhausted`, `NoVolatilitySource`, `NoFreshIndex`,
		///   `NoFreshVolatility`,
		///   `StrikeOutOfRange` (outside [1/5, 5] × the index), `SeriesExists`, and the margin
		///   engine's (`MarketNotFound`, `NotAPerpetual`, `TooManyMarkets`); nothing changes on
		///   any error.
		/// - Weight: `WeightInfo::list_series()` plus opening the market.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::list_series().saturating_add(T::Markets::open_series_market_weight()))]
		pub fn list_series(
			origin: OriginFor<T>,
			underlying: MarketId,
			expiry: Moment,
			strike: Price,
			kind: OptionKind,
			tick_size: Price,
			max_open_interest: Balance,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_list_series(underlying, expiry, strike, kind, tick_size, max_open_interest).map(|_| ())
		}

		/// Reads `underlying`'s implied volatility from oracle asset `source` from now on.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Errors: none beyond the origin.
		/// - Weight: `WeightInfo::set_volatility_source()`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_volatility_source())]
		pub fn set_volatility_source(
			origin: OriginFor<T>,
			underlying: AssetId,
			source: AssetId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			VolatilitySources::<T>::insert(underlying, source);
			Self::deposit_event(Event::VolatilitySourceSet { underlying, source });
			Ok(())
		}

		/// Sets the margin and pricing parameters.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Errors: `InvalidParams` (outside the bounds in [`crate::types::bounds`]),
		///   `WindowNotShorterThanCycles` (a listing schedule's cycle is no longer than the
		///   new settlement window).
		/// - Weight: `WeightInfo::set_params()`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_params().saturating_add(
			// Every schedule's cycles read against the new window.
			T::DbWeight::get().reads_writes(u64::from(T::MaxSchedules::get()), 1)
		))]
		pub fn set_params(origin: OriginFor<T>, params: OptionParams) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(params.is_valid(), Error::<T>::InvalidParams);
			ensure!(
				Self::cycles_outlast(params.settlement_window_ms),
				Error::<T>::WindowNotShorterThanCycles
			);
			Params::<T>::put(params);
			// The schedules' next expiries move with the window.
			if NextListingCheck::<T>::get().is_some() {
				NextListingCheck::<T>::put(T::Time::now());
			}
			// A new window moves when windows open: the hook walks the expiries again.
			if NextExpiryAction::<T>::get().is_some() {
				NextExpiryAction::<T>::put(T::Time::now());
			}
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// Settles `underlying`'s `expiry`, pending because its index was fresh for too little
		/// of the window, at `price`.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Errors: `ZeroPrice`; `NotPendingSettlement` (no such expiry, or not pending).
		/// - Weight: `WeightInfo::set_settlement_price()`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_settlement_price())]
		pub fn set_settlement_price(
			origin: OriginFor<T>,
			underlying: AssetId,
			expiry: Moment,
			price: Price,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
			Expiries::<T>::try_mutate((underlying, expiry), |record| {
				let record = record.as_mut().ok_or(Error::<T>::NotPendingSettlement)?;
				ensure!(record.settlement == Settlement::Pending, Error::<T>::NotPendingSettlement);
				record.settlement = Settlement::Settled(price);
				Ok::<_, DispatchError>(())
			})?;
			Self::sweep_needed();
			Self::deposit_event(Event::SettlementPriceSet { underlying, expiry, price });
			Ok(())
		}

		/// Sets (`Some`) or removes (`None`) perpetual `underlying`'s listing schedule. A set
		/// schedule lists its cycles' next expiries from the next block; a removed one lists
		/// no more, and its series stay listed.
		///
		/// - Origin: `GovernanceOrigin` (setting one raises risk: after the timelock; removing
		///   one lowers it).
		/// - Errors: `InvalidSchedule`, `TooManySchedules`, `TooManyScheduledSeries` (the
		///   schedules together could hold more than `MaxSeries` series: two expiries of each
		///   cycle), `NoSchedule`,
		///   `NoVolatilitySource`, and the margin engine's (`MarketNotFound`,
		///   `NotAPerpetual`); nothing changes on any error.
		/// - Weight: `WeightInfo::set_listing_schedule()`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_listing_schedule())]
		pub fn set_listing_schedule(
			origin: OriginFor<T>,
			underlying: MarketId,
			schedule: Option<ListingSchedule>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			match &schedule {
				Some(schedule) => {
					ensure!(Self::schedule_valid(schedule), Error::<T>::InvalidSchedule);
					// A cycle no longer than the window would keep more than two expiries listed.
					let window = Params::<T>::get().settlement_window_ms;
					ensure!(schedule.cycles.iter().all(|c| c.period_ms > window), Error::<T>::InvalidSchedule);
					let asset = T::Markets::perpetual_asset(underlying)?;
					ensure!(VolatilitySources::<T>::contains_key(asset), Error::<T>::NoVolatilitySource);
					let previous = ListingSchedules::<T>::get(underlying);
					ensure!(
						previous.is_some() || ListingSchedules::<T>::count() < T::MaxSchedules::get(),
						Error::<T>::TooManySchedules
					);
					let replaced = previous.as_ref().map_or(0, |p| p.schedule.slots());
					let others = Self::scheduled_slots().saturating_sub(replaced);
					ensure!(
						others.saturating_add(schedule.slots()) <= T::MaxSeries::get(),
						Error::<T>::TooManyScheduledSeries
					);
					ListingSchedules::<T>::insert(
						underlying,
						ScheduledListing::new(schedule.clone(), previous.as_ref()),
					);
					NextListingCheck::<T>::put(T::Time::now());
				},
				None => {
					ensure!(ListingSchedules::<T>::contains_key(underlying), Error::<T>::NoSchedule);
					ListingSchedules::<T>::remove(underlying);
					if ListingSchedules::<T>::count() == 0 {
						NextListingCheck::<T>::kill();
					}
				},
			}
			Self::deposit_event(Event::ListingScheduleSet { underlying, schedule });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Every series maps back from its terms, lies in the id range below the next id, and
		/// the parameters are within their bounds; every listing schedule is, and the listing
		/// hook is scheduled while there is one.
		#[cfg(any(feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let next = T::FirstSeriesId::get().saturating_add(SeriesListed::<T>::get());
			for (market, ListedSeries { terms, base_decimals }) in Series::<T>::iter() {
				ensure!(market >= T::FirstSeriesId::get() && market < next, "a series outside the id range");
				ensure!(SeriesByTerms::<T>::get(terms) == Some(market), "a series' terms map elsewhere");
				ensure!(
					T::Markets::base_decimals(market) == Some(base_decimals),
					"a series' decimals differ from its market's"
				);
			}
			ensure!(
				SeriesByTerms::<T>::iter().count() == Series::<T>::iter().count(),
				"terms without a series"
			);
			ensure!(Series::<T>::count() <= T::MaxSeries::get(), "more series than MaxSeries");
			ensure!(Expiries::<T>::count() <= T::MaxExpiries::get(), "more expiries than MaxExpiries");
			for (underlying, book) in ScenarioBooks::<T>::iter() {
				ensure!(
					book.series.windows(2).all(|pair| pair.first().map(|e| e.market) < pair.get(1).map(|e| e.market)),
					"a scenario book out of order"
				);
				for entry in book.series.iter() {
					let terms = Series::<T>::get(entry.market).ok_or("a scenario book entry of no series")?.terms;
					ensure!(
						terms.underlying == underlying && entry.vector.underlying == underlying,
						"a scenario book entry of another underlying"
					);
				}
			}
			ensure!(Params::<T>::get().is_valid(), "parameters out of bounds");
			for ((underlying, expiry), record) in Expiries::<T>::iter() {
				let listed = Series::<T>::iter_values()
					.filter(|listed| listed.terms.underlying == underlying && listed.terms.expiry == expiry)
					.count();
				ensure!(listed == record.series as usize, "an expiry's series count is off");
			}
			let queued = BooksToClear::<T>::get();
			for (i, market) in queued.iter().enumerate() {
				let terms = Series::<T>::get(market).ok_or("a book to clear of no series")?.terms;
				let record = Expiries::<T>::get((terms.underlying, terms.expiry)).ok_or("a series of no expiry")?;
				ensure!(record.settlement != Settlement::Awaiting, "a book cleared before its expiry");
				ensure!(!queued.iter().skip(i.saturating_add(1)).any(|m| m == market), "a book queued twice");
			}
			let awaiting = Expiries::<T>::iter().any(|(_, r)| r.settlement == Settlement::Awaiting);
			ensure!(awaiting == NextExpiryAction::<T>::get().is_some(), "the expiry hook's schedule is off");
			ensure!(ListingSchedules::<T>::count() <= T::MaxSchedules::get(), "more schedules than MaxSchedules");
			ensure!(Self::scheduled_slots() <= T::MaxSeries::get(), "schedules over the series slots");
			ensure!(
				Self::cycles_outlast(Params::<T>::get().settlement_window_ms),
				"a listing cycle no longer than the settlement window"
			);
			for (_, state) in ListingSchedules::<T>::iter() {
				ensure!(Self::schedule_valid(&state.schedule), "a listing schedule out of bounds");
				ensure!(
					state.listed_through.len() == state.schedule.cycles.len(),
					"a schedule's progress does not match its cycles"
				);
			}
			ensure!(
				(ListingSchedules::<T>::count() > 0) == NextListingCheck::<T>::get().is_some(),
				"the listing hook's schedule is off"
			);
			Ok(())
		}
	}
}
