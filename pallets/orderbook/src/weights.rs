//! Weights of `pallet_orderbook`. Bootstrap file: regenerate with `scripts/bench/weights.sh
//! pallet_orderbook` on the reference machine.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_orderbook`.
pub trait WeightInfo {
	fn place_order(f: u32, ) -> Weight;
	fn cancel_order() -> Weight;
}

/// Weights measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn place_order(f: u32, ) -> Weight { T::DbWeight::get().reads_writes(8, 8).saturating_add(T::DbWeight::get().reads_writes(4, 4).saturating_mul(f.into())) }
	fn cancel_order() -> Weight { T::DbWeight::get().reads_writes(5, 5) }
}

impl WeightInfo for () {
	fn place_order(f: u32, ) -> Weight { RocksDbWeight::get().reads_writes(8, 8).saturating_add(RocksDbWeight::get().reads_writes(4, 4).saturating_mul(f.into())) }
	fn cancel_order() -> Weight { RocksDbWeight::get().reads_writes(5, 5) }
}
