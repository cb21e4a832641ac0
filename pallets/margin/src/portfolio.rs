//! Portfolio margin in the margin engine: a `Portfolio` subaccount's legs (read in one key)
//! grouped by underlying, each group revalued under its underlying's scenario grid
//! (perpetuals at the index × each move, series from their underlying's scenario book, one
//! read however many legs), its requirement the worst loss × the grid's factor plus
//! contingencies. Entering the mode, the grids, and the `scenarios` view.

use crate::{
	dispersion::AddOns, math, pallet::*, MarginMode, PortfolioLeg, PortfolioScenarios, UnderlyingScenarios,
};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{Subaccount, SubaccountNumber, Valuation},
	options::{to_fixed, BookEntry, OptionMarks, SeriesScenarios},
	portfolio::{perpetual_scenarios, ScenarioGrid, UnderlyingRequirement, UnderlyingRisk},
	AssetId, Balance, MarketId, Price, SignedBalance,
};
use frame_support::{ensure, traits::Get};
use sp_runtime::{traits::Saturating, ArithmeticError, DispatchError, DispatchResult};

/// One underlying's exposure and the grid it is revalued under.
pub(crate) struct Exposure {
	pub(crate) risk: UnderlyingRisk,
	pub(crate) grid: ScenarioGrid,
}

/// A portfolio subaccount's exposures, one per underlying, and the scenario books its series
/// legs were valued from, gathered leg by leg in a reading.
#[derive(Default)]
pub(crate) struct PortfolioBook {
	pub(crate) exposures: Vec<Exposure>,
	/// Each underlying's book as the reading's valuation may use it (`None`: none usable).
	books: Vec<(AssetId, Option<Vec<BookEntry>>)>,
}

/// One leg as a portfolio reading values it.
pub(crate) struct LegReading {
	/// Size × mark.
	pub(crate) value: SignedBalance,
	/// Funding owed (negative) or due since the position last settled it.
	pub(crate) funding: SignedBalance,
	/// What it adds to the initial requirement beyond the grid: a perpetual's open-interest
	/// concentration, and what disagreeing feeds add.
	pub(crate) initial: Balance,
	/// Its own exposure on its underlying.
	pub(crate) own: UnderlyingRisk,
}

impl PortfolioBook {
	/// The exposure to `asset`, opened at `index` on its grid (one read) the first time.
	fn exposure<T: Config>(&mut self, asset: AssetId, index: Price) -> Result<&mut Exposure, DispatchError> {
		let at = match self.exposures.iter().position(|held| held.risk.asset == asset) {
			Some(at) => at,
			None => {
				self.exposures.push(Exposure { risk: UnderlyingRisk::new(asset, index), grid: ScenarioGrids::<T>::get(asset) });
				self.exposures.len().saturating_sub(1)
			},
		};
		self.exposures.get_mut(at).ok_or_else(|| ArithmeticError::Overflow.into())
	}

	/// Series `market`'s entry in `asset`'s book as `valuation` may use it (the book read the
	/// first time); `None` without one, or for opening risk one computed at stale inputs.
	fn entry<T: Config>(&mut self, asset: AssetId, market: MarketId, valuation: Valuation) -> Option<BookEntry> {
		let at = match self.books.iter().position(|(held, _)| *held == asset) {
			Some(at) => at,
			None => {
				self.books.push((asset, T::Options::scenario_book(asset, valuation)));
				self.books.len().saturating_sub(1)
			},
		};
		let entries = self.books.get(at)?.1.as_ref()?;
		let entry = entries
			.binary_search_by_key(&market, |entry| entry.market)
			.ok()
			.and_then(|found| entries.get(found))?;
		(valuation == Valuation::Maintenance || entry.fresh).then_some(*entry)
	}

