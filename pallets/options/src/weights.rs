//! Placeholder until `scripts/bench/weights.sh pallet_options` generates this file.

#![allow(missing_docs)]

use frame_support::weights::Weight;
use core::marker::PhantomData;

/// Weight functions needed for `pallet_options`.
pub trait WeightInfo {
	fn list_series() -> Weight;
	fn set_volatility_source() -> Weight;
	fn set_params() -> Weight;
	fn price_leg() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn list_series() -> Weight { Weight::MAX }
	fn set_volatility_source() -> Weight { Weight::MAX }
	fn set_params() -> Weight { Weight::MAX }
	fn price_leg() -> Weight { Weight::MAX }
}

impl WeightInfo for () {
	fn list_series() -> Weight { Weight::MAX }
	fn set_volatility_source() -> Weight { Weight::MAX }
	fn set_params() -> Weight { Weight::MAX }
	fn price_leg() -> Weight { Weight::MAX }
}
