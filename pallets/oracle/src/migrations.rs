//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version.

/// v0 → v1: the aggregated smiles move from one entry per `(underlying, expiry)` to one per
/// underlying ([`Surfaces`](crate::Surfaces)), so a health reading over many expiries reads
/// one key. A chain built with the new layout from genesis is already at v1 and skips this.
pub mod v1 {
	use crate::{
		pallet::{Config, Pallet},
		SmilesOf, SurfaceRecord,
	};
	use alloc::{collections::BTreeMap, vec::Vec};
	use clearing_primitives::{oracle::Moment, AssetId};
	use frame_support::{
		migrations::VersionedMigration,
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Twox64Concat,
	};

	/// The v0 layout: one smile per `(underlying, expiry)`, under the same storage prefix.
	#[storage_alias]
	type Surfaces<T: Config> = StorageMap<Pallet<T>, Twox64Concat, (AssetId, Moment), SurfaceRecord>;

	/// The unversioned step; use [`MigrateToV1`].
	pub struct GroupSmilesByUnderlying<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for GroupSmilesByUnderlying<T> {
		fn on_runtime_upgrade() -> Weight {
			// A single-block migration: at most `MaxSurfaces` smiles (their feeds are capped).
			let old: Vec<((AssetId, Moment), SurfaceRecord)> = Surfaces::<T>::drain().collect();
			let moved = old.len() as u64;
			let mut grouped: BTreeMap<AssetId, Vec<(Moment, SurfaceRecord)>> = BTreeMap::new();
			for ((underlying, expiry), record) in old {
				grouped.entry(underlying).or_default().push((expiry, record));
			}
			let mut written: u64 = 0;
			for (underlying, mut smiles) in grouped {
				smiles.sort_by_key(|(expiry, _)| *expiry);
				// Never over the bound (the old map held at most `MaxSurfaces` in all); the
				// later expiries would go first, and are fed again within seconds.
				smiles.truncate(T::MaxSurfaces::get() as usize);
				let smiles: SmilesOf<T> = smiles.try_into().unwrap_or_default();
				crate::pallet::Surfaces::<T>::insert(underlying, smiles);
				written = written.saturating_add(1);
			}
			T::DbWeight::get().reads_writes(moved, moved.saturating_add(written))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			Ok((Surfaces::<T>::iter().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before = u32::decode(&mut &state[..]).map_err(|_| "the count before")?;
			let after: usize = crate::pallet::Surfaces::<T>::iter_values().map(|smiles| smiles.len()).sum();
			frame_support::ensure!(after as u32 == before, "a smile lost");
			Ok(())
		}
	}

	/// Runs [`GroupSmilesByUnderlying`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		GroupSmilesByUnderlying<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
