//! Markets, health and the views the runtime API serves.

use crate::{
	math, pallet::*, Health, Market, MarketConfig, Position, PositionView};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{CollateralLedger, MarginGuard, Subaccount, SubaccountNumber, Valuation},
	margin::MarketStatus,
	options::{OptionMarks, SeriesLeg},
	oracle::PriceProvider,
	units::MAX_BASE_DECIMALS,
	Balance, MarketId, Price, SignedBalance,
};
use frame_support::{
	ensure,
	traits::{Contains, Get},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, Zero},
	ArithmeticError, DispatchError, DispatchResult, Permill,
};

impl<T: Config> Pallet<T> {
	/// The subaccount funding is paid into and out of.
	pub fn funding_pool() -> SubaccountOf<T> {
		Subaccount::new(T::PalletId::get().into_account_truncating(), 0)
	}

	fn ensure_valid(config: &MarketConfig<BlockNumberFor<T>>) -> DispatchResult {
		ensure!(
			!config.maintenance_margin.is_zero() &&
				config.maintenance_margin < config.initial_margin,
			Error::<T>::InvalidMarginFractions
		);
		ensure!(
			config.oi_lower < config.oi_upper && config.max_open_interest > 0,
			Error::<T>::InvalidOpenInterestBounds
		);
		ensure!(
			!config.tick_size.is_zero() &&
				config.step_size > 0 &&
				config.base_decimals <= MAX_BASE_DECIMALS,
			Error::<T>::InvalidTickOrStep
		);
		ensure!(
			!config.funding_interval.is_zero() && config.funding_cap < Permill::one(),
			Error::<T>::InvalidFundingParams
		);
		ensure!(
			!config.price_band.is_zero() && config.price_band < Permill::one(),
			Error::<T>::InvalidPriceBand
		);
		Ok(())
	}

	pub(crate) fn do_create_market(
		market: MarketId,
		config: MarketConfig<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(!Markets::<T>::contains_key(market), Error::<T>::MarketExists);
		ensure!(Markets::<T>::count() < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
		Self::ensure_valid(&config)?;
		Markets::<T>::insert(market, Market { config, status: MarketStatus::Active });
		let next = frame_system::Pallet::<T>::block_number().saturating_add(config.funding_interval);
		MarketStates::<T>::mutate(market, |state| state.next_funding_at = next);
		Self::deposit_event(Event::MarketCreated { market, config });
		Ok(())
	}

	pub(crate) fn do_update_market(
		market: MarketId,
		config: MarketConfig<BlockNumberFor<T>>,
	) -> DispatchResult {
		let existing = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotFound)?;
		ensure!(
			existing.config.base_asset == config.base_asset &&
				existing.config.base_decimals == config.base_decimals,
			Error::<T>::MarketAssetChanged
		);
		Self::ensure_valid(&config)?;
		Markets::<T>::insert(market, Market { config, ..existing });
		Self::deposit_event(Event::MarketUpdated { market, config });
		Ok(())
	}

	/// Market `market`'s rules, if it exists.
	pub fn market_config(market: MarketId) -> Option<MarketConfigOf<T>> {
		Markets::<T>::get(market).map(|stored| stored.config)
	}

	/// What market `id` accepts now: its set status, and at least `ReduceOnly` while its index
	/// price is stale, flagged or missing (a series: while it cannot be priced at fresh
	/// inputs; halted once expired).
	pub fn effective_status(id: MarketId, market: &Market<BlockNumberFor<T>>) -> MarketStatus {
		if T::Options::is_series(id) {
			return Self::series_status(id, market.status);
		}
		Self::status_priced(market, T::Prices::fresh_price(market.config.base_asset).is_some())
	}

	/// [`Self::effective_status`] for a caller that has read the index already.
	pub(crate) fn status_priced(market: &Market<BlockNumberFor<T>>, fresh: bool) -> MarketStatus {
		if market.status < MarketStatus::ReduceOnly && !fresh {
			MarketStatus::ReduceOnly
		} else {
			market.status
		}
	}

	/// What market `market` accepts now, if it exists.
	pub fn status_of(market: MarketId) -> Option<MarketStatus> {
		Markets::<T>::get(market).map(|stored| Self::effective_status(market, &stored))
	}

	/// The mark of market `market` with `config`: the fresh index price for opening risk, the
	/// last one whatever its status for maintenance; a series' premium at those inputs.
	pub fn mark(
		market: MarketId,
		config: &MarketConfig<BlockNumberFor<T>>,
		valuation: Valuation,
	) -> Option<Price> {
		if T::Options::is_series(market) {
			return T::Options::leg(market, valuation).map(|leg| leg.mark);
		}
		Self::asset_mark(config.base_asset, valuation)
	}

