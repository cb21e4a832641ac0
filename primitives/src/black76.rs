//! Black-76 option pricing in fixed point: the price and Greeks of a European option on a
//! forward, with the exponential, logarithm, square root and standard normal distribution
//! it needs. Pure and `no_std`: integers only (no floats in the runtime), every step checked.
//!
//! Every real number here is an `i128` scaled by 10^18 (`ONE`). Products and quotients go
//! through 256-bit intermediates, so a price up to 10^20 USD times a probability never
//! overflows. `price` refuses (`Domain`) what it would answer imprecisely: `σ√T` outside
//! [0.0001, 10], `F / K` outside [10^-6, 10^6], `|r·T|` above 1, a spot or strike under 10^-6.
//! Its results are tested against an `f64` reference to 10^-9 of the underlying for `σ√T` in
//! [0.005, 5] and `S / K` in [0.2, 5], and bounded (no arbitrage) on the rest of the domain.
//!
//! Formulas (forward `F = S·e^{rT}`, discount `D = e^{-rT}`):
//! - `d1 = (ln(F/K) + σ²T/2) / (σ√T)`, `d2 = d1 − σ√T`;
//! - call `= D·(F·Φ(d1) − K·Φ(d2))`, put `= D·(K·Φ(−d2) − F·Φ(−d1))`;
//! - delta (to the spot) call `Φ(d1)`, put `Φ(d1) − 1`; gamma `φ(d1) / (S·σ√T)`;
//!   vega (per 1.00 of volatility) `S·φ(d1)·√T`; theta (per year)
//!   `−S·φ(d1)·σ / (2√T) ∓ r·K·D·Φ(±d2)` (call −, put +).

use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};

/// 1.0 in the fixed point of this module.
pub const ONE: i128 = 1_000_000_000_000_000_000;

/// ln 2.
const LN_2: i128 = 693_147_180_559_945_309;

/// √2.
const SQRT_2: i128 = 1_414_213_562_373_095_049;

/// 1 / √(2π).
const INV_SQRT_2PI: i128 = 398_942_280_401_432_678;

/// Beyond this |x| (in `ONE`s), Φ(x) is 0 or 1 to 10^-15.
const CDF_TAILS_FROM: i128 = 8 * ONE;

const HALF: i128 = ONE / 2;
const TWO: i128 = 2 * ONE;

/// Beyond e^-88 a density is 0 here: |x| above 14.
const NEGLIGIBLE_EXPONENT: i128 = 88 * ONE;
const PDF_NEGLIGIBLE_FROM: i128 = 14 * ONE;

/// Most terms any series here takes (each converges well within it on its domain: about
/// 120 at most); one that has not converged by then is an error, never a silent value.
const MAX_TERMS: u32 = 400;

/// Why a value could not be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
	/// An intermediate result does not fit 128 bits.
	Overflow,
	/// An input outside the function's domain (a logarithm of zero or less, a square root
	/// of a negative number, a division by zero, σ√T or F/K out of range).
	Domain,
}

type MathResult = Result<i128, MathError>;

/// `a · b`, rounded to nearest.
pub fn mul(a: i128, b: i128) -> MathResult {
	scaled(a, b, ONE)
}

/// `a / b`, rounded to nearest.
pub fn div(a: i128, b: i128) -> MathResult {
	scaled(a, ONE, b)
}

/// `a · b / c` for plain or fixed-point factors alike, rounded to nearest.
pub fn mul_div(a: i128, b: i128, c: i128) -> MathResult {
	scaled(a, b, c)
}

/// `a · b / c`, rounded to nearest (half down, on the magnitude): in 128 bits when `a · b`
/// fits (every product of values up to about 170 in `ONE`s), else with a 256-bit
/// intermediate. Both give the same result. Dividing by `ONE` or by a divisor under 2^32,
/// the common cases, runs on 64-bit divisions (Wasm has no 128-bit one), and a product
/// within 64 bits on a single one.
fn scaled(a: i128, b: i128, c: i128) -> MathResult {
	if c == 0 {
		return Err(MathError::Domain);
	}
	let negative = (a < 0) ^ (b < 0) ^ (c < 0);
	let (a, b, c) = (a.unsigned_abs(), b.unsigned_abs(), c.unsigned_abs());
	let magnitude = match a.checked_mul(b) {
		Some(product) => {
			let (quotient, rest) = if let (Ok(n), Ok(d)) = (u64::try_from(product), u64::try_from(c)) {
				(u128::from(n.checked_div(d).unwrap_or_default()), u128::from(n.checked_rem(d).unwrap_or_default()))
			} else if c == ONE.unsigned_abs() {
				divide_by_one(product)
			} else if let Ok(small) = u32::try_from(c) {
				divide_by_small(product, small)
			} else {
				(product.checked_div(c).ok_or(MathError::Domain)?, product.checked_rem(c).ok_or(MathError::Domain)?)
			};
			// Up when the rest is more than half of `c` (`rest > c − rest`: no overflow).
			if rest > c.saturating_sub(rest) { quotient.saturating_add(1) } else { quotient }
		},
		// Over `ONE`, with a factor under 2^68 (a price times a probability, say): with
		// `a = q·ONE + r`, `a·b / ONE = q·b + r·b / ONE`, `q·b` exact and `r·b` within 128 bits.
		None if c == ONE.unsigned_abs() && a.min(b) < (1 << 68) => {
			let (large, small) = (a.max(b), a.min(b));
			let (q, r) = divide_by_one(large);
			let (fraction, rest) = divide_by_one(r.checked_mul(small).ok_or(MathError::Overflow)?);
			let fraction = if rest > c.saturating_sub(rest) { fraction.saturating_add(1) } else { fraction };
			q.checked_mul(small).and_then(|whole| whole.checked_add(fraction)).ok_or(MathError::Overflow)?
		},
		None => multiply_by_rational_with_rounding(a, b, c, Rounding::NearestPrefDown)
			.ok_or(MathError::Overflow)?,
	};
	let magnitude = i128::try_from(magnitude).map_err(|_| MathError::Overflow)?;
	Ok(if negative { magnitude.checked_neg().ok_or(MathError::Overflow)? } else { magnitude })
}

