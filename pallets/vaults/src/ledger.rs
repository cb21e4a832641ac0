//! The margin engine's view of the vaults: values, and settlement-asset movements for PnL,
//! fees and funding. Each movement is atomic on its own (a storage layer), so a caller that
//! handles the error and goes on finds nothing half-written.

use crate::{functions::Debt, pallet::*};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, Valuation},
	AssetId, Balance, SignedBalance,
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

	fn settlement_value(
		subaccount: &Subaccount<T::AccountId>,
		valuation: Valuation,
	) -> Result<SignedBalance, DispatchError> {
		let settlement = T::SettlementAsset::get();
		Self::value_of(subaccount, settlement, Self::collateral_of(subaccount, settlement), valuation)
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

	fn collateral_assets(subaccount: &Subaccount<T::AccountId>) -> Vec<AssetId> {
		let settlement = T::SettlementAsset::get();
		Collateral::<T>::iter_key_prefix(subaccount).filter(|asset| *asset != settlement).collect()
	}

	fn seize_collateral(
		from: &Subaccount<T::AccountId>,
		to: &Subaccount<T::AccountId>,
		valuation: Valuation,
	) -> Result<Balance, DispatchError> {
		let settlement = T::SettlementAsset::get();
		with_storage_layer(|| {
			let mut value: Balance = 0;
			// At most `MaxCollateralAssets` holdings; only the settlement asset is ever
			// negative, so each of these is a positive amount.
			let held: Vec<(AssetId, SignedBalance)> = Collateral::<T>::iter_prefix(from)
				.filter(|(asset, _)| *asset != settlement)
				.collect();
			for (asset, amount) in held {
				let Ok(amount) = Balance::try_from(amount) else { continue };
				let worth = Self::value_of(from, asset, Self::signed(amount)?, valuation)?;
				value = value.saturating_add(worth.max(0).unsigned_abs());
				Self::debit(from, asset, amount, Debt::Refused)?;
				Self::credit(to, asset, amount)?;
				Self::deposit_event(Event::CollateralSeized {
					from: from.clone(),
					to: to.clone(),
					asset,
					amount,
				});
			}
			Ok(value)
		})
	}

	fn debtors(
		start: Option<Vec<u8>>,
		limit: u32,
	) -> (Vec<Subaccount<T::AccountId>>, Option<Vec<u8>>) {
		let iter = match start {
			Some(key) => Debtors::<T>::iter_keys_from(key),
			None => Debtors::<T>::iter_keys(),
		};
		let mut found = Vec::new();
		// One past the slice tells whether there is more to come.
		for subaccount in iter.take((limit as usize).saturating_add(1)) {
			if found.len() == limit as usize {
				let resume = found.last().map(|last| Debtors::<T>::hashed_key_for(last));
				return (found, resume);
			}
			found.push(subaccount);
		}
		(found, None)
	}
}
