//! # Liquidation
//!
//! Closes out every subaccount that falls below its maintenance requirement, and puts every
//! loss beyond its collateral somewhere defined.
//!
//! - `liquidate(subaccount)`: anyone may call it, signed (the caller pays the fee and earns
//!   the keeper's share of the penalty). It fails with `NotLiquidatable` for a healthy
//!   subaccount, and with `PriceNotReady` while any of its markets' prices is stale, flagged,
//!   or back from a halt with fewer than `MinFreshAggregates` aggregates.
//! - `keeper_liquidate(subaccount, counterparties, proof)` and `liquidate_batch`: the chain's
//!   keeper. Authorized transactions (`#[pallet::authorize]`: fee-free, high priority, one per
//!   subaccount, re-validated by every node and again in the block), valid only with a
//!   `proof`: a current keeper key's signature (`T::Keepers`: the validators' block-authoring
//!   keys) over the call's arguments and this chain, expiring within a few blocks. Nobody
//!   else can take the keeper's pool slot or choose whom to deleverage.
//! - Per market, the position carrying the most maintenance first (at most
//!   `MaxMarketsPerCall`; a live option series whose implied volatility is not ready waits and
//!   takes no slot), while the subaccount stays below maintenance:
//!   1. close in the book (reduce-only, immediate-or-cancel) just enough to restore
//!      maintenance, no worse than `MaxSlippage` from the mark (an option series: its vega
//!      × `OptionVolatilityShift` where wider) nor the bankruptcy price,
//!      within the block's notional cap and `MaxCloseFills` fills (a solvent subaccount cut
//!      short by either keeps the rest for a later call, unless its closes, each given its
//!      whole fill bound, have each closed less than a `MaxStallBlocks`-th of what they
//!      asked for `MaxStallBlocks` blocks in a row); a penalty
//!      (`PenaltyRate` of the closed notional, at most the equity left) goes to the keeper
//!      (`KeeperShare`) and the insurance fund;
//!   2. if still below maintenance, what is left moves to the backstop — a subaccount of
//!      this pallet — at the mark less the penalty (at most the equity left) while the
//!      subaccount is solvent, else at the bankruptcy price (the price at which its equity is
//!      exactly zero) with its loss covered by the insurance fund, while the fund's value
//!      (its balance less the loss the backstop carries) covers it;
//!   3. otherwise it is deleveraged against the `counterparties` the keeper signed for,
//!      ranked on chain by profit × leverage, at the bankruptcy price; too few fails the
//!      call.
//! - A subaccount with no position whose other collateral no longer covers its settlement
//!   debt (at haircut value, last prices: e.g. it closed at a loss against CLR collateral,
//!   then CLR fell) is liquidatable too: the backstop seizes that collateral and the fund,
//!   then the backstop, pays the debt. The same settles a subaccount a liquidation leaves
//!   with no position and a debt: no subaccount keeps an uncovered negative balance.
//! - `liquidate_batch(subaccounts, max_positions)`: the keeper's call for a crash, up to
//!   `MaxBatch` subaccounts in one authorized, operational transaction, each liquidated as
//!   above (without counterparties) in its own storage layer: one that fails is reported
//!   (`BatchEntryFailed`) and changes nothing. The entries share the transaction's overhead
//!   and what they read in common; its closes make at most `MaxBatchFills` fills in all.
//! - The backstop holds any market a takeover gives it and unwinds it into the book in each
//!   block's idle weight (`on_idle`): up to `MaxUnwindRounds` closes a block, the markets in
//!   turn, while each closes something, within `UnwindSlippage` of the mark and the block's
//!   notional cap (`BackstopUnwound`).
//! - Every step emits an event with its amounts. The keeper offchain worker scans subaccounts
//!   with positions from a persisted cursor, `KeeperScanPerBlock` per block, and submits
//!   them in batches (a bankruptcy the fund may not cover alone, with counterparties).
//!
//! Clients read `LiquidationApi.liquidatable(from, limit)` and `deleverage_rank`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod batch;
mod checks;
mod keeper;
pub mod math;
pub mod migrations;
mod penalty;
pub mod proof;
mod resolve;
mod unwind;
pub mod runtime_api;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use proof::{KeeperProof, KEEPER_LONGEVITY};
pub use weights::WeightInfo;

