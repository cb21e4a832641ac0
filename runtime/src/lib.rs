//! The Clearing runtime: the state-transition function of a derivatives clearinghouse.
//!
//! `lib.rs` only composes the runtime; each pallet's configuration lives in [`configs`], the
//! runtime APIs in [`apis`] and the genesis presets in [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand into code the recursion limit must allow.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
pub mod authorize_call;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use clearing_primitives::{AssetId, Balance};
/// Key type of the oracle feeder key in a node's keystore (`key insert --key-type orcl`).
pub use pallet_oracle::crypto::KEY_TYPE as ORACLE_KEY_TYPE;
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Chain-wide constants: token units, time and the slot.
pub mod constants {
	use super::{Balance, BlockNumber};

	/// Decimals of the native token CLR.
	pub const CLR_DECIMALS: u8 = 12;
	/// One whole CLR in its smallest unit.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// One thousandth of a CLR.
	pub const MILLI_UNIT: Balance = UNIT / 1_000;
	/// The native token's ticker, as wallets show it.
	pub const CLR_SYMBOL: &str = "CLR";
	/// Below this free balance an account is reaped.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

	/// Target block time. Margin is only as safe as the delay between a price move and the
	/// block that acts on it, so blocks are short. The `fast-blocks` feature builds the
	/// 500 ms variant the block-time benchmark runs (`scripts/bench/blocktime 500`); it is not
	/// the default because three validators on the 2-core build machine at half its load
	/// stretched the p99 interval to ~645 ms (BENCHMARKS.md).
	#[cfg(not(feature = "fast-blocks"))]
	pub const MILLI_SECS_PER_BLOCK: u64 = 1_000;
	#[cfg(feature = "fast-blocks")]
	pub const MILLI_SECS_PER_BLOCK: u64 = 500;
	/// Aura's slot is the block time. It cannot change once a chain has started.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	/// Block counts for human time spans.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	pub const HOURS: BlockNumber = MINUTES * 60;
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// A block number.
pub type BlockNumber = u32;
/// The signature scheme of transactions (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;
/// An account is identified by its public key.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A transaction counter per account.
pub type Nonce = u32;
/// A block or state hash.
pub type Hash = sp_core::H256;

/// Types the node uses without knowing the runtime's extrinsic format, so it keeps syncing
/// across runtime upgrades.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The keys a validator holds: Aura to author blocks, GRANDPA to finalize them.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// Runtime version. Rules (README, "Runtime upgrades"): `spec_version` rises with every
/// runtime that changes behaviour, and a chain accepts new code only with a higher one;
/// `transaction_version` rises whenever a call's index or arguments change; `impl_version`
/// for a change that leaves behaviour alone.
#[cfg(not(feature = "next-spec-version"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("clearing"),
	impl_name: Cow::Borrowed("clearing-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The same runtime one `spec_version` higher: the second runtime the end-to-end upgrade
/// test enacts on a running chain (`scripts/build-runtime-variant.sh next-spec-version`).
#[cfg(feature = "next-spec-version")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("clearing"),
	impl_name: Cow::Borrowed("clearing-node"),
	authoring_version: 1,
	spec_version: 102,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// How an extrinsic names an account.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// Checks every signed transaction passes, in order, before and after dispatch.
pub type TxExtension = (
	// FRAME's, but a signed transaction is not charged the authorization it skips.
	authorize_call::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	// Fees, unless the call is free (an oracle member's feed).
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	// Oracle feeds: members only, once per block (they are free, so the pool must check).
	pallet_oracle::CheckFeed<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions of a transaction this runtime builds itself (its offchain workers'), valid
/// for `era` at `nonce` (an authorized transaction has no signer: nonce and fee checks pass it
/// by), with no tip.
pub fn tx_extension(era: generic::Era, nonce: Nonce) -> TxExtension {
	(
		authorize_call::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_skip_feeless_payment::SkipCheckIfFeeless::from(
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		),
		pallet_oracle::CheckFeed::<Runtime>::new(),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// An extrinsic as the runtime decodes it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// What a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on every runtime upgrade, each a `VersionedMigration` that acts
/// once, from the storage version it expects (README, "Runtime upgrades").
type Migrations = (
	pallet_governance::migrations::v1::MigrateToV1<Runtime, configs::governance::UpgradeTimelock>,
	pallet_liquidation::migrations::v1::MigrateToV1<Runtime>,
	pallet_orderbook::migrations::v1::MigrateToV1<Runtime>,
	pallet_orderbook::migrations::v2::MigrateToV2<Runtime>,
	pallet_margin::migrations::v1::MigrateToV1<Runtime>,
	pallet_margin::migrations::v2::MigrateToV2<Runtime>,
	pallet_margin::migrations::v3::MigrateToV3<Runtime>,
	pallet_options::migrations::v1::MigrateToV1<Runtime>,
	pallet_options::migrations::v2::MigrateToV2<Runtime>,
	pallet_oracle::migrations::v1::MigrateToV1<Runtime>,
	pallet_vaults::migrations::v1::MigrateToV1<Runtime>,
);

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// Hooks run in declaration order (`legacy_ordering`), not index order: the options pallet's
// before the order book's (see below).
#[frame_support::runtime(legacy_ordering)]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;

	#[runtime::pallet_index(8)]
	pub type Proxy = pallet_proxy;

	#[runtime::pallet_index(10)]
	pub type Assets = pallet_assets;

	#[runtime::pallet_index(20)]
	pub type Oracle = pallet_oracle;

	#[runtime::pallet_index(30)]
	pub type Vaults = pallet_vaults;

	#[runtime::pallet_index(31)]
	pub type Insurance = pallet_insurance;

	#[runtime::pallet_index(40)]
	pub type Margin = pallet_margin;

	// Before the order book: its hooks run first, so the scenario books are this block's
	// before any trigger fires (portfolio subaccounts open risk only on those).
	#[runtime::pallet_index(43)]
	pub type Options = pallet_options;

	#[runtime::pallet_index(41)]
	pub type Orderbook = pallet_orderbook;

	#[runtime::pallet_index(42)]
	pub type Liquidation = pallet_liquidation;

	#[runtime::pallet_index(50)]
	pub type RiskCouncil = pallet_collective<Instance1>;

	#[runtime::pallet_index(51)]
	pub type Governance = pallet_governance;
}