/// 5^18: `ONE` is 2^18 · 5^18.
const FIVE_POW_18: u64 = 3_814_697_265_625;

/// `(n / ONE, n % ONE)`: `n / 2^18` divided by 5^18 (under 2^42) in five long-division
/// steps of 22 bits, each within a `u64` (every step's rest stays under 5^18, so nothing
/// wraps).
fn divide_by_one(n: u128) -> (u128, u128) {
	const LOW: u32 = 18;
	const DIGIT: u32 = 22;
	let shifted = n.wrapping_shr(LOW);
	let (mut quotient, mut rest) = (0u128, 0u64);
	// `shifted` has at most 110 bits: five digits, the highest first.
	for digit in (0..5u32).rev() {
		let part = (shifted.wrapping_shr(digit.wrapping_mul(DIGIT)) as u64) & ((1 << DIGIT) - 1);
		let current = rest.wrapping_shl(DIGIT) | part;
		let q = current.checked_div(FIVE_POW_18).unwrap_or_default();
		rest = current.wrapping_sub(q.wrapping_mul(FIVE_POW_18));
		quotient = quotient.wrapping_shl(DIGIT) | u128::from(q);
	}
	let low = n & ((1 << LOW) - 1);
	(quotient, u128::from(rest).wrapping_shl(LOW) | low)
}

/// `(n / d, n % d)` for `0 < d < 2^32`, in four long-division steps of 32 bits (every
/// step's rest stays under `d`, so nothing wraps).
fn divide_by_small(n: u128, d: u32) -> (u128, u128) {
	let d = u64::from(d);
	let (mut quotient, mut rest) = (0u128, 0u64);
	for digit in (0..4u32).rev() {
		let current = rest.wrapping_shl(32) | (n.wrapping_shr(digit.wrapping_mul(32)) as u64 & 0xffff_ffff);
		let q = current.checked_div(d).unwrap_or_default();
		rest = current.wrapping_sub(q.wrapping_mul(d));
		quotient = quotient.wrapping_shl(32) | u128::from(q);
	}
	(quotient, u128::from(rest))
}

/// `first` plus the terms `next(n, previous term)` for n = 1, 2, … until one is 0;
/// `Domain` if none is within `MAX_TERMS`.
fn series(first: i128, mut next: impl FnMut(u32, i128) -> MathResult) -> MathResult {
	let (mut sum, mut term) = (first, first);
	if first == 0 {
		return Ok(0);
	}
	for n in 1..MAX_TERMS {
		term = next(n, term)?;
		if term == 0 {
			return Ok(sum);
		}
		sum = add(sum, term)?;
	}
	Err(MathError::Domain)
}

/// 2n + 1.
fn odd(n: u32) -> MathResult {
	i128::from(n).checked_mul(2).and_then(|v| v.checked_add(1)).ok_or(MathError::Overflow)
}

fn add(a: i128, b: i128) -> MathResult {
	a.checked_add(b).ok_or(MathError::Overflow)
}

fn sub(a: i128, b: i128) -> MathResult {
	a.checked_sub(b).ok_or(MathError::Overflow)
}

/// `e^x`, for `x` up to about 46 (above, the result does not fit: `Overflow`).
pub fn exp(x: i128) -> MathResult {
	exp_times(x, ONE)
}

