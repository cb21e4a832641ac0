//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version.

/// v0 → v1: each owner's holdings of every non-settlement asset over its subaccounts
/// ([`OwnerHoldings`](crate::OwnerHoldings)), the size its opening haircut is measured at.
/// Sums the holdings already stored. A chain built with the sums from genesis is already at
/// v1 and skips this.
pub mod v1 {
	use crate::pallet::{Collateral, Config, OwnerHoldings, Pallet};
	use alloc::collections::BTreeMap;
	use clearing_primitives::{AssetId, Balance};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// The unversioned step; use [`MigrateToV1`].
	pub struct SumOwnerHoldings<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for SumOwnerHoldings<T> {
		fn on_runtime_upgrade() -> Weight {
			let settlement = T::SettlementAsset::get();
			let mut sums = BTreeMap::<(T::AccountId, AssetId), Balance>::new();
			let mut read: u64 = 0;
			// One pass over every holding (a single-block migration: holdings are bounded by
			// the subaccounts that hold them, each at most `MaxCollateralAssets`).
			for (subaccount, asset, amount) in Collateral::<T>::iter() {
				read = read.saturating_add(1);
				if asset != settlement {
					let sum = sums.entry((subaccount.owner, asset)).or_default();
					*sum = sum.saturating_add(amount.unsigned_abs());
				}
			}
			let written = sums.len() as u64;
			for ((owner, asset), total) in sums {
				OwnerHoldings::<T>::insert(owner, asset, total);
			}
			T::DbWeight::get().reads_writes(read, written)
		}
	}

	/// Runs [`SumOwnerHoldings`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> =
		VersionedMigration<0, 1, SumOwnerHoldings<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
}