	/// `leg` valued under `valuation`: a perpetual at its index, with its market's funding and
	/// concentration; a series at its entry in its underlying's scenario book. `Ok(None)`: a
	/// series without an entry `valuation` may use.
	pub(crate) fn read_leg<T: Config>(
		&mut self,
		leg: &PortfolioLeg,
		valuation: Valuation,
		add_ons: &mut AddOns,
	) -> Result<Option<LegReading>, DispatchError> {
		let size = leg.position.size;
		if leg.series {
			let Some(entry) = self.entry::<T>(leg.underlying, leg.market, valuation) else { return Ok(None) };
			let index = entry.vector.index;
			self.exposure::<T>(leg.underlying, index)?;
			let value = math::position_value(size, leg.decimals, entry.mark).map_err(DispatchError::from)?;
			let mut own = UnderlyingRisk::new(leg.underlying, index);
			own.add_option(size, leg.decimals, &entry.vector.values).map_err(DispatchError::from)?;
			// A short leg is charged for disagreeing feeds on its underlying, as under
			// standard margin.
			let initial = if size < 0 { add_ons.charge::<T>(leg.underlying, size, leg.decimals, index)? } else { 0 };
			return Ok(Some(LegReading { value, funding: 0, initial, own }));
		}
		let config = Pallet::<T>::market_config(leg.market).ok_or(Error::<T>::MarketNotFound)?;
		let state = MarketStates::<T>::get(leg.market);
		let mark = Pallet::<T>::asset_mark(leg.underlying, valuation).ok_or(Error::<T>::NoFreshPrice)?;
		let value = math::position_value(size, leg.decimals, mark).map_err(DispatchError::from)?;
		let funding = math::funding_payment(size, leg.decimals, leg.position.funding_index, state.funding_index)
			.map_err(DispatchError::from)?;
		// What open interest adds to the market's fraction still applies: the grid does not
		// see a market's concentration.
		let fraction =
			math::initial_fraction(config.initial_margin, state.open_interest, config.oi_lower, config.oi_upper);
		let concentration =
			math::requirement(size, leg.decimals, mark, fraction.saturating_sub(config.initial_margin))
				.map_err(DispatchError::from)?;
		let uncertain = add_ons.charge::<T>(leg.underlying, size, leg.decimals, mark)?;
		let grid = self.exposure::<T>(leg.underlying, mark)?.grid;
		let values = perpetual_scenarios(&grid, to_fixed(mark).map_err(|_| ArithmeticError::Overflow)?)
			.map_err(|_| ArithmeticError::Overflow)?;
		let mut own = UnderlyingRisk::new(leg.underlying, mark);
		own.add_perpetual(size, leg.decimals, &values).map_err(DispatchError::from)?;
		let initial = concentration.checked_add(uncertain).ok_or(ArithmeticError::Overflow)?;
		Ok(Some(LegReading { value, funding, initial, own }))
	}

	/// Adds a leg's own exposure to its underlying's.
	pub(crate) fn add(&mut self, own: &UnderlyingRisk) -> DispatchResult {
		let exposure = self
			.exposures
			.iter_mut()
			.find(|held| held.risk.asset == own.asset)
			.ok_or(ArithmeticError::Overflow)?;
		exposure.risk = exposure.risk.plus(own).map_err(DispatchError::from)?;
		Ok(())
	}

	/// Adds a series position of `size` (base units, `decimals`) whose contract moves by
	/// `scenarios` (an order's, valued alone).
	fn add_series<T: Config>(&mut self, scenarios: &SeriesScenarios, size: SignedBalance, decimals: u8) -> DispatchResult {
		let exposure = self.exposure::<T>(scenarios.underlying, scenarios.index)?;
		exposure.risk.add_option(size, decimals, &scenarios.values).map_err(DispatchError::from)
	}

