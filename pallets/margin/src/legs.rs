//! Where positions are written: `Positions`, and for a `Portfolio` subaccount the same legs in
//! one key (`PortfolioLegs`), with the rules that keep such a reading bounded.

use crate::{pallet::*, MarginMode, PortfolioLeg, Position};
use alloc::vec::Vec;
use clearing_primitives::{options::OptionMarks, MarketId};
use frame_support::{ensure, traits::Get, BoundedVec};
use sp_runtime::{DispatchError, DispatchResult};

/// A portfolio subaccount's legs as stored.
pub(crate) type LegsOf<T> = BoundedVec<PortfolioLeg, <T as Config>::MaxPortfolioPositions>;

impl<T: Config> Pallet<T> {
	/// Stores `subaccount`'s `position` in `market` (`None` removes it), and its leg if the
	/// subaccount is under portfolio margin. Counts and bounds are the caller's to keep.
	pub(crate) fn write_position(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		position: Option<Position>,
	) -> DispatchResult {
		match position {
			Some(held) => Positions::<T>::insert(subaccount, market, held),
			None => Positions::<T>::remove(subaccount, market),
		}
		if Self::settings_of(subaccount).mode != MarginMode::Portfolio {
			return Ok(());
		}
		let mut legs = PortfolioLegs::<T>::get(subaccount).unwrap_or_default();
		match (legs.binary_search_by_key(&market, |leg| leg.market), position) {
			(Ok(at), Some(held)) => {
				if let Some(leg) = legs.get_mut(at) {
					leg.position = held;
				}
			},
			(Ok(at), None) => {
				legs.remove(at);
			},
			(Err(at), Some(held)) => {
				let (leg, _) = Self::leg_of(market, held)?;
				legs.try_insert(at, leg).map_err(|_| Error::<T>::TooManyPositions)?;
			},
			(Err(_), None) => {},
		}
		if legs.is_empty() {
			PortfolioLegs::<T>::remove(subaccount);
		} else {
			PortfolioLegs::<T>::insert(subaccount, legs);
		}
		Ok(())
	}

	/// `position` in `market` as a portfolio leg, and whether the market is isolated-only.
	pub(crate) fn leg_of(market: MarketId, position: Position) -> Result<(PortfolioLeg, bool), DispatchError> {
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		let leg = PortfolioLeg {
			market,
			underlying: config.base_asset,
			series: T::Options::is_series(market),
			decimals: config.base_decimals,
			position,
		};
		Ok((leg, config.isolated_only))
	}

	/// `Ok` if a portfolio subaccount holding `legs` may open a position in `market`: below
	/// `MaxPortfolioPositions`, on at most `MaxPortfolioUnderlyings` underlyings with at most
	/// as many perpetuals, never an isolated-only market.
	pub(crate) fn ensure_portfolio_room(legs: &[PortfolioLeg], market: MarketId) -> DispatchResult {
		let (leg, isolated_only) = Self::leg_of(market, Position::default())?;
		Self::ensure_leg_fits(legs, &leg, isolated_only)
	}

	fn ensure_leg_fits(legs: &[PortfolioLeg], leg: &PortfolioLeg, isolated_only: bool) -> DispatchResult {
		ensure!(!isolated_only, Error::<T>::PortfolioTooSpread);
		ensure!((legs.len() as u32) < T::MaxPortfolioPositions::get(), Error::<T>::TooManyPositions);
		let mut underlyings: Vec<_> = legs.iter().map(|held| held.underlying).collect();
		underlyings.sort_unstable();
		underlyings.dedup();
		ensure!(
			underlyings.contains(&leg.underlying) || (underlyings.len() as u32) < T::MaxPortfolioUnderlyings::get(),
			Error::<T>::PortfolioTooSpread
		);
		let perpetuals = legs.iter().filter(|held| !held.series).count() as u32;
		ensure!(leg.series || perpetuals < T::MaxPortfolioUnderlyings::get(), Error::<T>::PortfolioTooSpread);
		Ok(())
	}

	/// `subaccount`'s positions as portfolio legs, ascending by market, if they keep the
	/// portfolio rules (entering portfolio margin).
	pub(crate) fn gather_legs(subaccount: &SubaccountOf<T>) -> Result<LegsOf<T>, DispatchError> {
		let mut legs: Vec<PortfolioLeg> = Vec::new();
		for (market, position) in Positions::<T>::iter_prefix(subaccount) {
			let (leg, isolated_only) = Self::leg_of(market, position)?;
			Self::ensure_leg_fits(&legs, &leg, isolated_only)?;
			legs.push(leg);
		}
		legs.sort_unstable_by_key(|leg| leg.market);
		BoundedVec::try_from(legs).map_err(|_| Error::<T>::TooManyPositions.into())
	}
}

impl<T: Config> Pallet<T> {
	/// Every `Portfolio` subaccount's stored legs are its positions, ascending by market, each
	/// with its market's underlying and decimals, within the bounds of a reading; no other
	/// subaccount has any.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub(crate) fn try_portfolio_legs() -> Result<(), sp_runtime::TryRuntimeError> {
		for (subaccount, legs) in PortfolioLegs::<T>::iter() {
			ensure!(
				Self::settings_of(&subaccount).mode == MarginMode::Portfolio,
				"portfolio legs of a standard subaccount"
			);
			ensure!(!legs.is_empty(), "empty portfolio legs stored");
			ensure!(
				legs.windows(2).all(|pair| pair.first().map(|leg| leg.market) < pair.get(1).map(|leg| leg.market)),
				"portfolio legs out of order"
			);
			let mut checked: Vec<PortfolioLeg> = Vec::new();
			for leg in legs.iter() {
				ensure!(
					Positions::<T>::get(&subaccount, leg.market) == Some(leg.position),
					"a portfolio leg differs from its position"
				);
				let (expected, _) = Self::leg_of(leg.market, leg.position).map_err(|_| "a leg of no market")?;
				ensure!(expected == *leg, "a portfolio leg's underlying or decimals differ from its market's");
				// What bounds a reading (legs, underlyings, perpetuals); that no isolated-only
				// market is held is checked when a leg opens (governance may make a held
				// market isolated-only later).
				Self::ensure_leg_fits(&checked, leg, false).map_err(|_| "portfolio legs beyond the rules")?;
				checked.push(*leg);
			}
			ensure!(
				PositionCount::<T>::get(&subaccount) as usize == legs.len(),
				"a portfolio subaccount holds positions outside its legs"
			);
		}
		for (subaccount, settings) in Settings::<T>::iter() {
			if settings.mode == MarginMode::Portfolio && PositionCount::<T>::get(&subaccount) > 0 {
				ensure!(PortfolioLegs::<T>::contains_key(&subaccount), "a portfolio subaccount without its legs");
			}
		}
		Ok(())
	}
}
