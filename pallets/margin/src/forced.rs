//! What liquidation asks of the margin engine (`MarginAccounts`): positions, health and
//! marks, the keeper's scans, and moving a position to another subaccount for a set amount of
//! cash with no margin check (the backstop's takeover and deleveraging, both at the
//! bankruptcy price).

use crate::{math, pallet::*, Health, Position};
use alloc::vec::Vec;
use clearing_primitives::{
	options::OptionMarks,
	collateral::Valuation,
	positions::{ForcedTransfer, HeldPosition, HoldersPage, MarginAccounts, MarketTerms, ScanCursor},
	Balance, MarketId, Price, SignedBalance,
};
use frame_support::{ensure, storage::with_storage_layer, traits::Get};
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> MarginAccounts<T::AccountId> for Pallet<T> {
	fn max_positions() -> u32 {
		T::MaxPositions::get().max(T::MaxPortfolioPositions::get())
	}

	fn max_standard_positions() -> u32 {
		T::MaxPositions::get()
	}

	fn max_markets() -> u32 {
		T::MaxMarkets::get()
	}

	fn market_terms(market: MarketId) -> Option<MarketTerms> {
		Self::market_config(market).map(|config| MarketTerms {
			market,
			base_asset: config.base_asset,
			base_decimals: config.base_decimals,
			tick_size: config.tick_size,
			step_size: config.step_size,
			volatility: T::Options::volatility_input(market),
		})
	}

	fn mark(terms: &MarketTerms) -> Option<Price> {
		if T::Options::is_series(terms.market) {
			return T::Options::leg(terms.market, Valuation::Maintenance).map(|leg| leg.mark);
		}
		Self::asset_mark(terms.base_asset, Valuation::Maintenance)
	}

	fn vega(terms: &MarketTerms) -> Option<Price> {
		if !T::Options::is_series(terms.market) {
			return None;
		}
		T::Options::vega(terms.market)
	}

	fn health(subaccount: &SubaccountOf<T>, valuation: Valuation) -> Result<Health, DispatchError> {
		Self::health(subaccount, valuation)
	}

	fn health_weight(positions: u32) -> frame_support::weights::Weight {
		Self::health_weight(positions)
	}

	fn position(subaccount: &SubaccountOf<T>, market: MarketId) -> Option<Position> {
		Positions::<T>::get(subaccount, market)
	}

	fn position_count(subaccount: &SubaccountOf<T>) -> u32 {
		PositionCount::<T>::get(subaccount)
	}

	fn markets_held(subaccount: &SubaccountOf<T>) -> Vec<MarketId> {
		Positions::<T>::iter_key_prefix(subaccount).collect()
	}

	fn positions_of(subaccount: &SubaccountOf<T>) -> Vec<(MarketId, Position)> {
		Positions::<T>::iter_prefix(subaccount).collect()
	}

	fn positions_by_value(subaccount: &SubaccountOf<T>) -> Result<Vec<HeldPosition>, DispatchError> {
		if Self::settings_of(subaccount).mode == crate::MarginMode::Portfolio {
			return Self::portfolio_positions_by_value(subaccount);
		}
		let mut positions = Vec::new();
		for (market, position) in Positions::<T>::iter_prefix(subaccount) {
			let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
			let decimals = config.base_decimals;
			let (value, maintenance) = if T::Options::is_series(market) {
				let leg = Self::leg(market, Valuation::Maintenance)?;
				let value = math::position_value(position.size, decimals, leg.mark).map_err(DispatchError::from)?;
				(value, Self::series_requirements(&leg, position.size, decimals)?.maintenance)
			} else {
				let mark = Self::mark(market, &config, Valuation::Maintenance).ok_or(Error::<T>::NoFreshPrice)?;
				let value = math::position_value(position.size, decimals, mark).map_err(DispatchError::from)?;
				let maintenance = math::requirement(position.size, decimals, mark, config.maintenance_margin)
					.map_err(DispatchError::from)?;
				(value, maintenance)
			};
			positions.push(HeldPosition { market, position, value, maintenance });
		}
		positions.sort_by_key(|p| core::cmp::Reverse((p.maintenance, p.value.unsigned_abs())));
		Ok(positions)
	}

	fn funding_pool() -> SubaccountOf<T> {
		Self::funding_pool()
	}

	fn holders(after: Option<ScanCursor>, limit: u32) -> HoldersPage<T::AccountId> {
		let iter = match after {
			Some(key) => PositionCount::<T>::iter_from(key),
			None => PositionCount::<T>::iter(),
		};
		let mut holders = Vec::new();
		// One past the page tells whether there is more to come.
		for (subaccount, count) in iter.take((limit as usize).saturating_add(1)) {
			if holders.len() == limit as usize {
				let next = holders.last().map(|(last, _)| Self::cursor_after(last));
				return HoldersPage { holders, next };
			}
			holders.push((subaccount, count));
		}
		HoldersPage { holders, next: None }
	}

	fn cursor_after(subaccount: &SubaccountOf<T>) -> ScanCursor {
		PositionCount::<T>::hashed_key_for(subaccount)
	}

	fn first_positions(limit: u32) -> Vec<(SubaccountOf<T>, MarketId, Position)> {
		Positions::<T>::iter().take(limit as usize).collect()
	}
}

impl<T: Config> ForcedTransfer<T::AccountId> for Pallet<T> {
	fn force_transfer(
		market: MarketId,
		from: &SubaccountOf<T>,
		to: &SubaccountOf<T>,
		size: Balance,
		cash: SignedBalance,
	) -> DispatchResult {
		// Only liquidation calls this, at a price it has computed (see the trait); atomic on
		// its own, whoever calls it.
		with_storage_layer(|| -> DispatchResult {
			ensure!(from != to, Error::<T>::SelfTrade);
			let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
			let held = Positions::<T>::get(from, market).map(|p| p.size).unwrap_or_default();
			ensure!(size > 0 && size <= held.unsigned_abs(), Error::<T>::NoSuchPosition);
			// A long is sold to `to` (who pays); a short is bought back from `to`.
			if held > 0 {
				Self::exchange(market, &config, to, from, size, cash, false)?;
			} else {
				Self::exchange(market, &config, from, to, size, cash.saturating_neg(), false)?;
			}
			Self::deposit_event(Event::PositionTransferred {
				market,
				from: from.clone(),
				to: to.clone(),
				size,
				cash,
			});
			Ok(())
		})
	}
}
