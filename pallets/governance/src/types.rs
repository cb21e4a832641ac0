//! The changes the risk governance makes, what it keeps while one waits, and what it asks of
//! the runtime.

use crate::classify::{MarginFractions, OptionTerms, OracleLimits};
use clearing_primitives::{black76::OptionKind, margin::MarketStatus, AssetId, Balance, MarketId, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::DispatchResult, weights::Weight, Parameter};
use scale_info::TypeInfo;
use sp_runtime::Permill;

/// Identifies a scheduled change.
pub type ChangeId = u32;

/// One change to a risk parameter. Each names one parameter (or one listing) so its
/// direction is unambiguous.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum RiskChange<AccountId, Hash, MarketListing, CollateralListing, FeeTable, OptionParams, ListingSchedule> {
	/// A market's initial and maintenance margin fractions.
	SetMarketMargin { market: MarketId, initial: Permill, maintenance: Permill },
	/// A market's open-interest cap (base units).
	SetOpenInterestCap { market: MarketId, max_open_interest: Balance },
	/// A market's status (halt, reduce-only, post-only, active).
	SetMarketStatus { market: MarketId, status: MarketStatus },
	/// A new market.
	ListMarket { market: MarketId, listing: MarketListing },
	/// A collateral asset's haircut.
	SetHaircut { asset: AssetId, haircut: Permill },
	/// A collateral asset's deposit cap (its smallest units).
	SetDepositCap { asset: AssetId, deposit_cap: Balance },
	/// A new collateral asset (or a disabled one re-enabled).
	ListCollateral { asset: AssetId, listing: CollateralListing },
	/// The oracle's aggregation limits.
	SetOracleLimits { min_feeders: u32, max_age_ms: u64, max_jump: Permill },
	/// A new oracle feeder.
	AddFeeder { feeder: AccountId },
	/// An oracle feeder removed.
	RemoveFeeder { feeder: AccountId },
	/// The insurance fund's unstaking cooldown (blocks).
	SetUnstakeCooldown { blocks: u32 },
	/// The liquidation penalty on the notional closed in the book.
	SetLiquidationPenalty { rate: Permill },
	/// Authorizes a runtime upgrade to the code with this hash (anyone may then submit the
	/// code with `system.applyAuthorizedUpgrade`; its spec version must rise).
	AuthorizeUpgrade { code_hash: Hash },
	/// The order book's fee tier table (fees and maker rebates by 30-day volume).
	SetFeeTiers { tiers: FeeTable },
	/// A new option series on perpetual `underlying`'s base asset, expiring at `expiry`
	/// (milliseconds since the Unix epoch).
	ListSeries {
		underlying: MarketId,
		expiry: u64,
		strike: Price,
		kind: OptionKind,
		tick_size: Price,
		max_open_interest: Balance,
	},
	/// Perpetual `underlying`'s option listing schedule (`None` removes it).
	SetListingSchedule { underlying: MarketId, schedule: Option<ListingSchedule> },
	/// The options' margin and pricing parameters.
	SetOptionParams { params: OptionParams },
	/// The settlement price of an expiry whose index was fresh for too little of its window.
	SetSettlementPrice { underlying: AssetId, expiry: u64, price: Price },
	/// An underlying's scenario grid for portfolio margin.
	SetScenarioGrid { asset: AssetId, grid: clearing_primitives::portfolio::ScenarioGrid },
	/// How a collateral asset's haircut follows its realized volatility and a holding's size
	/// (`None` removes the curve: its haircut alone applies).
	SetHaircutCurve { asset: AssetId, curve: Option<clearing_primitives::haircut::HaircutCurve> },
}

/// A change waiting out its timelock.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct PendingChange<Change, BlockNumber> {
	pub change: Change,
	/// When it was scheduled.
	pub scheduled_at: BlockNumber,
	/// The block at whose start it is enacted.
	pub enact_at: BlockNumber,
}

