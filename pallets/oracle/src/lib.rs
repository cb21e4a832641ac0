//! # Oracle
//!
//! One index price per asset, from a governed set of feeders.
//!
//! - Feeders (root adds and removes them) submit `feed_prices`: a bounded list of
//!   `(asset, price)`, at most once per block each, free of fees for members.
//! - At the end of every block in which an asset was fed, its aggregate is the **lower
//!   median** of the feeds younger than `max_age_ms` (always one feeder's value, never a
//!   mean), if there are at least as many as the quorum: `min_feeders`, and a strict
//!   majority of the registered feeders; with fewer, the last price stays and is marked
//!   **stale**. An aggregate more than `max_jump` away from the last price is **clamped** to
//!   that band and the asset **flagged**; so is one whose even number of feeds splits in two
//!   halves more than `MaxSpread` apart (one liar among two feeds cannot move the price
//!   without a flag). The flag clears when an aggregate lands inside the band again,
//!   undisputed (the feeds "confirm" the price), so a real move is followed at most
//!   `max_jump` per block.
//! - Every node whose keystore holds an oracle key (`orcl`) of a feeder runs the
//!   [offchain feeder](offchain): it reads each asset's exchange sources over HTTP, takes
//!   their median and submits it.
//!
//! - Feeders also submit `feed_surfaces`: for each listed option expiry, an implied-volatility
//!   smile at fixed log-moneyness points. Each point aggregates like a price (median,
//!   quorum, expiry, jump clamp, split check); the smile is stale or flagged as a whole.
//!
//! Other pallets read prices through [`clearing_primitives::oracle::PriceProvider`]; clients
//! through the `OracleApi` runtime API ([`runtime_api`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod crypto;
mod feed_check;
mod time_weighted;
mod functions;
pub mod median;
pub mod migrations;
mod surface;
pub mod offchain;
pub mod runtime_api;
pub mod types;
mod volatility;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use feed_check::CheckFeed;
pub use pallet::*;
pub use surface::SmilesOf;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee (pallet names, storage
// prefixes); the calls here are thin and the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use clearing_primitives::{oracle::Moment, AssetId, Price};
	use frame_support::{
		pallet_prelude::*,
		traits::{BuildGenesisConfig, Time},
	};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};

	/// A feeder's record: when it last fed.
	#[derive(Clone, Default, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
	pub struct FeederState<BlockNumber> {
		pub last_fed: Option<BlockNumber>,
	}

	/// A source URL, as stored.
	pub type UrlOf<T> = BoundedVec<u8, <T as Config>::MaxUrlLen>;
	/// The sources of one asset, as stored.
	pub type SourcesOf<T> = BoundedVec<PriceSource<UrlOf<T>>, <T as Config>::MaxSources>;
	/// The values of one `feed_prices` call.
	pub type FeedValuesOf<T> = BoundedVec<(AssetId, Price), <T as Config>::MaxAssets>;
	/// The smiles of one `feed_surfaces` call: `(underlying, expiry, smile)`.
	pub type SurfaceValuesOf<T> = BoundedVec<
		(AssetId, Moment, clearing_primitives::oracle::Smile),
		<T as Config>::MaxSurfaces,
	>;

	/// v1: each underlying's smiles in one entry ([`crate::migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		CreateSignedTransaction<Call<Self>> + frame_system::Config<RuntimeEvent: From<Event<Self>>>
	{
		/// The key the offchain feeder signs `feed_prices` with (key type `orcl`).
		type AuthorityId: AppCrypto<Self::Public, Self::Signature>;

		/// Block time, in milliseconds since the Unix epoch.
		type Time: Time<Moment = Moment>;

		/// Most feeders the set may hold; bounds every per-asset feed list.
		#[pallet::constant]
		type MaxFeeders: Get<u32>;

		/// Most assets the oracle prices; bounds `feed_prices` and every per-block loop.
		#[pallet::constant]
		type MaxAssets: Get<u32>;

		/// Most expiries with a smile at once; bounds `feed_surfaces` and its aggregation.
		#[pallet::constant]
		type MaxSurfaces: Get<u32>;

		/// `MaxSpread` for smile points: feeders read option marks a moment apart and
		/// interpolate them, so their honest values differ more than exchange prices do.
		#[pallet::constant]
		type MaxSmileSpread: Get<sp_runtime::Permill>;

		/// The option expiries a smile may be fed for (the options pallet).
		type ListedExpiries: clearing_primitives::oracle::ListedExpiries;

		/// How far apart the middle two feeds of an even count may be before the aggregate
		/// is flagged: half the feeders against the other half, nobody's value is trusted.
		#[pallet::constant]
		type MaxSpread: Get<sp_runtime::Permill>;

		/// The realized volatility's sampling interval (ms): a fresh, unclamped aggregate at
		/// least this long after the last sample is the next sample.
		#[pallet::constant]
		type VolatilitySampleMs: Get<Moment>;

		/// The realized volatility's decay: the weight (λ) its EWMA keeps of the past at
		/// each sample.
		#[pallet::constant]
		type VolatilityDecay: Get<sp_runtime::Perbill>;

		/// Most HTTP sources per asset.
		#[pallet::constant]
		type MaxSources: Get<u32>;

		/// Longest source URL, in bytes.
		#[pallet::constant]
		type MaxUrlLen: Get<u32>;

		/// The offchain feeder submits every this many blocks.
		#[pallet::constant]
		type FeedInterval: Get<BlockNumberFor<Self>>;

		/// Pool priority of a valid feed: prices must not wait behind ordinary transfers.
		#[pallet::constant]
		type FeedPriority: Get<TransactionPriority>;

		/// Weights of the calls, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;

		/// Lists option expiries for the benchmarks of `feed_surfaces`.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::benchmarking::BenchmarkHelper;
	}

	/// The feeders, with the block each last fed in.
	#[pallet::storage]
	pub type Feeders<T: Config> = CountedStorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		FeederState<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The priced assets and where the offchain feeder reads them.
	#[pallet::storage]
	pub type OracleAssets<T: Config> =
		CountedStorageMap<_, Twox64Concat, AssetId, SourcesOf<T>, OptionQuery>;

	/// Each feeder's latest value per asset.
	#[pallet::storage]
	pub type Feeds<T: Config> = StorageMap<
		_,
		Twox64Concat,
		AssetId,
		BoundedVec<Feed<T::AccountId>, T::MaxFeeders>,
		ValueQuery,
	>;

	/// The aggregated price per asset.
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Twox64Concat, AssetId, PriceRecord, OptionQuery>;

	/// Per asset, its time-weighted index: Σ price × time over the time the index was fresh
	/// (each fresh aggregate stands until the next, for at most `max_age_ms`), for settlement
	/// averages.
	#[pallet::storage]
	pub type TimeWeighted<T: Config> =
		StorageMap<_, Twox64Concat, AssetId, crate::types::TimeWeightedIndex, OptionQuery>;

	/// Per asset, its realized volatility: the EWMA of the index's squared log returns,
	/// sampled at fresh, unclamped aggregates `VolatilitySampleMs` apart.
	#[pallet::storage]
	pub type RealizedVolatilities<T: Config> =
		StorageMap<_, Twox64Concat, AssetId, RealizedVolatility, OptionQuery>;

	/// Per asset, how far its recent feeds disagreed at the last aggregate: (highest −
	/// lowest) / median; absent at zero.
	#[pallet::storage]
	pub type Dispersions<T: Config> = StorageMap<_, Twox64Concat, AssetId, sp_runtime::Permill, ValueQuery>;

	/// Assets fed (or whose feeds changed) in this block, aggregated in `on_finalize`.
	#[pallet::storage]
	pub type PendingAggregation<T: Config> =
		StorageValue<_, BoundedVec<AssetId, T::MaxAssets>, ValueQuery>;

	/// Each feeder's latest smile per `(underlying, expiry)`; counted, at most `MaxSurfaces`
	/// expiries.
	#[pallet::storage]
	pub type SurfaceFeeds<T: Config> = CountedStorageMap<
		_,
		Twox64Concat,
		(AssetId, Moment),
		BoundedVec<SurfaceFeed<T::AccountId>, T::MaxFeeders>,
		ValueQuery,
	>;

	/// Each underlying's aggregated smiles by expiry, ascending: one read holds all of them
	/// (a health reading over legs of many expiries reads it once). No entry without a smile.
	#[pallet::storage]
	pub type Surfaces<T: Config> = StorageMap<_, Twox64Concat, AssetId, SmilesOf<T>, ValueQuery>;

	/// Expiries fed in this block, aggregated in `on_finalize`.
	#[pallet::storage]
	pub type PendingSurfaces<T: Config> =
		StorageValue<_, BoundedVec<(AssetId, Moment), T::MaxSurfaces>, ValueQuery>;

	/// The block each feeder last fed smiles in (once per block, apart from prices).
	#[pallet::storage]
	pub type SurfacesFedIn<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	/// Quorum, feed expiry and jump limit.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, OracleParams, ValueQuery, DefaultParams>;

	/// Conservative parameters until genesis or governance sets them.
	#[pallet::type_value]
	pub fn DefaultParams() -> OracleParams {
		OracleParams {
			min_feeders: 3,
			max_age_ms: 30_000,
			max_jump: sp_runtime::Permill::from_percent(10),
		}
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial feeders.
		pub feeders: Vec<T::AccountId>,
		/// The initial assets, each with its sources: `(url, format)`.
		pub assets: Vec<(AssetId, Vec<(Vec<u8>, SourceFormat)>)>,
		/// Quorum, expiry and jump limit; `None` keeps the conservative defaults.
		pub params: Option<OracleParams>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		#[allow(clippy::expect_used)]
		fn build(&self) {
			// Genesis must be valid: a bad preset is a bug to stop at, not a chain to start.
			for who in &self.feeders {
				Pallet::<T>::do_add_feeder(who.clone()).expect("genesis feeders are valid");
			}
			for (asset, sources) in &self.assets {
				let sources: Vec<PriceSource<UrlOf<T>>> = sources
					.iter()
					.map(|(url, format)| PriceSource {
						url: url.clone().try_into().expect("genesis URLs fit MaxUrlLen"),
						format: *format,
					})
					.collect();
				let sources: SourcesOf<T> =
					sources.try_into().expect("genesis sources fit MaxSources");
				Pallet::<T>::do_set_asset(*asset, sources).expect("genesis assets are valid");
			}
			if let Some(params) = self.params {
				Pallet::<T>::ensure_valid_params(&params).expect("genesis params are in bounds");
				Params::<T>::put(params);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A feeder submitted values for `count` assets.
		PricesFed { feeder: T::AccountId, count: u32 },
		/// An asset's aggregate changed: its new price, and whether it was clamped (flagged).
		PriceAggregated { asset: AssetId, price: Price, flagged: bool },
		/// Too few recent feeds: the asset's last price stands, now stale.
		PriceWentStale { asset: AssetId },
		/// How far an asset's feeds disagree changed ((highest − lowest) / median; zero: they
		/// agree). Past the margin engine's threshold it raises initial margin on the asset.
		DispersionChanged { asset: AssetId, dispersion: sp_runtime::Permill },
		/// A feeder joined the set.
		FeederAdded { feeder: T::AccountId },
		/// A feeder left the set; its values were dropped.
		FeederRemoved { feeder: T::AccountId },
		/// An asset was registered or its sources replaced.
		AssetSet { asset: AssetId, sources: u32 },
		/// An asset, its feeds and its price were removed.
		AssetRemoved { asset: AssetId },
		/// The aggregation parameters changed.
		ParamsSet { params: OracleParams },
		/// A feeder submitted smiles for `count` expiries.
		SurfacesFed { feeder: T::AccountId, count: u32 },
		/// An expiry's smile was aggregated; `flagged` if a point was clamped.
		SurfaceAggregated { underlying: AssetId, expiry: Moment, flagged: bool },
		/// Too few recent smiles for an expiry: its last smile stands, now stale.
		SurfaceWentStale { underlying: AssetId, expiry: Moment },
		/// An expired smile and its feeds were removed to make room.
		SurfacePruned { underlying: AssetId, expiry: Moment },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not in the feeder set.
		NotFeeder,
		/// This feeder already fed in this block.
		AlreadyFedThisBlock,
		/// `feed_prices` carried no values.
		NoValues,
		/// An asset appears twice in one `feed_prices`.
		DuplicateAsset,
		/// The asset is not priced by the oracle.
		AssetNotPriced,
		/// A price of zero was fed.
		ZeroPrice,
		/// The account is already a feeder.
		AlreadyFeeder,
		/// The feeder set is full (`MaxFeeders`).
		TooManyFeeders,
		/// The oracle prices `MaxAssets` assets already.
		TooManyAssets,
		/// A source URL is not `http://` or `https://` followed by a host.
		InvalidSourceUrl,
		/// `min_feeders` is zero or above `MaxFeeders`.
		MinFeedersOutOfBounds,
		/// `max_age_ms` is under a second or over an hour.
		MaxAgeOutOfBounds,
		/// `max_jump` is zero or above 50%.
		MaxJumpOutOfBounds,
		/// More feeds for an asset than feeders (a broken invariant, never expected).
		FeedListFull,
		/// A smile point is zero or above 500%.
		VolatilityOutOfRange,
		/// No listed, unexpired option expiry is `(underlying, expiry)`.
		ExpiryNotListed,
		/// An expiry appears twice in one `feed_surfaces`.
		DuplicateExpiry,
		/// `MaxSurfaces` unexpired expiries have smiles already.
		TooManySurfaces,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			// `on_finalize` aggregates what this block's calls queued; each call already paid
			// for its share of that work, so only the queue reads are left to account here.
			T::WeightInfo::aggregate(0).saturating_add(T::WeightInfo::aggregate_surfaces(0))
		}

		fn on_finalize(_n: BlockNumberFor<T>) {
			Self::aggregate_pending();
			Self::aggregate_pending_surfaces();
		}

		fn offchain_worker(n: BlockNumberFor<T>) {
			offchain::run::<T>(n);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Read-only queries by name (`RuntimeViewFunction`), beside the runtime API of the same
	/// names that clients already use.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// `asset`'s index price with its status and fresh streak (`OracleApi.price`).
		pub fn price(asset: clearing_primitives::AssetId) -> Option<clearing_primitives::oracle::PriceQuote> {
			Self::quote(asset)
		}

		/// Every priced asset's quote (`OracleApi.prices`).
		pub fn prices() -> alloc::vec::Vec<(clearing_primitives::AssetId, clearing_primitives::oracle::PriceQuote)> {
			Self::quotes()
		}

		/// The smile of options on `underlying` expiring at `expiry`, with its status.
		pub fn surface(
			underlying: clearing_primitives::AssetId,
			expiry: clearing_primitives::oracle::Moment,
		) -> Option<clearing_primitives::oracle::SurfaceQuote> {
			Self::surface_quote(underlying, expiry)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits the caller's prices: `(asset, USD per whole unit)` for distinct, priced assets,
		/// none zero. The aggregate is computed at the end of the block.
		///
		/// - Origin: signed, by a feeder, once per block; free for feeders (the pool's `CheckFeed`
		///   refuses anyone else, and a second feed in a block).
		/// - Errors: `NotFeeder`, `AlreadyFedThisBlock`, `NoValues` (an empty list), `ZeroPrice`,
		///   `AssetNotPriced` (an asset not registered), `DuplicateAsset`, `FeedListFull` (a
		///   broken invariant); nothing changes on any error.
		/// - Weight: `WeightInfo::feed_prices(n)` plus `WeightInfo::aggregate(n)` and `n`
		///   `WeightInfo::sample_volatility()` for its `n` values (the block-end aggregation
		///   and each asset's volatility sample); not refunded.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::feed_prices(values.len() as u32)
			.saturating_add(T::WeightInfo::aggregate(values.len() as u32))
			.saturating_add(T::WeightInfo::sample_volatility().saturating_mul(values.len() as u64)))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _values: &FeedValuesOf<T>| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Feeders::<T>::contains_key(who))
		})]
		pub fn feed_prices(origin: OriginFor<T>, values: FeedValuesOf<T>) -> DispatchResultWithPostInfo {
			let feeder = ensure_signed(origin)?;
			Self::do_feed(feeder, values)?;
			Ok(Pays::No.into())
		}

		/// Adds `feeder` to the feeder set.
		///
		/// - Origin: root.
		/// - Errors: `AlreadyFeeder`, `TooManyFeeders` (`MaxFeeders` already); nothing changes on
		///   any error.
		/// - Weight: `WeightInfo::add_feeder()`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_feeder())]
		pub fn add_feeder(origin: OriginFor<T>, feeder: T::AccountId) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_add_feeder(feeder)
		}

		/// Removes `feeder` and drops its values; affected assets re-aggregate at block end.
		///
		/// - Origin: root.
		/// - Errors: `NotFeeder`; nothing changes on any error.
		/// - Weight: `WeightInfo::remove_feeder(MaxAssets)` plus
		///   `WeightInfo::aggregate(MaxAssets)`, `aggregate_surfaces(MaxSurfaces)` and
		///   `MaxAssets` `sample_volatility()`; not refunded.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_feeder(T::MaxAssets::get())
			.saturating_add(T::WeightInfo::aggregate(T::MaxAssets::get()))
			.saturating_add(T::WeightInfo::aggregate_surfaces(T::MaxSurfaces::get()))
			.saturating_add(T::WeightInfo::sample_volatility().saturating_mul(u64::from(T::MaxAssets::get()))))]
		pub fn remove_feeder(origin: OriginFor<T>, feeder: T::AccountId) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_remove_feeder(feeder)
		}

		/// Registers `asset` for pricing, or replaces its HTTP sources.
		///
		/// - Origin: root.
		/// - Errors: `InvalidSourceUrl` (a URL not `http://` or `https://` and a host),
		///   `TooManyAssets` (a new asset while `MaxAssets` are priced); nothing changes on any
		///   error.
		/// - Weight: `WeightInfo::set_asset(sources.len())`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_asset(sources.len() as u32))]
		pub fn set_asset(origin: OriginFor<T>, asset: AssetId, sources: SourcesOf<T>) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_asset(asset, sources)
		}

		/// Stops pricing `asset`: removes its sources, feeds and price, and any aggregation queued
		/// for it.
		///
		/// - Origin: root.
		/// - Errors: `AssetNotPriced` (not registered); nothing changes on any error.
		/// - Weight: `WeightInfo::remove_asset()`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_asset())]
		pub fn remove_asset(origin: OriginFor<T>, asset: AssetId) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_remove_asset(asset)
		}

		/// Sets quorum, feed expiry and jump limit, within the hard bounds.
		///
		/// - Origin: root.
		/// - Errors: `MinFeedersOutOfBounds` (zero or above `MaxFeeders`), `MaxAgeOutOfBounds`
		///   (under a second or over an hour), `MaxJumpOutOfBounds` (zero or above 50%); nothing
		///   changes on any error.
		/// - Weight: `WeightInfo::set_params()`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: OracleParams) -> DispatchResult {
			ensure_root(origin)?;
			Self::ensure_valid_params(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// Submits the caller's implied-volatility smiles: `(underlying, expiry, smile)` for
		/// distinct listed, unexpired option expiries of priced underlyings, each point in
		/// (0, 500%]. Aggregated at the end of the block, point by point.
		///
		/// - Origin: signed, by a feeder, once per block (apart from `feed_prices`); free for
		///   feeders (the pool's `CheckFeed` refuses anyone else, and a second one in a block).
		/// - Errors: `NotFeeder`, `AlreadyFedThisBlock`, `NoValues`, `VolatilityOutOfRange`,
		///   `AssetNotPriced`, `ExpiryNotListed`, `DuplicateExpiry`, `TooManySurfaces`
		///   (`MaxSurfaces` unexpired expiries have smiles), `FeedListFull` (a broken
		///   invariant); nothing changes on any error.
		/// - Weight: `WeightInfo::feed_surfaces(n)` (with pruning expired smiles at worst)
		///   plus `WeightInfo::aggregate_surfaces(n)`; not refunded.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::feed_surfaces(values.len() as u32)
			.saturating_add(T::WeightInfo::aggregate_surfaces(values.len() as u32)))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _values: &SurfaceValuesOf<T>| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Feeders::<T>::contains_key(who))
		})]
		pub fn feed_surfaces(origin: OriginFor<T>, values: SurfaceValuesOf<T>) -> DispatchResultWithPostInfo {
			let feeder = ensure_signed(origin)?;
			Self::do_feed_surfaces(feeder, values)?;
			Ok(Pays::No.into())
		}
	}
}
