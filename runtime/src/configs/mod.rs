//! Configuration of every pallet in the runtime, one concern per file.

mod assets;
mod consensus;
mod monetary;
mod system;

pub use assets::{UsdcAssetId, USDC_MIN_BALANCE};
pub use system::{RuntimeBlockLength, RuntimeBlockWeights, MAXIMUM_BLOCK_WEIGHT};