/// `m · e^x`, scaling by the power of two last, so that a small `e^x` loses no precision
/// before it multiplies a large `m`.
fn exp_times(x: i128, m: i128) -> MathResult {
	// No rate, the common case: e^0 = 1.
	if x == 0 {
		return Ok(m);
	}
	// x = k·ln2 + r with |r| ≤ ln2/2: e^x = 2^k · e^r, e^r by its Taylor series.
	let k = div(x, LN_2)?.checked_add(HALF).ok_or(MathError::Overflow)?.div_euclid(ONE);
	let r = sub(x, k.checked_mul(LN_2).ok_or(MathError::Overflow)?)?;
	// r^n / n!, each term from the one before.
	let sum = series(ONE, |n, term| scaled(mul(term, r)?, 1, i128::from(n)))?;
	let product = mul(m, sum)?;
	if k >= 0 {
		let up = u32::try_from(k).map_err(|_| MathError::Overflow)?;
		let factor = 1i128.checked_shl(up).filter(|f| *f > 0).ok_or(MathError::Overflow)?;
		return product.checked_mul(factor).ok_or(MathError::Overflow);
	}
	// k < 0: halve |k| times, rounding to nearest (tiny results round to 0).
	let down = k.unsigned_abs();
	if down >= 127 {
		return Ok(0);
	}
	let divisor = 1i128.checked_shl(down as u32).ok_or(MathError::Overflow)?;
	scaled(product, 1, divisor)
}

/// `ln x`, for `x > 0`.
pub fn ln(x: i128) -> MathResult {
	if x <= 0 {
		return Err(MathError::Domain);
	}
	// x = 2^k · m with m in [√½, √2): ln x = k·ln2 + 2·atanh((m − 1)/(m + 1)).
	let mut m = x;
	let mut k: i128 = 0;
	while m >= TWO {
		m = scaled(m, 1, 2)?;
		k = add(k, 1)?;
	}
	while m < ONE {
		m = m.checked_mul(2).ok_or(MathError::Overflow)?;
		k = sub(k, 1)?;
	}
	// Into [√½, √2): |z| ≤ 0.172, so the series below needs a dozen terms, not twenty.
	if m > SQRT_2 {
		m = scaled(m, 1, 2)?;
		k = add(k, 1)?;
	}
	let z = div(sub(m, ONE)?, add(m, ONE)?)?;
	let z2 = mul(z, z)?;
	// z^(2n+1) / (2n+1): the odd power carried beside the terms.
	let mut power = z;
	let sum = series(z, |n, _| {
		power = mul(power, z2)?;
		scaled(power, 1, odd(n)?)
	})?;
	add(k.checked_mul(LN_2).ok_or(MathError::Overflow)?, sum.checked_mul(2).ok_or(MathError::Overflow)?)
}

/// `√x`, for `0 ≤ x ≤ 340` (beyond, `Overflow`), rounded down.
pub fn sqrt(x: i128) -> MathResult {
	if x < 0 {
		return Err(MathError::Domain);
	}
	let n = x.unsigned_abs().checked_mul(ONE.unsigned_abs()).ok_or(MathError::Overflow)?;
	if n == 0 {
		return Ok(0);
	}
	// Newton's method from above: falls monotonically to ⌊√n⌋.
	let mut root = 1u128.checked_shl(n.ilog2().div_ceil(2).saturating_add(1)).unwrap_or(u128::MAX);
	for _ in 0..MAX_TERMS {
		let next = root.saturating_add(n.checked_div(root).ok_or(MathError::Domain)?).checked_shr(1).unwrap_or(0);
		if next >= root {
			break;
		}
		root = next;
	}
	i128::try_from(root).map_err(|_| MathError::Overflow)
}

/// The standard normal density φ(x) = e^{−x²/2} / √(2π).
pub fn normal_pdf(x: i128) -> MathResult {
	normal_pdf_times(x, ONE)
}

/// `m · φ(x)`, precise to the last unit of the product however small φ(x) is.
fn normal_pdf_times(x: i128, m: i128) -> MathResult {
	// e^{−x²/2} is below e^-88 beyond |x| = 14 (and x² would not fit far beyond).
	if x.checked_abs().is_none_or(|size| size > PDF_NEGLIGIBLE_FROM) {
		return Ok(0);
	}
	let half_square = scaled(mul(x, x)?, 1, 2)?;
	if half_square > NEGLIGIBLE_EXPONENT {
		return Ok(0);
	}
	exp_times(half_square.checked_neg().ok_or(MathError::Overflow)?, mul(m, INV_SQRT_2PI)?)
}

/// The standard normal distribution Φ(x). `Φ(x) + Φ(−x) = ONE` exactly.
pub fn normal_cdf(x: i128) -> MathResult {
	let upper = upper_half_cdf(x.checked_abs().ok_or(MathError::Overflow)?)?;
	Ok(if x < 0 { ONE.saturating_sub(upper) } else { upper })
}

/// Φ(x) for x ≥ 0: the Taylor polynomial of Φ at the nearest of the points 1/8 apart
/// (`normal_table`: truncated under 10^-20, each coefficient rounded to 10^-18), in
/// `h = x − j/8` with |h| ≤ 1/16: within a unit or two of 10^-18 of Φ (two neighbouring
/// polynomials may differ by as much where they meet). Its cost is the same at every x: a
/// dozen products.
fn upper_half_cdf(x: i128) -> MathResult {
	use crate::normal_table::COEFFICIENTS;
	if x >= CDF_TAILS_FROM {
		return Ok(ONE);
	}
	// The nearest point j/8 (x < 8: j ≤ 64).
	let eighths = scaled(x, 8, ONE)?;
	let point = usize::try_from(eighths).map_err(|_| MathError::Overflow)?;
	let coefficients = COEFFICIENTS.get(point).ok_or(MathError::Domain)?;
	let h = sub(x, eighths.checked_mul(ONE / 8).ok_or(MathError::Overflow)?)?;
	let mut value = 0;
	for coefficient in coefficients.iter().rev() {
		value = add(mul(value, h)?, *coefficient)?;
	}
	Ok(value.clamp(HALF, ONE))
}

