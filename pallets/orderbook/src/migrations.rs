//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version.

/// v0 → v1: `Order` gains `good_til` (good-til-block orders). Every order resting before is
/// good until cancelled; the cleanup cursors start at the upgrade's block.
pub mod v1 {
	use crate::pallet::{Config, Orders, Pallet};
	use crate::Order;
	use clearing_primitives::{collateral::Subaccount, margin::Side, Balance, MarketId, Price};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// An order as v0 stored it.
	#[derive(Encode, Decode)]
	pub struct OrderV0<AccountId, BlockNumber> {
		pub id: crate::OrderId,
		pub owner: Subaccount<AccountId>,
		pub market: MarketId,
		pub side: Side,
		pub price: Price,
		pub remaining: Balance,
		pub reduce_only: bool,
		pub placed_at: BlockNumber,
		pub deposit: Balance,
		pub margin: Balance,
	}

	/// The unversioned step; use [`MigrateToV1`].
	pub struct AddGoodTil<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddGoodTil<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut orders: u64 = 0;
			Orders::<T>::translate::<OrderV0<T::AccountId, BlockNumberFor<T>>, _>(|_, _, old| {
				orders = orders.saturating_add(1);
				Some(Order {
					id: old.id,
					owner: old.owner,
					market: old.market,
					side: old.side,
					price: old.price,
					remaining: old.remaining,
					reduce_only: old.reduce_only,
					placed_at: old.placed_at,
					deposit: old.deposit,
					margin: old.margin,
					good_til: None,
					// v2's field: an order read back by v2 as `OrderV1` keeps it none.
					client_id: None,
				})
			});
			// The block-start cleanup starts from here, not from block 0.
			let now = frame_system::Pallet::<T>::block_number();
			crate::pallet::ExpiryCursor::<T>::put(now);
			crate::pallet::DeadlineCursor::<T>::put(now);
			T::DbWeight::get().reads_writes(orders, orders.saturating_add(2))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Orders::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &before[..]).map_err(|_| "cannot decode the order count")?;
			let after = Orders::<T>::iter_values().filter(|order| order.good_til.is_none()).count() as u64;
			frame_support::ensure!(after == before, "an order was lost or changed in the migration");
			Ok(())
		}
	}

	/// Runs [`AddGoodTil`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> =
		VersionedMigration<0, 1, AddGoodTil<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
}

/// v1 → v2: `Order` gains `client_id` (the trader's own id). Every order resting before has
/// none.
pub mod v2 {
	use crate::pallet::{Config, Orders, Pallet};
	use crate::Order;
	use clearing_primitives::{collateral::Subaccount, margin::Side, Balance, MarketId, Price};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// An order as v1 stored it.
	#[derive(Encode, Decode)]
	pub struct OrderV1<AccountId, BlockNumber> {
		pub id: crate::OrderId,
		pub owner: Subaccount<AccountId>,
		pub market: MarketId,
		pub side: Side,
		pub price: Price,
		pub remaining: Balance,
		pub reduce_only: bool,
		pub placed_at: BlockNumber,
		pub deposit: Balance,
		pub margin: Balance,
		pub good_til: Option<BlockNumber>,
	}

	/// The unversioned step; use [`MigrateToV2`].
	pub struct AddClientId<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddClientId<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut orders: u64 = 0;
			Orders::<T>::translate::<OrderV1<T::AccountId, BlockNumberFor<T>>, _>(|_, _, old| {
				orders = orders.saturating_add(1);
				Some(Order {
					id: old.id,
					owner: old.owner,
					market: old.market,
					side: old.side,
					price: old.price,
					remaining: old.remaining,
					reduce_only: old.reduce_only,
					placed_at: old.placed_at,
					deposit: old.deposit,
					margin: old.margin,
					good_til: old.good_til,
					client_id: None,
				})
			});
			T::DbWeight::get().reads_writes(orders, orders)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Orders::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &before[..]).map_err(|_| "cannot decode the order count")?;
			let after = Orders::<T>::iter_values().filter(|order| order.client_id.is_none()).count() as u64;
			frame_support::ensure!(after == before, "an order was lost or changed in the migration");
			Ok(())
		}
	}

	/// Runs [`AddClientId`] once, from storage version 1 to 2.
	pub type MigrateToV2<T> =
		VersionedMigration<1, 2, AddClientId<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
}
