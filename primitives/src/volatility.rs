//! Volatility math for option marks and margins, in the fixed point of [`crate::black76`]
//! (an `i128` × 10^18): an expiry's implied-volatility smile read between its quoted points
//! by interpolating total variance, and a realized volatility kept as an exponentially
//! weighted moving average (EWMA) of squared log returns.

use crate::black76::{div, ln, mul, mul_div, sqrt, MathError, ONE};

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

/// The implied volatility at `log_moneyness` on a smile quoted at the oracle's grid
/// ([`crate::oracle::SMILE_LOG_MONEYNESS`]), `ivs` in its order.
pub fn grid_smile_iv(ivs: &[i128; crate::oracle::SMILE_POINTS], log_moneyness: i128) -> MathResult {
	let mut points = [SmilePoint { log_moneyness: 0, iv: 0 }; crate::oracle::SMILE_POINTS];
	for ((point, k), iv) in points.iter_mut().zip(crate::oracle::SMILE_LOG_MONEYNESS).zip(ivs) {
		*point = SmilePoint { log_moneyness: k, iv: *iv };
	}
	smile_iv(&points, log_moneyness)
}

/// The implied volatility at time to expiry `t` between two expiries quoted at
/// (`t1`, `iv1`) and (`t2`, `iv2`), `0 < t1 < t2`: total variance σ²t is linear in t
/// between them; before `t1` the volatility is `iv1`'s, after `t2` it is `iv2`'s. Times in
/// any one unit.
pub fn term_iv(t1: i128, iv1: i128, t2: i128, iv2: i128, t: i128) -> MathResult {
	if t1 <= 0 || t2 <= t1 || t <= 0 || iv1 < 0 || iv2 < 0 {
		return Err(MathError::Domain);
	}
	if t <= t1 {
		return Ok(iv1);
	}
	if t >= t2 {
		return Ok(iv2);
	}
	// Total variances in the fixed point, times as plain integers.
	let w1 = mul(iv1, iv1)?.checked_mul(t1).ok_or(MathError::Overflow)?;
	let w2 = mul(iv2, iv2)?.checked_mul(t2).ok_or(MathError::Overflow)?;
	let along = t.checked_sub(t1).ok_or(MathError::Overflow)?;
	let span = t2.checked_sub(t1).ok_or(MathError::Overflow)?;
	let moved = mul_div(w2.checked_sub(w1).ok_or(MathError::Overflow)?, along, span)?;
	let variance = w1.checked_add(moved).ok_or(MathError::Overflow)?.checked_div(t).ok_or(MathError::Overflow)?;
	sqrt(variance.max(0))
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
/// `√(variance × samples_per_year)`. Beyond what [`sqrt`] takes (a volatility above about
/// 1,800%), the root of the product scaled down by 10⁶ per step, times 10³ per step: the
/// wildest markets still read, a few parts per billion low.
pub fn annualized_volatility(variance: i128, samples_per_year: u64) -> MathResult {
	if variance < 0 {
		return Err(MathError::Domain);
	}
	let mut squared = variance.checked_mul(i128::from(samples_per_year)).ok_or(MathError::Overflow)?;
	let mut factor: i128 = 1;
	// `sqrt` multiplies by `ONE` in a u128 first.
	let largest = u128::MAX.checked_div(ONE.unsigned_abs()).and_then(|l| i128::try_from(l).ok()).unwrap_or(i128::MAX);
	while squared > largest {
		squared = squared.checked_div(1_000_000).ok_or(MathError::Overflow)?;
		factor = factor.checked_mul(1_000).ok_or(MathError::Overflow)?;
	}
	sqrt(squared)?.checked_mul(factor).ok_or(MathError::Overflow)
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
	fn the_grid_smile_reads_the_oracle_points_in_order() {
		let ivs = [0.9, 0.75, 0.62, 0.6, 0.61, 0.66, 0.8].map(|iv| point(0.0, iv).iv);
		for (k, iv) in crate::oracle::SMILE_LOG_MONEYNESS.iter().zip(ivs) {
			assert_eq!(grid_smile_iv(&ivs, *k), Ok(iv));
		}
		// Halfway from −5% (62%) to the money (60%).
		let between = real(grid_smile_iv(&ivs, point(-0.025, 0.0).log_moneyness).unwrap());
		assert!((between - ((0.62f64.powi(2) + 0.36) / 2.0).sqrt()).abs() < 1e-15, "{between}");
	}

	#[test]
	fn a_term_structure_is_linear_in_total_variance_and_flat_beyond_its_expiries() {
		let (low, high) = (point(0.0, 0.5).iv, point(0.0, 0.7).iv);
		assert_eq!(term_iv(10, low, 30, high, 5), Ok(low));
		assert_eq!(term_iv(10, low, 30, high, 10), Ok(low));
		assert_eq!(term_iv(10, low, 30, high, 40), Ok(high));
		// At 20: (0.25·10 + (0.49·30 − 0.25·10)/2) / 20.
		let at = real(term_iv(10, low, 30, high, 20).unwrap());
		assert!((at - ((2.5 + (14.7 - 2.5) / 2.0) / 20.0f64).sqrt()).abs() < 1e-15, "{at}");
		assert_eq!(term_iv(0, low, 30, high, 20), Err(MathError::Domain));
		assert_eq!(term_iv(30, low, 30, high, 20), Err(MathError::Domain));
		assert_eq!(term_iv(10, -1, 30, high, 20), Err(MathError::Domain));
		assert_eq!(term_iv(10, low, 30, high, 0), Err(MathError::Domain));
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

	#[test]
	fn a_wild_market_still_reads_its_volatility() {
		// A 40% move a minute: about 4,200% a year, past what one root takes.
		let variance = 1.4f64.ln().powi(2);
		let yearly = real(annualized_volatility((variance * 1e18) as i128, 525_960).unwrap());
		let expected = (variance * 525_960.0).sqrt();
		assert!(expected > 18.5 && (yearly - expected).abs() < 1e-6 * expected, "{yearly} against {expected}");
		// The largest variance there is reads too, never wrapping.
		assert!(annualized_volatility(i128::MAX, 1).is_ok());
		assert_eq!(annualized_volatility(i128::MAX, 2), Err(MathError::Overflow));
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
		fn a_term_reading_matches_total_variance_in_f64(
			t1 in 1i128..1_000_000,
			gap in 1i128..10_000_000,
			at in 0.0f64..1.0,
			iv1 in 0.01f64..5.0,
			iv2 in 0.01f64..5.0,
		) {
			let t2 = t1 + gap;
			let t = t1 + ((gap as f64) * at) as i128;
			prop_assume!(t > 0);
			let iv = real(term_iv(t1, point(0.0, iv1).iv, t2, point(0.0, iv2).iv, t).unwrap());
			let (w1, w2) = (iv1 * iv1 * t1 as f64, iv2 * iv2 * t2 as f64);
			let w = w1 + (w2 - w1) * (t - t1) as f64 / gap as f64;
			let reference = (w.max(0.0) / t as f64).sqrt();
			prop_assert!((iv - reference).abs() < 1e-9 * reference.max(1.0), "{iv} vs {reference}");
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
