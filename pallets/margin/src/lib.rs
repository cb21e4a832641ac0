//! # Margin
//!
//! Perpetual markets, positions, funding, and the margin (risk) engine.
//!
//! - Root creates and updates markets: margin fractions (the initial one rising linearly with
//!   open interest between two bounds, to 100%), open-interest cap, tick and step, fees,
//!   funding interval, cap and interest, `isolated_only`.
//! - A position is a signed size per `(subaccount, market)`, with its cost basis and the
//!   funding index at its last settlement. Trade cash moves between the subaccounts'
//!   settlement balances in the vaults (a buyer's may go negative: buying on margin), so
//!   equity = collateral value (settlement balance included) + Σ size × mark + unsettled
//!   funding. The mark is the oracle's index price.
//! - [`clearing_primitives::margin::MarginEngine::apply_fill`] (for the order book) settles
//!   both sides' funding, moves the cash, updates positions and open interest, and checks
//!   both sides of every fill: its price within the market's band around the index; a side
//!   that took on risk at or above its initial requirement; any other side with non-negative
//!   equity and, below maintenance, no worse off than before.
//! - [`clearing_primitives::collateral::MarginGuard`] (for the vaults) refuses a withdrawal
//!   or transfer that leaves a subaccount below its initial requirement, and any that leaves
//!   a settlement debt (positions or not) less than covered by the rest of its collateral at
//!   haircut value.
//! - Funding: each block samples the premium (book impact mid against the index); each
//!   interval the clamped mean premium plus interest moves the market's cumulative index;
//!   positions settle it, through a funding pool subaccount, whenever touched.
//!
//! Clients read health, positions, liquidation prices and markets through `MarginApi`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod fill;
mod dispersion;
mod forced;
mod functions;
mod legs;
mod funding;
pub mod migrations;
mod options;
mod portfolio;
mod settings;
mod what_if;
pub mod math;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use dispersion::{add_on as dispersion_add_on, MarketMargin, DISPERSION_THRESHOLD, MAX_DISPERSION_ADD_ON};
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee (pallet names, storage
// prefixes); the calls here are thin and the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use clearing_primitives::{
		collateral::CollateralLedger,
		margin::{BookPrices, Side},
		oracle::PriceProvider,
		Balance, MarketId, Price, SignedBalance,
	};
	use frame_support::{pallet_prelude::*, traits::BuildGenesisConfig, PalletId};
	use frame_system::pallet_prelude::*;
	use sp_runtime::FixedI128;

	pub use clearing_primitives::collateral::SubaccountOf;
	/// A market configuration with this runtime's block numbers.
	pub type MarketConfigOf<T> = MarketConfig<BlockNumberFor<T>>;

	/// v1: series count their holders (`SeriesHolders`); v2: settings carry a margin mode; v3:
	/// portfolio subaccounts' legs in one key (`PortfolioLegs`).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Collateral values and settlement-asset movements (the vaults).
		type Ledger: CollateralLedger<Self::AccountId>;

		/// Index prices: every market's mark.
		type Prices: PriceProvider;

		/// The order book's impact prices, for the funding premium.
		type Book: BookPrices;

		/// Option series: which markets are series, and their marks and per-leg requirements.
		type Options: clearing_primitives::options::OptionMarks;

		/// Derives the funding pool: the subaccount funding is paid into and out of.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Most markets; bounds the per-block funding loop.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// Most open positions per `Standard` subaccount; bounds its health computation.
		#[pallet::constant]
		type MaxPositions: Get<u32>;

		/// Most open positions per `Portfolio` subaccount (at least `MaxPositions`): its legs
		/// are read in one key and its series valued from their underlying's scenario book, so
		/// it may hold more.
		#[pallet::constant]
		type MaxPortfolioPositions: Get<u32>;

		/// Most underlyings a `Portfolio` subaccount's legs lie on, and most perpetuals it
		/// holds: what its reading reads per underlying and per perpetual stays bounded
		/// however many series legs it holds.
		#[pallet::constant]
		type MaxPortfolioUnderlyings: Get<u32>;

		/// Subaccounts that may hold a position in every market: the liquidation backstop,
		/// which must take over whatever the book cannot close. Neither `MaxPositions` nor an
		/// isolated market's rule bounds them, so their health reads up to `MaxMarkets`
		/// positions.
		type Unbounded: frame_support::traits::Contains<SubaccountOf<Self>>;

		/// The share of a funding interval's blocks that must have sampled a premium for the
		/// premium to count (otherwise the rate is the interest alone).
		#[pallet::constant]
		type MinPremiumSamples: Get<sp_runtime::Permill>;

		/// Settlement units a subaccount sets aside (in its initial requirement) while it
		/// stores margin settings (a chosen leverage or an isolated market), released when they
		/// go back to default.
		#[pallet::constant]
		type SettingsDeposit: Get<Balance>;

		/// The least equity (settlement units, at fresh prices) a subaccount enters portfolio
		/// margin with.
		#[pallet::constant]
		type MinPortfolioEquity: Get<Balance>;

		/// Weights of the calls and hooks, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;

		/// Sets prices and collateral up for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What the benchmarks need the runtime to arrange.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// Makes `price` the fresh index price of `asset`.
		fn set_price(asset: clearing_primitives::AssetId, price: Price);
		/// Gives `subaccount` `amount` of settlement collateral.
		fn fund(subaccount: &clearing_primitives::collateral::Subaccount<AccountId>, amount: Balance);
		/// Lists option series `i` (of at most `MaxPortfolioPositions`), priced at fresh inputs, and
		/// returns its market and a premium inside its band; `None` where the runtime has no
		/// options (the series benchmark then measures perpetuals).
		fn open_series(_i: u32) -> Option<(MarketId, Price)> {
			None
		}
		/// Settles series `market`'s expiry (its time past expiry, a settlement price set);
		/// `false` where the runtime has no options.
		fn settle_series(_market: MarketId) -> bool {
			false
		}
		/// Computes every listed series' scenario vector now (where the runtime has options).
		fn refresh_scenarios() {}
	}

	/// The markets: rules and set status (see [`Market`]).
	#[pallet::storage]
	pub type Markets<T: Config> =
		CountedStorageMap<_, Twox64Concat, MarketId, Market<BlockNumberFor<T>>, OptionQuery>;

	/// Each market's open interest and funding state.
	#[pallet::storage]
	pub type MarketStates<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, MarketState<BlockNumberFor<T>>, ValueQuery>;

	/// Open positions (no zero sizes).
	#[pallet::storage]
	pub type Positions<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		SubaccountOf<T>,
		Twox64Concat,
		MarketId,
		Position,
		OptionQuery,
	>;

	/// Where the scan settling positions of settled series resumes (a raw key of
	/// `Positions`); `None`: from the first.
	#[pallet::storage]
	pub type SettlementCursor<T: Config> =
		StorageValue<_, BoundedVec<u8, ConstU32<256>>, OptionQuery>;

	/// How many positions each option series has open, both sides counted (absent at none):
	/// a series' market closes only with none.
	#[pallet::storage]
	pub type SeriesHolders<T: Config> = StorageMap<_, Twox64Concat, MarketId, u32, ValueQuery>;

	/// How many positions each subaccount holds (at most `MaxPositions`, `MaxPortfolioPositions`
	/// under portfolio margin).
	#[pallet::storage]
	pub type PositionCount<T: Config> =
		StorageMap<_, Blake2_128Concat, SubaccountOf<T>, u32, ValueQuery>;

	/// A `Portfolio` subaccount's positions, ascending by market, each with its underlying
	/// and decimals: the same as its `Positions` (`try_state`), kept so that a health reading
	/// reads them in one key. Absent for `Standard` subaccounts and at no position.
	#[pallet::storage]
	pub type PortfolioLegs<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		SubaccountOf<T>,
		BoundedVec<crate::PortfolioLeg, T::MaxPortfolioPositions>,
		OptionQuery,
	>;

	/// Initial margin set aside for each subaccount's resting orders (counted in its initial
	/// requirement, so collateral backing an order cannot back anything else).
	#[pallet::storage]
	pub type OrderMargin<T: Config> =
		StorageMap<_, Blake2_128Concat, SubaccountOf<T>, Balance, ValueQuery>;

	/// Margin settings each subaccount chose (leverage per market, an isolated market);
	/// absent while at the default.
	#[pallet::storage]
	pub type Settings<T: Config> =
		StorageMap<_, Blake2_128Concat, SubaccountOf<T>, MarginSettings, OptionQuery>;

	/// Each underlying's scenario grid for portfolio margin (the default grid until set).
	#[pallet::storage]
	pub type ScenarioGrids<T: Config> = StorageMap<
		_,
		Twox64Concat,
		clearing_primitives::AssetId,
		clearing_primitives::portfolio::ScenarioGrid,
		ValueQuery,
	>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial markets.
		pub markets: Vec<(MarketId, MarketConfigOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		#[allow(clippy::expect_used)]
		fn build(&self) {
			// Genesis must be valid: a bad preset is a bug to stop at, not a chain to start.
			for (market, config) in &self.markets {
				Pallet::<T>::do_create_market(*market, *config).expect("genesis markets are valid");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A market opened.
		MarketCreated { market: MarketId, config: MarketConfigOf<T> },
		/// A market's rules changed.
		MarketUpdated { market: MarketId, config: MarketConfigOf<T> },
		/// A market's status was set.
		MarketStatusSet { market: MarketId, status: MarketStatus },
		/// A fill between a taker and a maker was applied.
		FillApplied {
			market: MarketId,
			taker: SubaccountOf<T>,
			maker: SubaccountOf<T>,
			taker_side: Side,
			price: Price,
			size: Balance,
		},
		/// A position's size or cost changed (size 0: closed).
		PositionChanged {
			subaccount: SubaccountOf<T>,
			market: MarketId,
			size: SignedBalance,
			cost_basis: SignedBalance,
		},
		/// A position in an expired series settled at its settlement value: `amount` received
		/// (positive) or paid (negative) through the settlement pool; the position is gone.
		SeriesPositionSettled {
			subaccount: SubaccountOf<T>,
			market: MarketId,
			size: SignedBalance,
			amount: SignedBalance,
		},
		/// A position settled funding: positive received, negative paid.
		FundingSettled { subaccount: SubaccountOf<T>, market: MarketId, amount: SignedBalance },
		/// Liquidation moved `size` of `from`'s position to `to`, who paid `cash` for it
		/// (negative: received it).
		PositionTransferred {
			market: MarketId,
			from: SubaccountOf<T>,
			to: SubaccountOf<T>,
			size: Balance,
			cash: SignedBalance,
		},
		/// A market's funding index moved by `rate` × index price.
		FundingUpdated { market: MarketId, rate: FixedI128, index: FixedI128 },
		/// A subaccount chose its leverage in a market: its initial requirement there is at
		/// least `initial_fraction` of the notional (the market's own fraction if higher).
		/// `leverage` is `None` when the choice is at or above the market's most, and cleared.
		LeverageSet {
			subaccount: SubaccountOf<T>,
			market: MarketId,
			leverage: Option<u8>,
			initial_fraction: sp_runtime::Permill,
		},
		/// A subaccount was isolated to one market (`None`: back to cross margin).
		IsolationSet { subaccount: SubaccountOf<T>, market: Option<MarketId> },
		/// A subaccount set its margin settings' deposit aside (counted in its initial
		/// requirement).
		SettingsDepositHeld { subaccount: SubaccountOf<T>, amount: Balance },
		/// A subaccount's margin settings went back to default and their deposit was released.
		SettingsDepositReturned { subaccount: SubaccountOf<T>, amount: Balance },
		/// An expired option series' market closed for good, with no position left in it.
		MarketClosed { market: MarketId },
		/// An underlying's scenario grid was set.
		ScenarioGridSet { asset: clearing_primitives::AssetId, grid: clearing_primitives::portfolio::ScenarioGrid },
		/// A subaccount's margin mode changed.
		MarginModeSet { subaccount: SubaccountOf<T>, mode: crate::MarginMode },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No market by that id.
		MarketNotFound,
		/// A series market's id must lie in the options pallet's range.
		NotASeriesId,
		/// Ids in the options range are opened by the options pallet only.
		SeriesIdReserved,
		/// A series is written on a perpetual market, not on another series.
		NotAPerpetual,
		/// A market by that id exists.
		MarketExists,
		/// The runtime's market limit (`MaxMarkets`) is reached.
		TooManyMarkets,
		/// Fractions must satisfy 0 < maintenance < initial ≤ 100%.
		InvalidMarginFractions,
		/// Open-interest bounds must satisfy lower < upper and a non-zero cap.
		InvalidOpenInterestBounds,
		/// Tick and step must be above zero, and decimals at most 24.
		InvalidTickOrStep,
		/// The funding interval must be above zero and the cap below 100%.
		InvalidFundingParams,
		/// A market's base asset and decimals never change.
		MarketAssetChanged,
		/// The price is not a positive multiple of the market's tick.
		PriceOffTick,
		/// The size is not a positive multiple of the market's step.
		SizeOffStep,
		/// The market's index price is stale, flagged or missing: no risk may be added.
		NoFreshPrice,
		/// After this the subaccount would be below its initial margin requirement.
		InitialMarginBreached,
		/// The fill would take the market's open interest above its cap.
		OpenInterestCapReached,
		/// The subaccount holds `MaxPositions` positions already (`MaxPortfolioPositions`
		/// under portfolio margin), or holds more than `MaxPositions` and would leave portfolio
		/// margin.
		TooManyPositions,
		/// An isolated market shares its subaccount with no other market, and a subaccount
		/// isolated to a market (`set_isolated`) holds and quotes that market only.
		IsolatedMarket,
		/// A subaccount cannot trade with itself.
		SelfTrade,
		/// The subaccount holds no position of that size in that market.
		NoSuchPosition,
		/// The market is halted: no orders, no fills.
		MarketHalted,
		/// The market is reduce-only (set so, or its index price is stale or flagged): no
		/// fill may grow a position.
		MarketReduceOnly,
		/// The fill's price is further from the index than the market's price band allows.
		PriceOutsideBand,
		/// The price band must be above zero and below 100%.
		InvalidPriceBand,
		/// After the fill the subaccount's equity would be below zero: it would walk away
		/// from a loss that others pay.
		NegativeEquity,
		/// The subaccount would end below its maintenance requirement, worse off than before
		/// the fill.
		MaintenanceWorsened,
		/// A leverage must be at least 1.
		InvalidLeverage,
		/// The subaccount has chosen a leverage in `MaxLeverageChoices` markets already.
		TooManyLeverageChoices,
		/// The subaccount holds a position in another market: close it, or isolate another
		/// subaccount.
		OtherMarketsHeld,
		/// The subaccount has resting orders or triggers: cancel them before isolating it.
		OrdersResting,
		/// A series' market closes only once no position in it is held.
		SeriesPositionsOpen,
		/// A scenario grid outside its hard bounds (see `ScenarioGrid::validate`).
		InvalidScenarioGrid,
		/// A portfolio subaccount is cross-margined: it cannot be isolated, nor an isolated
		/// one enter portfolio margin.
		PortfolioIsCrossMargined,
		/// Portfolio margin needs at least `MinPortfolioEquity` of equity at fresh prices.
		EquityBelowPortfolioMinimum,
		/// A series leg's underlying has no scenario book refreshed in this block, or the
		/// leg's entry is missing or was computed at stale inputs: a portfolio subaccount opens
		/// no risk until a refresh at fresh inputs.
		ScenariosStale,
		/// A portfolio subaccount's legs would lie on more than `MaxPortfolioUnderlyings`
		/// underlyings, hold more perpetuals than that, or an isolated-only market.
		PortfolioTooSpread,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::update_funding(n);
			T::WeightInfo::on_initialize(T::MaxMarkets::get())
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Read-only queries by name (`RuntimeViewFunction`), beside the runtime API of the same
	/// names that clients already use.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A subaccount's equity and requirements at the last prices (`MarginApi.account_health`).
		pub fn account_health(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Option<crate::Health> {
			Self::health_view(owner, number)
		}

		/// A subaccount's positions, valued at the mark (`MarginApi.positions`).
		pub fn positions(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> alloc::vec::Vec<crate::PositionView> {
			Self::position_views(owner, number)
		}

		/// The mark at which a subaccount's position in `market` falls below maintenance
		/// (`MarginApi.liquidation_price`).
		pub fn liquidation_price(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
			market: MarketId,
		) -> Option<Price> {
			Self::liquidation_price_of(owner, number, market)
		}

		/// What `market` accepts now (`MarginApi.market_status`).
		pub fn market_status(market: MarketId) -> Option<MarketStatus> {
			Self::status_of(market)
		}

		/// A subaccount's chosen leverage and isolated market (`MarginApi.margin_settings`).
		pub fn margin_settings(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> crate::MarginSettings {
			Self::settings_view(owner, number)
		}

		/// A subaccount's book under each underlying's scenario grid (`MarginApi.scenarios`).
		pub fn scenarios(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
		) -> Option<crate::PortfolioScenarios> {
			Self::scenarios_view(owner, number)
		}

		/// A subaccount's health after a hypothetical fill (`MarginApi.what_if`).
		pub fn what_if(
			owner: T::AccountId,
			number: clearing_primitives::collateral::SubaccountNumber,
			order: crate::HypotheticalOrder,
		) -> Option<crate::Health> {
			Self::what_if_view(owner, number, order)
		}

		/// A market's fractions now and its feeds' dispersion add-on (`MarginApi.market_margin`).
		pub fn market_margin(market: MarketId) -> Option<crate::MarketMargin> {
			Self::market_margin_of(market)
		}

		/// Every market's rules and running state (`MarginApi.markets`).
		pub fn markets() -> alloc::vec::Vec<(MarketId, MarketConfigOf<T>, crate::MarketState<BlockNumberFor<T>>)> {
			Self::market_views()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Opens market `market` with `config`, active, its first funding an interval from now.
		///
		/// - Origin: root.
		/// - Errors: `SeriesIdReserved` (an id in the options range), `MarketExists`,
		///   `TooManyMarkets` (`MaxMarkets` open), and the config's
		///   bounds: `InvalidMarginFractions` (not 0 < maintenance < initial ≤ 100%),
		///   `InvalidOpenInterestBounds` (not lower < upper, or a zero cap), `InvalidTickOrStep`
		///   (a zero tick or step, or over 24 decimals), `InvalidFundingParams` (a zero funding
		///   interval, or a funding cap of 100%), `InvalidPriceBand` (zero or 100%); nothing
		///   changes on any error.
		/// - Weight: `WeightInfo::create_market()`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_market())]
		pub fn create_market(
			origin: OriginFor<T>,
			market: MarketId,
			config: MarketConfigOf<T>,
		) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(
				!<T::Options as clearing_primitives::options::OptionMarks>::is_series(market),
				Error::<T>::SeriesIdReserved
			);
			Self::do_create_market(market, config)
		}

		/// Replaces market `market`'s rules; its status stays. Open positions keep their size; new
		/// requirements apply at once.
		///
		/// - Origin: root.
		/// - Errors: `MarketNotFound`, `MarketAssetChanged` (another base asset or decimals), and
		///   `create_market`'s config bounds; nothing changes on any error.
		/// - Weight: `WeightInfo::update_market()`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_market())]
		pub fn update_market(
			origin: OriginFor<T>,
			market: MarketId,
			config: MarketConfigOf<T>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_update_market(market, config)
		}

		/// Sets market `market`'s status. One market's status never touches another market.
		///
		/// - Origin: root (the risk governance enacts it).
		/// - Errors: `MarketNotFound`; nothing changes on any error.
		/// - Weight: `WeightInfo::set_market_status()`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_market_status())]
		pub fn set_market_status(
			origin: OriginFor<T>,
			market: MarketId,
			status: MarketStatus,
		) -> DispatchResult {
			ensure_root(origin)?;
			Markets::<T>::try_mutate(market, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::MarketNotFound)?;
				stored.status = status;
				Ok::<_, Error<T>>(())
			})?;
			Self::deposit_event(Event::MarketStatusSet { market, status });
			Ok(())
		}

		/// Chooses the subaccount's leverage `leverage` (x) in `market`: from now on its
		/// initial requirement there is at least 1/x of the notional, for positions and
		/// resting orders alike (orders already resting keep what they set aside). A leverage
		/// at or above the market's most (1 / its initial fraction) clears the choice.
		/// Maintenance is the market's, whatever the leverage. The first setting sets
		/// `SettingsDeposit` of the subaccount's collateral aside (in its initial requirement, so
		/// a liquidation reaches it), released when its settings are back to default.
		///
		/// - Origin: signed, the subaccount's owner.
		/// - Errors: `MarketNotFound`, `InvalidLeverage` (0), `TooManyLeverageChoices`,
		///   `InitialMarginBreached` (a lower leverage, or the deposit, would leave the
		///   subaccount below its initial requirement); nothing changes on any error.
		/// - Weight: `WeightInfo::set_leverage()`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_leverage().saturating_add(Pallet::<T>::series_surplus(T::MaxPositions::get())))]
		pub fn set_leverage(
			origin: OriginFor<T>,
			subaccount: clearing_primitives::collateral::SubaccountNumber,
			market: MarketId,
			leverage: u8,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_set_leverage(&SubaccountOf::<T>::new(owner, subaccount), market, leverage)
		}

		/// Isolates the subaccount to `market`: it may then hold and quote that market only,
		/// so its position is margined by its own collateral (moved in and out with
		/// `vaults.transfer`) and liquidated on its own, while the owner's other subaccounts
		/// stay cross-margined. `None` returns it to cross margin. The deposit is as for
		/// `set_leverage`.
		///
		/// - Origin: signed, the subaccount's owner.
		/// - Errors: `MarketNotFound`, `OtherMarketsHeld` (a position in another market),
		///   `OrdersResting` (orders or triggers resting: cancel them first),
		///   `InitialMarginBreached` (the deposit); nothing changes on any error.
		/// - Weight: `WeightInfo::set_isolated()`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_isolated().saturating_add(Pallet::<T>::series_surplus(1)))]
		pub fn set_isolated(
			origin: OriginFor<T>,
			subaccount: clearing_primitives::collateral::SubaccountNumber,
			market: Option<MarketId>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_set_isolated(&SubaccountOf::<T>::new(owner, subaccount), market)
		}

		/// Sets `asset`'s scenario grid for portfolio margin: spot moves, volatility shocks,
		/// the initial factor, maintenance share, contingencies and the least requirement per
		/// underlying. Series' vectors take it on at their next refresh (within half the
		/// options pallet's `ScenarioMaxAge`); portfolio health reads it at once.
		///
		/// - Origin: root (the risk governance enacts its `SetScenarioGrid` as root: a tighter
		///   grid at once, a looser one after its timelock, each field one step per window).
		/// - Errors: `InvalidScenarioGrid` (outside `ScenarioGrid::validate`'s bounds); nothing
		///   changes on any error.
		/// - Weight: `WeightInfo::set_scenario_grid()`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_scenario_grid())]
		pub fn set_scenario_grid(
			origin: OriginFor<T>,
			asset: clearing_primitives::AssetId,
			grid: clearing_primitives::portfolio::ScenarioGrid,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_scenario_grid(asset, grid)
		}

		/// Moves the subaccount to margin mode `mode`. `Portfolio` margins its whole book per
		/// underlying under the scenario grid (a hedge offsets what it hedges); `Standard`
		/// margins each position alone. Entering `Portfolio` needs cross margin and at least
		/// `MinPortfolioEquity`; either way the subaccount must meet its initial requirement
		/// under the new mode at fresh prices. A `Portfolio` subaccount holds the settings
		/// deposit as `set_leverage` does; the same mode again changes nothing.
		///
		/// - Origin: signed, the subaccount's owner.
		/// - Errors: `PortfolioIsCrossMargined` (an isolated subaccount),
		///   `PortfolioTooSpread` (its positions span more than `MaxPortfolioUnderlyings`
		///   underlyings or hold more perpetuals than that, or an isolated-only market),
		///   `TooManyPositions` (leaving with more than `MaxPositions`),
		///   `EquityBelowPortfolioMinimum`, `InitialMarginBreached`, `NoFreshPrice` and
		///   `ScenariosStale` (its book cannot be valued at fresh inputs); nothing changes on
		///   any error.
		/// - Weight: `WeightInfo::set_margin_mode()` (measured entering with the most
		///   perpetuals a portfolio holds), the position and market of each of `MaxPositions`
		///   gathered, and the dearest two readings beyond perpetuals'.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_margin_mode()
			.saturating_add(T::DbWeight::get().reads(u64::from(T::MaxPositions::get()).saturating_mul(2)))
			.saturating_add(Pallet::<T>::series_surplus(T::MaxPositions::get()).saturating_mul(2)))]
		pub fn set_margin_mode(
			origin: OriginFor<T>,
			subaccount: clearing_primitives::collateral::SubaccountNumber,
			mode: crate::MarginMode,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_set_margin_mode(&SubaccountOf::<T>::new(owner, subaccount), mode)
		}
	}
}
