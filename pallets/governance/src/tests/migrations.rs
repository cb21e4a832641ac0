//! The v0 → v1 migration: a chain that gains the pallet by an upgrade gets its timelock.

use crate::{migrations::v1::MigrateToV1, mock::*, Pallet, RiskChange, Timelock};
use frame_support::{
	assert_ok,
	parameter_types,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};

parameter_types! {
	pub const DefaultTimelock: u64 = 86_400;
}

#[test]
fn genesis_is_already_at_v1_so_the_migration_does_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		MigrateToV1::<Test, DefaultTimelock>::on_runtime_upgrade();
		assert_eq!(Timelock::<Test>::get(), TIMELOCK);
	});
}

#[test]
fn a_chain_without_a_timelock_gets_the_default_and_moves_to_v1() {
	ExtBuilder::default().build_and_execute(|| {
		// As if the pallet arrived by a runtime upgrade: nothing stored.
		Timelock::<Test>::kill();
		StorageVersion::new(0).put::<Pallet<Test>>();
		MigrateToV1::<Test, DefaultTimelock>::on_runtime_upgrade();
		assert_eq!(Timelock::<Test>::get(), 86_400);
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		// A second run is a no-op.
		Timelock::<Test>::put(TIMELOCK);
		MigrateToV1::<Test, DefaultTimelock>::on_runtime_upgrade();
		assert_eq!(Timelock::<Test>::get(), TIMELOCK);
	});
}

#[test]
fn even_with_no_timelock_stored_a_change_waits_at_least_the_floor() {
	ExtBuilder::default().build_and_execute(|| {
		Timelock::<Test>::kill();
		assert_ok!(propose(RiskChange::AddFeeder { feeder: 8 }));
		// MinTimelock in the mock is 10 blocks.
		assert_eq!(crate::Pending::<Test>::get(0).map(|p| p.enact_at), Some(11));
	});
}
