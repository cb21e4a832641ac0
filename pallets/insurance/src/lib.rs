//! # Insurance
//!
//! The fund that absorbs losses a liquidation cannot cover, owned by its stakers.
//!
//! - The fund holds the settlement asset in an account derived from `PalletId`. It keeps the
//!   asset's minimum balance there as an existential reserve (minted at genesis), never owed
//!   to anyone, so paying the last unit out never reaps the account.
//! - `stake(amount)` mints shares at the fund's share price (balance ÷ shares), rounded down.
//!   `request_unstake(shares)` starts a cooldown; `unstake()` after it pays the shares' value
//!   *at that moment*, so a staker who sees a loss coming cannot leave ahead of it. A request
//!   may be paid out only within `ClaimWindow` blocks after its cooldown: then it lapses (a new
//!   request replaces it), so it cannot be held open as an option to exit later.
//! - The fund is worth its balance less the backstop's loss at the mark, if it carries one
//!   (the positions and collateral liquidation handed it,
//!   [`clearing_primitives::insurance::BackstopEquity`]; its gains count once realized): stakes
//!   buy and unstakes pay at that value, so a loss building in the backstop is borne by
//!   whoever holds shares while it builds, never left to the last stakers.
//! - Revenue (fee shares, liquidation penalties) comes in and bad debt goes out through
//!   [`clearing_primitives::insurance::InsuranceFund`], implemented here. Revenue that
//!   arrives while nobody stakes belongs to the protocol: the next stake first mints it
//!   protocol-owned shares, so no staker is handed value it did not put in.
//! - The fund's balance is what came in less what went out, tracked in storage: tokens sent
//!   to the account directly are not revenue and cannot move the share price.
//!
//! Clients read the fund through the `InsuranceApi` runtime API ([`runtime_api`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod fund;
mod functions;
pub mod runtime_api;
pub mod shares;
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
	use clearing_primitives::{collateral::Subaccount, AssetId, Balance};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungibles, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The vaults: revenue is paid out of a subaccount's settlement balance into the fund.
		type Ledger: clearing_primitives::collateral::CollateralLedger<Self::AccountId>;

		/// Every token; the fund holds only the settlement asset.
		type Assets: fungibles::Mutate<Self::AccountId, AssetId = AssetId, Balance = Balance>;

		/// The asset stakes, revenue and cover are paid in.
		#[pallet::constant]
		type SettlementAsset: Get<AssetId>;

		/// Derives the fund account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Smallest stake, in the settlement asset's smallest unit.
		#[pallet::constant]
		type MinStake: Get<Balance>;

		/// Longest cooldown governance may set, in blocks.
		#[pallet::constant]
		type MaxCooldown: Get<BlockNumberFor<Self>>;

		/// The backstop's equity at the mark: its loss lowers what the fund is worth (its gains
		/// count once realized).
		type Backstop: clearing_primitives::insurance::BackstopEquity;

		/// Blocks after its cooldown during which a request may be paid out; then it lapses,
		/// so a matured request is not an option to exit whenever a loss shows.
		#[pallet::constant]
		type ClaimWindow: Get<BlockNumberFor<Self>>;

		/// Weights of the calls, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;
	}

	/// The fund's value: settlement asset in less out (the reserve and any donations apart).
	#[pallet::storage]
	pub type FundBalance<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Every share outstanding: Σ stakers' shares + the protocol's.
	#[pallet::storage]
	pub type TotalShares<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Shares owned by the protocol (revenue that arrived while nobody staked).
	#[pallet::storage]
	pub type ProtocolShares<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Each staker's shares, pending ones included (no zero entries).
	#[pallet::storage]
	pub type Shares<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Balance, OptionQuery>;

	/// Unstake requests waiting out their cooldown, one per staker.
	#[pallet::storage]
	pub type PendingUnstakes<T: Config> = CountedStorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		UnstakeRequest<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// Σ shares of all pending requests.
	#[pallet::storage]
	pub type PendingShares<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Blocks between `request_unstake` and `unstake`.
	#[pallet::storage]
	pub type CooldownBlocks<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, DefaultCooldown<T>>;

	/// Seven days of 1 s blocks until genesis or governance says otherwise.
	#[pallet::type_value]
	pub fn DefaultCooldown<T: Config>() -> BlockNumberFor<T> {
		BlockNumberFor::<T>::from(7u32 * 24 * 60 * 60)
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The cooldown; `None` keeps seven days.
		pub cooldown_blocks: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		#[allow(clippy::expect_used)]
		fn build(&self) {
			// Genesis must be valid: a bad preset is a bug to stop at, not a chain to start.
			Pallet::<T>::fund_reserve_at_genesis().expect("the settlement asset exists");
			if let Some(blocks) = self.cooldown_blocks {
				Pallet::<T>::do_set_cooldown(blocks).expect("genesis cooldown is in bounds");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` put `amount` into the fund for `shares`.
		Staked { who: T::AccountId, amount: Balance, shares: Balance },
		/// `who` asked to leave with `shares`, payable from `unlock_at`.
		UnstakeRequested { who: T::AccountId, shares: Balance, unlock_at: BlockNumberFor<T> },
		/// `who` withdrew its request; its shares stay staked.
		UnstakeCancelled { who: T::AccountId, shares: Balance },
		/// `who` left with `amount` for `shares`.
		Unstaked { who: T::AccountId, shares: Balance, amount: Balance },
		/// Revenue came in from `from`'s settlement balance.
		RevenueDeposited { from: Subaccount<T::AccountId>, amount: Balance },
		/// The fund paid `paid` of a `requested` loss to `to`.
		LossCovered { to: T::AccountId, requested: Balance, paid: Balance },
		/// Revenue that arrived while nobody staked became the protocol's shares.
		ProtocolSharesMinted { shares: Balance },
		/// The cooldown changed (requests already made keep theirs).
		CooldownSet { blocks: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The stake is below `MinStake`, or too small to buy a whole share.
		StakeTooSmall,
		/// Shares exist but the fund is worth nothing: no price for a new stake until
		/// revenue arrives.
		FundDepleted,
		/// Zero shares were given.
		ZeroShares,
		/// The staker holds fewer shares than asked for.
		InsufficientShares,
		/// The staker already has a request waiting; cancel it first.
		UnstakeAlreadyRequested,
		/// The staker has no request waiting.
		NoUnstakeRequested,
		/// The request's cooldown has not ended.
		CooldownNotOver,
		/// The request's claim window has passed: it lapsed; request again.
		RequestLapsed,
		/// The cooldown is zero or above `MaxCooldown`.
		CooldownOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Read-only queries by name (`RuntimeViewFunction`), beside the runtime API of the same
	/// names that clients already use.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The fund's balance, value, shares and pending unstakes (`InsuranceApi.fund`).
		pub fn fund() -> crate::FundInfo {
			Self::fund_info()
		}

		/// `who`'s shares, their value and any unstake request (`InsuranceApi.staker`).
		pub fn staker(who: T::AccountId) -> crate::StakerInfo<BlockNumberFor<T>> {
			Self::staker_info(who)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Moves `amount` of the settlement asset from the signer into the fund and mints it
		/// shares at the current share price, rounded down.
		///
		/// - Origin: signed, by the staker.
		/// - Errors: `StakeTooSmall` (below `MinStake`, or too small to buy a whole share),
		///   `FundDepleted` (shares exist but the fund is worth nothing); the asset transfer's
		///   refusal (the signer keeps its existential deposit) or an unreadable backstop; nothing
		///   changes on any error.
		/// - Weight: `WeightInfo::stake()` plus `BackstopEquity::backstop_equity_weight()`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake().saturating_add(
			<T::Backstop as clearing_primitives::insurance::BackstopEquity>::backstop_equity_weight()
		))]
		pub fn stake(origin: OriginFor<T>, #[pallet::compact] amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_stake(who, amount)
		}

		/// Starts the cooldown for `shares` of the signer's shares. They keep bearing the fund's
		/// gains and losses until paid out. One request at a time (a lapsed one is replaced).
		///
		/// - Origin: signed, by the staker.
		/// - Errors: `ZeroShares` (`shares` is zero), `UnstakeAlreadyRequested` (a request that
		///   has not lapsed is waiting; cancel it first), `InsufficientShares` (the signer holds
		///   fewer); nothing changes on any error.
		/// - Weight: `WeightInfo::request_unstake()`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::request_unstake())]
		pub fn request_unstake(
			origin: OriginFor<T>,
			#[pallet::compact] shares: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_unstake(who, shares)
		}

		/// After the cooldown and within the claim window, burns the requested shares and pays
		/// their value now, rounded down.
		///
		/// - Origin: signed, by the staker.
		/// - Errors: `NoUnstakeRequested` (no request waiting), `CooldownNotOver` (before its
		///   unlock block), `RequestLapsed` (more than `ClaimWindow` blocks after it; request
		///   again); the payout transfer's refusal or an unreadable backstop; nothing changes on
		///   any error.
		/// - Weight: `WeightInfo::unstake()` plus `BackstopEquity::backstop_equity_weight()`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unstake().saturating_add(
			<T::Backstop as clearing_primitives::insurance::BackstopEquity>::backstop_equity_weight()
		))]
		pub fn unstake(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unstake(who)
		}

		/// Withdraws the signer's pending request; its shares stay staked.
		///
		/// - Origin: signed, by the staker.
		/// - Errors: `NoUnstakeRequested` (no request waiting); nothing changes on any error.
		/// - Weight: `WeightInfo::cancel_unstake()`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel_unstake())]
		pub fn cancel_unstake(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_unstake(who)
		}

		/// Sets the cooldown for new requests, between 1 and `MaxCooldown` blocks (requests
		/// already made keep theirs).
		///
		/// - Origin: root.
		/// - Errors: `CooldownOutOfBounds` (zero or above `MaxCooldown`); nothing changes on any
		///   error.
		/// - Weight: `WeightInfo::set_cooldown()`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_cooldown())]
		pub fn set_cooldown(origin: OriginFor<T>, blocks: BlockNumberFor<T>) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_cooldown(blocks)
		}
	}
}
