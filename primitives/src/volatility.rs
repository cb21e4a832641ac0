//! Volatility math for option marks and margins, in the fixed point of [`crate::black76`]
//! (an `i128` × 10^18): an expiry's implied-volatility smile read between its quoted points
//! by interpolating total variance, and a realized volatility kept as an exponentially
//! weighted moving average (EWMA) of squared log returns.

use crate::black76::{div, ln, mul, sqrt, MathError, ONE};

type MathResult = Result<i128, MathError>;

/// One quoted point of an expiry's smile: the implied volatility `iv` (0.6 for 60%) at
/// log-moneyness `log_moneyness` = ln(K / F).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmilePoint {
	pub log_moneyness: i128,
	pub iv: i128,
}

/// The implied volatility at `log_moneyness` on a smile quoted at `points` (sorted by
/// strictly rising log-moneyness): total variance σ²T is linear between the two points
/// around it (T is the expiry's, the same for every point, so σ² is linear), and flat beyond
/// the first and last points. `Domain` without points, unsorted or with a negative volatility.
pub fn smile_iv(points: &[SmilePoint], log_moneyness: i128) -> MathResult {
	let (first, last) = match (points.first(), points.last()) {
		(Some(first), Some(last)) => (first, last),
		_ => return Err(MathError::Domain),
	};
	if points.iter().any(|point| point.iv < 0) ||
		points.windows(2).any(|pair| matches!(pair, [a, b] if a.log_moneyness >= b.log_moneyness))
	{
		return Err(MathError::Domain);
	}
	if log_moneyness <= first.log_moneyness {
		return Ok(first.iv);
	}
	if log_moneyness >= last.log_moneyness {
		return Ok(last.iv);
	}
	for pair in points.windows(2) {
		let [left, right] = pair else { continue };
		if log_moneyness > right.log_moneyness {
			continue;
		}
		let (low, high) = (mul(left.iv, left.iv)?, mul(right.iv, right.iv)?);
		let span = right.log_moneyness.checked_sub(left.log_moneyness).ok_or(MathError::Overflow)?;
		let along = log_moneyness.checked_sub(left.log_moneyness).ok_or(MathError::Overflow)?;
		let weight = div(along, span)?;
		let variance = low
			.checked_add(mul(high.checked_sub(low).ok_or(MathError::Overflow)?, weight)?)
			.ok_or(MathError::Overflow)?;
		return sqrt(variance.max(0));
	}
	Ok(last.iv)
}

/// The smile's log-moneyness of `strike` against `forward`: ln(K / F).
pub fn log_moneyness(strike: i128, forward: i128) -> MathResult {
	ln(div(strike, forward)?)
}

/// The next EWMA of squared log returns per sampling interval: `λ·previous + (1 − λ)·r²/n`,
/// with `r = ln(price / last_price)` the return over `n ≥ 1` intervals (spread evenly over
/// them) and `lambda` (λ, in [0, 1]) the weight kept of the past.
pub fn ewma_variance(previous: i128, last_price: i128, price: i128, intervals: u64, lambda: i128) -> MathResult {
	if !(0..=ONE).contains(&lambda) || previous < 0 || intervals == 0 {
		return Err(MathError::Domain);
	}
	let log_return = ln(div(price, last_price)?)?;
	let per_interval = mul(log_return, log_return)?.checked_div(i128::from(intervals)).ok_or(MathError::Overflow)?;
	let kept = mul(lambda, previous)?;
	let added = mul(ONE.checked_sub(lambda).ok_or(MathError::Overflow)?, per_interval)?;
	kept.checked_add(added).ok_or(MathError::Overflow)
}