/// Call or put.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, codec::Encode, codec::Decode, codec::DecodeWithMemTracking,
	codec::MaxEncodedLen, scale_info::TypeInfo,
)]
pub enum OptionKind {
	Call,
	Put,
}

/// What Black-76 is given, each in `ONE`s: the index (spot) `spot`, the `strike`, the
/// volatility `sigma` (0.6 for 60%), the time to expiry in years `years`, and the rate `rate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inputs {
	pub spot: i128,
	pub strike: i128,
	pub sigma: i128,
	pub years: i128,
	pub rate: i128,
}

/// A price and its Greeks, each in `ONE`s (USD per contract of one whole unit; delta per
/// unit of the underlying; gamma per USD; vega per 1.00 of volatility; theta per year).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priced {
	pub price: i128,
	pub delta: i128,
	pub gamma: i128,
	pub vega: i128,
	pub theta: i128,
}

/// The most `F / K` (and `K / F`) priced.
const MAX_MONEYNESS: i128 = 1_000_000 * ONE;
/// The least and most `σ√T` priced.
pub const MIN_STD_DEV: i128 = ONE / 10_000;
const MAX_STD_DEV: i128 = 10 * ONE;
/// The most `|r·T|` priced (a discount of e^-1 at most).
const MAX_RATE_TIME: i128 = ONE;
/// The least spot and strike priced: 10^-6 USD.
const MIN_PRICE: i128 = ONE / 1_000_000;

/// The Black-76 price and Greeks of a `kind` option on `inputs`.
pub fn price(kind: OptionKind, inputs: Inputs) -> Result<Priced, MathError> {
	let forward = Forward::new(inputs.spot, inputs.strike, inputs.years, inputs.rate)?;
	let Core { std_dev, d1, n_d1, n_d2, call, parity } = forward.core(inputs.sigma)?;
	let Inputs { spot, strike, sigma, rate, .. } = inputs;
	let Forward { discount, root_years, .. } = forward;
	let pdf_d1 = normal_pdf(d1)?;
	let gamma = div(div(pdf_d1, spot)?, std_dev)?;
	let vega = mul(mul(spot, pdf_d1)?, root_years)?;
	let decay = div(mul(mul(spot, pdf_d1)?, sigma)?, root_years.checked_mul(2).ok_or(MathError::Overflow)?)?;
	let carry = mul(mul(rate, strike)?, discount)?;
	Ok(match kind {
		OptionKind::Call => Priced {
			price: call.max(0),
			delta: n_d1,
			gamma,
			vega,
			theta: sub(decay.checked_neg().ok_or(MathError::Overflow)?, mul(carry, n_d2)?)?,
		},
		OptionKind::Put => Priced {
			price: sub(call, parity)?.max(0),
			delta: sub(n_d1, ONE)?,
			gamma,
			vega,
			theta: add(decay.checked_neg().ok_or(MathError::Overflow)?, mul(carry, sub(ONE, n_d2)?)?)?,
		},
	})
}

/// The Black-76 price alone of a `kind` option on `inputs` (no Greeks: what margin needs),
/// equal to [`price`]'s.
pub fn premium(kind: OptionKind, inputs: Inputs) -> MathResult {
	Forward::new(inputs.spot, inputs.strike, inputs.years, inputs.rate)?.premium(kind, inputs.sigma)
}

/// What Black-76 shares across volatilities for one option at one time: the discount, the
/// forward, ln(F/K) and √T. Pricing a second volatility from it costs two Φ and a few
/// products, no logarithm or square root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forward {
	strike: i128,
	discount: i128,
	forward: i128,
	log_moneyness: i128,
	root_years: i128,
}

/// What the price and the Greeks share at one volatility: σ√T, d1, Φ(d1), Φ(d2), the call
/// and the parity term.
struct Core {
	std_dev: i128,
	d1: i128,
	n_d1: i128,
	n_d2: i128,
	call: i128,
	parity: i128,
}

impl Forward {
	/// The shared terms for an option on `spot` struck at `strike`, `years` out at `rate`;
	/// `Domain` outside what [`price`] prices (but the volatility, checked by each price).
	pub fn new(spot: i128, strike: i128, years: i128, rate: i128) -> Result<Self, MathError> {
		Self::with_root(spot, strike, years, sqrt(years)?, rate)
	}