	/// The mark of a market whose base asset is `asset` (see [`Self::mark`]).
	pub(crate) fn asset_mark(asset: clearing_primitives::AssetId, valuation: Valuation) -> Option<Price> {
		match valuation {
			Valuation::Opening => T::Prices::fresh_price(asset),
			Valuation::Maintenance => T::Prices::quote(asset).map(|q| q.price),
		}
	}

	/// `subaccount`'s equity and requirements under `valuation`. Opening risk needs a fresh
	/// price for every market it holds (`NoFreshPrice` otherwise).
	pub fn health(
		subaccount: &SubaccountOf<T>,
		valuation: Valuation,
	) -> Result<Health, DispatchError> {
		Self::health_valued(subaccount, valuation, valuation)
	}

	/// As [`Self::health`], with its collateral valued under `collateral` and its positions
	/// marked under `marks` (a reduction that gives value away counts stale collateral at
	/// nothing, yet marks its positions at the last prices).
	pub(crate) fn health_valued(
		subaccount: &SubaccountOf<T>,
		collateral: Valuation,
		valuation: Valuation,
	) -> Result<Health, DispatchError> {
		let mut equity = T::Ledger::collateral_value(subaccount, collateral)?;
		// Resting orders hold their margin set aside, margin settings their deposit;
		// maintenance ignores both.
		let settings = Self::settings_of(subaccount);
		let mut initial: Balance =
			OrderMargin::<T>::get(subaccount).checked_add(settings.deposit).ok_or(ArithmeticError::Overflow)?;
		// Disagreeing feeds add to initial requirements, each asset's read once.
		let mut add_ons = crate::dispersion::AddOns::default();
		let (value, initial_required, maintenance) = if settings.mode == crate::MarginMode::Portfolio {
			// The legs in one read, charged together per underlying.
			let reading = Self::portfolio_reading(subaccount, valuation, &mut add_ons)?;
			(reading.equity, reading.initial, reading.maintenance)
		} else {
			Self::standard_reading(subaccount, &settings, valuation, &mut add_ons)?
		};
		equity = equity.checked_add(value).ok_or(ArithmeticError::Overflow)?;
		initial = initial.checked_add(initial_required).ok_or(ArithmeticError::Overflow)?;
		let initial_signed = SignedBalance::try_from(initial).map_err(|_| ArithmeticError::Overflow)?;
		let maintenance_signed =
			SignedBalance::try_from(maintenance).map_err(|_| ArithmeticError::Overflow)?;
		Ok(Health {
			equity,
			initial_requirement: initial,
			maintenance_requirement: maintenance,
			free_collateral: equity.saturating_sub(initial_signed),
			liquidatable: equity < maintenance_signed,
		})
	}

	/// A `Standard` subaccount's positions read one by one under `valuation`: Σ value and
	/// funding, Σ initial and Σ maintenance requirements (each leg's own).
	fn standard_reading(
		subaccount: &SubaccountOf<T>,
		settings: &crate::MarginSettings,
		valuation: Valuation,
		add_ons: &mut crate::dispersion::AddOns,
	) -> Result<(SignedBalance, Balance, Balance), DispatchError> {
		let mut equity: SignedBalance = 0;
		let mut initial: Balance = 0;
		let mut maintenance: Balance = 0;
		// Series legs share their inputs (an underlying's index and volatilities, read once).
		let mut option_inputs = <T::Options as OptionMarks>::Inputs::default();
		for (market, position) in Positions::<T>::iter_prefix(subaccount) {
			let (value, funding, required) = if T::Options::is_series(market) {
				// A series pays no funding; its requirements are per leg, its decimals its
				// underlying's (no read of its market).
				let SeriesLeg { pricing: leg, base_decimals: decimals, underlying, index, .. } =
					T::Options::leg_in(&mut option_inputs, market, valuation).ok_or(Error::<T>::NoFreshPrice)?;
				let value =
					math::position_value(position.size, decimals, leg.mark).map_err(DispatchError::from)?;
				let required = Self::series_requirements(&leg, position.size, decimals)?;
				let uncertain =
					if position.size < 0 { add_ons.charge::<T>(underlying, position.size, decimals, index)? } else { 0 };
				let required = crate::options::Requirements {
					initial: required.initial.checked_add(uncertain).ok_or(ArithmeticError::Overflow)?,
					..required
				};
				(value, 0, required)
			} else {
				let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
				let decimals = config.base_decimals;
				let state = MarketStates::<T>::get(market);
				let mark = Self::mark(market, &config, valuation).ok_or(Error::<T>::NoFreshPrice)?;
				let value =
					math::position_value(position.size, decimals, mark).map_err(DispatchError::from)?;
				let funding = math::funding_payment(
					position.size,
					decimals,
					position.funding_index,
					state.funding_index,
				)
				.map_err(DispatchError::from)?;
				let uncertain = add_ons.charge::<T>(config.base_asset, position.size, decimals, mark)?;
				let fraction = math::initial_fraction(
					config.initial_margin,
					state.open_interest,
					config.oi_lower,
					config.oi_upper,
				)
				.max(settings.chosen_fraction(market));
				let required = crate::options::Requirements {
					initial: math::requirement(position.size, decimals, mark, fraction)
						.map_err(DispatchError::from)?
						.checked_add(uncertain)
						.ok_or(ArithmeticError::Overflow)?,
					maintenance: math::requirement(position.size, decimals, mark, config.maintenance_margin)
						.map_err(DispatchError::from)?,
				};
				(value, funding, required)
			};
			equity = equity
				.checked_add(value)
				.and_then(|e| e.checked_add(funding))
				.ok_or(ArithmeticError::Overflow)?;
			initial = initial.checked_add(required.initial).ok_or(ArithmeticError::Overflow)?;
			maintenance = maintenance.checked_add(required.maintenance).ok_or(ArithmeticError::Overflow)?;
		}
		Ok((equity, initial, maintenance))
	}

