//! Proposing, scheduling, cancelling and enacting changes.

use crate::{
	classify::{self, BoundError, Direction},
	pallet::*,
	weights::WeightInfo,
	ChangeId, PendingChange, RiskChange, RiskParameters,
};
use frame_support::{
	ensure,
	storage::{with_storage_layer, with_transaction},
	traits::Get,
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::Saturating, DispatchError, DispatchResult, TransactionOutcome,
};

impl<T: Config> From<BoundError> for Error<T> {
	fn from(error: BoundError) -> Self {
		match error {
			BoundError::OutOfBounds => Error::<T>::OutOfBounds,
			BoundError::StepTooLarge => Error::<T>::StepTooLarge,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Which way `change` moves risk from what is set now, if it is within bounds and step.
	pub fn assess(change: &RiskChangeOf<T>) -> Result<Direction, DispatchError> {
		let bound = |e: BoundError| DispatchError::from(Error::<T>::from(e));
		let direction = match change {
			RiskChange::SetMarketMargin { market, initial, maintenance } => {
				let current = T::Parameters::market_margin(*market).ok_or(Error::<T>::UnknownMarket)?;
				let proposed =
					classify::MarginFractions { initial: *initial, maintenance: *maintenance };
				classify::margin(current, proposed).map_err(bound)?
			},
			RiskChange::SetOpenInterestCap { market, max_open_interest } => {
				let current = T::Parameters::open_interest_cap(*market).ok_or(Error::<T>::UnknownMarket)?;
				classify::cap(current, *max_open_interest).map_err(bound)?
			},
			RiskChange::SetMarketStatus { market, status } => {
				let current = T::Parameters::market_status(*market).ok_or(Error::<T>::UnknownMarket)?;
				classify::status(current, *status)
			},
			RiskChange::ListMarket { listing, .. } => {
				classify::margin_in_bounds(T::Parameters::listing_margin(listing)).map_err(bound)?;
				classify::listing()
			},
			RiskChange::SetHaircut { asset, haircut } => {
				let (current, _) = T::Parameters::collateral(*asset).ok_or(Error::<T>::UnknownCollateral)?;
				classify::haircut(current, *haircut).map_err(bound)?
			},
			RiskChange::SetDepositCap { asset, deposit_cap } => {
				let (_, current) = T::Parameters::collateral(*asset).ok_or(Error::<T>::UnknownCollateral)?;
				classify::cap(current, *deposit_cap).map_err(bound)?
			},
			RiskChange::ListCollateral { listing, .. } => {
				classify::haircut_in_bounds(T::Parameters::listing_haircut(listing)).map_err(bound)?;
				classify::listing()
			},
			RiskChange::SetOracleLimits { min_feeders, max_age_ms, max_jump } => {
				let proposed = classify::OracleLimits {
					min_feeders: *min_feeders,
					max_age_ms: *max_age_ms,
					max_jump: *max_jump,
				};
				classify::oracle(T::Parameters::oracle_limits(), proposed).map_err(bound)?
			},
			RiskChange::AddFeeder { feeder } => {
				ensure!(!T::Parameters::is_feeder(feeder), Error::<T>::AlreadyFeeder);
				classify::add_feeder()
			},
			RiskChange::RemoveFeeder { feeder } => {
				ensure!(T::Parameters::is_feeder(feeder), Error::<T>::NotFeeder);
				classify::remove_feeder()
			},
			RiskChange::SetUnstakeCooldown { blocks } =>
				classify::cooldown(T::Parameters::unstake_cooldown(), *blocks).map_err(bound)?,
			RiskChange::SetLiquidationPenalty { rate } =>
				classify::penalty(T::Parameters::liquidation_penalty(), *rate).map_err(bound)?,
			RiskChange::AuthorizeUpgrade { .. } => classify::listing(),
		};
		Ok(direction)
	}

	pub(crate) fn do_propose(change: RiskChangeOf<T>) -> DispatchResult {
		match Self::assess(&change)? {
			Direction::Unchanged => Err(Error::<T>::NoChange.into()),
			Direction::Reduces => {
				T::Parameters::enact(&change)?;
				Self::deposit_event(Event::ChangeEnacted { id: None, change });
				Ok(())
			},
			Direction::Increases => Self::schedule(change),
		}
	}

	/// Schedules a risk-increasing `change` after a dry run of its enactment.
	fn schedule(change: RiskChangeOf<T>) -> DispatchResult {
		ensure!(Pending::<T>::count() < T::MaxPending::get(), Error::<T>::TooManyPending);
		// Would the owning pallet take it now? Tell the proposer at once, not in a day.
		with_transaction(|| {
			TransactionOutcome::Rollback(T::Parameters::enact(&change))
		})?;
		let now = frame_system::Pallet::<T>::block_number();
		// Never below the floor, whatever storage holds (a chain that gained the pallet by an
		// upgrade starts at zero until its migration runs).
		let timelock = Timelock::<T>::get().max(T::MinTimelock::get());
		let enact_at = now.saturating_add(timelock);
		let id = NextChangeId::<T>::get();
		Agenda::<T>::try_mutate(enact_at, |due| due.try_push(id))
			.map_err(|_| Error::<T>::AgendaFull)?;
		NextChangeId::<T>::put(id.wrapping_add(1));
		Pending::<T>::insert(id, PendingChange { change: change.clone(), scheduled_at: now, enact_at });
		Self::deposit_event(Event::ChangeScheduled { id, change, enact_at });
		Ok(())
	}

	pub(crate) fn do_cancel(id: ChangeId) -> DispatchResult {
		let pending = Pending::<T>::take(id).ok_or(Error::<T>::ChangeNotFound)?;
		Agenda::<T>::mutate_exists(pending.enact_at, |due| {
			if let Some(ids) = due {
				ids.retain(|other| *other != id);
				if ids.is_empty() {
					*due = None;
				}
			}
		});
		Self::deposit_event(Event::ChangeCancelled { id });
		Ok(())
	}

	/// Enacts the changes due at the start of block `n`, each re-checked against its bounds
	/// and steps first; a change that fails leaves nothing behind. Returns the weight used.
	pub(crate) fn enact_due(n: BlockNumberFor<T>) -> Weight {
		let due = Agenda::<T>::take(n);
		let mut weight = T::WeightInfo::on_initialize(due.len() as u32);
		for id in due {
			let Some(pending) = Pending::<T>::take(id) else { continue };
			weight = weight.saturating_add(T::Parameters::enact_weight(&pending.change));
			let outcome = with_storage_layer(|| {
				Self::assess(&pending.change)?;
				T::Parameters::enact(&pending.change)
			});
			match outcome {
				Ok(()) => Self::deposit_event(Event::ChangeEnacted {
					id: Some(id),
					change: pending.change,
				}),
				Err(error) => Self::deposit_event(Event::ChangeFailed { id, error }),
			}
		}
		weight
	}

	/// Every pending change is due at its block and in that block's agenda, and no agenda
	/// names a change that is not pending; the pending count is within `MaxPending`.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut pending: u32 = 0;
		for (id, change) in Pending::<T>::iter() {
			pending = pending.saturating_add(1);
			ensure!(change.enact_at > now, "a pending change is overdue");
			ensure!(Agenda::<T>::get(change.enact_at).contains(&id), "a pending change is off the agenda");
		}
		ensure!(pending == Pending::<T>::count(), "the pending count is off");
		ensure!(pending <= T::MaxPending::get(), "more pending changes than MaxPending");
		for (at, ids) in Agenda::<T>::iter() {
			for id in ids {
				ensure!(
					Pending::<T>::get(id).is_some_and(|p| p.enact_at == at),
					"the agenda names a change that is not pending then"
				);
			}
		}
		Ok(())
	}
}
