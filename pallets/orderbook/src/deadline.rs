//! The dead-man's switch (`schedule_cancel`): a per-subaccount deadline with a deposit, after
//! which the subaccount's older orders never fill (checked at matching) and are cancelled by
//! the block-start hook, oldest deadline first, within a per-block weight budget. No block
//! has a bounded number of deadlines for anyone to fill: a crowded block is handled over the
//! next blocks, and its orders are already dead meanwhile.

use crate::{pallet::*, weights::WeightInfo, CancelReason, Deadline};
use alloc::vec::Vec;
use clearing_primitives::{margin::{MarginEngine, Side}, Price};
use frame_support::{ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	DispatchError,
};

impl<T: Config> Pallet<T> {
	/// What `schedule_cancel` may cost: its benchmark, a passed switch firing over a full
	/// account first, and the deposit's margin check at the engine's worst.
	pub fn schedule_cancel_weight() -> Weight {
		T::WeightInfo::schedule_cancel()
			.saturating_add(Self::deadline_worst_weight())
			.saturating_add(T::Margin::reserve_order_margin_weight())
	}

	/// The most one due switch costs the hook: a full account read, all of it cancelled,
	/// and every trigger of the account.
	pub fn deadline_worst_weight() -> Weight {
		Self::fire_deadline_weight(T::MaxOpenOrders::get(), T::MaxOpenTriggers::get())
	}

	/// A switch that cancelled `orders` orders and `triggers` triggers: the benchmark (one
	/// market side), a price vector read and written per order (orders spread over markets
	/// and sides), the account's trigger list and a trigger cancel for each.
	fn fire_deadline_weight(orders: u32, triggers: u32) -> Weight {
		let db = T::DbWeight::get();
		T::WeightInfo::fire_deadline(orders)
			.saturating_add(db.reads_writes(u64::from(orders), u64::from(orders)))
			.saturating_add(db.reads(1))
			.saturating_add(T::WeightInfo::cancel_trigger().saturating_mul(u64::from(triggers)))
	}

