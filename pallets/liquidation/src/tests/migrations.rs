//! The v0 → v1 migration: a penalty the runtime kept in its own storage item moves here.

use crate::{
	migrations::v1::{old_penalty_key, MigrateToV1},
	mock::*,
	Pallet, PenaltyRate,
};
use frame_support::{
	storage::unhashed,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};
use sp_runtime::Permill;

#[test]
fn genesis_is_already_at_v1_so_the_migration_does_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		unhashed::put(&old_penalty_key(), &Permill::from_percent(3));
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PenaltyRate::<Test>::get(), DefaultPenaltyRate::get());
		unhashed::kill(&old_penalty_key());
	});
}

#[test]
fn a_penalty_governance_had_set_moves_into_the_pallet_and_the_old_item_goes() {
	ExtBuilder::default().build_and_execute(|| {
		StorageVersion::new(0).put::<Pallet<Test>>();
		unhashed::put(&old_penalty_key(), &Permill::from_percent(3));
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PenaltyRate::<Test>::get(), Permill::from_percent(3));
		assert!(!unhashed::exists(&old_penalty_key()));
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		// A second run is a no-op.
		PenaltyRate::<Test>::put(Permill::from_percent(2));
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PenaltyRate::<Test>::get(), Permill::from_percent(2));
	});
}

#[test]
fn an_old_penalty_above_the_bound_is_clamped_and_none_keeps_the_default() {
	ExtBuilder::default().build_and_execute(|| {
		StorageVersion::new(0).put::<Pallet<Test>>();
		unhashed::put(&old_penalty_key(), &Permill::from_percent(40));
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PenaltyRate::<Test>::get(), MaxPenaltyRate::get());
	});
	ExtBuilder::default().build_and_execute(|| {
		StorageVersion::new(0).put::<Pallet<Test>>();
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PenaltyRate::<Test>::get(), DefaultPenaltyRate::get());
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
	});
}
