//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version.

/// v0 → v1: each series keeps its contracts' decimals beside its terms
/// ([`ListedSeries`](crate::ListedSeries)), so a health reading reads one key per series leg.
/// The decimals come from the series' market. A chain built with them from genesis is already
/// at v1 and skips this.
pub mod v1 {
	use crate::{pallet::{Config, Pallet, Series}, ListedSeries};
	use clearing_primitives::options::{SeriesMarkets, SeriesTerms};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// The unversioned step; use [`MigrateToV1`].
	pub struct KeepSeriesDecimals<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for KeepSeriesDecimals<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut moved: u64 = 0;
			// A single-block migration: at most `MaxSeries` series, each reading its market.
			Series::<T>::translate::<SeriesTerms, _>(|market, terms| {
				moved = moved.saturating_add(1);
				// Every series has its market (`try_state` checks it). Without one no position
				// can be held in it (a market closes only once none is), so its decimals count
				// nothing; 0 keeps the series listed, and the inconsistency is reported.
				let base_decimals = T::Markets::base_decimals(market).unwrap_or_else(|| {
					frame_support::defensive!("an option series without its market");
					0
				});
				Some(ListedSeries { terms, base_decimals })
			});
			T::DbWeight::get().reads_writes(moved.saturating_mul(2), moved)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			Ok(Series::<T>::count().encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before = u32::decode(&mut &state[..]).map_err(|_| "the count before")?;
			frame_support::ensure!(Series::<T>::iter().count() as u32 == before, "a series lost");
			Ok(())
		}
	}

	/// Runs [`KeepSeriesDecimals`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		KeepSeriesDecimals<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v1 → v2: scenario vectors move from one entry per series (with a cursor over them) to one
/// book per underlying ([`ScenarioBooks`](crate::pallet::ScenarioBooks)). They are a cache:
/// the old entries are dropped and the next block's refresh fills the books (until then no
/// portfolio subaccount opens risk on a series).
pub mod v2 {
	use crate::pallet::{Config, Pallet};
	use clearing_primitives::{options::SeriesScenarios, MarketId};
	use frame_support::{
		migrations::VersionedMigration,
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Twox64Concat,
	};

	/// The per-series vectors as v1 kept them.
	#[storage_alias]
	type ScenarioVectors<T: Config> = StorageMap<Pallet<T>, Twox64Concat, MarketId, SeriesScenarios>;

	/// v1's refresh cursor.
	#[storage_alias]
	type ScenarioCursor<T: Config> = StorageValue<Pallet<T>, MarketId>;

	/// The unversioned step; use [`MigrateToV2`].
	pub struct DropSeriesVectors<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for DropSeriesVectors<T> {
		fn on_runtime_upgrade() -> Weight {
			// At most `MaxSeries` vectors: one block.
			let removed = ScenarioVectors::<T>::clear(T::MaxSeries::get(), None);
			ScenarioCursor::<T>::kill();
			T::DbWeight::get().writes(u64::from(removed.unique).saturating_add(1))
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			frame_support::ensure!(ScenarioVectors::<T>::iter().next().is_none(), "a per-series vector left");
			Ok(())
		}
	}

	/// Runs [`DropSeriesVectors`] once, from storage version 1 to 2.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		DropSeriesVectors<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
