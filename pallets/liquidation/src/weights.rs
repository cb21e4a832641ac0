//! Placeholder until generated.
use frame_support::weights::Weight;
pub trait WeightInfo {
	fn liquidate() -> Weight;
	fn authorize_liquidate() -> Weight;
}
impl WeightInfo for () {
	fn liquidate() -> Weight { Weight::zero() }
	fn authorize_liquidate() -> Weight { Weight::zero() }
}
