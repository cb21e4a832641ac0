//! The calls' logic, the registry, valuation and the invariants.

use crate::{
	pallet::*,
	runtime_api::{AssetCollateral, SubaccountCollateral},
	valuation, CollateralConfig, HaircutCurve, HaircutInForce,
};
use clearing_primitives::haircut::haircut_in_force;
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{MarginGuard, Subaccount, SubaccountNumber, Valuation},
	oracle::PriceProvider,
	units::MAX_BASE_DECIMALS,
	AssetId, Balance, SignedBalance,
};
use frame_support::{
	ensure,
	traits::{
		fungibles::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
		Get,
	},
};
use sp_runtime::{
	traits::AccountIdConversion, ArithmeticError, DispatchError, DispatchResult, Permill,
};

/// Whether a debit may leave a settlement debt behind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Debt {
	/// A trader's own withdrawal or transfer: only what is held.
	Refused,
	/// The margin engine's cash flows: the settlement balance may go negative.
	Allowed,
}

impl<T: Config> Pallet<T> {
	/// The account that holds every subaccount's collateral.
	pub fn vault_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// What `subaccount` holds of `asset` (negative: a settlement debt).
	pub fn collateral_of(subaccount: &SubaccountOf<T>, asset: AssetId) -> SignedBalance {
		Collateral::<T>::get(subaccount, asset).unwrap_or_default()
	}

	pub(crate) fn signed(amount: Balance) -> Result<SignedBalance, DispatchError> {
		SignedBalance::try_from(amount).map_err(|_| ArithmeticError::Overflow.into())
	}

	pub(crate) fn do_deposit(
		subaccount: SubaccountOf<T>,
		asset: AssetId,
		amount: Balance,
	) -> DispatchResult {
		let config = CollateralAssets::<T>::get(asset).ok_or(Error::<T>::NotCollateral)?;
		ensure!(config.enabled, Error::<T>::AssetDisabled);
		ensure!(amount >= config.min_deposit, Error::<T>::BelowMinimum);
		let total = TotalCollateral::<T>::get(asset)
			.checked_add(amount)
			.ok_or(ArithmeticError::Overflow)?;
		ensure!(total <= config.deposit_cap, Error::<T>::CapExceeded);
		// The depositor keeps its existential deposit: collateral never reaps an account.
		T::Assets::transfer(
			asset,
			&subaccount.owner,
			&Self::vault_account(),
			amount,
			Preservation::Preserve,
		)?;
		// A deposit of the settlement asset pays a debt down first.
		Self::credit(&subaccount, asset, amount)?;
		TotalCollateral::<T>::insert(asset, total);
		Self::deposit_event(Event::Deposited { subaccount, asset, amount });
		Ok(())
	}

	pub(crate) fn do_withdraw(
		subaccount: SubaccountOf<T>,
		asset: AssetId,
		amount: Balance,
	) -> DispatchResult {
		Self::debit(&subaccount, asset, amount, Debt::Refused)?;
		Self::tokens_out(asset, amount)?;
		Self::ensure_margin(&subaccount)?;
		// The vault keeps its existential reserve; everything above it is owed, so this
		// cannot fail for want of tokens while the invariants hold.
		T::Assets::transfer(
			asset,
			&Self::vault_account(),
			&subaccount.owner,
			amount,
			Preservation::Preserve,
		)?;
		Self::deposit_event(Event::Withdrawn { subaccount, asset, amount });
		Ok(())
	}

	pub(crate) fn do_transfer(
		owner: T::AccountId,
		from: SubaccountNumber,
		to: SubaccountNumber,
		asset: AssetId,
		amount: Balance,
	) -> DispatchResult {
		ensure!(from != to, Error::<T>::SameSubaccount);
		let source = Subaccount::new(owner.clone(), from);
		let target = Subaccount::new(owner.clone(), to);
		Self::debit(&source, asset, amount, Debt::Refused)?;
		Self::credit(&target, asset, amount)?;
		Self::ensure_margin(&source)?;
		Self::deposit_event(Event::Transferred { owner, from, to, asset, amount });
		Ok(())
	}

