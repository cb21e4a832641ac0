//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version; `pre_upgrade`/`post_upgrade` check it under `try-runtime`.

/// v0 → v1: a chain that gains this pallet by a runtime upgrade (not at genesis) starts with
/// no timelock at all, which would make every risk-increasing change due in a block that has
/// already begun. Sets the timelock to `Default` (at least `MinTimelock`) if it is below
/// `MinTimelock`; a chain built with the pallet at genesis is already at v1 and skips this.
pub mod v1 {
	use crate::pallet::{Config, Pallet, Timelock};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// The unversioned step; use [`MigrateToV1`].
	pub struct InitializeTimelock<T, Default>(core::marker::PhantomData<(T, Default)>);

	impl<T: Config, Default: Get<BlockNumberFor<T>>> UncheckedOnRuntimeUpgrade
		for InitializeTimelock<T, Default>
	{
		fn on_runtime_upgrade() -> Weight {
			let floor = T::MinTimelock::get();
			if Timelock::<T>::get() < floor {
				Timelock::<T>::put(Default::get().max(floor));
				T::DbWeight::get().reads_writes(1, 1)
			} else {
				T::DbWeight::get().reads(1)
			}
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			Ok(Timelock::<T>::get().encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before = BlockNumberFor::<T>::decode(&mut &before[..])
				.map_err(|_| "cannot decode the timelock saved before the upgrade")?;
			let now = Timelock::<T>::get();
			frame_support::ensure!(now >= T::MinTimelock::get(), "the timelock is below MinTimelock");
			frame_support::ensure!(
				before < T::MinTimelock::get() || now == before,
				"a valid timelock was changed"
			);
			Ok(())
		}
	}

	/// Runs [`InitializeTimelock`] once, from storage version 0 to 1.
	pub type MigrateToV1<T, Default> = VersionedMigration<
		0,
		1,
		InitializeTimelock<T, Default>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