	/// `schedule_cancel`: sets, renews or (`at` `None`) clears `owner`'s switch; returns the
	/// weight used.
	pub(crate) fn do_schedule_cancel(
		owner: SubaccountOf<T>,
		at: Option<BlockNumberFor<T>>,
	) -> Result<Weight, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut used = T::WeightInfo::schedule_cancel();
		if let Some(at) = at {
			ensure!(at > now, Error::<T>::DeadlinePassed);
			ensure!(at <= now.saturating_add(T::MaxCancelHorizon::get()), Error::<T>::DeadlineTooFar);
		}
		if let Some(old) = CancelDeadlines::<T>::get(&owner) {
			if old.at <= now {
				// Its orders are already dead: a late renewal does not revive them.
				used.saturating_accrue(Self::fire_deadline(&owner, old));
			} else {
				Self::drop_deadline(&owner, &old);
			}
		}
		if let Some(at) = at {
			let deposit = T::OrderDeposit::get();
			// A deposit only, in no market: size 0 sets no margin aside.
			let (_, reserving) = T::Margin::reserve_order_margin(&owner, 0, Side::Buy, 0, Price::zero(), deposit)?;
			used.saturating_accrue(reserving);
			CancelDeadlines::<T>::insert(&owner, Deadline { at, deposit });
			DeadlinesDue::<T>::insert(at, &owner, ());
		}
		Self::deposit_event(Event::CancelScheduled { subaccount: owner, at });
		Ok(used)
	}

	/// Forgets `owner`'s switch and releases its deposit.
	fn drop_deadline(owner: &SubaccountOf<T>, deadline: &Deadline<BlockNumberFor<T>>) {
		CancelDeadlines::<T>::remove(owner);
		DeadlinesDue::<T>::remove(deadline.at, owner);
		T::Margin::release_order_margin(owner, deadline.deposit);
	}

	/// `true` if `order`'s subaccount has a switch that has passed since it was placed: it
	/// may no longer fill.
	pub(crate) fn past_deadline(order: &OrderOf<T>) -> bool {
		Self::switch_passed_since(&order.owner, order.placed_at)
	}

	/// `true` if `owner`'s switch has passed, and was due after `placed_at`.
	pub(crate) fn switch_passed_since(owner: &SubaccountOf<T>, placed_at: BlockNumberFor<T>) -> bool {
		CancelDeadlines::<T>::get(owner).is_some_and(|deadline| {
			deadline.at <= frame_system::Pallet::<T>::block_number() && placed_at < deadline.at
		})
	}

	/// Fires `owner`'s switch: cancels its orders and triggers placed before the deadline
	/// (`DeadlineReached`), drops the switch with its deposit (`ScheduledCancelFired`);
	/// returns the weight used.
	pub(crate) fn fire_deadline(owner: &SubaccountOf<T>, deadline: Deadline<BlockNumberFor<T>>) -> Weight {
		let dead: Vec<OrderOf<T>> = Orders::<T>::iter_prefix_values(&owner.owner)
			.take(T::MaxOpenOrders::get() as usize)
			.filter(|order| order.owner == *owner && order.placed_at < deadline.at)
			.collect();
		let mut cancelled: u32 = 0;
		for order in dead {
			if Self::remove_order(&order, CancelReason::DeadlineReached).is_ok() {
				cancelled = cancelled.saturating_add(1);
			}
		}
		let triggers = Self::cancel_triggers_before(owner, deadline.at);
		Self::drop_deadline(owner, &deadline);
		Self::deposit_event(Event::ScheduledCancelFired { subaccount: owner.clone(), at: deadline.at, cancelled });
		Self::fire_deadline_weight(cancelled, triggers)
	}

	/// Handles the switches due up to `now`, oldest block first, while `budget` allows one
	/// more at its worst; returns the weight used.
	pub(crate) fn process_deadlines(now: BlockNumberFor<T>, budget: Weight) -> Weight {
		let db = T::DbWeight::get();
		let step = db.reads(1);
		let mut used = db.reads_writes(1, 1);
		if !used.all_lte(budget) {
			return Weight::zero();
		}
		let mut cursor = DeadlineCursor::<T>::get();
		while cursor <= now {
			if !used.saturating_add(step).saturating_add(Self::deadline_worst_weight()).all_lte(budget) {
				break;
			}
			used.saturating_accrue(step);
			let Some((owner, ())) = DeadlinesDue::<T>::iter_prefix(cursor).next() else {
				cursor.saturating_accrue(One::one());
				continue;
			};
			match CancelDeadlines::<T>::get(&owner) {
				Some(deadline) if deadline.at == cursor => used.saturating_accrue(Self::fire_deadline(&owner, deadline)),
				// An entry without its switch (never expected): drop it so the cursor moves on.
				_ => DeadlinesDue::<T>::remove(cursor, &owner),
			}
		}
		DeadlineCursor::<T>::put(cursor);
		used
	}

	/// The switches' invariants: each switch is due under its block and nothing else is due;
	/// every switch carries a deposit, added to `margins`.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub(crate) fn deadlines_try_state(
		margins: &mut alloc::collections::BTreeMap<SubaccountOf<T>, clearing_primitives::Balance>,
	) -> Result<(), sp_runtime::TryRuntimeError> {
		let mut switches = 0usize;
		let cursor = DeadlineCursor::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(cursor <= now.saturating_add(One::one()), "the switch cursor is ahead of the chain");
		for (owner, deadline) in CancelDeadlines::<T>::iter() {
			ensure!(deadline.at >= cursor, "the cleanup passed a due switch");
			ensure!(DeadlinesDue::<T>::contains_key(deadline.at, &owner), "a switch not due under its block");
			ensure!(deadline.deposit > 0, "a switch without a deposit");
			let held = margins.entry(owner).or_default();
			*held = held.saturating_add(deadline.deposit);
			switches = switches.saturating_add(1);
		}
		ensure!(DeadlinesDue::<T>::iter_keys().count() == switches, "a due entry without its switch");
		Ok(())
	}
}
