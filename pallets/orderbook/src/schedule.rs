//! The dead-man's switch: a subaccount's open orders all cancelled at a block its owner
//! names, unless the owner renews the deadline first. A market maker whose quoting process
//! dies stops quoting within the delay it chose, without a transaction of its own.
//!
//! Each block holds at most `MaxCancelsPerBlock` deadlines (fired at its start, in the order
//! they were set), each account at most `MaxSchedulesPerAccount`, and a deadline is at most
//! `MaxCancelDelay` away: the hook's work per block and the storage deadlines take are
//! bounded, and a deadline is set only by an account with open orders, which carry deposits.

use crate::pallet::*;
use clearing_primitives::collateral::{Subaccount, SubaccountNumber};
use frame_support::{
	ensure,
	storage::with_storage_layer,
	traits::Get,
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchResult};

impl<T: Config> Pallet<T> {
	/// Sets (or moves) the deadline of `owner`'s subaccount `number` to block `at`, or with
	/// `None` clears it.
	pub(crate) fn do_schedule_cancel(
		owner: T::AccountId,
		number: SubaccountNumber,
		at: Option<BlockNumberFor<T>>,
	) -> DispatchResult {
		let previous = ScheduledCancels::<T>::get(&owner, number);
		let subaccount = Subaccount::new(owner, number);
		let Some(at) = at else {
			let previous = previous.ok_or(Error::<T>::NothingScheduled)?;
			Self::unqueue(previous, &subaccount);
			ScheduledCancels::<T>::remove(&subaccount.owner, number);
			Self::deposit_event(Event::CancelUnscheduled { owner: subaccount });
			return Ok(());
		};
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(at > now, Error::<T>::CancelNotInFuture);
		ensure!(at <= now.saturating_add(T::MaxCancelDelay::get()), Error::<T>::CancelTooFar);
		ensure!(OpenOrders::<T>::get(&subaccount.owner) > 0, Error::<T>::NoOpenOrders);
		match previous {
			Some(previous) => Self::unqueue(previous, &subaccount),
			None => {
				let held = ScheduledCancels::<T>::iter_prefix(&subaccount.owner)
					.take(T::MaxSchedulesPerAccount::get() as usize)
					.count();
				ensure!(held < T::MaxSchedulesPerAccount::get() as usize, Error::<T>::TooManySchedules);
			},
		}
		CancelsDue::<T>::try_mutate(at, |due| due.try_push(subaccount.clone()))
			.map_err(|_| Error::<T>::CancelQueueFull)?;
		ScheduledCancels::<T>::insert(&subaccount.owner, number, at);
		Self::deposit_event(Event::CancelScheduled { owner: subaccount, at });
		Ok(())
	}

	/// Takes `subaccount` out of block `at`'s queue.
	fn unqueue(at: BlockNumberFor<T>, subaccount: &SubaccountOf<T>) {
		CancelsDue::<T>::mutate_exists(at, |due| {
			if let Some(queue) = due {
				queue.retain(|queued| queued != subaccount);
				if queue.is_empty() {
					*due = None;
				}
			}
		});
	}

	/// Cancels the open orders of every subaccount whose deadline is block `now`; returns
	/// the weight used: the queue's read, and for each subaccount its deadline's removal and
	/// a `cancel_all` of the account's orders it read.
	pub(crate) fn fire_scheduled_cancels(now: BlockNumberFor<T>) -> Weight {
		let db = T::DbWeight::get();
		let mut weight = db.reads_writes(1, 1);
		for subaccount in CancelsDue::<T>::take(now) {
			ScheduledCancels::<T>::remove(&subaccount.owner, subaccount.number);
			weight.saturating_accrue(db.writes(1));
			// Its own layer: a failure (none is known) leaves the others to go on.
			let cancelled = with_storage_layer(|| {
				Self::do_cancel_all(subaccount.owner.clone(), subaccount.number, None)
			});
			// On a failure, charge what the worst case could have done.
			weight.saturating_accrue(
				cancelled.unwrap_or_else(|_| Self::cancel_all_weight(T::MaxOpenOrders::get())),
			);
		}
		weight
	}

	/// The most `fire_scheduled_cancels` may weigh: a full queue of subaccounts, each of an
	/// account at `MaxOpenOrders`.
	pub fn max_scheduled_cancels_weight() -> Weight {
		let db = T::DbWeight::get();
		let per_subaccount =
			db.writes(1).saturating_add(Self::cancel_all_weight(T::MaxOpenOrders::get()));
		db.reads_writes(1, 1)
			.saturating_add(per_subaccount.saturating_mul(u64::from(T::MaxCancelsPerBlock::get())))
	}
}