	/// `Ok` if `subaccount` meets its initial requirement at fresh prices, its resting
	/// orders' margin included: with no position, a settlement debt and the orders' margin
	/// must be covered by the rest of its collateral at haircut value (a subaccount with none
	/// of the three holds nothing at risk, and is not read further).
	pub(crate) fn ensure_initial(subaccount: &SubaccountOf<T>) -> DispatchResult {
		Self::ensure_initial_with(subaccount, 0)
	}

	/// [`Self::ensure_initial`] as if `extra` more were set aside for orders: a reservation
	/// is checked before it is written, so a refused one writes nothing.
	pub(crate) fn ensure_initial_with(subaccount: &SubaccountOf<T>, extra: Balance) -> DispatchResult {
		if PositionCount::<T>::get(subaccount) == 0 {
			let order_margin = OrderMargin::<T>::get(subaccount)
				.checked_add(extra)
				.and_then(|held| held.checked_add(Self::settings_of(subaccount).deposit))
				.ok_or(ArithmeticError::Overflow)?;
			if order_margin == 0 && T::Ledger::settlement_balance(subaccount) >= 0 {
				return Ok(());
			}
			// No position to walk: its collateral against its orders' margin, the settlement
			// balance alone first (enough for most, and it reads less).
			let required = SignedBalance::try_from(order_margin).map_err(|_| ArithmeticError::Overflow)?;
			if T::Ledger::settlement_value(subaccount, Valuation::Opening)? >= required {
				return Ok(());
			}
			let equity = T::Ledger::collateral_value(subaccount, Valuation::Opening)?;
			ensure!(equity >= required, Error::<T>::InitialMarginBreached);
			return Ok(());
		}
		let extra = SignedBalance::try_from(extra).map_err(|_| ArithmeticError::Overflow)?;
		let health = Self::health(subaccount, Valuation::Opening)?;
		ensure!(health.free_collateral >= extra, Error::<T>::InitialMarginBreached);
		Ok(())
	}

	/// `MarginApi.account_health`: at the last prices, as liquidation would see it.
	pub fn health_view(owner: T::AccountId, number: SubaccountNumber) -> Option<Health> {
		Self::health(&Subaccount::new(owner, number), Valuation::Maintenance).ok()
	}

	/// `MarginApi.positions`.
	pub fn position_views(owner: T::AccountId, number: SubaccountNumber) -> Vec<PositionView> {
		let subaccount = Subaccount::new(owner, number);
		Positions::<T>::iter_prefix(&subaccount)
			.filter_map(|(market, position)| {
				let config = Self::market_config(market)?;
				let state = MarketStates::<T>::get(market);
				let mark = Self::mark(market, &config, Valuation::Maintenance);
				let value = mark
					.and_then(|m| math::position_value(position.size, config.base_decimals, m).ok())
					.unwrap_or_default();
				Some(PositionView {
					market,
					base_size: position.size,
					cost_basis: position.cost_basis,
					value,
					unrealized_pnl: value.saturating_sub(position.cost_basis),
					unsettled_funding: math::funding_payment(
						position.size,
						config.base_decimals,
						position.funding_index,
						state.funding_index,
					)
					.unwrap_or_default(),
					mark,
				})
			})
			.collect()
	}