// FRAME's macros expand to `expect`s on invariants they guarantee (pallet names, storage
// prefixes); the calls here are thin and the logic lives in the linted modules beside.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use clearing_primitives::{
		collateral::CollateralLedger,
		insurance::InsuranceFund,
		margin::LiquidationBook,
		oracle::PriceProvider,
		positions::{ForcedTransfer, MarginAccounts},
		Balance, MarketId, SignedBalance,
	};
	use frame_support::{pallet_prelude::*, traits::Contains, PalletId};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{Permill, RuntimeAppPublic};

	pub use clearing_primitives::collateral::SubaccountOf;
	/// The counterparties a caller offers for deleveraging.
	pub type CounterpartiesOf<T> = BoundedVec<SubaccountOf<T>, <T as Config>::MaxCounterparties>;
	/// The subaccounts of one `liquidate_batch`.
	pub type BatchOf<T> = BoundedVec<SubaccountOf<T>, <T as Config>::MaxBatch>;
	/// A keeper key's signature.
	pub type KeeperSignatureOf<T> = <<T as Config>::KeeperId as RuntimeAppPublic>::Signature;
	/// A keeper's proof with this runtime's types.
	pub type KeeperProofOf<T> =
		KeeperProof<<T as Config>::KeeperId, KeeperSignatureOf<T>, BlockNumberFor<T>>;

	/// v1: the penalty lives in this pallet ([`migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The margin engine: positions, health, marks and the forced transfer.
		type Margin: MarginAccounts<Self::AccountId> + ForcedTransfer<Self::AccountId>;

		/// The vaults: collateral values, settlement moves, seizing collateral.
		type Ledger: CollateralLedger<Self::AccountId>;

		/// Index prices and how fresh they are.
		type Prices: PriceProvider;

		/// Where positions are closed first.
		type ClosingBook: LiquidationBook<Self::AccountId>;

		/// Receives the fund's penalty share; covers the backstop's losses and bad debt.
		type Insurance: InsuranceFund<Self::AccountId>;

		/// The key the chain's keeper signs its liquidations with (in the runtime, the
		/// validators' block-authoring key, which each validator's keystore holds).
		type KeeperId: Member
			+ Parameter
			+ MaxEncodedLen
			+ RuntimeAppPublic<Signature: Parameter>;

		/// Whether a key is one of the chain's keepers now.
		type Keepers: Contains<Self::KeeperId>;

		/// Derives the backstop's account (its subaccount 0 holds what it takes over).
		#[pallet::constant]
		type BackstopId: Get<PalletId>;

		/// The penalty on the notional closed in the book until governance sets one
		/// ([`PenaltyRate`]).
		#[pallet::constant]
		type DefaultPenaltyRate: Get<Permill>;

		/// The highest penalty governance may set.
		#[pallet::constant]
		type MaxPenaltyRate: Get<Permill>;

		/// The keeper's part of the penalty (a signed caller's; an authorized keeper's goes
		/// to the fund).
		#[pallet::constant]
		type KeeperShare: Get<Permill>;

		/// Closing in the book goes at most this far from the mark.
		#[pallet::constant]
		type MaxSlippage: Get<Permill>;

		/// An option series closes in the book at most its vega × this move of its implied
		/// volatility from the mark (0.05: five volatility points), where that is wider than
		/// `MaxSlippage` of the mark: option books are thin and quoted in volatility. Never
		/// beyond [`math::MAX_OPTION_BAND`] of the mark.
		#[pallet::constant]
		type OptionVolatilityShift: Get<Permill>;

		/// The backstop unwinds what it holds into the book at most this far from the mark.
		#[pallet::constant]
		type UnwindSlippage: Get<Permill>;

		/// Most closes the backstop's unwind makes in one block's idle weight (each of at
		/// most `MaxCloseFills` fills, the markets in turn): dust on top of the book uses up a
		/// close, not the block.
		#[pallet::constant]
		type MaxUnwindRounds: Get<u32>;

		/// Most notional closed in the book per block (settlement units), so one crash does
		/// not empty the book in one block.
		#[pallet::constant]
		type BlockNotionalCap: Get<Balance>;

		/// Fresh aggregates in a row a price needs (after a halt, a restart or a flag)
		/// before liquidations use it.
		#[pallet::constant]
		type MinFreshAggregates: Get<u32>;

		/// Most markets one call works through.
		#[pallet::constant]
		type MaxMarketsPerCall: Get<u32>;

		/// Most fills one call's close makes in each market's book. A call is declared at
		/// this many fills per market, so it bounds what every liquidation reserves of a
		/// block; a solvent subaccount the bound cuts short keeps the rest for the next call.
		#[pallet::constant]
		type MaxCloseFills: Get<u32>;

		/// Blocks in a row a solvent subaccount's closes, each given its whole `MaxCloseFills`,
		/// may be cut short by that bound without closing anything (its own orders or refused
		/// makers in the way) before the backstop takes the rest at the bankruptcy price.
		#[pallet::constant]
		type MaxStallBlocks: Get<BlockNumberFor<Self>>;

		/// Most counterparties one call may deleverage.
		#[pallet::constant]
		type MaxCounterparties: Get<u32>;

		/// Most subaccounts one `liquidate_batch` works through.
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// Most fills one `liquidate_batch`'s closes make in the book, all entries together
		/// (each close still at most `MaxCloseFills`); the batch is declared at this many, not
		/// at a full close per market of every entry. A solvent entry whose close finds the
		/// budget spent keeps its position for a later call, as any close cut short by its
		/// fill bound.
		#[pallet::constant]
		type MaxBatchFills: Get<u32>;

		/// Subaccounts the keeper checks per block.
		#[pallet::constant]
		type KeeperScanPerBlock: Get<u32>;

		/// Positions the keeper reads to rank deleveraging counterparties.
		#[pallet::constant]
		type KeeperRankScan: Get<u32>;

		/// Pool priority of the keeper's liquidations: ahead of ordinary transactions.
		#[pallet::constant]
		type KeeperPriority: Get<TransactionPriority>;

		/// Weights of the calls, measured by `benchmarking.rs`.
		type WeightInfo: WeightInfo;

		/// Sets an unhealthy subaccount up for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::KeeperId>;
	}

	/// What the benchmarks need the runtime to arrange.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId, KeeperId> {
		/// A current keeper key that can sign here.
		fn keeper() -> KeeperId;

		/// Leaves `victim` below maintenance, bankrupt, holding `positions` positions. With
		/// `counterparties` > 0: that many profitable opposite positions to deleverage (each
		/// holder with `MaxPositions` positions) and an empty fund; with 0: a fund that covers
		/// the loss. Returns the counterparties.
		fn bankrupt(
			victim: &clearing_primitives::collateral::Subaccount<AccountId>,
			positions: u32,
			counterparties: u32,
		) -> alloc::vec::Vec<clearing_primitives::collateral::Subaccount<AccountId>>;

		/// Leaves `victim` below maintenance yet solvent, holding one position, with nothing
		/// in the book to close it against: the backstop takes it at the mark less the penalty.
		fn underwater(victim: &clearing_primitives::collateral::Subaccount<AccountId>);
	}

	/// The penalty on the notional closed in the book (`DefaultPenaltyRate` until governance
	/// sets one; at most `MaxPenaltyRate`).
	#[pallet::storage]
	pub type PenaltyRate<T: Config> = StorageValue<_, Permill, ValueQuery, T::DefaultPenaltyRate>;

	/// The backstop's market unwound last: markets take turns, one a block.
	#[pallet::storage]
	pub type UnwindCursor<T: Config> = StorageValue<_, MarketId, OptionQuery>;

	/// Notional closed in the book in the current block, against `BlockNotionalCap`.
	#[pallet::storage]
	pub type ClosedThisBlock<T: Config> =
		StorageValue<_, (BlockNumberFor<T>, Balance), ValueQuery>;

	/// Solvent subaccounts whose closes have been cut short without closing anything: since
	/// which block, and the last block it happened (removed on progress or recovery).
	#[pallet::storage]
	pub type Stalled<T: Config> =
		StorageMap<_, Blake2_128Concat, SubaccountOf<T>, (BlockNumberFor<T>, BlockNumberFor<T>), OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Part of a position was closed in the book.
		ClosedInBook {
			subaccount: SubaccountOf<T>,
			market: MarketId,
			size: Balance,
			notional: Balance,
		},
		/// The liquidation penalty was paid: to the keeper (if a signed caller) and the fund.
		PenaltyPaid {
			subaccount: SubaccountOf<T>,
			/// The signed caller that earned the keeper's share; `None` for the chain's keeper.
			keeper: Option<T::AccountId>,
			to_keeper: Balance,
			to_fund: Balance,
		},
		/// The backstop took a position over, paying `cash` (negative: receiving it): a
		/// solvent subaccount's at the mark less `penalty`, a bankrupt one's at the
		/// bankruptcy price with `loss_covered` by the fund.
		TakenByBackstop {
			subaccount: SubaccountOf<T>,
			market: MarketId,
			size: Balance,
			cash: SignedBalance,
			penalty: Balance,
			loss_covered: Balance,
		},
		/// A profitable opposite position absorbed part of the position at the bankruptcy
		/// price, paying `cash` (negative: receiving it).
		Deleveraged {
			subaccount: SubaccountOf<T>,
			counterparty: SubaccountOf<T>,
			market: MarketId,
			size: Balance,
			cash: SignedBalance,
		},
		/// A subaccount left with no position and a debt its collateral no longer covered was
		/// settled: the backstop took its remaining collateral (worth `seized` at haircut value)
		/// and the fund (then the backstop) paid the debt.
		BadDebtCovered {
			subaccount: SubaccountOf<T>,
			seized: Balance,
			from_fund: Balance,
			from_backstop: Balance,
		},
		/// The backstop sold (a long) or bought back (a short) `size` of what it holds in
		/// `market` in the book, for `notional`.
		BackstopUnwound { market: MarketId, size: Balance, notional: Balance },
		/// A liquidation call finished; `healthy`: the subaccount is above maintenance (or
		/// holds nothing) now.
		Liquidated { subaccount: SubaccountOf<T>, markets: u32, healthy: bool },
		/// An entry of a `liquidate_batch` failed and changed nothing (an earlier entry may
		/// have used the block's cap, or the subaccount recovered); the others went on.
		BatchEntryFailed { subaccount: SubaccountOf<T>, error: DispatchError },
		/// Governance set the liquidation penalty.
		PenaltyRateSet { rate: Permill },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The subaccount is at or above its maintenance requirement (with no position: its
		/// collateral covers its settlement debt, or it owes nothing).
		NotLiquidatable,
		/// A price the subaccount's markets need is stale, flagged, missing, or has had too
		/// few fresh aggregates since the oracle recovered.
		PriceNotReady,
		/// This block's notional cap is used up; try again next block.
		LiquidationCapReached,
		/// The protocol's own subaccounts (the backstop, the funding pool) are never
		/// liquidated.
		ProtocolExempt,
		/// A counterparty offered for deleveraging holds no profitable opposite position, is
		/// the subaccount itself, or is listed twice.
		InvalidCounterparty,
		/// The fund cannot cover the loss and the counterparties offered cannot absorb it.
		InsufficientCounterparties,
		/// A batch entry holds more positions than the batch's `max_positions` witness.
		PositionWitnessTooLow,
		/// The penalty asked for is above `MaxPenaltyRate`.
		PenaltyTooHigh,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn offchain_worker(n: BlockNumberFor<T>) {
			Self::run_keeper(n);
		}

		/// The backstop unwinds into the book in weight the block left idle, so it never
		/// crowds out a transaction.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::unwind_backstop(remaining)
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
		/// Up to `limit` liquidatable subaccounts after `from` (`LiquidationApi.liquidatable`).
		pub fn liquidatable(from: Option<SubaccountOf<T>>, limit: u32) -> alloc::vec::Vec<SubaccountOf<T>> {
			Self::liquidatable_page(from, limit)
		}

		/// `subaccount`'s deleveraging rank in `market`: profit × leverage, `None` if not in
		/// profit (`LiquidationApi.deleverage_rank`).
		pub fn deleverage_rank(subaccount: SubaccountOf<T>, market: MarketId) -> Option<sp_runtime::FixedU128> {
			Self::rank(&subaccount, market)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Liquidates `subaccount` (see the pallet docs for the order of resolution). The caller
		/// pays the fee whatever the outcome and earns `KeeperShare` of the penalty (`PenaltyRate`
		/// of the notional closed in the book); the rest goes to the fund. A bankruptcy the fund
		/// cannot cover waits for the chain's keeper, which alone names counterparties to
		/// deleverage.
		///
		/// - Origin: signed, by anyone (`signed_caller`).
		/// - Errors: `ProtocolExempt` (the backstop or the funding pool), `PriceNotReady` (a price
		///   it needs is stale, flagged, missing or not yet `MinFreshAggregates` fresh),
		///   `NotLiquidatable` (at or above maintenance; with no position, no uncovered debt),
		///   `LiquidationCapReached` (solvent, and the block's notional cap is used up),
		///   `InsufficientCounterparties` (a bankruptcy the fund cannot cover: none offered here);
		///   the margin engine's, the vaults' or the fund's refusal of a step; nothing changes on
		///   any error.
		/// - Weight: `Pallet::liquidate_weight(0)`, its worst (`MaxPositions` positions,
		///   `MaxCloseFills` fills in each of `MaxMarketsPerCall` markets' closes), refunded to
		///   the positions the subaccount held and the fills its closes made; a refusal before any
		///   work (the first four errors) is charged only the check, a later failure in full.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::liquidate_weight(0))]
		pub fn liquidate(origin: OriginFor<T>, subaccount: SubaccountOf<T>) -> DispatchResultWithPostInfo {
			let signed_caller = ensure_signed(origin)?;
			Self::liquidate_one(&subaccount, Some(signed_caller), &Default::default())
		}

		/// The chain keeper's liquidation of `subaccount`, as `liquidate`, offering the
		/// `counterparties` to deleverage should the fund be unable to cover the loss. Free, and
		/// the whole penalty goes to the fund.
		///
		/// - Origin: authorized only, in the pool and again in the block: valid while `proof` is a
		///   current keeper's unexpired signature of these arguments and the subaccount is
		///   liquidatable (otherwise invalid: `Stale`, `Future`, `BadSigner`, `BadProof` or
		///   `Call`).
		/// - Errors: those of `liquidate`, with `InsufficientCounterparties` when those offered
		///   cannot absorb the rest, and `InvalidCounterparty` (one holds no profitable opposite
		///   position, is the subaccount itself or is listed twice), checked only when it
		///   deleverages; nothing changes on any error.
		/// - Weight: `Pallet::liquidate_weight(counterparties.len())`, refunded as `liquidate`'s
		///   (never below deleveraging that many counterparties when some are offered); the check,
		///   `authorize_weight()` (`MaxPositions`), to the positions the subaccount holds.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::liquidate_weight(counterparties.len() as u32))]
		#[pallet::authorize(Pallet::<T>::authorize_liquidate)]
		#[pallet::weight_of_authorize(Pallet::<T>::authorize_weight())]
		pub fn keeper_liquidate(
			origin: OriginFor<T>,
			subaccount: SubaccountOf<T>,
			counterparties: CounterpartiesOf<T>,
			proof: KeeperProofOf<T>,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			// Checked by `authorize_liquidate`, in the pool and again in the block.
			let _ = proof;
			Self::liquidate_one(&subaccount, None, &counterparties)
		}

		/// The keeper's call for many subaccounts at once (a crash): liquidates each of
		/// `subaccounts` in turn as a `keeper_liquidate` offering no counterparties would, sharing
		/// one transaction's overhead and what the entries read in common (markets, prices, the
		/// fund). Its closes make at most `MaxBatchFills` fills in the book. Operational: in a
		/// crash, liquidations go ahead of ordinary transactions and may use the block's reserve.
		///
		/// - Origin: authorized only, in the pool and again in the block: valid while `proof` is a
		///   current keeper's unexpired signature of these arguments, `subaccounts` is not empty
		///   and lists each once, and at least one entry holding at most `max_positions` positions
		///   is liquidatable; other entries fail alone at dispatch.
		/// - Errors: none of its own. An entry that fails changes nothing and is reported
		///   (`BatchEntryFailed`: `PositionWitnessTooLow` if it holds more than `max_positions`
		///   positions, or any of `liquidate`'s errors); the rest go on.
		/// - Weight: `Pallet::batch_weight(entries, max_positions)` (`max_positions`: the
		///   witness), refunded to what the entries worked through (their positions and fills, an
		///   entry that moved no money beyond a takeover at the mark at the cheaper solvent rate,
		///   a refused one its check); the check, `authorize_batch_weight`, to the entries it
		///   read.
		#[pallet::call_index(1)]
		#[pallet::weight((
			Pallet::<T>::batch_weight(subaccounts.len() as u32, *max_positions),
			DispatchClass::Operational,
		))]
		#[pallet::authorize(Pallet::<T>::authorize_batch)]
		#[pallet::weight_of_authorize(Pallet::<T>::authorize_batch_weight(subaccounts.len() as u32, *max_positions))]
		pub fn liquidate_batch(
			origin: OriginFor<T>,
			subaccounts: BatchOf<T>,
			max_positions: u32,
			proof: KeeperProofOf<T>,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			let _ = proof;
			Ok(Some(Self::do_liquidate_batch(&subaccounts, max_positions)).into())
		}
	}
}