	/// [`Self::new`] for a caller that has `root_years` = √`years` at hand.
	pub(crate) fn with_root(spot: i128, strike: i128, years: i128, root_years: i128, rate: i128) -> Result<Self, MathError> {
		if spot < MIN_PRICE || strike < MIN_PRICE || years <= 0 {
			return Err(MathError::Domain);
		}
		let rate_time = mul(rate, years)?;
		if rate_time.checked_abs().is_none_or(|size| size > MAX_RATE_TIME) {
			return Err(MathError::Domain);
		}
		let discount = exp(rate_time.checked_neg().ok_or(MathError::Overflow)?)?;
		let forward = exp_times(rate_time, spot)?;
		let moneyness = div(forward, strike)?;
		if moneyness <= 0 || moneyness > MAX_MONEYNESS || div(strike, forward)? > MAX_MONEYNESS {
			return Err(MathError::Domain);
		}
		Ok(Self { strike, discount, forward, log_moneyness: ln(moneyness)?, root_years })
	}

	/// The Black-76 price of a `kind` option at volatility `sigma`, equal to [`premium`]'s.
	pub fn premium(&self, kind: OptionKind, sigma: i128) -> MathResult {
		let Core { call, parity, .. } = self.core(sigma)?;
		match kind {
			OptionKind::Call => Ok(call.max(0)),
			OptionKind::Put => Ok(sub(call, parity)?.max(0)),
		}
	}

	fn core(&self, sigma: i128) -> Result<Core, MathError> {
		let Self { strike, discount, forward, log_moneyness, root_years } = *self;
		if sigma <= 0 {
			return Err(MathError::Domain);
		}
		let std_dev = mul(sigma, root_years)?;
		if !(MIN_STD_DEV..=MAX_STD_DEV).contains(&std_dev) {
			return Err(MathError::Domain);
		}
		let half_variance = scaled(mul(std_dev, std_dev)?, 1, 2)?;
		let d1 = div(add(log_moneyness, half_variance)?, std_dev)?;
		let d2 = sub(d1, std_dev)?;
		let (n_d1, n_d2) = (normal_cdf(d1)?, normal_cdf(d2)?);
		let call = mul(discount, sub(mul(forward, n_d1)?, mul(strike, n_d2)?)?)?;
		// The put from put-call parity, C − P = D·(F − K), so parity holds to the last unit.
		let parity = mul(discount, sub(forward, strike)?)?;
		Ok(Core { std_dev, d1, n_d1, n_d2, call, parity })
	}
}

#[cfg(test)]
mod tests {
	//! Checked against an `f64` reference (the standard library's `exp`/`ln`/`sqrt` and
	//! `libm`'s `erfc`), given the very inputs the fixed-point code sees.
	use super::*;
	use proptest::prelude::*;

	fn fixed(value: f64) -> i128 {
		(value * 1e18).round() as i128
	}

	fn real(value: i128) -> f64 {
		value as f64 / 1e18
	}

	fn cdf_reference(x: f64) -> f64 {
		0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
	}

	/// Black-76 and its Greeks in `f64`, from the same formulas.
	fn reference(kind: OptionKind, inputs: Inputs) -> [f64; 5] {
		let (s, k, sigma, t, r) =
			(real(inputs.spot), real(inputs.strike), real(inputs.sigma), real(inputs.years), real(inputs.rate));
		let (discount, forward) = ((-r * t).exp(), s * (r * t).exp());
		let std_dev = sigma * t.sqrt();
		let d1 = ((forward / k).ln() + std_dev * std_dev / 2.0) / std_dev;
		let d2 = d1 - std_dev;
		let pdf = (-d1 * d1 / 2.0).exp() / (2.0 * core::f64::consts::PI).sqrt();
		let (gamma, vega) = (pdf / (s * std_dev), s * pdf * t.sqrt());
		let decay = -s * pdf * sigma / (2.0 * t.sqrt());
		match kind {
			OptionKind::Call => [
				discount * (forward * cdf_reference(d1) - k * cdf_reference(d2)),
				cdf_reference(d1),
				gamma,
				vega,
				decay - r * k * discount * cdf_reference(d2),
			],
			OptionKind::Put => [
				discount * (k * cdf_reference(-d2) - forward * cdf_reference(-d1)),
				cdf_reference(d1) - 1.0,
				gamma,
				vega,
				decay + r * k * discount * cdf_reference(-d2),
			],
		}
	}

	/// Spot $100–$100,000, moneyness S/K in [0.2, 5], σ√T in [0.005, 5], rate −5%–10%.
	fn inputs() -> impl Strategy<Value = Inputs> {
		(100.0f64..100_000.0, 0.2f64..5.0, 0.05f64..3.0, 0.001f64..3.0, -0.05f64..0.1)
			.prop_filter("σ√T in [0.005, 5]", |(_, _, sigma, years, _)| {
				(0.005..=5.0).contains(&(sigma * years.sqrt()))
			})
			.prop_map(|(spot, moneyness, sigma, years, rate)| Inputs {
				spot: fixed(spot),
				strike: fixed(spot / moneyness),
				sigma: fixed(sigma),
				years: fixed(years),
				rate: fixed(rate),
			})
	}

	/// A price's rounding: 10^-12 of the underlying (a far out-of-the-money put comes from
	/// parity, the difference of two values near the forward, each rounded).
	fn rounding(inputs: &Inputs) -> i128 {
		inputs.spot / 1_000_000_000_000
	}

