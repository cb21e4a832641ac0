//! What the fund stores and reports.

use clearing_primitives::Balance;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::FixedU128;

/// A staker's request to leave: its shares stay in the fund, bearing losses, until
/// `unlock_at`.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct UnstakeRequest<BlockNumber> {
	pub shares: Balance,
	pub unlock_at: BlockNumber,
}

/// The fund as `InsuranceApi.fund()` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct FundInfo {
	/// The settlement asset the fund holds for its stakers (Σ in − Σ out).
	pub balance: Balance,
	/// The backstop's equity at the mark: the positions and collateral liquidation handed it
	/// (negative: a loss not yet realized).
	pub backstop_equity: clearing_primitives::SignedBalance,
	/// What the shares are worth: the balance less the backstop's loss, if any (its gains
	/// count once realized), never below zero.
	pub value: Balance,
	/// Every share outstanding, the protocol's included.
	pub total_shares: Balance,
	/// Shares owned by the protocol: revenue that arrived while nobody staked.
	pub protocol_shares: Balance,
	/// `value` per share: what a share costs and pays now.
	pub share_price: FixedU128,
	/// How many unstake requests wait out their cooldown, and their shares.
	pub pending_unstakes: u32,
	pub pending_shares: Balance,
	/// Blocks between a request and its payout.
	pub cooldown_blocks: u32,
}

/// One staker, as `InsuranceApi.staker(account)` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct StakerInfo<BlockNumber> {
	pub shares: Balance,
	/// What the shares would pay now, rounded down.
	pub value: Balance,
	pub pending: Option<UnstakeRequest<BlockNumber>>,
}
