//! The oracle, and how the runtime signs the transactions its offchain feeder submits.

use crate::{
	configs::system::BlockHashCount, AccountId, Nonce, Runtime, RuntimeCall, Signature, System,
	Timestamp, TxExtension, UncheckedExtrinsic,
};
use codec::Encode;
use frame_support::{
	parameter_types,
	traits::ConstU32,
};
use sp_runtime::{
	generic::{Era, SignedPayload},
	traits::{SaturatedConversion, Verify},
	transaction_validity::TransactionPriority,
	MultiAddress,
};

parameter_types! {
	/// Feeds go ahead of ordinary transactions in the pool: margin needs the price first.
	pub const OracleFeedPriority: TransactionPriority = TransactionPriority::MAX / 2;
	/// The offchain feeder submits every block (1 s).
	pub const OracleFeedInterval: crate::BlockNumber = 1;
	/// Realized volatility samples the index once a minute…
	pub const VolatilitySampleMs: clearing_primitives::oracle::Moment = 60_000;
	/// …and keeps 99.95% of its past at each sample: a half-life of about 23 hours.
	pub const VolatilityDecay: sp_runtime::Perbill = sp_runtime::Perbill::from_parts(999_500_000);
}

frame_support::parameter_types! {
	/// Exchanges quote the same asset within a fraction of a percent: the middle two feeds of
	/// an even count 1% apart means one side is wrong, and the price is flagged.
	pub const OracleMaxSpread: sp_runtime::Permill = sp_runtime::Permill::from_percent(1);
	/// Two feeders' smile points, read from option marks a moment apart and interpolated, may
	/// differ by a few percent of the volatility honestly; 5% apart, one side is wrong.
	pub const OracleMaxSmileSpread: sp_runtime::Permill = sp_runtime::Permill::from_percent(5);
}

impl pallet_oracle::Config for Runtime {
	type AuthorityId = pallet_oracle::crypto::OracleAuthId;
	type Time = Timestamp;
	type MaxFeeders = ConstU32<16>;
	type MaxAssets = ConstU32<16>;
	type MaxSpread = OracleMaxSpread;
	type VolatilitySampleMs = VolatilitySampleMs;
	type VolatilityDecay = VolatilityDecay;
	type MaxSources = ConstU32<4>;
	type MaxUrlLen = ConstU32<200>;
	type FeedInterval = OracleFeedInterval;
	type FeedPriority = OracleFeedPriority;
	type WeightInfo = pallet_oracle::weights::SubstrateWeight<Runtime>;
	// Every listed expiry may have a smile: each holds at least one of the 24 series.
	type MaxSurfaces = ConstU32<24>;
	type MaxSmileSpread = OracleMaxSmileSpread;
	type ListedExpiries = crate::Options;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::OracleBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use crate::Runtime;
	use clearing_primitives::{oracle::Moment, AssetId};

	pub struct OracleBenchmarkHelper;

	impl pallet_oracle::benchmarking::BenchmarkHelper for OracleBenchmarkHelper {
		fn list_expiry(underlying: AssetId, expiry: Moment) {
			pallet_options::Expiries::<Runtime>::insert(
				(underlying, expiry),
				pallet_options::ExpiryRecord {
					series: 1,
					window_start: None,
					settlement: pallet_options::Settlement::Awaiting,
				},
			);
		}

		fn set_time(now: Moment) {
			pallet_timestamp::Now::<Runtime>::put(now);
		}
	}
}

impl pallet_skip_feeless_payment::Config for Runtime {
	type RuntimeEvent = crate::RuntimeEvent;
}

impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <Signature as Verify>::Signer;
	type Signature = Signature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

/// The extensions a transaction from this node's offchain workers carries: the same as any
/// wallet's, mortal for the longest era the block-hash history allows, no tip.
pub fn offchain_tx_extension(nonce: Nonce) -> TxExtension {
	let period = u64::from(BlockHashCount::get()).checked_next_power_of_two().map_or(2, |p| p / 2);
	// During the offchain worker the block number is already the next block's.
	let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
	crate::tx_extension(Era::mortal(period, current), nonce)
}

impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_signed_transaction<
		C: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: <Signature as Verify>::Signer,
		account: AccountId,
		nonce: Nonce,
	) -> Option<UncheckedExtrinsic> {
		let extension = offchain_tx_extension(nonce);
		let payload = SignedPayload::new(call, extension)
			.map_err(|e| log::warn!(target: "runtime::oracle", "cannot sign a feed: {e:?}"))
			.ok()?;
		let signature = payload.using_encoded(|bytes| C::sign(bytes, public))?;
		let (call, extension, _) = payload.deconstruct();
		Some(UncheckedExtrinsic::new_signed(call, MultiAddress::Id(account), signature, extension))
	}
}