	/// Lowers `subaccount`'s holding of `asset` by `amount` (ledger only; the total is the
	/// caller's to adjust if tokens moved). Only the margin engine may take a settlement
	/// balance below zero (`Debt::Allowed`).
	pub(crate) fn debit(
		subaccount: &SubaccountOf<T>,
		asset: AssetId,
		amount: Balance,
		debt: Debt,
	) -> DispatchResult {
		ensure!(CollateralAssets::<T>::contains_key(asset), Error::<T>::NotCollateral);
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let was = Self::collateral_of(subaccount, asset);
		let held = was.checked_sub(Self::signed(amount)?).ok_or(ArithmeticError::Underflow)?;
		let may_owe = debt == Debt::Allowed && asset == T::SettlementAsset::get();
		ensure!(held >= 0 || may_owe, Error::<T>::InsufficientCollateral);
		Self::store_holding(subaccount, asset, was, held);
		Ok(())
	}

	/// Stores `subaccount`'s new holding of `asset` (`was` before), keeping `Debtors` in step
	/// when the settlement balance crosses zero.
	fn store_holding(subaccount: &SubaccountOf<T>, asset: AssetId, was: SignedBalance, held: SignedBalance) {
		if asset != T::SettlementAsset::get() {
			// Only the settlement asset is ever negative: both are amounts held.
			OwnerHoldings::<T>::mutate_exists(&subaccount.owner, asset, |total| {
				let sum = total.unwrap_or_default().saturating_sub(was.unsigned_abs()).saturating_add(held.unsigned_abs());
				*total = (sum > 0).then_some(sum);
			});
		}
		if held == 0 {
			Collateral::<T>::remove(subaccount, asset);
		} else {
			Collateral::<T>::insert(subaccount, asset, held);
		}
		if (was < 0) != (held < 0) {
			if held < 0 {
				Debtors::<T>::insert(subaccount, ());
			} else {
				Debtors::<T>::remove(subaccount);
			}
		}
	}

	/// Tokens left the vault (a withdrawal, a fee): the asset's total falls. Holdings net of
	/// debts always cover it, so a shortfall means the vault cannot pay.
	pub(crate) fn tokens_out(asset: AssetId, amount: Balance) -> DispatchResult {
		let total = TotalCollateral::<T>::get(asset)
			.checked_sub(amount)
			.ok_or(Error::<T>::InsufficientCollateral)?;
		TotalCollateral::<T>::insert(asset, total);
		Ok(())
	}

	/// Tokens came into the vault: the asset's total rises.
	pub(crate) fn tokens_in(asset: AssetId, amount: Balance) -> DispatchResult {
		let total = TotalCollateral::<T>::get(asset)
			.checked_add(amount)
			.ok_or(ArithmeticError::Overflow)?;
		TotalCollateral::<T>::insert(asset, total);
		Ok(())
	}

	/// Raises `subaccount`'s holding of `asset` by `amount` (ledger only; the total is the
	/// caller's to adjust if tokens moved).
	pub(crate) fn credit(
		subaccount: &SubaccountOf<T>,
		asset: AssetId,
		amount: Balance,
	) -> DispatchResult {
		let was = Self::collateral_of(subaccount, asset);
		let held = was.checked_add(Self::signed(amount)?).ok_or(ArithmeticError::Overflow)?;
		Self::store_holding(subaccount, asset, was, held);
		Ok(())
	}

	fn ensure_margin(subaccount: &SubaccountOf<T>) -> DispatchResult {
		T::MarginGuard::ensure_initial_margin(subaccount)
			.map_err(|_| Error::<T>::WouldBreachMargin.into())
	}

	pub(crate) fn do_set_collateral_asset(
		asset: AssetId,
		config: CollateralConfig,
	) -> DispatchResult {
		ensure!(T::Assets::asset_exists(asset), Error::<T>::UnknownAsset);
		ensure!(config.haircut < Permill::one(), Error::<T>::HaircutTooHigh);
		ensure!(config.min_deposit > 0, Error::<T>::ZeroMinimumDeposit);
		ensure!(config.decimals <= MAX_BASE_DECIMALS, Error::<T>::UnsupportedDecimals);
		match CollateralAssets::<T>::get(asset) {
			Some(existing) =>
				ensure!(existing.decimals == config.decimals, Error::<T>::DecimalsChanged),
			None => {
				ensure!(
					CollateralAssets::<T>::count() < T::MaxCollateralAssets::get(),
					Error::<T>::TooManyCollateralAssets
				);
				let reserve = T::Assets::minimum_balance(asset);
				ensure!(
					T::Assets::balance(asset, &Self::vault_account()) >= reserve,
					Error::<T>::VaultReserveMissing
				);
			},
		}
		CollateralAssets::<T>::insert(asset, config);
		Self::deposit_event(Event::CollateralAssetSet { asset, config });
		Ok(())
	}