/// The annualized volatility of a per-sample variance, `samples_per_year` samples a year:
/// `√(variance × samples_per_year)`.
pub fn annualized_volatility(variance: i128, samples_per_year: u64) -> MathResult {
	if variance < 0 {
		return Err(MathError::Domain);
	}
	sqrt(variance.checked_mul(i128::from(samples_per_year)).ok_or(MathError::Overflow)?)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn point(k: f64, iv: f64) -> SmilePoint {
		SmilePoint { log_moneyness: (k * 1e18).round() as i128, iv: (iv * 1e18).round() as i128 }
	}

	fn real(value: i128) -> f64 {
		value as f64 / 1e18
	}

	#[test]
	fn a_smile_is_exact_at_its_points_flat_beyond_them_and_linear_in_variance_between() {
		let smile = [point(-0.2, 0.8), point(0.0, 0.6), point(0.3, 0.7)];
		for p in smile {
			assert_eq!(smile_iv(&smile, p.log_moneyness), Ok(p.iv));
		}
		assert_eq!(smile_iv(&smile, point(-1.0, 0.0).log_moneyness), Ok(smile[0].iv));
		assert_eq!(smile_iv(&smile, point(2.0, 0.0).log_moneyness), Ok(smile[2].iv));
		// Halfway from 60% to 70%: √((0.36 + 0.49) / 2).
		let between = real(smile_iv(&smile, point(0.15, 0.0).log_moneyness).unwrap());
		assert!((between - (0.425f64).sqrt()).abs() < 1e-15, "{between}");
	}

	#[test]
	fn bad_smiles_are_refused_by_name() {
		assert_eq!(smile_iv(&[], 0), Err(MathError::Domain));
		assert_eq!(smile_iv(&[point(0.1, 0.5), point(0.1, 0.6)], 0), Err(MathError::Domain));
		assert_eq!(smile_iv(&[point(0.2, 0.5), point(0.1, 0.6)], 0), Err(MathError::Domain));
		assert_eq!(smile_iv(&[point(0.0, -0.5)], 0), Err(MathError::Domain));
		assert_eq!(ewma_variance(0, ONE, ONE, 1, ONE + 1), Err(MathError::Domain));
		assert_eq!(ewma_variance(-1, ONE, ONE, 1, ONE / 2), Err(MathError::Domain));
		assert_eq!(ewma_variance(0, 0, ONE, 1, ONE / 2), Err(MathError::Domain));
		assert_eq!(ewma_variance(0, ONE, ONE, 0, ONE / 2), Err(MathError::Domain));
		assert_eq!(annualized_volatility(-1, 1), Err(MathError::Domain));
	}

	#[test]
	fn a_steady_one_percent_move_converges_to_its_variance() {
		// Every sample moves 1%: the EWMA approaches ln(1.01)², 1,440 samples a day.
		let (mut variance, mut price) = (0, 100 * ONE);
		for _ in 0..2_000 {
			let next = mul(price, ONE + ONE / 100).unwrap();
			variance = ewma_variance(variance, price, next, 1, 94 * ONE / 100).unwrap();
			price = next;
		}
		let expected = 1.01f64.ln().powi(2);
		assert!((real(variance) - expected).abs() < 1e-12 * expected, "{}", real(variance));
		// A move over four intervals counts as four moves of a quarter of its square.
		let spread = ewma_variance(0, price, mul(price, ONE + ONE / 50).unwrap(), 4, 0).unwrap();
		assert!((real(spread) - 1.02f64.ln().powi(2) / 4.0).abs() < 1e-15, "{}", real(spread));
		let yearly = real(annualized_volatility(variance, 1_440 * 365).unwrap());
		assert!((yearly - (expected * 1_440.0 * 365.0).sqrt()).abs() < 1e-9, "{yearly}");
	}

	proptest! {
		#[test]
		fn a_smile_stays_between_its_neighbours(
			ivs in proptest::collection::vec(0.05f64..3.0, 2..8),
			at in -1.5f64..1.5,
		) {
			let smile: Vec<SmilePoint> =
				ivs.iter().enumerate().map(|(i, iv)| point(-1.0 + 0.3 * i as f64, *iv)).collect();
			let k = point(at, 0.0).log_moneyness;
			let iv = smile_iv(&smile, k).unwrap();
			let (low, high) = smile.iter().fold((i128::MAX, 0), |(l, h), p| (l.min(p.iv), h.max(p.iv)));
			prop_assert!(iv >= low - 1 && iv <= high + 1);
			// And between the two points around it, against an f64 reading.
			if let Some(i) = smile.windows(2).position(|w| w[0].log_moneyness <= k && k <= w[1].log_moneyness) {
				let (a, b) = (smile[i], smile[i + 1]);
				let t = real(k - a.log_moneyness) / real(b.log_moneyness - a.log_moneyness);
				let reference = (real(a.iv).powi(2) * (1.0 - t) + real(b.iv).powi(2) * t).sqrt();
				prop_assert!((real(iv) - reference).abs() < 1e-12, "{} vs {reference}", real(iv));
			}
		}

		#[test]
		fn the_ewma_stays_between_its_past_and_the_new_square(
			previous in 0.0f64..0.01,
			change in 0.5f64..2.0,
			lambda in 0.0f64..1.0,
		) {
			let (previous, lambda) = ((previous * 1e18) as i128, (lambda * 1e18) as i128);
			let next = ewma_variance(previous, 100 * ONE, ((100.0 * change) * 1e18) as i128, 1, lambda).unwrap();
			let square = change.ln().powi(2);
			let (low, high) = (real(previous).min(square), real(previous).max(square));
			prop_assert!(real(next) >= low - 1e-15 && real(next) <= high + 1e-15);
		}
	}
}