	/// Adds a perpetual position of `size` on `asset` at `index` (an order's, valued alone).
	fn add_perpetual<T: Config>(&mut self, asset: AssetId, index: Price, size: SignedBalance, decimals: u8) -> DispatchResult {
		let exposure = self.exposure::<T>(asset, index)?;
		let values = perpetual_scenarios(&exposure.grid, to_fixed(index).map_err(|_| ArithmeticError::Overflow)?)
			.map_err(|_| ArithmeticError::Overflow)?;
		exposure.risk.add_perpetual(size, decimals, &values).map_err(DispatchError::from)
	}

	/// Each exposure's requirement under its grid, in the order first held.
	pub(crate) fn requirements(&self) -> Result<Vec<UnderlyingRequirement>, DispatchError> {
		self.exposures
			.iter()
			.map(|held| held.risk.requirement(&held.grid).map_err(DispatchError::from))
			.collect()
	}

	/// Σ initial and Σ maintenance over the underlyings.
	pub(crate) fn totals(&self) -> Result<(Balance, Balance), DispatchError> {
		let mut initial: Balance = 0;
		let mut maintenance: Balance = 0;
		for required in self.requirements()? {
			initial = initial.checked_add(required.initial).ok_or(ArithmeticError::Overflow)?;
			maintenance = maintenance.checked_add(required.maintenance).ok_or(ArithmeticError::Overflow)?;
		}
		Ok((initial, maintenance))
	}
}

/// A portfolio subaccount's legs read together: Σ value and funding, what they add to the
/// initial requirement beyond the grid, and the grid's own requirements.
pub(crate) struct PortfolioReading {
	pub(crate) equity: SignedBalance,
	pub(crate) initial: Balance,
	pub(crate) maintenance: Balance,
}

impl<T: Config> Pallet<T> {
	/// Reads portfolio subaccount `subaccount`'s legs under `valuation`: a series leg without
	/// an entry it may use refuses opening risk (`ScenariosStale`) and cannot be valued for
	/// maintenance (`NoFreshPrice`: its series cannot be priced at all).
	pub(crate) fn portfolio_reading(
		subaccount: &SubaccountOf<T>,
		valuation: Valuation,
		add_ons: &mut AddOns,
	) -> Result<PortfolioReading, DispatchError> {
		let mut book = PortfolioBook::default();
		let mut equity: SignedBalance = 0;
		let mut initial: Balance = 0;
		for leg in PortfolioLegs::<T>::get(subaccount).unwrap_or_default().iter() {
			let reading = book.read_leg::<T>(leg, valuation, add_ons)?.ok_or(match valuation {
				Valuation::Opening => Error::<T>::ScenariosStale,
				Valuation::Maintenance => Error::<T>::NoFreshPrice,
			})?;
			book.add(&reading.own)?;
			equity = equity
				.checked_add(reading.value)
				.and_then(|sum| sum.checked_add(reading.funding))
				.ok_or(ArithmeticError::Overflow)?;
			initial = initial.checked_add(reading.initial).ok_or(ArithmeticError::Overflow)?;
		}
		let (grid_initial, maintenance) = book.totals()?;
		let initial = initial.checked_add(grid_initial).ok_or(ArithmeticError::Overflow)?;
		Ok(PortfolioReading { equity, initial, maintenance })
	}

	/// `subaccount`'s positions as portfolio legs: its stored legs under portfolio margin,
	/// built from its positions otherwise (what portfolio margin would see).
	fn legs_of(subaccount: &SubaccountOf<T>) -> Result<Vec<PortfolioLeg>, DispatchError> {
		if Self::settings_of(subaccount).mode == MarginMode::Portfolio {
			return Ok(PortfolioLegs::<T>::get(subaccount).unwrap_or_default().into_inner());
		}
		Positions::<T>::iter_prefix(subaccount)
			.map(|(market, position)| Self::leg_of(market, position).map(|(leg, _)| leg))
			.collect()
	}
}