	/// `MarginApi.liquidation_price`: the mark of `market` at which the subaccount would
	/// reach its maintenance requirement, other prices fixed (`None` for an option series).
	pub fn liquidation_price_of(
		owner: T::AccountId,
		number: SubaccountNumber,
		market: MarketId,
	) -> Option<Price> {
		let subaccount = Subaccount::new(owner, number);
		// A series' premium is not linear in its underlying: no single price is reported.
		if T::Options::is_series(market) {
			return None;
		}
		let position: Position = Positions::<T>::get(&subaccount, market)?;
		let config = Self::market_config(market)?;
		let mark = Self::mark(market, &config, Valuation::Maintenance)?;
		let health = Self::health(&subaccount, Valuation::Maintenance).ok()?;
		math::liquidation_price(
			health.equity,
			health.maintenance_requirement,
			position.size,
			config.base_decimals,
			config.maintenance_margin,
			mark,
		)
	}

	/// `MarginApi.markets`.
	pub fn market_views(
	) -> Vec<(MarketId, MarketConfigOf<T>, crate::MarketState<BlockNumberFor<T>>)> {
		Markets::<T>::iter()
			.map(|(market, stored)| (market, stored.config, MarketStates::<T>::get(market)))
			.collect()
	}

	/// The margin engine's invariants: per market Σ long = Σ short = open interest (a settled
	/// series: Σ long = open interest, as its positions settle one by one); position counts
	/// match; no zero position.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut longs = BTreeMap::<MarketId, Balance>::new();
		let mut shorts = BTreeMap::<MarketId, Balance>::new();
		let mut counts = BTreeMap::<SubaccountOf<T>, u32>::new();
		for (subaccount, market, position) in Positions::<T>::iter() {
			ensure!(position.size != 0, "a zero position is stored");
			ensure!(Markets::<T>::contains_key(market), "a position in no market");
			let side = if position.size > 0 { &mut longs } else { &mut shorts };
			let sum = side.entry(market).or_default();
			*sum = sum.checked_add(position.size.unsigned_abs()).ok_or("size overflow")?;
			let count = counts.entry(subaccount).or_default();
			*count = count.saturating_add(1);
		}
		let mut holders = BTreeMap::<MarketId, u32>::new();
		for (_, market, _) in Positions::<T>::iter() {
			if T::Options::is_series(market) {
				let count = holders.entry(market).or_default();
				*count = count.saturating_add(1);
			}
		}
		for (market, count) in SeriesHolders::<T>::iter() {
			ensure!(holders.get(&market).copied().unwrap_or_default() == count, "a series' holder count is off");
		}
		ensure!(
			holders.len() == SeriesHolders::<T>::iter().count(),
			"a series with positions has no holder count"
		);
		for (market, _) in Markets::<T>::iter() {
			let long = longs.get(&market).copied().unwrap_or_default();
			let short = shorts.get(&market).copied().unwrap_or_default();
			// A settled series' positions settle one by one: its sides may differ meanwhile.
			ensure!(
				long == short || T::Options::settlement_value(market).is_some(),
				"Σ long size differs from Σ short size"
			);
			ensure!(
				MarketStates::<T>::get(market).open_interest == long,
				"open interest differs from Σ long size"
			);
		}
		for (subaccount, count) in PositionCount::<T>::iter() {
			ensure!(
				counts.get(&subaccount).copied().unwrap_or_default() == count,
				"a position count differs from the positions"
			);
			let portfolio = Self::settings_of(&subaccount).mode == crate::MarginMode::Portfolio;
			ensure!(
				count <= T::MaxPositions::get() ||
					(portfolio && count <= T::MaxPortfolioPositions::get()) ||
					(T::Unbounded::contains(&subaccount) && count <= T::MaxMarkets::get()),
				"more positions than MaxPositions"
			);
		}
		Self::try_portfolio_legs()?;
		ensure!(
			counts.len() == PositionCount::<T>::iter().count(),
			"a subaccount with positions has no count"
		);
		for (subaccount, settings) in Settings::<T>::iter() {
			if let Some(only) = settings.isolated {
				ensure!(
					Positions::<T>::iter_key_prefix(&subaccount).all(|held| held == only),
					"an isolated subaccount holds another market"
				);
			}
		}
		Self::try_settings()
	}
}

impl<T: Config> MarginGuard<T::AccountId> for Pallet<T> {
	fn ensure_initial_margin(subaccount: &Subaccount<T::AccountId>) -> DispatchResult {
		Self::ensure_initial(subaccount)
	}

	fn ensure_initial_margin_weight() -> Weight {
		Self::health_weight(T::MaxPositions::get())
	}
}