	fn kinds() -> impl Strategy<Value = OptionKind> {
		prop_oneof![Just(OptionKind::Call), Just(OptionKind::Put)]
	}

	#[test]
	fn an_at_the_money_call_is_worth_the_closed_form() {
		// S = K: call = S·(2Φ(σ√T/2) − 1); at σ = 20%, one year: $7.965567455405804.
		let inputs = Inputs { spot: 100 * ONE, strike: 100 * ONE, sigma: ONE / 5, years: ONE, rate: 0 };
		let call = price(OptionKind::Call, inputs).unwrap();
		assert!((real(call.price) - 7.965_567_455_405_804).abs() < 1e-12, "{}", real(call.price));
		let put = price(OptionKind::Put, inputs).unwrap();
		assert_eq!(put.price, call.price, "at the money with no rate, parity makes them equal");
	}

	#[test]
	fn the_functions_meet_their_reference_at_known_points() {
		assert_eq!(exp(0), Ok(ONE));
		assert!((real(exp(ONE).unwrap()) - core::f64::consts::E).abs() < 1e-15);
		assert_eq!(ln(ONE), Ok(0));
		assert!((real(ln(fixed(core::f64::consts::E)).unwrap()) - 1.0).abs() < 1e-15);
		assert_eq!(sqrt(4 * ONE), Ok(2 * ONE));
		assert_eq!(normal_cdf(0), Ok(HALF));
		assert!((real(normal_cdf(fixed(1.96)).unwrap()) - 0.975_002_104_851_780).abs() < 1e-15);
	}

	#[test]
	fn out_of_domain_inputs_are_refused_by_name() {
		assert_eq!(ln(0), Err(MathError::Domain));
		assert_eq!(ln(-ONE), Err(MathError::Domain));
		assert_eq!(sqrt(-1), Err(MathError::Domain));
		assert_eq!(div(ONE, 0), Err(MathError::Domain));
		assert_eq!(exp(100 * ONE), Err(MathError::Overflow));
		assert_eq!(exp(3_000_000_000 * ONE), Err(MathError::Overflow));
		assert_eq!(exp(-3_000_000_000 * ONE), Ok(0));
		assert_eq!(normal_pdf(i128::MAX), Ok(0));
		assert_eq!(normal_pdf(i128::MIN), Ok(0));
		let good = Inputs { spot: 100 * ONE, strike: 100 * ONE, sigma: ONE / 5, years: ONE, rate: 0 };
		for bad in [
			Inputs { sigma: 0, ..good },
			Inputs { years: 0, ..good },
			Inputs { spot: -ONE, ..good },
			Inputs { strike: 0, ..good },
			// σ√T of 0.00001 and of 20.
			Inputs { sigma: ONE / 100_000, ..good },
			Inputs { sigma: 20 * ONE, ..good },
			// K / F of 10^7.
			Inputs { strike: 10_000_000 * 100 * ONE, ..good },
			// r·T of 1.2 and of −4.
			Inputs { rate: 6 * ONE / 5, ..good },
			Inputs { rate: -ONE, years: 4 * ONE, sigma: ONE / 10, ..good },
			// A spot and a strike under 10^-6 USD.
			Inputs { spot: ONE / 10_000_000, strike: ONE / 10_000_000, ..good },
		] {
			assert_eq!(price(OptionKind::Call, bad), Err(MathError::Domain), "{bad:?}");
		}
	}

	/// Φ's polynomial at point `j`, at `h` from it.
	fn table_polynomial(j: usize, h: i128) -> i128 {
		crate::normal_table::COEFFICIENTS[j].iter().rev().fold(0, |value, c| mul(value, h).unwrap() + c)
	}

	#[test]
	fn neighbouring_table_polynomials_meet_halfway() {
		// Each serves up to 1/16 from its point: at every midpoint both give Φ to 10^-18.
		for j in 0..crate::normal_table::POINTS - 1 {
			let (left, right) = (table_polynomial(j, ONE / 16), table_polynomial(j + 1, -ONE / 16));
			assert!((left - right).abs() <= 2, "at {}/16: {left} vs {right}", 2 * j + 1);
		}
	}

	#[test]
	fn the_normal_distribution_never_falls() {
		// Every 10^-3 from −8.5 to 8.5, across every midpoint of the table.
		let mut last = 0;
		for step in -8_500..=8_500i128 {
			let value = normal_cdf(step * ONE / 1_000).unwrap();
			assert!(value >= last, "Φ fell at {step}e-3");
			last = value;
		}
		assert_eq!(last, ONE);
	}