/// The risk parameters as the runtime keeps them: read for classification, written on
/// enactment. Enacting goes through each pallet's own validation too.
pub trait RiskParameters<AccountId, Hash> {
	/// What a new market lists with (the margin engine's market configuration).
	type MarketListing: Parameter + MaxEncodedLen;
	/// What a new collateral lists with (the vaults' collateral configuration).
	type CollateralListing: Parameter + MaxEncodedLen;
	/// A fee tier table (the order book's).
	type FeeTable: Parameter + MaxEncodedLen;
	/// The options' margin and pricing parameters (the options pallet's).
	type OptionParams: Parameter + MaxEncodedLen;
	/// An option listing schedule (the options pallet's).
	type ListingSchedule: Parameter + MaxEncodedLen;

	/// A market's margin fractions, if it exists.
	fn market_margin(market: MarketId) -> Option<MarginFractions>;
	/// A market's open-interest cap, if it exists.
	fn open_interest_cap(market: MarketId) -> Option<Balance>;
	/// A market's status as set, if it exists.
	fn market_status(market: MarketId) -> Option<MarketStatus>;
	/// A collateral's haircut and deposit cap, if it is registered.
	fn collateral(asset: AssetId) -> Option<(Permill, Balance)>;
	/// The oracle's limits.
	fn oracle_limits() -> OracleLimits;
	/// Whether `who` feeds the oracle.
	fn is_feeder(who: &AccountId) -> bool;
	/// The unstaking cooldown (blocks).
	fn unstake_cooldown() -> u32;
	/// The liquidation penalty.
	fn liquidation_penalty() -> Permill;
	/// The margin fractions a market listing asks for.
	fn listing_margin(listing: &Self::MarketListing) -> MarginFractions;
	/// The haircut a collateral listing asks for.
	fn listing_haircut(listing: &Self::CollateralListing) -> Permill;
	/// The deposit cap a collateral listing asks for.
	fn listing_deposit_cap(listing: &Self::CollateralListing) -> Balance;
	/// The options' parameters now, as governance steps them.
	fn option_terms() -> OptionTerms;
	/// The same terms of proposed option parameters.
	fn proposed_option_terms(params: &Self::OptionParams) -> OptionTerms;
	/// An underlying's scenario grid now (the default until one is set).
	fn scenario_grid(asset: AssetId) -> clearing_primitives::portfolio::ScenarioGrid;
	/// A collateral asset's haircut curve, if it has one.
	fn haircut_curve(asset: AssetId) -> Option<clearing_primitives::haircut::HaircutCurve>;

	/// Makes `change` so. Fails, changing nothing, if the owning pallet refuses it.
	fn enact(change: &RiskChangeFor<AccountId, Hash, Self>) -> DispatchResult;
	/// The worst-case weight of enacting `change`.
	fn enact_weight(change: &RiskChangeFor<AccountId, Hash, Self>) -> Weight;
}

/// The change type of a [`RiskParameters`] implementation.
pub type RiskChangeFor<AccountId, Hash, P> = RiskChange<
	AccountId,
	Hash,
	<P as RiskParameters<AccountId, Hash>>::MarketListing,
	<P as RiskParameters<AccountId, Hash>>::CollateralListing,
	<P as RiskParameters<AccountId, Hash>>::FeeTable,
	<P as RiskParameters<AccountId, Hash>>::OptionParams,
	<P as RiskParameters<AccountId, Hash>>::ListingSchedule,
>;

/// One risk parameter, for the step limit it moves under: every change to it within one
/// timelock window is measured from its value when the window opened, whichever call or
/// sequence of calls moves it.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo,
)]
pub enum ParameterKey {
	InitialMargin(MarketId),
	MaintenanceMargin(MarketId),
	OpenInterestCap(MarketId),
	Haircut(AssetId),
	DepositCap(AssetId),
	MinFeeders,
	MaxAge,
	MaxJump,
	UnstakeCooldown,
	LiquidationPenalty,
	OptionInitialBase,
	OptionInitialFloor,
	OptionMaintenance,
	OptionRealizedFloor,
	/// One field of an underlying's scenario grid.
	ScenarioGrid(AssetId, crate::classify::GridField),
	/// One field of a collateral asset's haircut curve.
	HaircutCurve(AssetId, crate::classify::CurveField),
}
