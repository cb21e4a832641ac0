//! The margin engine's view of the vaults: values, and settlement-asset movements for PnL,
//! fees and funding. Each movement is atomic on its own (a storage layer), so a caller that
//! handles the error and goes on finds nothing half-written.

use crate::{functions::Debt, pallet::*};
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, Valuation},
	Balance, SignedBalance,
};
use frame_support::{
	storage::with_storage_layer,
	traits::{fungibles::Mutate, tokens::Preservation, Get},
};
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> CollateralLedger<T::AccountId> for Pallet<T> {
	fn collateral_value(
		subaccount: &Subaccount<T::AccountId>,
		valuation: Valuation,
	) -> Result<SignedBalance, DispatchError> {
		Self::total_value(subaccount, valuation)
	}

	fn settlement_balance(subaccount: &Subaccount<T::AccountId>) -> SignedBalance {
		Self::collateral_of(subaccount, T::SettlementAsset::get())
	}

	fn move_settlement(
		from: &Subaccount<T::AccountId>,
		to: &Subaccount<T::AccountId>,
		amount: Balance,
	) -> DispatchResult {
		if amount == 0 || from == to {
			return Ok(());
		}
		let asset = T::SettlementAsset::get();
		with_storage_layer(|| {
			Self::debit(from, asset, amount, Debt::Allowed)?;
			Self::credit(to, asset, amount)?;
			Self::deposit_event(Event::SettlementMoved { from: from.clone(), to: to.clone(), amount });
			Ok(())
		})
	}

	fn pay_out(
		from: &Subaccount<T::AccountId>,
		to: &T::AccountId,
		amount: Balance,
	) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		let asset = T::SettlementAsset::get();
		with_storage_layer(|| {
			Self::debit(from, asset, amount, Debt::Allowed)?;
			Self::tokens_out(asset, amount)?;
			T::Assets::transfer(asset, &Self::vault_account(), to, amount, Preservation::Preserve)?;
			Self::deposit_event(Event::SettlementPaidOut {
				from: from.clone(),
				to: to.clone(),
				amount,
			});
			Ok(())
		})
	}

	fn pay_in(
		from: &T::AccountId,
		to: &Subaccount<T::AccountId>,
		amount: Balance,
	) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		let asset = T::SettlementAsset::get();
		with_storage_layer(|| {
			T::Assets::transfer(asset, from, &Self::vault_account(), amount, Preservation::Preserve)?;
			Self::credit(to, asset, amount)?;
			Self::tokens_in(asset, amount)?;
			Self::deposit_event(Event::SettlementPaidIn { from: from.clone(), to: to.clone(), amount });
			Ok(())
		})
	}
}
