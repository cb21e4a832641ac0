//! Option series in the margin engine. A series is a market whose id lies in the options
//! pallet's range: its mark is the series' premium (Black-76, from the options pallet), a
//! long needs its premium in full, a short the standard per-leg requirement, and it pays no
//! funding. Sizes are contracts in the underlying's base units, as on its perpetual.

use crate::{math, pallet::*, Market, MarketConfig};
use clearing_primitives::{
	collateral::{CollateralLedger, Valuation},
	margin::{MarketStatus, Side},
	options::{LegPricing, OptionMarks, SeriesMarket, SeriesMarkets},
	AssetId, Balance, MarketId, Price, SignedBalance,
};
use frame_support::{ensure, traits::Get, weights::Weight};
use crate::weights::WeightInfo;
use sp_runtime::{
	traits::{Saturating, Zero},
	ArithmeticError, DispatchError, Permill,
};

/// A position's initial and maintenance requirement (settlement units).
pub(crate) struct Requirements {
	pub initial: Balance,
	pub maintenance: Balance,
}

impl<T: Config> Pallet<T> {
	/// Series `market`'s figures under `valuation` (`NoFreshPrice` when it cannot be priced).
	pub(crate) fn leg(market: MarketId, valuation: Valuation) -> Result<LegPricing, DispatchError> {
		T::Options::leg(market, valuation).ok_or_else(|| Error::<T>::NoFreshPrice.into())
	}

	/// What a series position of `size` requires, per contract: a long its mark (paid in full:
	/// it backs no other risk), nothing at maintenance (its value only adds to equity); a short
	/// its initial and maintenance requirement per leg.
	pub(crate) fn series_requirements(
		leg: &LegPricing,
		size: SignedBalance,
		decimals: u8,
	) -> Result<Requirements, DispatchError> {
		let (initial, maintenance) = if size > 0 {
			(leg.mark, Price::zero())
		} else {
			(leg.short_initial, leg.short_maintenance)
		};
		let per_contract = |price: Price| {
			math::requirement(size, decimals, price, Permill::one()).map_err(DispatchError::from)
		};
		Ok(Requirements { initial: per_contract(initial)?, maintenance: per_contract(maintenance)? })
	}

	/// What a resting series order of `size` at `price` sets aside: a buy its premium at the
	/// order's price (the most it pays), a sell a short's initial requirement plus what selling
	/// below the mark gives away at once.
	pub(crate) fn series_order_margin(
		market: MarketId,
		config: &MarketConfig<frame_system::pallet_prelude::BlockNumberFor<T>>,
		side: Side,
		size: Balance,
		price: Price,
	) -> Result<Balance, DispatchError> {
		let size = SignedBalance::try_from(size).map_err(|_| ArithmeticError::Overflow)?;
		let per_contract = match side {
			Side::Buy => price,
			Side::Sell => {
				let leg = Self::leg(market, Valuation::Opening)?;
				leg.short_initial.saturating_add(leg.mark.saturating_sub(price))
			},
		};
		math::requirement(size, config.base_decimals, per_contract, Permill::one())
			.map_err(DispatchError::from)
	}

	/// What series `market` accepts now: halted once expired, at least reduce-only while it
	/// cannot be priced at fresh inputs.
	pub(crate) fn series_status(market: MarketId, set: MarketStatus) -> MarketStatus {
		let fresh = T::Options::leg(market, Valuation::Opening);
		let last = fresh.or_else(|| T::Options::leg(market, Valuation::Maintenance));
		Self::series_status_priced(set, fresh.as_ref(), last.as_ref())
	}

	/// [`Self::series_status`] for a caller that has priced the leg at fresh inputs (`fresh`)
	/// and at the last ones (`last`).
	pub(crate) fn series_status_priced(
		set: MarketStatus,
		fresh: Option<&LegPricing>,
		last: Option<&LegPricing>,
	) -> MarketStatus {
		if last.is_some_and(|leg| leg.expired) {
			MarketStatus::Halted
		} else if fresh.is_some() {
			set
		} else {
			set.max(MarketStatus::ReduceOnly)
		}
	}

	/// The config of a series written on `underlying`'s base asset.
	fn series_config(
		underlying: &MarketConfig<frame_system::pallet_prelude::BlockNumberFor<T>>,
		tick_size: Price,
		max_open_interest: Balance,
	) -> MarketConfig<frame_system::pallet_prelude::BlockNumberFor<T>> {
		MarketConfig {
			tick_size,
			max_open_interest,
			// Per-leg margin replaces the fractions, which only need to be valid; open
			// interest never raises them.
			initial_margin: Permill::one(),
			maintenance_margin: Permill::from_percent(50),
			oi_lower: max_open_interest,
			oi_upper: max_open_interest.saturating_add(1),
			// Options pay no funding.
			funding_cap: Permill::zero(),
			interest_per_interval: Permill::zero(),
			// A premium moves far more than its underlying in relative terms.
			price_band: Permill::from_percent(90),
			isolated_only: false,
			..*underlying
		}
	}
}