	/// Genesis only: mints the vault's existential reserve of `asset` where it is missing.
	pub(crate) fn fund_reserve_at_genesis(asset: AssetId) -> DispatchResult {
		ensure!(T::Assets::asset_exists(asset), Error::<T>::UnknownAsset);
		let vault = Self::vault_account();
		let missing =
			T::Assets::minimum_balance(asset).saturating_sub(T::Assets::balance(asset, &vault));
		if missing > 0 {
			T::Assets::mint_into(asset, &vault, missing)?;
		}
		Ok(())
	}

	/// What `subaccount`'s `amount` of `asset` counts for, in settlement units, under
	/// `valuation`: its value at the oracle price less the haircut in force. For opening risk
	/// the size weight measures what the owner holds over all its subaccounts; for
	/// maintenance, this holding alone (a deposit elsewhere never makes it liquidatable).
	/// Unregistered assets and assets without a usable price count for zero; a settlement
	/// debt counts in full.
	pub fn value_of(
		subaccount: &SubaccountOf<T>,
		asset: AssetId,
		amount: SignedBalance,
		valuation: Valuation,
	) -> Result<SignedBalance, DispatchError> {
		let Some(config) = CollateralAssets::<T>::get(asset) else { return Ok(0) };
		let Ok(amount) = Balance::try_from(amount) else {
			// Only the settlement asset can be negative.
			return Ok(amount);
		};
		if asset == T::SettlementAsset::get() {
			return Self::signed(valuation::after_haircut(amount, config.haircut));
		}
		let (price, size) = match valuation {
			Valuation::Opening =>
				(T::Prices::fresh_price(asset), amount.max(OwnerHoldings::<T>::get(&subaccount.owner, asset))),
			Valuation::Maintenance => (T::Prices::quote(asset).map(|quote| quote.price), amount),
		};
		let Some(price) = price else { return Ok(0) };
		let haircut = Self::haircut_with(asset, &config, size).haircut;
		let value = valuation::collateral_value(amount, config.decimals, price, haircut)
			.map_err(|_| DispatchError::from(ArithmeticError::Overflow))?;
		Self::signed(value)
	}

	/// The haircut in force on a holding of `holding` of registered `asset` (`config`): the
	/// settlement asset's is its registered one; any other's follows its curve, if it has one.
	fn haircut_with(asset: AssetId, config: &CollateralConfig, holding: Balance) -> HaircutInForce {
		if asset == T::SettlementAsset::get() {
			return haircut_in_force(config.haircut, None, None, holding);
		}
		let curve = HaircutCurves::<T>::get(asset);
		let realized = curve.as_ref().and_then(|_| T::Prices::realized_volatility(asset));
		haircut_in_force(config.haircut, curve.as_ref(), realized, holding)
	}

	/// The haircut a holding of `holding` of `asset` would be charged now, and why; `None`
	/// if the asset is not collateral.
	pub fn haircut_of(asset: AssetId, holding: Balance) -> Option<HaircutInForce> {
		let config = CollateralAssets::<T>::get(asset)?;
		Some(Self::haircut_with(asset, &config, holding))
	}

	pub(crate) fn do_set_haircut_curve(asset: AssetId, curve: Option<HaircutCurve>) -> DispatchResult {
		ensure!(CollateralAssets::<T>::contains_key(asset), Error::<T>::NotCollateral);
		ensure!(asset != T::SettlementAsset::get(), Error::<T>::SettlementAssetCurve);
		match curve {
			Some(curve) => {
				curve.validate().map_err(|_| Error::<T>::CurveOutOfBounds)?;
				HaircutCurves::<T>::insert(asset, curve);
			},
			None => HaircutCurves::<T>::remove(asset),
		}
		Self::deposit_event(Event::HaircutCurveSet { asset, curve });
		Ok(())
	}

	/// Σ value of everything `subaccount` holds (at most `MaxCollateralAssets` entries).
	pub fn total_value(
		subaccount: &SubaccountOf<T>,
		valuation: Valuation,
	) -> Result<SignedBalance, DispatchError> {
		Collateral::<T>::iter_prefix(subaccount).try_fold(0, |sum: SignedBalance, (asset, amount)| {
			sum.checked_add(Self::value_of(subaccount, asset, amount, valuation)?)
				.ok_or_else(|| ArithmeticError::Overflow.into())
		})
	}