impl<T: Config> Pallet<T> {
	/// Sets `asset`'s scenario grid within its hard bounds.
	pub(crate) fn do_set_scenario_grid(asset: AssetId, grid: ScenarioGrid) -> DispatchResult {
		grid.validate().map_err(|_| Error::<T>::InvalidScenarioGrid)?;
		ScenarioGrids::<T>::insert(asset, grid);
		Self::deposit_event(Event::ScenarioGridSet { asset, grid });
		Ok(())
	}

	/// Moves `subaccount` to `mode`. Portfolio needs cross margin, positions that keep the
	/// portfolio rules and `MinPortfolioEquity`; leaving it, no more than `MaxPositions`
	/// positions. Either way the subaccount must meet its initial requirement under the new
	/// mode.
	pub(crate) fn do_set_margin_mode(subaccount: &SubaccountOf<T>, mode: MarginMode) -> DispatchResult {
		let mut settings = Self::settings_of(subaccount);
		if settings.mode == mode {
			return Ok(());
		}
		settings.mode = mode;
		if mode == MarginMode::Portfolio {
			ensure!(settings.isolated.is_none(), Error::<T>::PortfolioIsCrossMargined);
			let legs = Self::gather_legs(subaccount)?;
			Self::store_settings(subaccount, settings)?;
			if !legs.is_empty() {
				PortfolioLegs::<T>::insert(subaccount, legs);
			}
			let equity = Self::health(subaccount, Valuation::Opening)?.equity;
			let least = SignedBalance::try_from(T::MinPortfolioEquity::get()).map_err(|_| ArithmeticError::Overflow)?;
			ensure!(equity >= least, Error::<T>::EquityBelowPortfolioMinimum);
		} else {
			ensure!(PositionCount::<T>::get(subaccount) <= T::MaxPositions::get(), Error::<T>::TooManyPositions);
			Self::store_settings(subaccount, settings)?;
			PortfolioLegs::<T>::remove(subaccount);
		}
		// The call is transactional: a refusal here leaves the old mode stored.
		Self::ensure_initial(subaccount)?;
		Self::deposit_event(Event::MarginModeSet { subaccount: subaccount.clone(), mode });
		Ok(())
	}

	/// What a portfolio subaccount's resting order of `size` at `price` sets aside: what the
	/// order would need filled alone under its underlying's grid (a series' at its fresh
	/// vector), never less than a standard order's margin. Which orders fill is not known, so
	/// a hedging order is reserved as if naked, and a fill finds its margin set aside.
	pub(crate) fn portfolio_order_margin(
		market: clearing_primitives::MarketId,
		side: clearing_primitives::margin::Side,
		size: Balance,
		price: Price,
	) -> Result<Balance, DispatchError> {
		use clearing_primitives::options::OptionMarks;
		let standard = Self::order_margin_for(market, side, size, price, sp_runtime::Permill::zero())?;
		let magnitude = SignedBalance::try_from(size).map_err(|_| ArithmeticError::Overflow)?;
		let signed = match side {
			clearing_primitives::margin::Side::Buy => magnitude,
			clearing_primitives::margin::Side::Sell => magnitude.saturating_neg(),
		};
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		let mut book = PortfolioBook::default();
		if T::Options::is_series(market) {
			let mut inputs = <T::Options as OptionMarks>::Inputs::default();
			let vector = T::Options::scenarios_in(&mut inputs, market, Valuation::Opening)
				.ok_or(Error::<T>::ScenariosStale)?;
			book.add_series::<T>(&vector, signed, config.base_decimals)?;
		} else {
			let index = Self::mark(market, &config, Valuation::Opening).ok_or(Error::<T>::NoFreshPrice)?;
			book.add_perpetual::<T>(config.base_asset, price.max(index), signed, config.base_decimals)?;
		}
		let (alone, _) = book.totals()?;
		Ok(standard.max(alone))
	}

