//! frame-system: block limits sized for the slot (1 s; 500 ms with `fast-blocks`), on this
//! chain's own measured base and database weights, and the sudo key (dev chains only).

use crate::{
	constants::MILLI_SECS_PER_BLOCK,
	weights::{
		block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight,
		paritydb_weights::constants::ParityDbWeight,
	},
	AccountId, Block, BlockNumber, Hash, Nonce, PalletInfo,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::ConstU32,
	weights::{
		constants::WEIGHT_REF_TIME_PER_MILLIS,
		Weight,
	},
};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

/// Share of a block's weight and length open to normal (user) transactions; the rest is kept
/// for operational ones (e.g. governance), so they still get in when the chain is full.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Share of a block's weight its `on_initialize` hooks are expected to take on average.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(10);

/// Compute budget of a block: 40% of the slot. The author proposes within 2/3 of the slot,
/// and every other validator must import the block and vote before the next one arrives, so
/// execution has to fit well inside the slot on validator hardware.
pub const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(
	WEIGHT_REF_TIME_PER_MILLIS.saturating_mul(MILLI_SECS_PER_BLOCK.saturating_mul(2) / 5),
	u64::MAX,
);

/// `ratio` of `weight`, each component rounded down (the hard rules allow no bare `*`).
pub fn share_of(ratio: Perbill, weight: Weight) -> Weight {
	Weight::from_parts(ratio.mul_floor(weight.ref_time()), ratio.mul_floor(weight.proof_size()))
}

/// Maximum encoded size of a block: 5 MiB.
const MAXIMUM_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	pub const Version: RuntimeVersion = VERSION;
	/// Block hashes kept for mortal transactions: 40 minutes (2,400 blocks of 1 s).
	pub const BlockHashCount: BlockNumber = 40 * crate::constants::MINUTES;
	/// FRAME's usual split (normal transactions get `NORMAL_DISPATCH_RATIO`, operational ones
	/// the whole block), but every block and every extrinsic is charged the base weights
	/// measured for this runtime, not Substrate's reference ones.
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::builder()
			.base_block(BlockExecutionWeight::get())
			.for_class(DispatchClass::all(), |class| {
				class.base_extrinsic = ExtrinsicBaseWeight::get();
			})
			.for_class(DispatchClass::Normal, |class| {
				class.max_total = Some(share_of(NORMAL_DISPATCH_RATIO, MAXIMUM_BLOCK_WEIGHT));
			})
			.for_class(DispatchClass::Operational, |class| {
				class.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
				class.reserved =
					Some(MAXIMUM_BLOCK_WEIGHT.saturating_sub(share_of(NORMAL_DISPATCH_RATIO, MAXIMUM_BLOCK_WEIGHT)));
			})
			.avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
			.build_or_panic();
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(MAXIMUM_BLOCK_LENGTH)
			.modify_max_length_for_class(DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO.mul_floor(*max)
			})
			.build();
	/// Generic Substrate address format, so standard wallets and the dev keyring show the
	/// familiar addresses.
	pub const SS58Prefix: u16 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type RuntimeTask = RuntimeTask;
	type PalletInfo = PalletInfo;
	type Block = Block;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type BlockHashCount = BlockHashCount;
	// The node stores state in ParityDB: storage access costs what `benchmark storage` measured
	// on this chain (runtime/src/weights/paritydb_weights.rs).
	type DbWeight = ParityDbWeight;
	// Every transaction pays its extensions' weight (nonce, era, weight checks): FRAME's
	// measured figures at this chain's database weights, not the default's RocksDB ones.
	type ExtensionsWeightInfo = frame_system::SubstrateExtensionsWeight<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<crate::Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