impl<T: Config> Pallet<T> {
	/// A health reading of a subaccount holding `positions` positions, whatever their mix and
	/// margin mode: the dearer of a standard reading over them and a portfolio one. Passing
	/// `MaxPositions` (or more) charges for any subaccount but the backstop: a portfolio one
	/// may then hold up to `MaxPortfolioPositions`.
	pub(crate) fn health_weight(positions: u32) -> Weight {
		let portfolio_legs =
			if positions >= T::MaxPositions::get() { T::MaxPortfolioPositions::get() } else { positions };
		Self::standard_health_weight(positions).max(Self::portfolio_health_weight(portfolio_legs))
	}

	/// A standard reading over `positions`: all perpetuals (`check_initial_margin`), all
	/// series (`check_initial_margin_series`, which reads the underlyings' inputs and prices
	/// each leg), or one series beside perpetuals (the series' inputs with perpetual legs: the
	/// dearest mix when a perpetual leg costs more than a series leg). Each is linear in the
	/// series legs, so one of the three is the most any mix costs.
	fn standard_health_weight(positions: u32) -> Weight {
		let one = positions.min(1);
		let perpetuals = T::WeightInfo::check_initial_margin;
		let series = T::WeightInfo::check_initial_margin_series;
		let mixed = series(one).saturating_add(perpetuals(positions)).saturating_sub(perpetuals(one));
		perpetuals(positions).max(series(positions)).max(mixed)
	}

	/// A portfolio reading over `legs` legs: every leg charged as a series leg
	/// (`check_initial_margin_portfolio_series`: valued from its underlying's book, the
	/// benchmark's books read in its base), plus what the most perpetuals a portfolio holds
	/// add, each on its own underlying (`check_initial_margin_portfolio`'s slope: its market,
	/// state, index, grid and feed dispersion), plus a book read for each underlying it may
	/// lie on.
	fn portfolio_health_weight(legs: u32) -> Weight {
		let underlyings = T::MaxPortfolioUnderlyings::get();
		let perpetuals = legs.min(underlyings);
		let per_perpetual = T::WeightInfo::check_initial_margin_portfolio(perpetuals)
			.saturating_sub(T::WeightInfo::check_initial_margin_portfolio(0));
		T::WeightInfo::check_initial_margin_portfolio_series(legs)
			.saturating_add(per_perpetual)
			.saturating_add(T::Options::scenario_book_weight().saturating_mul(u64::from(underlyings.min(legs))))
	}

	/// What series legs may cost a health reading of `positions` positions beyond perpetuals.
	pub(crate) fn series_surplus(positions: u32) -> Weight {
		Self::health_weight(positions).saturating_sub(T::WeightInfo::check_initial_margin(positions))
	}

	/// A fill between sides of at most `positions` positions: `apply_fill` measured with
	/// perpetuals, plus the surplus of series legs in each of its four health readings (each
	/// side before and after), and each side's portfolio legs written; in a series
	/// (`series`), its leg priced for the fill's band and freshness and for the book's rules
	/// (fresh and last).
	pub(crate) fn fill_weight(positions: u32, series: bool) -> Weight {
		let legs = if series { T::Options::leg_weight().saturating_mul(4) } else { Weight::zero() };
		T::WeightInfo::apply_fill(positions)
			.saturating_add(Self::series_surplus(positions).saturating_mul(4))
			.saturating_add(legs)
			// `apply_fill` is measured on standard sides: a portfolio side's legs written too.
			.saturating_add(T::DbWeight::get().writes(2))
	}
}

impl<T: Config> SeriesMarkets for Pallet<T> {
	fn open_series_market(
		market: MarketId,
		underlying: MarketId,
		tick_size: Price,
		max_open_interest: Balance,
	) -> Result<SeriesMarket, DispatchError> {
		ensure!(T::Options::is_series(market), Error::<T>::NotASeriesId);
		ensure!(!T::Options::is_series(underlying), Error::<T>::NotAPerpetual);
		let Market { config, .. } = Markets::<T>::get(underlying).ok_or(Error::<T>::MarketNotFound)?;
		let series = Self::series_config(&config, tick_size, max_open_interest);
		Self::do_create_market(market, series)?;
		Ok(SeriesMarket { base_asset: config.base_asset, base_decimals: config.base_decimals })
	}

	fn base_decimals(market: MarketId) -> Option<u8> {
		Self::market_config(market).map(|config| config.base_decimals)
	}

	fn open_series_market_weight() -> Weight {
		// The underlying's market read, then a market created.
		<T as Config>::WeightInfo::create_market()
			.saturating_add(<T as frame_system::Config>::DbWeight::get().reads(1))
	}

	fn perpetual_asset(underlying: MarketId) -> Result<AssetId, DispatchError> {
		ensure!(!T::Options::is_series(underlying), Error::<T>::NotAPerpetual);
		let Market { config, .. } = Markets::<T>::get(underlying).ok_or(Error::<T>::MarketNotFound)?;
		Ok(config.base_asset)
	}

	fn settle_expired_positions(limit: u32) -> clearing_primitives::options::SweepOutcome {
		Self::sweep_settled(limit)
	}

