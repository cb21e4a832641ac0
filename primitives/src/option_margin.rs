//! Standard (per-leg) margin of an option position, per contract of one whole unit of the
//! underlying, in the fixed point of [`crate::black76`] (an `i128` × 10^18, USD):
//!
//! - a long needs nothing beyond the premium it paid in full;
//! - a short call's initial requirement is `max(base − OTM / index, floor) × index + mark`,
//!   its maintenance `maintenance × index + mark`, where `OTM = max(0, strike − index)`;
//! - a short put alike on the downside, `OTM = max(0, index − strike)`.
//!
//! With Deribit's published defaults (`base` 15%, `floor` 10%, `maintenance` 7.5%), a short
//! is always covered by its mark plus a share of the index no smaller than the floor.

use crate::black76::{div, mul, MathError, OptionKind};

type MathResult = Result<i128, MathError>;

/// The governed fractions of the index (each in `ONE`s, e.g. 0.15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegMarginParams {
	/// The initial fraction before the out-of-the-money allowance.
	pub base: i128,
	/// The least initial fraction, however far out of the money.
	pub floor: i128,
	/// The maintenance fraction.
	pub maintenance: i128,
}

/// A short leg's requirements per contract: `(initial, maintenance)`.
pub fn short_leg_requirements(
	kind: OptionKind,
	strike: i128,
	index: i128,
	mark: i128,
	params: LegMarginParams,
) -> Result<(i128, i128), MathError> {
	let LegMarginParams { base, floor, maintenance } = params;
	if strike <= 0 || index <= 0 || mark < 0 || floor < 0 || maintenance < 0 || base < floor {
		return Err(MathError::Domain);
	}
	let out_of_the_money = match kind {
		OptionKind::Call => strike.checked_sub(index),
		OptionKind::Put => index.checked_sub(strike),
	}
	.ok_or(MathError::Overflow)?
	.max(0);
	let fraction = base.checked_sub(div(out_of_the_money, index)?).ok_or(MathError::Overflow)?.max(floor);
	let initial = add(mul(fraction, index)?, mark)?;
	let maintenance = add(mul(maintenance, index)?, mark)?;
	Ok((initial, maintenance))
}

fn add(a: i128, b: i128) -> MathResult {
	a.checked_add(b).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::black76::ONE;
	use proptest::prelude::*;

	const DERIBIT: LegMarginParams = LegMarginParams { base: 15 * ONE / 100, floor: ONE / 10, maintenance: 75 * ONE / 1000 };

	fn usd(dollars: i128) -> i128 {
		dollars * ONE
	}

	#[test]
	fn a_short_call_follows_the_published_rule() {
		// At the money, BTC $60,000, mark $2,000: 15% × 60,000 + 2,000 = $11,000; 7.5%: $6,500.
		assert_eq!(
			short_leg_requirements(OptionKind::Call, usd(60_000), usd(60_000), usd(2_000), DERIBIT),
			Ok((usd(11_000), usd(6_500)))
		);
		// $3,000 out of the money (5% of the index): 10% × 60,000 + 300.
		assert_eq!(
			short_leg_requirements(OptionKind::Call, usd(63_000), usd(60_000), usd(300), DERIBIT),
			Ok((usd(6_300), usd(4_800)))
		);
		// Far out: the floor.
		assert_eq!(
			short_leg_requirements(OptionKind::Call, usd(90_000), usd(60_000), usd(10), DERIBIT).map(|r| r.0),
			Ok(usd(6_010))
		);
		// In the money counts no allowance: 15% + the mark.
		assert_eq!(
			short_leg_requirements(OptionKind::Call, usd(50_000), usd(60_000), usd(10_500), DERIBIT).map(|r| r.0),
			Ok(usd(19_500))
		);
	}

	#[test]
	fn a_short_put_mirrors_it_on_the_downside() {
		// $3,000 out of the money below: 10% × 60,000 + 300.
		assert_eq!(
			short_leg_requirements(OptionKind::Put, usd(57_000), usd(60_000), usd(300), DERIBIT),
			Ok((usd(6_300), usd(4_800)))
		);
		// A put strike above the index is in the money: no allowance.
		assert_eq!(
			short_leg_requirements(OptionKind::Put, usd(63_000), usd(60_000), usd(3_100), DERIBIT).map(|r| r.0),
			Ok(usd(12_100))
		);
	}

	#[test]
	fn bad_parameters_are_refused_by_name() {
		let bad = [
			LegMarginParams { floor: -1, ..DERIBIT },
			LegMarginParams { maintenance: -1, ..DERIBIT },
			LegMarginParams { base: ONE / 20, ..DERIBIT },
		];
		for params in bad {
			assert_eq!(short_leg_requirements(OptionKind::Call, ONE, ONE, 0, params), Err(MathError::Domain));
		}
		assert_eq!(short_leg_requirements(OptionKind::Call, 0, ONE, 0, DERIBIT), Err(MathError::Domain));
		assert_eq!(short_leg_requirements(OptionKind::Put, ONE, 0, 0, DERIBIT), Err(MathError::Domain));
		assert_eq!(short_leg_requirements(OptionKind::Put, ONE, ONE, -1, DERIBIT), Err(MathError::Domain));
	}

	proptest! {
		#[test]
		fn requirements_cover_the_mark_and_the_floor_and_initial_exceeds_maintenance(
			call in any::<bool>(),
			index in 1_000i128..200_000,
			strike_ratio in 0.2f64..5.0,
			mark in 0i128..50_000,
		) {
			let kind = if call { OptionKind::Call } else { OptionKind::Put };
			let strike = ((index as f64 * strike_ratio) as i128).max(1);
			let (initial, maintenance) =
				short_leg_requirements(kind, usd(strike), usd(index), usd(mark), DERIBIT).unwrap();
			prop_assert!(initial >= usd(mark) + mul(DERIBIT.floor, usd(index)).unwrap());
			prop_assert!(initial <= usd(mark) + mul(DERIBIT.base, usd(index)).unwrap());
			prop_assert_eq!(maintenance, usd(mark) + mul(DERIBIT.maintenance, usd(index)).unwrap());
			prop_assert!(initial > maintenance);
		}

		#[test]
		fn further_out_of_the_money_never_needs_more(
			index in 1_000i128..200_000,
			out in 0i128..100_000,
			further in 1i128..50_000,
		) {
			let near = short_leg_requirements(OptionKind::Call, usd(index + out), usd(index), 0, DERIBIT).unwrap().0;
			let far = short_leg_requirements(OptionKind::Call, usd(index + out + further), usd(index), 0, DERIBIT).unwrap().0;
			prop_assert!(far <= near);
		}
	}
}
