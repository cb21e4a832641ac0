//! Dynamic collateral haircuts: a governed floor, raised by the asset's realized volatility
//! and by the size of a holding against a governed liquidity depth.
//!
//! - Volatility term: `volatility_factor × RV` (annualized), at most `max_volatility_haircut`.
//!   A factor of 12% is a one-day 99% move (2.33 / √365) of a normally distributed price.
//! - Size weight: `min(1, 1.1 / (1 + size_factor · √(holding / depth)))`. A holding the book
//!   could not absorb at once is worth less per unit when it must be sold. The weight falls
//!   slowly enough that a larger holding is never worth less in all (`holding × weight` rises
//!   with the holding).
//! - The haircut in force is the largest of the floor, the volatility term and `1 − weight`.

use crate::{Balance, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{CheckedAdd, One, Saturating},
	FixedPointNumber, FixedU128, PerThing, Permill, Rounding, SignedRounding,
};

/// The most any term of a curve may take: collateral always counts for something.
pub const MAX_CURVE_HAIRCUT: Permill = Permill::from_percent(90);

/// The size weight's numerator: a small holding's weight is capped at one, so the weight
/// only starts falling once `size_factor · √(holding / depth)` passes 0.1.
const SIZE_WEIGHT_NUMERATOR: FixedU128 = FixedU128::from_inner(1_100_000_000_000_000_000);

/// Added to the fixed-point square root so it is never below the exact one.
const ROOT_ROUNDING: FixedU128 = FixedU128::from_inner(1_000_000_000);

/// How an asset's haircut follows its volatility and a holding's size. Governed.
#[derive(
	Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking,
	MaxEncodedLen, TypeInfo, serde::Serialize, serde::Deserialize,
)]
pub struct HaircutCurve {
	/// Haircut per unit of annualized realized volatility (12%: RV 200% cuts 24%).
	pub volatility_factor: Permill,
	/// The most the volatility term may cut (at most [`MAX_CURVE_HAIRCUT`]).
	pub max_volatility_haircut: Permill,
	/// The holding, in the asset's smallest units, the size weight measures against: what
	/// the market could absorb without a large discount. Above zero.
	pub liquidity_depth: Balance,
	/// How fast the weight falls with `√(holding / depth)`; zero turns the size term off.
	pub size_factor: Permill,
}

/// Why a curve is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurveError {
	/// The volatility term's cap is above [`MAX_CURVE_HAIRCUT`].
	CapTooHigh,
	/// A liquidity depth of zero.
	ZeroDepth,
}

impl HaircutCurve {
	/// The hard bounds no origin can pass.
	pub fn validate(&self) -> Result<(), CurveError> {
		if self.max_volatility_haircut > MAX_CURVE_HAIRCUT {
			return Err(CurveError::CapTooHigh);
		}
		if self.liquidity_depth == 0 {
			return Err(CurveError::ZeroDepth);
		}
		Ok(())
	}

	/// The volatility term for an annualized realized volatility `realized`, rounded up.
	pub fn volatility_haircut(&self, realized: Price) -> Permill {
		let term = realized
			.const_checked_mul_with_rounding(FixedU128::from(self.volatility_factor), SignedRounding::High)
			.unwrap_or_else(|| FixedU128::from_inner(u128::MAX));
		fixed_to_permill(term, Rounding::Up).min(self.max_volatility_haircut)
	}

	/// The size weight of `holding`: at most one, rounded down. A ratio beyond what the fixed
	/// point holds counts for nothing.
	pub fn size_weight(&self, holding: Balance) -> Permill {
		if self.size_factor.is_zero() {
			return Permill::one();
		}
		let weight = (|| {
			// The ratio, its root and their product rounded up, the quotient down: the weight
			// is never above the exact one.
			let ratio = FixedU128::from_inner(multiply_by_rational_with_rounding(
				FixedU128::DIV,
				holding,
				self.liquidity_depth,
				Rounding::Up,
			)?);
			// `checked_sqrt` rounds down, by up to 10⁻⁹ for a ratio beyond about 340 (it then
			// takes √n·√10¹⁸): 10⁻⁹ more covers both.
			let root = ratio.checked_sqrt()?.checked_add(&ROOT_ROUNDING)?;
			let scaled = root.const_checked_mul_with_rounding(FixedU128::from(self.size_factor), SignedRounding::High)?;
			SIZE_WEIGHT_NUMERATOR.checked_rounding_div(FixedU128::one().checked_add(&scaled)?, SignedRounding::Low)
		})()
		.unwrap_or_default();
		fixed_to_permill(weight, Rounding::Down)
	}
}

/// Which term sets the haircut in force.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum HaircutTerm {
	/// The asset's governed haircut.
	Floor,
	/// Its realized volatility.
	Volatility,
	/// The size of the holding against the liquidity depth.
	Size,
}

/// A holding's haircut and why (`VaultsApi`).
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct HaircutInForce {
	/// The share of the market value not counted: the largest of the three terms.
	pub haircut: Permill,
	/// The term that sets it (the floor on a tie, then volatility).
	pub binding: HaircutTerm,
	/// The asset's governed haircut.
	pub floor: Permill,
	/// The asset's annualized realized volatility (0.6 for 60%), if the oracle keeps one.
	pub realized_volatility: Option<Price>,
	/// `min(volatility_factor × RV, max_volatility_haircut)`; zero without a curve or RV.
	pub volatility_haircut: Permill,
	/// The holding's size weight; one without a curve.
	pub size_weight: Permill,
}

/// The haircut in force on a holding of `holding` smallest units of an asset whose governed
/// haircut is `floor`, under `curve` (none: the floor alone) and realized volatility
/// `realized`.
pub fn haircut_in_force(
	floor: Permill,
	curve: Option<&HaircutCurve>,
	realized: Option<Price>,
	holding: Balance,
) -> HaircutInForce {
	let volatility_haircut = match (curve, realized) {
		(Some(curve), Some(rv)) => curve.volatility_haircut(rv),
		_ => Permill::zero(),
	};
	let size_weight = curve.map_or(Permill::one(), |c| c.size_weight(holding));
	let size_haircut = Permill::one().saturating_sub(size_weight);
	let (haircut, binding) = [(volatility_haircut, HaircutTerm::Volatility), (size_haircut, HaircutTerm::Size)]
		.into_iter()
		.fold((floor, HaircutTerm::Floor), |best, term| if term.0 > best.0 { term } else { best });
	HaircutInForce { haircut, binding, floor, realized_volatility: realized, volatility_haircut, size_weight }
}

/// A non-negative fixed-point fraction as a `Permill`, saturating at one.
fn fixed_to_permill(value: FixedU128, rounding: Rounding) -> Permill {
	if value >= FixedU128::one() {
		return Permill::one();
	}
	<Permill as PerThing>::from_rational_with_rounding(value.into_inner(), FixedU128::DIV, rounding)
		.unwrap_or_else(|_| Permill::one())
}

#[cfg(test)]
mod tests;
