//! What liquidation asks of the margin engine: positions, health and marks, the scans its
//! keeper runs, and the one transfer that moves a position without a margin check.

use crate::{collateral::{Subaccount, Valuation}, AssetId, Balance, MarketId, Price, SignedBalance};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult, FixedI128, Weight};

/// A subaccount's position in one market, as the margin engine stores it.
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo,
)]
pub struct Position {
	/// Signed size in base units: positive long, negative short.
	pub size: SignedBalance,
	/// What the open size cost, in settlement units (negative for a short: what it received).
	pub cost_basis: SignedBalance,
	/// The market's funding index when funding was last settled.
	pub funding_index: FixedI128,
}

/// A subaccount's margin, as `MarginApi.account_health` reports it (settlement units).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Health {
	/// Collateral value + Σ position values + Σ unsettled funding.
	pub equity: SignedBalance,
	/// Σ positions' initial requirements + the margin set aside for resting orders + the
	/// deposit of the subaccount's margin settings.
	pub initial_requirement: Balance,
	pub maintenance_requirement: Balance,
	/// Equity − initial requirement: what is left to open or withdraw.
	pub free_collateral: SignedBalance,
	/// Equity below the maintenance requirement.
	pub liquidatable: bool,
}

/// What a liquidation reads of a market's rules to size and price a close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketTerms {
	/// The market these are the terms of.
	pub market: MarketId,
	/// The oracle asset whose index price is the market's mark (a series': its underlying's).
	pub base_asset: AssetId,
	pub base_decimals: u8,
	pub tick_size: Price,
	pub step_size: Balance,
	/// Where a series' implied volatility comes from (`None` for a perpetual): its mark
	/// needs that input ready too.
	pub volatility: Option<crate::oracle::VolatilityInput>,
}

/// One of a subaccount's positions as a liquidation ranks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldPosition {
	pub market: MarketId,
	pub position: Position,
	/// Its value at the maintenance mark (signed as the position).
	pub value: SignedBalance,
	/// The maintenance requirement it carries, which closing it whole frees (a long option
	/// carries none: closing it frees nothing).
	pub maintenance: Balance,
}

/// A place in the scan of subaccounts that hold positions (an opaque storage key: the last
/// subaccount read), so a scan resumes where the last one stopped.
pub type ScanCursor = Vec<u8>;

/// One page of the scan of subaccounts that hold positions.
pub struct HoldersPage<AccountId> {
	/// Each subaccount read and how many positions it holds.
	pub holders: Vec<(Subaccount<AccountId>, u32)>,
	/// Where the next page starts; `None`: this page reached the end.
	pub next: Option<ScanCursor>,
}

/// The margin engine, for liquidation.
pub trait MarginAccounts<AccountId> {
	/// Most positions a subaccount other than the backstop holds (a portfolio subaccount may
	/// hold more than a standard one).
	fn max_positions() -> u32;

	/// Most positions a standard subaccount holds: what liquidation's benchmarks build their
	/// victims with (beyond it, a portfolio victim is charged their linear formulas).
	fn max_standard_positions() -> u32 {
		Self::max_positions()
	}

	/// Most markets there are (what the backstop may hold).
	fn max_markets() -> u32;

	/// `market`'s terms, if it exists.
	fn market_terms(market: MarketId) -> Option<MarketTerms>;

	/// The maintenance mark of a market with `terms`: its last index price whatever its
	/// status; `None` if never priced.
	fn mark(terms: &MarketTerms) -> Option<Price>;

	/// An option series' vega per contract (USD per 1.00 of volatility) at its maintenance
	/// inputs: how far its mark moves with its volatility; `None` for a perpetual or an
	/// expired series.
	fn vega(terms: &MarketTerms) -> Option<Price>;

	/// `subaccount`'s equity and requirements under `valuation`.
	fn health(subaccount: &Subaccount<AccountId>, valuation: Valuation) -> Result<Health, DispatchError>;

	/// The worst-case weight of one `health` of a subaccount holding `positions`.
	fn health_weight(positions: u32) -> Weight;

	/// `subaccount`'s position in `market`, if any.
	fn position(subaccount: &Subaccount<AccountId>, market: MarketId) -> Option<Position>;

	/// How many positions `subaccount` holds.
	fn position_count(subaccount: &Subaccount<AccountId>) -> u32;

	/// The markets `subaccount` holds a position in.
	fn markets_held(subaccount: &Subaccount<AccountId>) -> Vec<MarketId>;

	/// `subaccount`'s positions, in storage order.
	fn positions_of(subaccount: &Subaccount<AccountId>) -> Vec<(MarketId, Position)>;

	/// `subaccount`'s positions at the maintenance mark, the one whose close frees the most
	/// maintenance first (ties: the larger notional first), so positions that free nothing
	/// (long options) come last.
	fn positions_by_value(subaccount: &Subaccount<AccountId>) -> Result<Vec<HeldPosition>, DispatchError>;

	/// The subaccount funding is paid through (it owes for a while by design).
	fn funding_pool() -> Subaccount<AccountId>;

	/// Up to `limit` subaccounts holding positions after `after` (from the first if `None`),
	/// in storage order.
	fn holders(after: Option<ScanCursor>, limit: u32) -> HoldersPage<AccountId>;

	/// The cursor that starts a scan just after `subaccount`.
	fn cursor_after(subaccount: &Subaccount<AccountId>) -> ScanCursor;

	/// The first `limit` positions in storage order, whoever holds them.
	fn first_positions(limit: u32) -> Vec<(Subaccount<AccountId>, MarketId, Position)>;
}

/// The margin engine's one transfer without a margin check, apart from [`MarginAccounts`] so
/// that only the pallet whose configuration names it (liquidation) can move positions so.
pub trait ForcedTransfer<AccountId> {
	/// Moves `size` base units of `from`'s position in `market` to `to`, `to` paying `from`
	/// `cash` (negative: `from` pays `to`): the backstop's takeover and deleveraging, at a
	/// price liquidation has computed. Funding settles first for both sides. No margin check
	/// on either side, no tick, step or price band, and open interest never grows (the long
	/// side shrinks by `size` and grows by at most `size`). The receiver's limits that still
	/// apply: `max_positions` (except for the backstop, whose positions only the markets
	/// bound) and the isolated-market rule. Fails, changing nothing, if `from` is `to`, `size`
	/// is zero or more than `from` holds, or a receiver's limit binds.
	fn force_transfer(
		market: MarketId,
		from: &Subaccount<AccountId>,
		to: &Subaccount<AccountId>,
		size: Balance,
		cash: SignedBalance,
	) -> DispatchResult;
}
