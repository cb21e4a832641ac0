//! Weights of `pallet_insurance`. Bootstrap file: regenerate with `scripts/bench/weights.sh
//! pallet_insurance` on the reference machine.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_insurance`.
pub trait WeightInfo {
	fn stake() -> Weight;
	fn request_unstake() -> Weight;
	fn unstake() -> Weight;
	fn cancel_unstake() -> Weight;
	fn set_cooldown() -> Weight;
}

/// Weights measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn stake() -> Weight { T::DbWeight::get().reads_writes(7, 5) }
	fn request_unstake() -> Weight { T::DbWeight::get().reads_writes(4, 3) }
	fn unstake() -> Weight { T::DbWeight::get().reads_writes(8, 7) }
	fn cancel_unstake() -> Weight { T::DbWeight::get().reads_writes(2, 2) }
	fn set_cooldown() -> Weight { T::DbWeight::get().writes(1) }
}

impl WeightInfo for () {
	fn stake() -> Weight { RocksDbWeight::get().reads_writes(7, 5) }
	fn request_unstake() -> Weight { RocksDbWeight::get().reads_writes(4, 3) }
	fn unstake() -> Weight { RocksDbWeight::get().reads_writes(8, 7) }
	fn cancel_unstake() -> Weight { RocksDbWeight::get().reads_writes(2, 2) }
	fn set_cooldown() -> Weight { RocksDbWeight::get().writes(1) }
}