	/// The `VaultsApi` view of a subaccount: amounts, values for opening risk and the haircut
	/// in force on each. A value that overflows is reported as the largest balance rather
	/// than failing the query.
	pub fn subaccount_view(owner: T::AccountId, number: SubaccountNumber) -> SubaccountCollateral {
		let subaccount = Subaccount::new(owner, number);
		let assets: Vec<AssetCollateral> = Collateral::<T>::iter_prefix(&subaccount)
			.map(|(asset, amount)| {
				let size = amount.max(0).unsigned_abs().max(OwnerHoldings::<T>::get(&subaccount.owner, asset));
				AssetCollateral {
					asset,
					amount,
					value: Self::value_of(&subaccount, asset, amount, Valuation::Opening)
						.unwrap_or(SignedBalance::MAX),
					haircut: Self::haircut_of(asset, size),
				}
			})
			.collect();
		let total_value =
			assets.iter().fold(0, |sum: SignedBalance, a| sum.saturating_add(a.value));
		SubaccountCollateral { assets, total_value }
	}

	/// The vaults' invariants: each asset's total is the sum of the holdings (debts netted),
	/// no holding is zero or of an unregistered asset, only the settlement asset is ever
	/// negative and `Debtors` lists exactly those that are, and the vault account can pay
	/// every total out while keeping its reserve.
	/// (It may hold more: anyone can send tokens to it.)
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(
			CollateralAssets::<T>::count() <= T::MaxCollateralAssets::get(),
			"more collateral assets than MaxCollateralAssets"
		);
		ensure!(
			CollateralAssets::<T>::count() as usize == CollateralAssets::<T>::iter_keys().count(),
			"registry counter differs from the registry"
		);
		let mut sums = alloc::collections::BTreeMap::<AssetId, SignedBalance>::new();
		let settlement = T::SettlementAsset::get();
		let mut debtors: usize = 0;
		for (subaccount, asset, amount) in Collateral::<T>::iter() {
			if asset == settlement && amount < 0 {
				ensure!(Debtors::<T>::contains_key(&subaccount), "a debtor missing from Debtors");
				debtors = debtors.saturating_add(1);
			}
			ensure!(amount != 0, "a zero holding is stored");
			ensure!(
				amount > 0 || asset == T::SettlementAsset::get(),
				"a negative holding of a non-settlement asset"
			);
			ensure!(CollateralAssets::<T>::contains_key(asset), "a holding of an unregistered asset");
			let sum = sums.entry(asset).or_default();
			*sum = sum.checked_add(amount).ok_or("holdings overflow")?;
		}
		let vault = Self::vault_account();
		for asset in CollateralAssets::<T>::iter_keys() {
			let total = TotalCollateral::<T>::get(asset);
			ensure!(
				Balance::try_from(sums.get(&asset).copied().unwrap_or_default()) == Ok(total),
				"an asset's total differs from the sum of its holdings"
			);
			let payable =
				T::Assets::reducible_balance(asset, &vault, Preservation::Preserve, Fortitude::Polite);
			ensure!(payable >= total, "the vault account holds less than it owes");
		}
		for (asset, total) in TotalCollateral::<T>::iter() {
			ensure!(
				total == 0 || CollateralAssets::<T>::contains_key(asset),
				"a total for an unregistered asset"
			);
		}
		ensure!(Debtors::<T>::iter_keys().count() == debtors, "Debtors lists a subaccount that owes nothing");
		let mut owned = alloc::collections::BTreeMap::<(T::AccountId, AssetId), Balance>::new();
		for (subaccount, asset, amount) in Collateral::<T>::iter() {
			if asset != settlement {
				let sum = owned.entry((subaccount.owner, asset)).or_default();
				*sum = sum.checked_add(amount.unsigned_abs()).ok_or("owner holdings overflow")?;
			}
		}
		ensure!(
			OwnerHoldings::<T>::iter().count() == owned.len() &&
				OwnerHoldings::<T>::iter().all(|(owner, asset, total)| owned.get(&(owner, asset)) == Some(&total)),
			"an owner's holdings differ from the sum of its subaccounts'"
		);
		for (asset, curve) in HaircutCurves::<T>::iter() {
			ensure!(CollateralAssets::<T>::contains_key(asset), "a haircut curve for an unregistered asset");
			ensure!(asset != settlement, "a haircut curve for the settlement asset");
			ensure!(curve.validate().is_ok(), "a haircut curve beyond its bounds");
		}
		Ok(())
	}
}
