//! Margin settings a subaccount chooses: leverage per market and isolation to one market,
//! stored with a deposit while they differ from the default. The deposit is collateral set
//! aside in the subaccount (counted in its initial requirement), never moved out of it, so a
//! liquidation reaches it like the rest of its collateral.

use crate::{math, pallet::*, MarginSettings};
use clearing_primitives::{
	collateral::{Subaccount, SubaccountNumber},
	Balance, MarketId,
};
use frame_support::{ensure, traits::Get};
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// `subaccount`'s settings (the default if it chose none).
	pub fn settings_of(subaccount: &SubaccountOf<T>) -> MarginSettings {
		Settings::<T>::get(subaccount).unwrap_or_default()
	}

	/// `MarginApi.margin_settings`.
	pub fn settings_view(owner: T::AccountId, number: SubaccountNumber) -> MarginSettings {
		Self::settings_of(&Subaccount::new(owner, number))
	}

	pub(crate) fn do_set_leverage(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		leverage: u8,
	) -> DispatchResult {
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		let chosen = math::leverage_fraction(leverage).ok_or(Error::<T>::InvalidLeverage)?;
		let mut settings = Self::settings_of(subaccount);
		let before = settings.chosen_fraction(market);
		settings.leverage.retain(|(held, _)| *held != market);
		// A leverage the market allows anyway is no choice: it clears the setting.
		let kept = chosen > config.initial_margin;
		if kept {
			settings
				.leverage
				.try_push((market, leverage))
				.map_err(|_| Error::<T>::TooManyLeverageChoices)?;
		}
		let deposit_held = Self::store_settings(subaccount, settings)?;
		// A stricter leverage (or the deposit) must leave the subaccount above its initial
		// requirement; a looser one only lowers it.
		if deposit_held || (kept && chosen > before) {
			Self::ensure_initial(subaccount)?;
		}
		Self::deposit_event(Event::LeverageSet {
			subaccount: subaccount.clone(),
			market,
			leverage: kept.then_some(leverage),
			initial_fraction: if kept { chosen } else { config.initial_margin },
		});
		Ok(())
	}

	pub(crate) fn do_set_isolated(
		subaccount: &SubaccountOf<T>,
		market: Option<MarketId>,
	) -> DispatchResult {
		if let Some(only) = market {
			ensure!(Markets::<T>::contains_key(only), Error::<T>::MarketNotFound);
			ensure!(
				Self::settings_of(subaccount).mode == crate::MarginMode::Standard,
				Error::<T>::PortfolioIsCrossMargined
			);
			// Bounded by `MaxPositions`.
			ensure!(
				Positions::<T>::iter_key_prefix(subaccount).all(|held| held == only),
				Error::<T>::OtherMarketsHeld
			);
			// Resting orders and triggers hold margin or a deposit here; the margin engine
			// cannot tell their markets, so isolation waits until none rest.
			ensure!(OrderMargin::<T>::get(subaccount) == 0, Error::<T>::OrdersResting);
		}
		let mut settings = Self::settings_of(subaccount);
		settings.isolated = market;
		if Self::store_settings(subaccount, settings)? {
			Self::ensure_initial(subaccount)?;
		}
		Self::deposit_event(Event::IsolationSet { subaccount: subaccount.clone(), market });
		Ok(())
	}

	/// Stores `settings`, or removes them at the default; sets the deposit aside when
	/// settings are first stored and releases it when they are removed. Returns whether it set
	/// one aside (the caller then checks the initial requirement it joined).
	pub(crate) fn store_settings(subaccount: &SubaccountOf<T>, mut settings: MarginSettings) -> Result<bool, DispatchError> {
		if settings.is_default() {
			if settings.deposit > 0 {
				Self::deposit_event(Event::SettingsDepositReturned {
					subaccount: subaccount.clone(),
					amount: settings.deposit,
				});
			}
			Settings::<T>::remove(subaccount);
			return Ok(false);
		}
		let mut held = false;
		if settings.deposit == 0 {
			let amount: Balance = T::SettingsDeposit::get();
			if amount > 0 {
				Self::deposit_event(Event::SettingsDepositHeld { subaccount: subaccount.clone(), amount });
				held = true;
			}
			settings.deposit = amount;
		}
		Settings::<T>::insert(subaccount, settings);
		Ok(held)
	}

	/// `Ok` if `subaccount` may hold or quote `market`: an isolated subaccount only its own.
	pub(crate) fn ensure_isolation_allows(settings: &MarginSettings, market: MarketId) -> DispatchResult {
		match settings.isolated {
			Some(only) if only != market => Err(Error::<T>::IsolatedMarket.into()),
			_ => Ok(()),
		}
	}

	/// Only settings off the default are stored.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub(crate) fn try_settings() -> Result<(), sp_runtime::TryRuntimeError> {
		for (_, settings) in Settings::<T>::iter() {
			ensure!(!settings.is_default(), "default settings are stored");
		}
		Ok(())
	}
}
