//! Weights of `pallet_governance`. Provisional (not yet measured on this machine): regenerate
//! with `scripts/bench/weights.sh pallet_governance`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_governance`.
pub trait WeightInfo {
	fn propose() -> Weight;
	fn cancel() -> Weight;
	fn on_initialize(k: u32, ) -> Weight;
}

/// Weights for `pallet_governance` using the Clearing node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn propose() -> Weight {
		Weight::from_parts(60_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn cancel() -> Weight {
		Weight::from_parts(40_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn on_initialize(k: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 3000)
			.saturating_add(Weight::from_parts(40_000_000, 3000).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(k.into())))
	}
}

/// The same figures with RocksDB's database weights, for tests and other runtimes.
impl WeightInfo for () {
	fn propose() -> Weight {
		Weight::from_parts(60_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn cancel() -> Weight {
		Weight::from_parts(40_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn on_initialize(k: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 3000)
			.saturating_add(Weight::from_parts(40_000_000, 3000).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(k.into())))
	}
}
