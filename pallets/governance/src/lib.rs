//! # Governance
//!
//! Risk parameters change by direction:
//! - a change that **reduces** risk (higher margin, lower caps, a higher haircut, a stricter
//!   market status, a feeder removed, a longer cooldown, a higher liquidation penalty) is
//!   enacted at once by the risk
//!   council (`CouncilOrigin`);
//! - a change that **increases** risk (the opposite moves, listings, a feeder added, new
//!   runtime code) is only scheduled: it waits out `Timelock` blocks, visible in `Pending`
//!   with its enactment block, and `CancelOrigin` may cancel it meanwhile.
//!
//! Every value is checked against hard bounds and a maximum step per change
//! ([`classify`]) when proposed and again when enacted; a scheduled change is also dry-run
//! when proposed, so the owning pallet's refusal surfaces at once. Enactment goes through
//! [`RiskParameters`], which the runtime implements over the margin engine, the vaults, the
//! oracle, the insurance fund and `frame_system`'s upgrade authorization.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod classify;
mod functions;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee (pallet names, storage
// prefixes); the calls here are thin and the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::BuildGenesisConfig};
	use frame_system::pallet_prelude::*;

	/// This runtime's change type.
	pub type RiskChangeOf<T> = RiskChangeFor<
		<T as frame_system::Config>::AccountId,
		<T as frame_system::Config>::Hash,
		<T as Config>::Parameters,
	>;
	/// A scheduled change with this runtime's block numbers.
	pub type PendingChangeOf<T> = PendingChange<RiskChangeOf<T>, BlockNumberFor<T>>;

	/// The storage layout's version (see [`crate::migrations`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The risk parameters: read to classify a change, written to enact it.
		type Parameters: RiskParameters<Self::AccountId, Self::Hash>;

		/// Who proposes changes: the risk council (with its threshold).
		type CouncilOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who cancels a scheduled change (a lower bar than proposing: stopping risk is easy).
		type CancelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The shortest timelock genesis may set.
		#[pallet::constant]
		type MinTimelock: Get<BlockNumberFor<Self>>;

		/// Most changes waiting at once.
		#[pallet::constant]
		type MaxPending: Get<u32>;

		/// Most changes enacted in one block; bounds the enactment hook.
		#[pallet::constant]
		type MaxPerBlock: Get<u32>;

		/// Weights of the calls and hooks, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;

		/// Changes for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<RiskChangeOf<Self>>;
	}

	/// What the benchmarks need the runtime to provide: changes valid in a fresh genesis.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<Change> {
		/// A risk-reducing change.
		fn reducing() -> Change;
		/// The `i`-th of many distinct risk-increasing changes.
		fn increasing(i: u32) -> Change;
	}

	/// Blocks a risk-increasing change waits before it is enacted.
	#[pallet::storage]
	pub type Timelock<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Changes waiting out the timelock.
	#[pallet::storage]
	pub type Pending<T: Config> =
		CountedStorageMap<_, Twox64Concat, ChangeId, PendingChangeOf<T>, OptionQuery>;

	/// Which changes are enacted at the start of each block.
	#[pallet::storage]
	pub type Agenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ChangeId, T::MaxPerBlock>,
		ValueQuery,
	>;

	/// The next scheduled change's id.
	#[pallet::storage]
	pub type NextChangeId<T: Config> = StorageValue<_, ChangeId, ValueQuery>;

	/// Each risk parameter's value when its current step window opened, and the block of its
	/// last change: while changes to it come within a timelock of each other, it moves at most
	/// one step from that value, however many changes it takes.
	#[pallet::storage]
	pub type StepAnchors<T: Config> =
		StorageMap<_, Blake2_128Concat, ParameterKey, (u128, BlockNumberFor<T>), OptionQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The timelock, in blocks (at least `MinTimelock`, the default).
		pub timelock: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self { timelock: T::MinTimelock::get() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A chain whose timelock is below the floor would let risk in too fast.
			assert!(self.timelock >= T::MinTimelock::get(), "the timelock is below MinTimelock");
			Timelock::<T>::put(self.timelock);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A change took effect (`id`: the scheduled change it was, if any).
		ChangeEnacted { id: Option<ChangeId>, change: RiskChangeOf<T> },
		/// A risk-increasing change was scheduled for the start of block `enact_at`.
		ChangeScheduled { id: ChangeId, change: RiskChangeOf<T>, enact_at: BlockNumberFor<T> },
		/// A scheduled change was cancelled.
		ChangeCancelled { id: ChangeId },
		/// A scheduled change could not be enacted when due (its values left their bounds
		/// meanwhile, or its pallet refused it); nothing changed.
		ChangeFailed { id: ChangeId, error: DispatchError },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The change sets what is already set.
		NoChange,
		/// No market by that id.
		MarketNotFound,
		/// The asset is not a registered collateral.
		NotCollateral,
		/// A value beyond the runtime's hard bounds (e.g. initial margin below 1%, maintenance
		/// not below initial, a haircut above 95%, a zero cap, a penalty of 10% or more).
		OutOfBounds,
		/// A bigger move than one change may make (10 percentage points for fractions,
		/// double or half for caps and durations).
		StepTooLarge,
		/// The account already feeds the oracle.
		AlreadyFeeder,
		/// The account does not feed the oracle.
		NotFeeder,
		/// `MaxPending` changes are waiting already.
		TooManyPending,
		/// `MaxPerBlock` changes are due in that block already; propose in the next one.
		AgendaFull,
		/// No scheduled change by that id.
		ChangeNotFound,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::enact_due(n)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Proposes `change`. A risk-reducing change is enacted now; a risk-increasing one is
		/// checked (bounds, step, a dry run of its enactment) and scheduled `Timelock` blocks
		/// ahead, where `CancelOrigin` may cancel it.
		///
		/// - Origin: `CouncilOrigin`.
		/// - Errors: `NoChange` (it sets what is set), `MarketNotFound` / `NotCollateral` (no such
		///   market / collateral), `OutOfBounds` (beyond the hard bounds), `StepTooLarge` (more
		///   than a step from the value now or where its step window opened), `AlreadyFeeder` /
		///   `NotFeeder` (adding a feeder / removing a non-feeder); when scheduling,
		///   `TooManyPending` (`MaxPending` waiting) and `AgendaFull` (`MaxPerBlock` due in that
		///   block); the owning pallet's refusal, when enacted or dry-run. Nothing changes on any
		///   error.
		/// - Weight: `WeightInfo::propose()` plus the change's `RiskParameters::enact_weight` and
		///   `step_window_weight()`; not refunded.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::propose()
				.saturating_add(T::Parameters::enact_weight(change))
				.saturating_add(Pallet::<T>::step_window_weight())
		)]
		pub fn propose(origin: OriginFor<T>, change: RiskChangeOf<T>) -> DispatchResult {
			T::CouncilOrigin::ensure_origin(origin)?;
			Self::do_propose(change)
		}

		/// Cancels scheduled change `id`, taking it off its block's agenda.
		///
		/// - Origin: `CancelOrigin`.
		/// - Errors: `ChangeNotFound` (no change `id` is pending); nothing changes on any error.
		/// - Weight: `WeightInfo::cancel()`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel())]
		pub fn cancel(origin: OriginFor<T>, id: ChangeId) -> DispatchResult {
			T::CancelOrigin::ensure_origin(origin)?;
			Self::do_cancel(id)
		}
	}
}
