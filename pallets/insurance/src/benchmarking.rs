//! Benchmarks of every call on its most expensive path: a stake into a fund that already has
//! shares (the share-price path), an unstake that leaves part of the stake, a cancellation.

use crate::pallet::*;
use clearing_primitives::Balance;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungibles::Mutate, Get};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};

fn amount<T: Config>() -> Balance {
	T::MinStake::get().saturating_mul(1_000)
}

/// A staker funded for two stakes, with one already made (so shares exist).
fn staker<T: Config>() -> T::AccountId {
	let who: T::AccountId = whitelisted_caller();
	T::Assets::mint_into(T::SettlementAsset::get(), &who, amount::<T>().saturating_mul(4))
		.expect("mint for the benchmark");
	Pallet::<T>::do_stake(who.clone(), amount::<T>()).expect("first stake");
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn stake() {
		let who = staker::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount::<T>());

		assert_eq!(Shares::<T>::get(&who), Some(amount::<T>().saturating_mul(2)));
	}

	#[benchmark]
	fn request_unstake() {
		let who = staker::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount::<T>() / 2);

		assert!(PendingUnstakes::<T>::contains_key(&who));
	}

	#[benchmark]
	fn unstake() {
		let who = staker::<T>();
		Pallet::<T>::do_request_unstake(who.clone(), amount::<T>() / 2).expect("request");
		let unlock_at = PendingUnstakes::<T>::get(&who).expect("requested").unlock_at;
		frame_system::Pallet::<T>::set_block_number(unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!PendingUnstakes::<T>::contains_key(&who));
		assert_eq!(Shares::<T>::get(&who), Some(amount::<T>().saturating_sub(amount::<T>() / 2)));
	}

	#[benchmark]
	fn cancel_unstake() {
		let who = staker::<T>();
		Pallet::<T>::do_request_unstake(who.clone(), amount::<T>()).expect("request");

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!PendingUnstakes::<T>::contains_key(&who));
	}

	#[benchmark]
	fn set_cooldown() {
		let blocks: BlockNumberFor<T> = T::MaxCooldown::get();

		#[extrinsic_call]
		_(RawOrigin::Root, blocks);

		assert_eq!(CooldownBlocks::<T>::get(), blocks);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
