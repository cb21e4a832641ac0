//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version.

/// v0 → v1: each option series counts its holders ([`SeriesHolders`](crate::SeriesHolders)),
/// which a series' market must be without to close. Counts the positions already held in
/// series. A chain built with the count from genesis is already at v1 and skips this.
pub mod v1 {
	use crate::pallet::{Config, Pallet, Positions, SeriesHolders};
	use alloc::collections::BTreeMap;
	use clearing_primitives::{options::OptionMarks, MarketId};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// The unversioned step; use [`MigrateToV1`].
	pub struct CountSeriesHolders<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for CountSeriesHolders<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut holders = BTreeMap::<MarketId, u32>::new();
			let mut read: u64 = 0;
			// One pass over every position (a single-block migration: positions are bounded
			// by the accounts that hold them, each at most `MaxPositions`).
			for (_, market, _) in Positions::<T>::iter() {
				read = read.saturating_add(1);
				if T::Options::is_series(market) {
					let count = holders.entry(market).or_default();
					*count = count.saturating_add(1);
				}
			}
			let written = holders.len() as u64;
			for (market, count) in holders {
				SeriesHolders::<T>::insert(market, count);
			}
			T::DbWeight::get().reads_writes(read, written)
		}
	}

	/// Runs [`CountSeriesHolders`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		CountSeriesHolders<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