	fn settle_expired_position_weight() -> Weight {
		// The benchmark's holders are standard: a portfolio holder's legs read and written.
		<T as Config>::WeightInfo::settle_expired_positions(1)
			.saturating_add(T::Options::settlement_value_weight())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}

	fn scenario_grid(underlying: AssetId) -> clearing_primitives::portfolio::ScenarioGrid {
		ScenarioGrids::<T>::get(underlying)
	}

	fn close_series_market(market: MarketId) -> sp_runtime::DispatchResult {
		ensure!(T::Options::is_series(market), Error::<T>::NotASeriesId);
		ensure!(Markets::<T>::contains_key(market), Error::<T>::MarketNotFound);
		ensure!(SeriesHolders::<T>::get(market) == 0, Error::<T>::SeriesPositionsOpen);
		Markets::<T>::remove(market);
		MarketStates::<T>::remove(market);
		Self::deposit_event(Event::MarketClosed { market });
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// A position in `market` was opened (`opened`) or closed: a series counts its holders.
	pub(crate) fn count_series_holder(market: MarketId, opened: bool) {
		if !T::Options::is_series(market) {
			return;
		}
		SeriesHolders::<T>::mutate_exists(market, |holders| {
			let count = holders.unwrap_or_default();
			let count = if opened { count.saturating_add(1) } else { count.saturating_sub(1) };
			*holders = (count > 0).then_some(count);
		});
	}
}

/// Positions of settled series, settled in cash through the settlement pool.
impl<T: Config> Pallet<T> {
	/// The subaccount expired series settle through (the pallet's account, subaccount 1): it
	/// pays longs and is paid by shorts, and keeps only the rounding (holders are paid down,
	/// payers pay up).
	pub fn settlement_pool() -> SubaccountOf<T> {
		use sp_runtime::traits::AccountIdConversion;
		clearing_primitives::collateral::Subaccount::new(T::PalletId::get().into_account_truncating(), 1)
	}

	/// Settles `subaccount`'s position in `market` if the market is a settled series: the
	/// holder is paid (long) or pays (short) size × the contract's settlement value, and the
	/// position and its open interest go. `Ok(false)` if there was nothing to settle.
	pub(crate) fn settle_series_position(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		position: &crate::Position,
	) -> Result<bool, DispatchError> {
		let Some(value) = T::Options::settlement_value(market) else { return Ok(false) };
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		// Rounded against the holder: a long is paid down, a short pays up.
		let amount = math::position_value(position.size, config.base_decimals, value)
			.map_err(DispatchError::from)?;
		let pool = Self::settlement_pool();
		if amount > 0 {
			T::Ledger::move_settlement(&pool, subaccount, amount.unsigned_abs())?;
		} else if amount < 0 {
			T::Ledger::move_settlement(subaccount, &pool, amount.unsigned_abs())?;
		}
		Self::write_position(subaccount, market, None)?;
		PositionCount::<T>::mutate_exists(subaccount, |count| {
			*count = count.and_then(|c| c.checked_sub(1)).filter(|c| *c > 0);
		});
		Self::count_series_holder(market, false);
		if position.size > 0 {
			MarketStates::<T>::mutate(market, |state| {
				state.open_interest = state.open_interest.saturating_sub(position.size.unsigned_abs());
			});
		}
		Self::deposit_event(Event::SeriesPositionSettled {
			subaccount: subaccount.clone(),
			market,
			size: position.size,
			amount,
		});
		Ok(true)
	}
}

impl<T: Config> Pallet<T> {
	/// The scan of every position behind [`SeriesMarkets::settle_expired_positions`].
	pub(crate) fn sweep_settled(limit: u32) -> clearing_primitives::options::SweepOutcome {
		let mut outcome = clearing_primitives::options::SweepOutcome::default();
		let cursor = SettlementCursor::<T>::get();
		outcome.from_start = cursor.is_none();
		let iter = match cursor {
			Some(key) => Positions::<T>::iter_from(key.into_inner()),
			None => Positions::<T>::iter(),
		};
		// Read first, settled after: a map is not written while it is iterated.
		let page: alloc::vec::Vec<_> = iter.take((limit as usize).saturating_add(1)).collect();
		let finished = page.len() <= limit as usize;
		for (subaccount, market, position) in page.iter().take(limit as usize) {
			outcome.read = outcome.read.saturating_add(1);
			if !T::Options::is_series(*market) {
				continue;
			}
			// A position that cannot settle (its cash cannot move) is left for the next pass.
			let settled = frame_support::storage::with_storage_layer(|| {
				Self::settle_series_position(subaccount, *market, position)
			});
			if settled.unwrap_or(false) {
				outcome.settled = outcome.settled.saturating_add(1);
			}
		}
		let next = if finished {
			None
		} else {
			page.get((limit as usize).saturating_sub(1))
				.map(|(subaccount, market, _)| Positions::<T>::hashed_key_for(subaccount, market))
				.and_then(|key| key.try_into().ok())
		};
		outcome.finished = next.is_none();
		SettlementCursor::<T>::set(next);
		outcome
	}
}
