//! What the trading pallets call: revenue in, bad debt out. Each is atomic on its own (a
//! storage layer), so a caller that handles the error and goes on finds nothing half-written.

use crate::pallet::*;
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount},
	insurance::InsuranceFund,
	Balance,
};
use frame_support::{
	storage::with_storage_layer,
	traits::{fungibles::Mutate, tokens::Preservation, Get},
};
use sp_runtime::{ArithmeticError, DispatchError, DispatchResult};

impl<T: Config> InsuranceFund<T::AccountId> for Pallet<T> {
	fn receive_revenue(from: &Subaccount<T::AccountId>, amount: Balance) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		with_storage_layer(|| {
			let fund =
				FundBalance::<T>::get().checked_add(amount).ok_or(ArithmeticError::Overflow)?;
			T::Ledger::pay_out(from, &Self::fund_account(), amount)?;
			FundBalance::<T>::put(fund);
			Self::deposit_event(Event::RevenueDeposited { from: from.clone(), amount });
			Ok(())
		})
	}

	fn cover(to: &T::AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let fund = FundBalance::<T>::get();
		let paid = amount.min(fund);
		if paid == 0 {
			return Ok(0);
		}
		with_storage_layer(|| {
			T::Assets::transfer(
				T::SettlementAsset::get(),
				&Self::fund_account(),
				to,
				paid,
				Preservation::Preserve,
			)?;
			// paid ≤ fund.
			FundBalance::<T>::put(fund.saturating_sub(paid));
			Self::deposit_event(Event::LossCovered { to: to.clone(), requested: amount, paid });
			Ok(paid)
		})
	}

	fn fund_balance() -> Balance {
		FundBalance::<T>::get()
	}

	fn account() -> T::AccountId {
		Self::fund_account()
	}
}
