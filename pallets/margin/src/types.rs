//! What the margin engine stores and reports.

use clearing_primitives::{AssetId, Balance, MarketId, Price, SignedBalance};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{FixedI128, Permill};

/// A perpetual market's rules. Set by root.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo, serde::Serialize, serde::Deserialize,
)]
pub struct MarketConfig<BlockNumber> {
	/// The oracle asset the market tracks (its index price is the mark).
	pub base_asset: AssetId,
	/// Decimals of a position size: sizes are in the base asset's smallest unit.
	pub base_decimals: u8,
	/// Initial margin fraction while open interest is at or below `oi_lower`.
	pub initial_margin: Permill,
	/// Maintenance margin fraction (below the initial one).
	pub maintenance_margin: Permill,
	/// Open interest (base units) above which the initial fraction starts to rise…
	pub oi_lower: Balance,
	/// …linearly, reaching 100% here.
	pub oi_upper: Balance,
	/// Most open interest the market takes (base units).
	pub max_open_interest: Balance,
	/// Prices are multiples of this (USD per whole unit).
	pub tick_size: Price,
	/// Sizes are multiples of this (base units).
	pub step_size: Balance,
	/// Fee on the maker's notional.
	pub maker_fee: Permill,
	/// Fee on the taker's notional.
	pub taker_fee: Permill,
	/// Orders rest and fills happen only within this fraction of the index price, either
	/// way: a fill far from the index moves value between accounts rather than trading risk.
	pub price_band: Permill,
	/// Blocks between funding updates.
	pub funding_interval: BlockNumber,
	/// Largest funding rate per interval, either way.
	pub funding_cap: Permill,
	/// Interest component of the funding rate per interval (longs pay shorts).
	pub interest_per_interval: Permill,
	/// Only tradable from a subaccount with no other market.
	pub isolated_only: bool,
}

/// A market as stored: its rules and the status governance set, read together by every
/// order and fill (one storage read, not two).
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct Market<BlockNumber> {
	pub config: MarketConfig<BlockNumber>,
	/// As set by governance; what the market accepts also depends on its index price (see
	/// `Pallet::market_status`).
	pub status: MarketStatus,
}

/// A market's running state.
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo,
)]
pub struct MarketState<BlockNumber> {
	/// Σ long sizes = Σ short sizes (base units).
	pub open_interest: Balance,
	/// Cumulative funding per whole base unit, USD; a long pays its growth.
	pub funding_index: FixedI128,
	/// Σ premium samples since the last funding update, and how many.
	pub premium_sum: FixedI128,
	pub premium_samples: u32,
	/// The block of the next funding update.
	pub next_funding_at: BlockNumber,
}

pub use clearing_primitives::positions::{Health, Position};

/// One of a `Portfolio` subaccount's positions as its reading needs it: the market's
/// underlying and decimals (fixed for a market's life) beside the position.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct PortfolioLeg {
	pub market: MarketId,
	/// The market's base asset: a series' underlying, a perpetual's index asset.
	pub underlying: AssetId,
	/// An option series (valued from its underlying's scenario book), not a perpetual.
	pub series: bool,
	pub decimals: u8,
	pub position: Position,
}

/// One position, as `MarginApi.positions` reports it (settlement units unless said).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PositionView {
	pub market: MarketId,
	/// Signed size in base units. (Not `size`: polkadot.js renames that, it clashes with
	/// `Map.size`.)
	pub base_size: SignedBalance,
	pub cost_basis: SignedBalance,
	/// Size × mark (rounded against the holder).
	pub value: SignedBalance,
	pub unrealized_pnl: SignedBalance,
	/// Funding owed (negative) or due (positive) since the last settlement.
	pub unsettled_funding: SignedBalance,
	/// The mark used.
	pub mark: Option<Price>,
}
pub use clearing_primitives::margin::MarketStatus;

/// Most markets a subaccount may choose a leverage for (the runtime's market limit).
pub type MaxLeverageChoices = frame_support::traits::ConstU32<32>;

/// How a subaccount trades, as its owner chose (`set_leverage`, `set_isolated`). Stored only
/// while it differs from the default (cross margin, each market's own leverage), with a
/// deposit returned when it goes back to the default.
#[derive(
	Clone, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct MarginSettings {
	/// The one market this subaccount may hold and quote: an isolated position, margined and
	/// liquidated on its own, away from the owner's other subaccounts.
	pub isolated: Option<MarketId>,
	/// Leverage chosen per market: at least 1/x of a position's notional is its initial
	/// requirement there, whatever the market's own fraction allows.
	pub leverage: frame_support::BoundedVec<(MarketId, u8), MaxLeverageChoices>,
	/// Settlement units set aside in the subaccount's initial requirement while stored.
	pub deposit: Balance,
	/// How its requirements are computed (`set_margin_mode`).
	pub mode: MarginMode,
}

/// How a subaccount's requirements are computed.
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub enum MarginMode {
	/// Per position: each market's fractions, each option leg's standard requirement.
	#[default]
	Standard,
	/// The whole book per underlying under its scenario grid: the worst loss × a factor plus
	/// contingencies, maintenance a share of it. Leverage choices do not apply.
	Portfolio,
}

impl MarginSettings {
	/// The leverage chosen for `market`, if any.
	pub fn leverage_in(&self, market: MarketId) -> Option<u8> {
		self.leverage.iter().find(|(chosen, _)| *chosen == market).map(|(_, x)| *x)
	}

	/// The least initial fraction the owner chose for `market` (1/x, rounded up); zero if
	/// none, so `max` with the market's own fraction leaves that.
	pub fn chosen_fraction(&self, market: MarketId) -> Permill {
		self.leverage_in(market)
			.and_then(crate::math::leverage_fraction)
			.unwrap_or_default()
	}

	/// Nothing chosen: the default every subaccount starts from.
	pub fn is_default(&self) -> bool {
		self.isolated.is_none() && self.leverage.is_empty() && self.mode == MarginMode::Standard
	}
}

/// One underlying of a subaccount under its scenario grid (`MarginApi.scenarios`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct UnderlyingScenarios {
	pub asset: AssetId,
	/// The index the contingencies are charged on.
	pub index: Price,
	/// Each scenario's profit (positive) or loss, settlement units, in the grid's order: the
	/// core levels from the largest fall up, each with volatility up, unchanged, down; then
	/// the extreme fall and rise (`clearing_primitives::portfolio::scenario`).
	pub pnl: alloc::vec::Vec<SignedBalance>,
	/// The scenario with the worst loss.
	pub binding: u8,
	pub worst_loss: Balance,
	pub contingencies: Balance,
	/// max(least per underlying, worst loss × (1 + surcharge) + contingencies).
	pub initial: Balance,
	pub maintenance: Balance,
	pub grid: clearing_primitives::portfolio::ScenarioGrid,
}

/// A subaccount's book under portfolio margin (`MarginApi.scenarios`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PortfolioScenarios {
	/// The mode it is margined in now (a `Standard` one sees what `Portfolio` would charge).
	pub mode: MarginMode,
	pub underlyings: alloc::vec::Vec<UnderlyingScenarios>,
	/// Series legs without a scenario vector yet, charged their standard requirement.
	pub unvectored: u32,
}

/// An order as `MarginApi.what_if` fills it: `size` base units of `market` bought or sold at
/// `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct HypotheticalOrder {
	pub market: MarketId,
	pub side: clearing_primitives::margin::Side,
	pub size: Balance,
	pub price: Price,
}
