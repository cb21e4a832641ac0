//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version; `pre_upgrade`/`post_upgrade` check it under `try-runtime`.

/// v0 → v1: the penalty moves into this pallet's storage. Before, the runtime kept it in a
/// well-known storage item (`parameter_types! { pub storage LiquidationPenalty }`, stored at
/// `twox_128(b":LiquidationPenalty:")`), so a penalty governance had set there would be lost
/// at the upgrade. Copies it into [`PenaltyRate`](crate::PenaltyRate), at most
/// `MaxPenaltyRate`, and removes the old item; with none stored the default stays. A chain
/// built with the penalty in this pallet from genesis is already at v1 and skips this.
pub mod v1 {
	use crate::pallet::{Config, Pallet, PenaltyRate};
	use frame_support::{
		migrations::VersionedMigration,
		storage::unhashed,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use sp_runtime::Permill;

	/// The name of the runtime's former storage item.
	pub const OLD_PENALTY_NAME: &[u8] = b":LiquidationPenalty:";

	/// Where the runtime kept the penalty before v1.
	pub fn old_penalty_key() -> [u8; 16] {
		sp_io::hashing::twox_128(OLD_PENALTY_NAME)
	}

	/// The unversioned step; use [`MigrateToV1`].
	pub struct MovePenalty<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for MovePenalty<T> {
		fn on_runtime_upgrade() -> Weight {
			let key = old_penalty_key();
			let Some(rate) = unhashed::get::<Permill>(&key) else {
				return T::DbWeight::get().reads(1);
			};
			PenaltyRate::<T>::put(rate.min(T::MaxPenaltyRate::get()));
			unhashed::kill(&key);
			T::DbWeight::get().reads_writes(1, 2)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			Ok(unhashed::get::<Permill>(&old_penalty_key()).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before = Option::<Permill>::decode(&mut &before[..])
				.map_err(|_| "cannot decode the penalty saved before the upgrade")?;
			frame_support::ensure!(!unhashed::exists(&old_penalty_key()), "the old penalty is still stored");
			if let Some(rate) = before {
				frame_support::ensure!(
					PenaltyRate::<T>::get() == rate.min(T::MaxPenaltyRate::get()),
					"the penalty did not move"
				);
			}
			Ok(())
		}
	}

	/// Runs [`MovePenalty`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		MovePenalty<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
