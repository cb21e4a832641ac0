//! Portfolio margin in the margin engine: a `Portfolio` subaccount's positions grouped by
//! underlying, each group revalued under its underlying's scenario grid (perpetuals at the
//! index × each move, series from the options pallet's cached vectors), its requirement the
//! worst loss × the grid's factor plus contingencies. Entering the mode, the grids, and the
//! `scenarios` view.

use crate::{pallet::*, MarginMode, PortfolioScenarios, UnderlyingScenarios};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{Subaccount, SubaccountNumber, Valuation},
	options::{to_fixed, SeriesScenarios},
	portfolio::{perpetual_scenarios, ScenarioGrid, ScenarioValues, UnderlyingRequirement, UnderlyingRisk},
	AssetId, Balance, Price, SignedBalance,
};
use frame_support::{ensure, traits::Get};
use sp_runtime::{ArithmeticError, DispatchError, DispatchResult};

/// One underlying's exposure and the grid it is revalued under.
pub(crate) struct Exposure {
	pub(crate) risk: UnderlyingRisk,
	pub(crate) grid: ScenarioGrid,
	/// A perpetual contract's vector at the index (computed with the first perpetual).
	perpetual: Option<ScenarioValues>,
}

/// A portfolio subaccount's exposures, one per underlying, gathered leg by leg in a health
/// reading.
#[derive(Default)]
pub(crate) struct PortfolioBook {
	pub(crate) exposures: Vec<Exposure>,
}

impl PortfolioBook {
	/// The exposure to `asset`, opened at `index` on its grid (one read) the first time.
	fn exposure<T: Config>(&mut self, asset: AssetId, index: Price) -> Result<&mut Exposure, DispatchError> {
		let at = match self.exposures.iter().position(|held| held.risk.asset == asset) {
			Some(at) => at,
			None => {
				self.exposures.push(Exposure {
					risk: UnderlyingRisk::new(asset, index),
					grid: ScenarioGrids::<T>::get(asset),
					perpetual: None,
				});
				self.exposures.len().saturating_sub(1)
			},
		};
		self.exposures.get_mut(at).ok_or_else(|| ArithmeticError::Overflow.into())
	}

	/// Adds a series position of `size` (base units, `decimals`) whose contract moves by
	/// `scenarios`.
	pub(crate) fn add_series<T: Config>(
		&mut self,
		scenarios: &SeriesScenarios,
		size: SignedBalance,
		decimals: u8,
	) -> DispatchResult {
		let exposure = self.exposure::<T>(scenarios.underlying, scenarios.index)?;
		exposure.risk.add_option(size, decimals, &scenarios.values).map_err(DispatchError::from)
	}

