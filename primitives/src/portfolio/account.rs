//! One account's positions on one underlying under its grid: each scenario's profit or loss
//! as Σ size × the contract's vector, then the requirement the worst of them sets.

use super::grid::{ScenarioGrid, ScenarioValues, SCENARIOS};
use crate::{
	units::{notional, Overflow},
	AssetId, Balance, Price, SignedBalance,
};
use sp_arithmetic::{traits::Zero, Rounding};

/// An account's exposure to one underlying, accumulated leg by leg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnderlyingRisk {
	pub asset: AssetId,
	/// The index the contingencies are charged on.
	pub index: Price,
	/// Each scenario's profit (positive) or loss, settlement units, rounded against the
	/// account (losses up, profits down), leg by leg.
	pub pnl: [SignedBalance; SCENARIOS],
	/// Σ |perpetual notional| at the index, market by market: opposite positions in two
	/// perpetuals on one underlying offset in the grid, not in their funding, which each
	/// market charges on its own.
	pub perpetual_notional: Balance,
	/// Σ notional of short option contracts at the index.
	pub short_option_notional: Balance,
}

/// The requirement an underlying's exposure sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnderlyingRequirement {
	/// The largest loss over the grid (zero if no scenario loses).
	pub worst_loss: Balance,
	/// The scenario that sets it (the first of equals).
	pub binding: u8,
	/// The contingencies (perpetual and short-option charges).
	pub contingencies: Balance,
	/// max(least per underlying, worst loss × (1 + surcharge) + contingencies).
	pub initial: Balance,
	/// The grid's maintenance share of `initial`.
	pub maintenance: Balance,
}

/// `size` base units (with `decimals`) × `per_contract` (fixed point, USD per whole unit),
/// settlement units: a loss rounds up, a profit down.
fn leg_pnl(size: SignedBalance, decimals: u8, per_contract: i128) -> Result<SignedBalance, Overflow> {
	let loses = (size < 0) != (per_contract < 0);
	let rounding = if loses { Rounding::Up } else { Rounding::Down };
	let magnitude = notional(size.unsigned_abs(), decimals, Price::from_inner(per_contract.unsigned_abs()), rounding)
		.map_err(|_| Overflow)?;
	let magnitude = SignedBalance::try_from(magnitude).map_err(|_| Overflow)?;
	if loses {
		magnitude.checked_neg().ok_or(Overflow)
	} else {
		Ok(magnitude)
	}
}

impl UnderlyingRisk {
	/// No exposure yet to `asset`, whose index is `index`.
	pub fn new(asset: AssetId, index: Price) -> Self {
		Self { asset, index, pnl: [0; SCENARIOS], perpetual_notional: 0, short_option_notional: 0 }
	}

	/// Adds a leg of signed `size` whose contract moves by `values` across the grid.
	pub fn add_leg(&mut self, size: SignedBalance, decimals: u8, values: &ScenarioValues) -> Result<(), Overflow> {
		if size == 0 {
			return Ok(());
		}
		for (sum, per_contract) in self.pnl.iter_mut().zip(values) {
			*sum = sum.checked_add(leg_pnl(size, decimals, *per_contract)?).ok_or(Overflow)?;
		}
		Ok(())
	}

	/// Adds a perpetual leg (its vector from [`super::perpetual_scenarios`]).
	pub fn add_perpetual(&mut self, size: SignedBalance, decimals: u8, values: &ScenarioValues) -> Result<(), Overflow> {
		self.add_leg(size, decimals, values)?;
		let gross = notional(size.unsigned_abs(), decimals, self.index, Rounding::Up).map_err(|_| Overflow)?;
		self.perpetual_notional = self.perpetual_notional.checked_add(gross).ok_or(Overflow)?;
		Ok(())
	}

	/// Adds an option leg (its vector from the options pallet's cache); a short one is
	/// charged the short-option contingency.
	pub fn add_option(&mut self, size: SignedBalance, decimals: u8, values: &ScenarioValues) -> Result<(), Overflow> {
		self.add_leg(size, decimals, values)?;
		if size < 0 {
			let short = notional(size.unsigned_abs(), decimals, self.index, Rounding::Up).map_err(|_| Overflow)?;
			self.short_option_notional = self.short_option_notional.checked_add(short).ok_or(Overflow)?;
		}
		Ok(())
	}

	/// This exposure and `other` (on the same underlying) together.
	pub fn plus(&self, other: &Self) -> Result<Self, Overflow> {
		self.combine(other, i128::checked_add, u128::checked_add)
	}

	/// This exposure without `part` of it (a leg added before).
	pub fn minus(&self, part: &Self) -> Result<Self, Overflow> {
		self.combine(part, i128::checked_sub, u128::checked_sub)
	}

	fn combine(
		&self,
		other: &Self,
		signed: fn(i128, i128) -> Option<i128>,
		unsigned: fn(u128, u128) -> Option<u128>,
	) -> Result<Self, Overflow> {
		let mut pnl = self.pnl;
		for (sum, part) in pnl.iter_mut().zip(other.pnl) {
			*sum = signed(*sum, part).ok_or(Overflow)?;
		}
		Ok(Self {
			asset: self.asset,
			index: self.index,
			pnl,
			perpetual_notional: unsigned(self.perpetual_notional, other.perpetual_notional).ok_or(Overflow)?,
			short_option_notional: unsigned(self.short_option_notional, other.short_option_notional).ok_or(Overflow)?,
		})
	}

	/// The requirement this exposure sets under `grid`.
	pub fn requirement(&self, grid: &ScenarioGrid) -> Result<UnderlyingRequirement, Overflow> {
		let mut binding = 0usize;
		let mut lowest = SignedBalance::MAX;
		for (index, pnl) in self.pnl.iter().enumerate() {
			if *pnl < lowest {
				lowest = *pnl;
				binding = index;
			}
		}
		let worst_loss = if lowest < 0 { lowest.unsigned_abs() } else { Balance::zero() };
		let surcharge = grid.initial_surcharge.mul_ceil(worst_loss);
		let contingencies = grid
			.perpetual_contingency
			.mul_ceil(self.perpetual_notional)
			.checked_add(grid.short_option_contingency.mul_ceil(self.short_option_notional))
			.ok_or(Overflow)?;
		let initial = worst_loss
			.checked_add(surcharge)
			.and_then(|sum| sum.checked_add(contingencies))
			.ok_or(Overflow)?
			.max(grid.min_initial);
		Ok(UnderlyingRequirement {
			worst_loss,
			binding: u8::try_from(binding).map_err(|_| Overflow)?,
			contingencies,
			initial,
			maintenance: grid.maintenance_share.mul_ceil(initial),
		})
	}
}
