//! Weights of `pallet_vaults`. Bootstrap file: regenerate with `scripts/bench/weights.sh
//! pallet_vaults` on the reference machine.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_vaults`.
pub trait WeightInfo {
	fn deposit() -> Weight;
	fn withdraw() -> Weight;
	fn transfer() -> Weight;
	fn set_collateral_asset() -> Weight;
}

/// Weights measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn deposit() -> Weight { T::DbWeight::get().reads_writes(6, 4) }
	fn withdraw() -> Weight { T::DbWeight::get().reads_writes(6, 4) }
	fn transfer() -> Weight { T::DbWeight::get().reads_writes(4, 3) }
	fn set_collateral_asset() -> Weight { T::DbWeight::get().reads_writes(4, 2) }
}

impl WeightInfo for () {
	fn deposit() -> Weight { RocksDbWeight::get().reads_writes(6, 4) }
	fn withdraw() -> Weight { RocksDbWeight::get().reads_writes(6, 4) }
	fn transfer() -> Weight { RocksDbWeight::get().reads_writes(4, 3) }
	fn set_collateral_asset() -> Weight { RocksDbWeight::get().reads_writes(4, 2) }
}
