//! Configuration of every pallet in the runtime, one concern per file.

mod assets;
mod consensus;
pub(crate) mod governance;
mod insurance;
pub(crate) mod liquidation;
pub(crate) mod margin;
mod orderbook;
mod monetary;
mod oracle;
mod options;
mod proxy;
pub(crate) mod system;
mod vaults;

pub use assets::{UsdcAssetId, USDC_MIN_BALANCE};
pub use governance::{DEFAULT_TIMELOCK, DEV_TIMELOCK};
pub use oracle::offchain_tx_extension;
pub use proxy::{is_trading_call, ProxyType};
pub use vaults::Tokens;
pub use system::{RuntimeBlockLength, RuntimeBlockWeights, MAXIMUM_BLOCK_WEIGHT};
