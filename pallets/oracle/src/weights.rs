//! Weights of pallet-oracle.
//!
//! PLACEHOLDER until `scripts/bench/weights.sh` regenerates this file from
//! `benchmarking.rs` on the reference machine; the figures below are upper estimates.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for pallet-oracle.
pub trait WeightInfo {
	fn feed_prices(n: u32) -> Weight;
	fn aggregate(n: u32) -> Weight;
	fn add_feeder() -> Weight;
	fn remove_feeder(a: u32) -> Weight;
	fn set_asset(s: u32) -> Weight;
	fn remove_asset() -> Weight;
	fn set_params() -> Weight;
	fn check_feed() -> Weight;
}

/// Weights for pallet-oracle using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn feed_prices(n: u32) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(15_000_000, 3_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn aggregate(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_000)
			.saturating_add(Weight::from_parts(25_000_000, 3_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn add_feeder() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn remove_feeder(a: u32) -> Weight {
		Weight::from_parts(25_000_000, 3_500)
			.saturating_add(Weight::from_parts(12_000_000, 3_000).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(a.into())))
	}
	fn set_asset(s: u32) -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn remove_asset() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn check_feed() -> Weight {
		Weight::from_parts(8_000_000, 3_500).saturating_add(T::DbWeight::get().reads(2_u64))
	}
}

// For tests and benchmarks' own mocks.
impl WeightInfo for () {
	fn feed_prices(_n: u32) -> Weight {
		Weight::zero()
	}
	fn aggregate(_n: u32) -> Weight {
		Weight::zero()
	}
	fn add_feeder() -> Weight {
		Weight::zero()
	}
	fn remove_feeder(_a: u32) -> Weight {
		Weight::zero()
	}
	fn set_asset(_s: u32) -> Weight {
		Weight::zero()
	}
	fn remove_asset() -> Weight {
		Weight::zero()
	}
	fn set_params() -> Weight {
		Weight::zero()
	}
	fn check_feed() -> Weight {
		Weight::zero()
	}
}
