//! Benchmarks on the most expensive paths: a proposal scheduled into a nearly full queue and
//! a nearly full block agenda (dry run included), a cancel from a full agenda, and the hook
//! enacting `k` due changes.

use super::*;
use crate::pallet::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get, Hooks};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

/// Queues `count` distinct increasing changes (ids from 1,000) due at `at`, as the
/// proposals would have.
fn queue<T: Config>(count: u32, at: BlockNumberFor<T>) {
	let now = frame_system::Pallet::<T>::block_number();
	for i in 0..count {
		let id = 1_000u32.saturating_add(i);
		let change = T::BenchmarkHelper::increasing(i);
		Pending::<T>::insert(id, PendingChange { change, scheduled_at: now, enact_at: at });
		Agenda::<T>::mutate(at, |due| due.try_push(id).expect("within MaxPerBlock"));
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn propose() {
		let origin = T::CouncilOrigin::try_successful_origin().expect("the council has an origin");
		let at = frame_system::Pallet::<T>::block_number().saturating_add(Timelock::<T>::get());
		let others = T::MaxPerBlock::get().saturating_sub(1);
		queue::<T>(others, at);
		// The rest of the queue, one per later block.
		for i in others..T::MaxPending::get().saturating_sub(1) {
			let id = 1_000u32.saturating_add(i);
			let later = at.saturating_add(i.saturating_add(1).into());
			Pending::<T>::insert(
				id,
				PendingChange { change: T::BenchmarkHelper::increasing(i), scheduled_at: at, enact_at: later },
			);
			Agenda::<T>::mutate(later, |due| due.try_push(id).expect("one in that block"));
		}
		let change = T::BenchmarkHelper::increasing(T::MaxPending::get());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, change);

		assert_eq!(Pending::<T>::count(), T::MaxPending::get());
	}

	#[benchmark]
	fn cancel() {
		let origin = T::CancelOrigin::try_successful_origin().expect("the canceller has an origin");
		let at = frame_system::Pallet::<T>::block_number().saturating_add(Timelock::<T>::get());
		queue::<T>(T::MaxPerBlock::get(), at);
		let last = 1_000u32.saturating_add(T::MaxPerBlock::get().saturating_sub(1));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, last);

		assert!(Pending::<T>::get(last).is_none());
	}

	/// `k` changes due this block.
	#[benchmark]
	fn on_initialize(k: Linear<0, { T::MaxPerBlock::get() }>) {
		let at = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
		queue::<T>(k, at);
		frame_system::Pallet::<T>::set_block_number(at);

		#[block]
		{
			Pallet::<T>::on_initialize(at);
		}

		assert_eq!(Pending::<T>::count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