	/// Adds a perpetual position of `size` on `asset` marked at `mark`.
	pub(crate) fn add_perpetual<T: Config>(
		&mut self,
		asset: AssetId,
		mark: Price,
		size: SignedBalance,
		decimals: u8,
	) -> DispatchResult {
		let exposure = self.exposure::<T>(asset, mark)?;
		let values = match exposure.perpetual {
			Some(values) => values,
			None => {
				let index = to_fixed(mark).map_err(|_| ArithmeticError::Overflow)?;
				let values = perpetual_scenarios(&exposure.grid, index).map_err(|_| ArithmeticError::Overflow)?;
				*exposure.perpetual.insert(values)
			},
		};
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

impl<T: Config> Pallet<T> {
	/// Sets `asset`'s scenario grid within its hard bounds.
	pub(crate) fn do_set_scenario_grid(asset: AssetId, grid: ScenarioGrid) -> DispatchResult {
		grid.validate().map_err(|_| Error::<T>::InvalidScenarioGrid)?;
		ScenarioGrids::<T>::insert(asset, grid);
		Self::deposit_event(Event::ScenarioGridSet { asset, grid });
		Ok(())
	}

	/// Moves `subaccount` to `mode`. Portfolio needs cross margin and `MinPortfolioEquity`;
	/// either way the subaccount must meet its initial requirement under the new mode.
	pub(crate) fn do_set_margin_mode(subaccount: &SubaccountOf<T>, mode: MarginMode) -> DispatchResult {
		let mut settings = Self::settings_of(subaccount);
		if settings.mode == mode {
			return Ok(());
		}
		if mode == MarginMode::Portfolio {
			ensure!(settings.isolated.is_none(), Error::<T>::PortfolioIsCrossMargined);
		}
		settings.mode = mode;
		Self::store_settings(subaccount, settings)?;
		if mode == MarginMode::Portfolio {
			let equity = Self::health(subaccount, Valuation::Opening)?.equity;
			let least = SignedBalance::try_from(T::MinPortfolioEquity::get()).map_err(|_| ArithmeticError::Overflow)?;
			ensure!(equity >= least, Error::<T>::EquityBelowPortfolioMinimum);
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
		let (book, unvectored) = Self::portfolio_book(&subaccount, Valuation::Maintenance).ok()?;
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

	/// `subaccount`'s positions gathered by underlying under `valuation`, and how many series
	/// legs had no vector it may use (left out).
	fn portfolio_book(subaccount: &SubaccountOf<T>, valuation: Valuation) -> Result<(PortfolioBook, u32), DispatchError> {
		use clearing_primitives::options::OptionMarks;
		let mut book = PortfolioBook::default();
		let mut inputs = <T::Options as OptionMarks>::Inputs::default();
		let mut unvectored: u32 = 0;
		for (market, position) in Positions::<T>::iter_prefix(subaccount) {
			if T::Options::is_series(market) {
				let leg = T::Options::leg_in(&mut inputs, market, valuation).ok_or(Error::<T>::NoFreshPrice)?;
				match T::Options::scenarios_in(&mut inputs, market, valuation) {
					Some(vector) => book.add_series::<T>(&vector, position.size, leg.base_decimals)?,
					None => unvectored = unvectored.saturating_add(1),
				}
			} else {
				let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
				let mark = Self::mark(market, &config, valuation).ok_or(Error::<T>::NoFreshPrice)?;
				book.add_perpetual::<T>(config.base_asset, mark, position.size, config.base_decimals)?;
			}
		}
		Ok((book, unvectored))
	}
}

impl<T: Config> Pallet<T> {
	/// What closing each of a portfolio subaccount's legs whole frees of its grid maintenance,
	/// by market: its underlying's maintenance with the leg less without it (zero for a leg
	/// whose close would raise it: a hedge). Liquidation closes the legs that free the most
	/// first, so hedges go last. Series legs without a vector are left out (they are charged
	/// their standard requirement, which their close frees).
	pub(crate) fn marginal_maintenance(
		subaccount: &SubaccountOf<T>,
	) -> Result<Vec<(clearing_primitives::MarketId, Balance)>, DispatchError> {
		use clearing_primitives::options::OptionMarks;
		let mut inputs = <T::Options as OptionMarks>::Inputs::default();
		let mut grids: Vec<(AssetId, ScenarioGrid)> = Vec::new();
		let mut grid_of = |asset: AssetId| match grids.iter().find(|(held, _)| *held == asset) {
			Some((_, grid)) => *grid,
			None => {
				let grid = ScenarioGrids::<T>::get(asset);
				grids.push((asset, grid));
				grid
			},
		};
		// Each leg's own exposure: what it adds to its underlying's.
		let mut legs: Vec<(clearing_primitives::MarketId, UnderlyingRisk)> = Vec::new();
		for (market, position) in Positions::<T>::iter_prefix(subaccount) {
			let own = if T::Options::is_series(market) {
				let leg = T::Options::leg_in(&mut inputs, market, Valuation::Maintenance)
					.ok_or(Error::<T>::NoFreshPrice)?;
				let Some(vector) = T::Options::scenarios_in(&mut inputs, market, Valuation::Maintenance) else {
					continue;
				};
				let mut risk = UnderlyingRisk::new(vector.underlying, vector.index);
				risk.add_option(position.size, leg.base_decimals, &vector.values).map_err(DispatchError::from)?;
				risk
			} else {
				let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
				let mark = Self::mark(market, &config, Valuation::Maintenance).ok_or(Error::<T>::NoFreshPrice)?;
				let grid = grid_of(config.base_asset);
				let index = to_fixed(mark).map_err(|_| ArithmeticError::Overflow)?;
				let values = perpetual_scenarios(&grid, index).map_err(|_| ArithmeticError::Overflow)?;
				let mut risk = UnderlyingRisk::new(config.base_asset, mark);
				risk.add_perpetual(position.size, config.base_decimals, &values).map_err(DispatchError::from)?;
				risk
			};
			legs.push((market, own));
		}
		// Each underlying's whole exposure, and how many legs make it.
		let mut totals: Vec<(UnderlyingRisk, u32)> = Vec::new();
		for (_, own) in &legs {
			match totals.iter_mut().find(|(total, _)| total.asset == own.asset) {
				Some((total, count)) => {
					*total = total.plus(own).map_err(DispatchError::from)?;
					*count = count.saturating_add(1);
				},
				None => totals.push((own.clone(), 1)),
			}
		}
		let mut freed = Vec::with_capacity(legs.len());
		for (market, own) in &legs {
			let (total, count) = totals.iter().find(|(total, _)| total.asset == own.asset).ok_or(ArithmeticError::Overflow)?;
			let grid = grid_of(own.asset);
			let with = total.requirement(&grid).map_err(DispatchError::from)?.maintenance;
			// The leg alone on its underlying: its close frees the whole of it.
			let without = if *count > 1 {
				total.minus(own).and_then(|rest| rest.requirement(&grid)).map_err(DispatchError::from)?.maintenance
			} else {
				0
			};
			freed.push((*market, with.saturating_sub(without)));
		}
		Ok(freed)
	}
}