	proptest! {
		/// The long divisions on 64-bit words are the 128-bit division.
		#[test]
		fn long_division_matches_u128_division(n in any::<u128>(), d in 1u32..=u32::MAX) {
			let one = ONE.unsigned_abs();
			prop_assert_eq!(divide_by_one(n), (n / one, n % one));
			prop_assert_eq!(divide_by_small(n, d), (n / u128::from(d), n % u128::from(d)));
		}

		/// The 128-bit path of `a · b / c` rounds exactly as the 256-bit one.
		#[test]
		fn scaling_in_128_bits_matches_256(
			// Products below and above 2^128, so both paths and the edge between them run.
			a in prop_oneof![-(1i128 << 64)..(1i128 << 64), i128::MIN + 1..i128::MAX],
			b in prop_oneof![-(1i128 << 62)..(1i128 << 62), -(1i128 << 66)..(1i128 << 66), Just(ONE)],
			c in prop_oneof![1i128..1_000, 1i128..(1i128 << 100), Just(ONE), Just(2)],
			negative_c in any::<bool>(),
		) {
			let c = if negative_c { -c } else { c };
			let wide = multiply_by_rational_with_rounding(
				a.unsigned_abs(), b.unsigned_abs(), c.unsigned_abs(), Rounding::NearestPrefDown,
			);
			// Beyond `i128` either way: an overflow, never a wrapped number.
			let expected = wide
				.and_then(|m| i128::try_from(m).ok())
				.map(|m| if (a < 0) ^ (b < 0) ^ (c < 0) { -m } else { m });
			prop_assert_eq!(scaled(a, b, c).ok(), expected);
		}
	}