	/// `MarginApi.scenarios`: the subaccount's book per underlying under its grid at the last
	/// prices, whatever its mode (a `Standard` subaccount sees what `Portfolio` would charge);
	/// `None` if it cannot be read.
	pub fn scenarios_view(owner: T::AccountId, number: SubaccountNumber) -> Option<PortfolioScenarios> {
		let subaccount = Subaccount::new(owner, number);
		let mut book = PortfolioBook::default();
		let mut add_ons = AddOns::default();
		let mut unvectored: u32 = 0;
		for leg in Self::legs_of(&subaccount).ok()? {
			match book.read_leg::<T>(&leg, Valuation::Maintenance, &mut add_ons).ok()? {
				Some(reading) => book.add(&reading.own).ok()?,
				None => unvectored = unvectored.saturating_add(1),
			}
		}
		let requirements = book.requirements().ok()?;
		let underlyings = book
			.exposures
			.iter()
			.zip(requirements)
			.map(|(held, required)| UnderlyingScenarios {
				asset: held.risk.asset,
				index: held.risk.index,
				pnl: held.risk.pnl.to_vec(),
				binding: required.binding,
				worst_loss: required.worst_loss,
				contingencies: required.contingencies,
				initial: required.initial,
				maintenance: required.maintenance,
				grid: held.grid,
			})
			.collect();
		Some(PortfolioScenarios { mode: Self::settings_of(&subaccount).mode, underlyings, unvectored })
	}

	/// A portfolio subaccount's positions for liquidation, valued from one read of its legs
	/// and its underlyings' books: each leg's value, and as its own maintenance what the grid
	/// charges the leg alone (which sizes its close step by step). The legs are taken in the
	/// order of what closing each whole frees of its underlying's grid maintenance, with the
	/// leg less without it: the legs that weigh most on the worst scenario first, hedges
	/// (whose close would raise it, freeing nothing) last.
	pub(crate) fn portfolio_positions_by_value(
		subaccount: &SubaccountOf<T>,
	) -> Result<Vec<clearing_primitives::positions::HeldPosition>, DispatchError> {
		use clearing_primitives::positions::HeldPosition;
		let mut book = PortfolioBook::default();
		let mut add_ons = AddOns::default();
		// Each leg, its value and its own exposure: what it adds to its underlying's.
		let mut legs: Vec<(PortfolioLeg, SignedBalance, UnderlyingRisk)> = Vec::new();
		for leg in PortfolioLegs::<T>::get(subaccount).unwrap_or_default() {
			let reading =
				book.read_leg::<T>(&leg, Valuation::Maintenance, &mut add_ons)?.ok_or(Error::<T>::NoFreshPrice)?;
			book.add(&reading.own)?;
			legs.push((leg, reading.value, reading.own));
		}
		let mut ranked = Vec::with_capacity(legs.len());
		for (leg, value, own) in &legs {
			let exposure =
				book.exposures.iter().find(|held| held.risk.asset == own.asset).ok_or(ArithmeticError::Overflow)?;
			let with = exposure.risk.requirement(&exposure.grid).map_err(DispatchError::from)?.maintenance;
			let alone = own.requirement(&exposure.grid).map_err(DispatchError::from)?.maintenance;
			// The leg alone on its underlying: its close frees the whole of it.
			let shared = legs.iter().filter(|(_, _, other)| other.asset == own.asset).count() > 1;
			let without = if shared {
				exposure
					.risk
					.minus(own)
					.and_then(|rest| rest.requirement(&exposure.grid))
					.map_err(DispatchError::from)?
					.maintenance
			} else {
				0
			};
			let held = HeldPosition { market: leg.market, position: leg.position, value: *value, maintenance: alone };
			ranked.push((with.saturating_sub(without), held));
		}
		ranked.sort_by_key(|(freed, held)| core::cmp::Reverse((*freed, held.maintenance, held.value.unsigned_abs())));
		Ok(ranked.into_iter().map(|(_, held)| held).collect())
	}
}
