//! The calls' logic, the reports and the invariants.

use crate::{pallet::*, shares, FundInfo, StakerInfo, UnstakeRequest};
use clearing_primitives::{insurance::BackstopEquity, Balance};
use frame_support::{
	ensure,
	traits::{
		fungibles::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, UniqueSaturatedInto, Zero},
	ArithmeticError, DispatchError, DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The account that holds the fund.
	pub fn fund_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// What the fund is worth to its shares: the balance less the backstop's loss at the
	/// mark, if it carries one (its gains count once realized into the balance). Stakes buy
	/// and unstakes pay at this value, so a loss building in the backstop is borne by
	/// whoever holds shares while it builds.
	pub fn fund_value() -> Result<Balance, DispatchError> {
		Ok(Self::value_with(FundBalance::<T>::get(), T::Backstop::backstop_equity()?))
	}

	/// The fund's value at `balance` with the backstop at `equity`: one rule for stakes,
	/// unstakes and the `InsuranceApi.fund()` view.
	fn value_with(balance: Balance, equity: clearing_primitives::SignedBalance) -> Balance {
		shares::fund_value(balance, equity.min(0))
	}

	pub(crate) fn do_stake(who: T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(amount >= T::MinStake::get(), Error::<T>::StakeTooSmall);
		Self::mint_protocol_shares_if_unowned();
		let balance = FundBalance::<T>::get();
		let fund = Self::fund_value()?;
		let total = TotalShares::<T>::get();
		let minted = shares::shares_for_deposit(amount, fund, total).ok_or(if fund == 0 {
			Error::<T>::FundDepleted.into()
		} else {
			sp_runtime::DispatchError::from(ArithmeticError::Overflow)
		})?;
		ensure!(minted > 0, Error::<T>::StakeTooSmall);
		let new_fund = balance.checked_add(amount).ok_or(ArithmeticError::Overflow)?;
		let new_total = total.checked_add(minted).ok_or(ArithmeticError::Overflow)?;
		let held = Shares::<T>::get(&who)
			.unwrap_or_default()
			.checked_add(minted)
			.ok_or(ArithmeticError::Overflow)?;

		T::Assets::transfer(
			T::SettlementAsset::get(),
			&who,
			&Self::fund_account(),
			amount,
			Preservation::Preserve,
		)?;
		FundBalance::<T>::put(new_fund);
		TotalShares::<T>::put(new_total);
		Shares::<T>::insert(&who, held);
		Self::deposit_event(Event::Staked { who, amount, shares: minted });
		Ok(())
	}

	/// With no shares outstanding, whatever the fund holds is the protocol's: mint it shares
	/// at one per unit before anyone else buys in.
	fn mint_protocol_shares_if_unowned() {
		let fund = FundBalance::<T>::get();
		if TotalShares::<T>::get() == 0 && fund > 0 {
			ProtocolShares::<T>::put(fund);
			TotalShares::<T>::put(fund);
			Self::deposit_event(Event::ProtocolSharesMinted { shares: fund });
		}
	}

	/// The last block in which a request unlocking at `unlock_at` may be paid out.
	fn claim_deadline(unlock_at: BlockNumberFor<T>) -> BlockNumberFor<T> {
		unlock_at.saturating_add(T::ClaimWindow::get())
	}

	pub(crate) fn do_request_unstake(who: T::AccountId, shares: Balance) -> DispatchResult {
		ensure!(shares > 0, Error::<T>::ZeroShares);
		let now = frame_system::Pallet::<T>::block_number();
		// A lapsed request is replaced; a live one must be cancelled first.
		let lapsed = match PendingUnstakes::<T>::get(&who) {
			Some(request) => {
				ensure!(now > Self::claim_deadline(request.unlock_at), Error::<T>::UnstakeAlreadyRequested);
				request.shares
			},
			None => 0,
		};
		ensure!(
			Shares::<T>::get(&who).unwrap_or_default() >= shares,
			Error::<T>::InsufficientShares
		);
		let pending = PendingShares::<T>::get()
			.checked_sub(lapsed)
			.and_then(|p| p.checked_add(shares))
			.ok_or(ArithmeticError::Overflow)?;
		let unlock_at = now.saturating_add(CooldownBlocks::<T>::get());
		PendingUnstakes::<T>::insert(&who, UnstakeRequest { shares, unlock_at });
		PendingShares::<T>::put(pending);
		Self::deposit_event(Event::UnstakeRequested { who, shares, unlock_at });
		Ok(())
	}

	pub(crate) fn do_unstake(who: T::AccountId) -> DispatchResult {
		let request = PendingUnstakes::<T>::get(&who).ok_or(Error::<T>::NoUnstakeRequested)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now >= request.unlock_at, Error::<T>::CooldownNotOver);
		ensure!(now <= Self::claim_deadline(request.unlock_at), Error::<T>::RequestLapsed);
		let fund = FundBalance::<T>::get();
		let total = TotalShares::<T>::get();
		// Paid at the fund's value: never more than the balance.
		let amount = shares::value_of_shares(request.shares, Self::fund_value()?, total);
		let held = Shares::<T>::get(&who)
			.unwrap_or_default()
			.checked_sub(request.shares)
			.ok_or(ArithmeticError::Underflow)?;
		let new_total = total.checked_sub(request.shares).ok_or(ArithmeticError::Underflow)?;
		let new_fund = fund.checked_sub(amount).ok_or(ArithmeticError::Underflow)?;
		let pending = PendingShares::<T>::get()
			.checked_sub(request.shares)
			.ok_or(ArithmeticError::Underflow)?;

		if amount > 0 {
			T::Assets::transfer(
				T::SettlementAsset::get(),
				&Self::fund_account(),
				&who,
				amount,
				Preservation::Preserve,
			)?;
		}
		if held == 0 {
			Shares::<T>::remove(&who);
		} else {
			Shares::<T>::insert(&who, held);
		}
		TotalShares::<T>::put(new_total);
		FundBalance::<T>::put(new_fund);
		PendingShares::<T>::put(pending);
		PendingUnstakes::<T>::remove(&who);
		Self::deposit_event(Event::Unstaked { who, shares: request.shares, amount });
		Ok(())
	}

	pub(crate) fn do_cancel_unstake(who: T::AccountId) -> DispatchResult {
		let request = PendingUnstakes::<T>::take(&who).ok_or(Error::<T>::NoUnstakeRequested)?;
		let pending = PendingShares::<T>::get()
			.checked_sub(request.shares)
			.ok_or(ArithmeticError::Underflow)?;
		PendingShares::<T>::put(pending);
		Self::deposit_event(Event::UnstakeCancelled { who, shares: request.shares });
		Ok(())
	}

	pub(crate) fn do_set_cooldown(blocks: BlockNumberFor<T>) -> DispatchResult {
		ensure!(
			!blocks.is_zero() && blocks <= T::MaxCooldown::get(),
			Error::<T>::CooldownOutOfBounds
		);
		CooldownBlocks::<T>::put(blocks);
		Self::deposit_event(Event::CooldownSet { blocks });
		Ok(())
	}

	/// Genesis only: mints the fund account's existential reserve where it is missing.
	pub(crate) fn fund_reserve_at_genesis() -> DispatchResult {
		let asset = T::SettlementAsset::get();
		let account = Self::fund_account();
		let missing =
			T::Assets::minimum_balance(asset).saturating_sub(T::Assets::balance(asset, &account));
		if missing > 0 {
			T::Assets::mint_into(asset, &account, missing)?;
		}
		Ok(())
	}

	/// The `InsuranceApi.fund()` report.
	pub fn fund_info() -> FundInfo {
		let balance = FundBalance::<T>::get();
		// A view: an unreadable backstop shows as none (the calls refuse to price then).
		let backstop_equity = T::Backstop::backstop_equity().unwrap_or_default();
		let total_shares = TotalShares::<T>::get();
		let value = Self::value_with(balance, backstop_equity);
		FundInfo {
			balance,
			backstop_equity,
			value,
			total_shares,
			protocol_shares: ProtocolShares::<T>::get(),
			share_price: shares::share_price(value, total_shares),
			pending_unstakes: PendingUnstakes::<T>::count(),
			pending_shares: PendingShares::<T>::get(),
			cooldown_blocks: CooldownBlocks::<T>::get().unique_saturated_into(),
		}
	}

	/// The `InsuranceApi.staker(who)` report.
	pub fn staker_info(who: T::AccountId) -> StakerInfo<BlockNumberFor<T>> {
		let held = Shares::<T>::get(&who).unwrap_or_default();
		StakerInfo {
			shares: held,
			value: shares::value_of_shares(held, Self::fund_value().unwrap_or_default(), TotalShares::<T>::get()),
			pending: PendingUnstakes::<T>::get(&who),
		}
	}

	/// The fund's invariants: shares add up, pending shares are held and add up, and the
	/// account can pay the whole balance while keeping its reserve (it may hold more:
	/// anyone can send tokens to it).
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut staked: Balance = 0;
		for (_, held) in Shares::<T>::iter() {
			ensure!(held > 0, "a zero share entry is stored");
			staked = staked.checked_add(held).ok_or("shares overflow")?;
		}
		ensure!(
			staked.checked_add(ProtocolShares::<T>::get()) == Some(TotalShares::<T>::get()),
			"total shares differ from the stakers' and the protocol's"
		);
		let mut pending: Balance = 0;
		for (who, request) in PendingUnstakes::<T>::iter() {
			ensure!(request.shares > 0, "a request for zero shares");
			ensure!(
				Shares::<T>::get(&who).unwrap_or_default() >= request.shares,
				"a request for more shares than held"
			);
			pending = pending.checked_add(request.shares).ok_or("pending overflow")?;
		}
		ensure!(pending == PendingShares::<T>::get(), "pending shares differ from the requests");
		let payable = T::Assets::reducible_balance(
			T::SettlementAsset::get(),
			&Self::fund_account(),
			Preservation::Preserve,
			Fortitude::Polite,
		);
		ensure!(payable >= FundBalance::<T>::get(), "the fund account holds less than the fund");
		ensure!(
			TotalShares::<T>::get() > 0 || ProtocolShares::<T>::get() == 0,
			"protocol shares without a share supply"
		);
		Ok(())
	}
}