	proptest! {
		// A refused input is skipped; refusing as many inputs as there are cases fails.
		#![proptest_config(ProptestConfig { max_global_rejects: ProptestConfig::default().cases, ..ProptestConfig::default() })]

		#[test]
		fn exp_ln_and_sqrt_match_f64(x in -40.0f64..40.0, y in 1e-9f64..1e12, z in 1e-9f64..340.0) {
			let e = real(exp(fixed(x)).unwrap());
			prop_assert!((e - x.exp()).abs() <= 1e-13 * x.exp() + 1e-18, "exp({x}) = {e}");
			let l = real(ln(fixed(y)).unwrap());
			prop_assert!((l - y.ln()).abs() <= 1e-12, "ln({y}) = {l}");
			let r = real(sqrt(fixed(z)).unwrap());
			prop_assert!((r - z.sqrt()).abs() <= 1e-12 * z.sqrt() + 1e-17, "sqrt({z}) = {r}");
		}

		#[test]
		fn the_normal_distribution_matches_erfc_on_both_sides(x in 0.0f64..12.0) {
			let x = real(fixed(x));
			for side in [x, -x] {
				let at = real(normal_cdf(fixed(side)).unwrap());
				prop_assert!((at - cdf_reference(side)).abs() <= 1e-15, "Φ({side}) = {at}");
			}
		}

		/// The bound: within 10^-6 of the underlying, price and Greeks alike.
		#[test]
		fn prices_and_greeks_match_the_reference(kind in kinds(), inputs in inputs()) {
			let priced = price(kind, inputs).unwrap();
			let [p, delta, gamma, vega, theta] = reference(kind, inputs);
			let spot = real(inputs.spot);
			// 10^-9 of the underlying (the issue of the math asks for 10^-6).
			prop_assert!((real(priced.price) - p.max(0.0)).abs() <= 1e-9 * spot, "price {} vs {p}", real(priced.price));
			prop_assert!((real(priced.delta) - delta).abs() <= 1e-9, "delta {} vs {delta}", real(priced.delta));
			prop_assert!((real(priced.gamma) - gamma).abs() <= 1e-6 * gamma.abs() + 1e-15, "gamma");
			prop_assert!((real(priced.vega) - vega).abs() <= 1e-6 * spot, "vega {} vs {vega}", real(priced.vega));
			prop_assert!((real(priced.theta) - theta).abs() <= 1e-6 * spot, "theta {} vs {theta}", real(priced.theta));
		}

		/// C − P = D·(F − K), D and F computed apart in f64: the put comes from the call
		/// through parity, so this checks the discount and the forward it uses.
		#[test]
		fn put_call_parity_holds(inputs in inputs()) {
			let call = real(price(OptionKind::Call, inputs).unwrap().price);
			let put = real(price(OptionKind::Put, inputs).unwrap().price);
			let (s, k, rt) = (real(inputs.spot), real(inputs.strike), real(inputs.rate) * real(inputs.years));
			let parity = (-rt).exp() * (s * rt.exp() - k);
			if call > 0.0 && put > 0.0 {
				prop_assert!((call - put - parity).abs() <= 1e-9 * s, "{call} − {put} vs {parity}");
			}
		}

		/// The Greeks are the price's derivatives: central differences of `price` itself.
		#[test]
		fn the_greeks_are_the_prices_derivatives(kind in kinds(), inputs in inputs()) {
			let priced = price(kind, inputs).unwrap();
			let at = |changed: Inputs| price(kind, changed).map(|p| (real(p.price), real(p.delta)));
			let spot_step = mul(inputs.spot, ONE / 10_000).unwrap();
			let (up, down) = (
				at(Inputs { spot: inputs.spot + spot_step, ..inputs }),
				at(Inputs { spot: inputs.spot - spot_step, ..inputs }),
			);
			let sigma_step = mul(inputs.sigma, ONE / 10_000).unwrap();
			let (wider, narrower) = (
				at(Inputs { sigma: inputs.sigma + sigma_step, ..inputs }),
				at(Inputs { sigma: inputs.sigma - sigma_step, ..inputs }),
			);
			let years_step = mul(inputs.years, ONE / 10_000).unwrap();
			let (later, sooner) = (
				at(Inputs { years: inputs.years + years_step, ..inputs }),
				at(Inputs { years: inputs.years - years_step, ..inputs }),
			);
			// Steps at the domain's edge are refused; only whole pairs are compared.
			prop_assume!([&up, &down, &wider, &narrower, &later, &sooner].iter().all(|r| r.is_ok()));
			let (up, down, wider, narrower, later, sooner) =
				(up.unwrap(), down.unwrap(), wider.unwrap(), narrower.unwrap(), later.unwrap(), sooner.unwrap());
			let spot = real(inputs.spot);
			let h = 2.0 * real(spot_step);
			prop_assert!((real(priced.delta) - (up.0 - down.0) / h).abs() <= 1e-5, "delta");
			let gamma = (up.1 - down.1) / h;
			prop_assert!((real(priced.gamma) - gamma).abs() <= 1e-3 * gamma.abs() + 1e-6 / spot, "gamma {} vs {gamma}", real(priced.gamma));
			let vega = (wider.0 - narrower.0) / (2.0 * real(sigma_step));
			prop_assert!((real(priced.vega) - vega).abs() <= 1e-4 * vega.abs() + 1e-6 * spot, "vega {} vs {vega}", real(priced.vega));
			// Theta per year: the price's change as expiry comes nearer.
			let theta = -(later.0 - sooner.0) / (2.0 * real(years_step));
			prop_assert!((real(priced.theta) - theta).abs() <= 1e-4 * theta.abs() + 1e-6 * spot, "theta {} vs {theta}", real(priced.theta));
		}

		/// On the whole domain `price` accepts, what it answers is within the no-arbitrage
		/// bounds: a call between max(0, D(F − K)) and D·F, a put between max(0, D(K − F)) and
		/// D·K, deltas within [0, 1] and [−1, 0], gamma and vega never below 0.
		#[test]
		fn prices_on_the_whole_domain_are_within_no_arbitrage_bounds(
			kind in kinds(),
			log_spot in -13.0f64..16.0,
			log_moneyness in -13.0f64..13.0,
			std_dev in 0.0001f64..10.0,
			years in 0.0001f64..50.0,
			rate_time in -1.0f64..1.0,
		) {
			let inputs = Inputs {
				spot: fixed(log_spot.exp()),
				strike: fixed((log_spot - log_moneyness).exp()),
				sigma: fixed(std_dev / years.sqrt()),
				years: fixed(years),
				rate: fixed(rate_time / years),
			};
			// Refused where it would be imprecise; proptest fails if most inputs were.
			let priced = price(kind, inputs);
			prop_assume!(priced.is_ok());
			let priced = priced.unwrap();
			let (s, k, rt) = (real(inputs.spot), real(inputs.strike), real(inputs.rate) * real(inputs.years));
			let (discount, forward) = ((-rt).exp(), s * rt.exp());
			let tolerance = 1e-9 * s.max(k);
			let (low, high) = match kind {
				OptionKind::Call => ((discount * (forward - k)).max(0.0), discount * forward),
				OptionKind::Put => ((discount * (k - forward)).max(0.0), discount * k),
			};
			let p = real(priced.price);
			prop_assert!(p >= low - tolerance && p <= high + tolerance, "{p} outside [{low}, {high}]");
			let delta = real(priced.delta);
			match kind {
				OptionKind::Call => prop_assert!((0.0..=1.0).contains(&delta)),
				OptionKind::Put => prop_assert!((-1.0..=0.0).contains(&delta)),
			}
			prop_assert!(priced.gamma >= 0 && priced.vega >= 0);
		}

		#[test]
		fn prices_rise_with_volatility_and_time_and_follow_the_spot(
			kind in kinds(),
			inputs in inputs(),
			more in 1.0001f64..1.5,
		) {
			let base = price(kind, inputs).unwrap().price;
			let bump = |v: i128| mul(v, fixed(more)).unwrap();
			for wider in [Inputs { sigma: bump(inputs.sigma), ..inputs }, Inputs { years: bump(inputs.years), rate: 0, ..inputs }] {
				let flat = price(kind, Inputs { rate: wider.rate, ..inputs });
				if let (Ok(wider), Ok(flat)) = (price(kind, wider), flat) {
					prop_assert!(wider.price + rounding(&inputs) >= flat.price, "{kind:?} fell with σ or T");
				}
			}
			if let Ok(higher) = price(kind, Inputs { spot: bump(inputs.spot), ..inputs }) {
				match kind {
					OptionKind::Call => prop_assert!(higher.price + rounding(&inputs) >= base),
					OptionKind::Put => prop_assert!(higher.price <= base + rounding(&inputs)),
				}
			}
		}
	}
}
