//! Smiles from Deribit's option book summary, in fixed point throughout.
//!
//! Each instrument (`BTC-27DEC26-60000-C`) gives one quote: its expiry (08:00 UTC of its
//! date), its log-moneyness ln(K / S) against the chain's own index S (the chain reads a
//! series' smile at the same ln(K / index), so Deribit's futures basis and the chain's rate
//! never shift one against the other), and its mark implied volatility. Only
//! out-of-the-money options are read (calls at or above their own underlying price, puts
//! below), the liquid side of each strike.
//!
//! Numbers are taken as the decimal text `serde_json` gives back for them: the shortest text
//! that reads as the same double, which for an exchange's values (at most 15 significant
//! digits) is the text sent. No arithmetic is done on a float. Each Deribit expiry's smile is read at the
//! oracle's log-moneyness points (total variance linear between strikes, flat beyond), and a
//! listed expiry between two Deribit expiries gets, point by point, the total variance
//! linear in time between theirs (flat volatility before the first and after the last).

use super::parse::parse_decimal;
use alloc::vec::Vec;
use clearing_primitives::{
	black76::ONE,
	oracle::{Moment, Smile, SMILE_LOG_MONEYNESS, SMILE_POINTS},
	volatility::{log_moneyness, smile_iv, term_iv, SmilePoint},
	Price,
};
use serde_json::Value;

/// Deribit expires its options at 08:00 UTC.
const EXPIRY_HOUR_MS: Moment = 8 * 3_600_000;
const DAY_MS: Moment = 86_400_000;

/// One option's mark as read from the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
	pub expiry: Moment,
	/// ln(K / S) against the chain's index, × 10^18.
	pub log_moneyness: i128,
	/// The mark implied volatility as a fraction, × 10^18.
	pub iv: i128,
}

/// Days from 1970-01-01 to the civil date (proleptic Gregorian); `None` before 1970.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
	let year = if month <= 2 { year.checked_sub(1)? } else { year };
	let era = year.div_euclid(400);
	let of_era = year.checked_sub(era.checked_mul(400)?)?;
	let shifted_month = if month > 2 { month.checked_sub(3)? } else { month.checked_add(9)? };
	let of_year = shifted_month.checked_mul(153)?.checked_add(2)?.checked_div(5)?.checked_add(day)?.checked_sub(1)?;
	let of_cycle = of_era
		.checked_mul(365)?
		.checked_add(of_era.checked_div(4)?)?
		.checked_sub(of_era.checked_div(100)?)?
		.checked_add(of_year)?;
	let days = era.checked_mul(146_097)?.checked_add(of_cycle)?.checked_sub(719_468)?;
	(days >= 0).then_some(days)
}

/// `27DEC26` → 08:00 UTC on 27 December 2026, in ms.
pub fn parse_expiry(date: &str) -> Option<Moment> {
	const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
	let split = date.find(|c: char| !c.is_ascii_digit())?;
	let (day, rest) = date.split_at(split);
	let (month, year) = (rest.get(..3)?, rest.get(3..)?);
	if !(1..=2).contains(&day.len()) || year.len() != 2 || !year.bytes().all(|b| b.is_ascii_digit()) {
		return None;
	}
	let day: i64 = day.parse().ok()?;
	let month = i64::try_from(MONTHS.iter().position(|m| *m == month)?.checked_add(1)?).ok()?;
	let year = 2000i64.checked_add(year.parse().ok()?)?;
	if !(1..=31).contains(&day) {
		return None;
	}
	let days = u64::try_from(days_from_civil(year, month, day)?).ok()?;
	days.checked_mul(DAY_MS)?.checked_add(EXPIRY_HOUR_MS)
}

/// A JSON number's own decimal text as a fixed-point value (never through float math).
fn number(value: &Value) -> Option<i128> {
	let Value::Number(number) = value else { return None };
	let text = alloc::string::ToString::to_string(number);
	let parsed = parse_decimal(&text)?;
	i128::try_from(parsed.into_inner()).ok()
}

/// The out-of-the-money quote of one summary entry, if it is a well-formed option of
/// `currency`, its moneyness against `index`.
fn quote(entry: &Value, currency: &str, index: i128) -> Option<Quote> {
	let name = entry.get("instrument_name")?.as_str()?;
	let mut parts = name.split('-');
	let (cur, date, strike, kind) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
	if cur != currency || parts.next().is_some() {
		return None;
	}
	let strike = i128::try_from(parse_decimal(&strike.replace('d', "."))?.into_inner()).ok()?;
	let forward = number(entry.get("underlying_price")?)?;
	let iv = number(entry.get("mark_iv")?)?.checked_div(100)?;
	let out_of_the_money = match kind {
		"C" => strike >= forward,
		"P" => strike < forward,
		_ => return None,
	};
	if !out_of_the_money || iv <= 0 {
		return None;
	}
	Some(Quote { expiry: parse_expiry(date)?, log_moneyness: log_moneyness(strike, index).ok()?, iv })
}

/// The currency a book summary URL asks for (`…?currency=BTC&kind=option` → `BTC`).
pub fn currency_of(url: &[u8]) -> Option<&str> {
	let url = core::str::from_utf8(url).ok()?;
	let (_, query) = url.split_once('?')?;
	let value = query.split('&').find_map(|pair| pair.strip_prefix("currency="))?;
	(!value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(value)
}

/// Every usable quote on `currency` in a book summary body, moneyness against `index` (the
/// chain's, × 10^18); `None` if the body is not a summary or the index is not positive.
pub fn parse_book_summary(body: &[u8], currency: &str, index: i128) -> Option<Vec<Quote>> {
	if index <= 0 {
		return None;
	}
	let json: Value = serde_json::from_slice(body).ok()?;
	let entries = json.get("result")?.as_array()?;
	Some(entries.iter().filter_map(|entry| quote(entry, currency, index)).collect())
}

/// One Deribit expiry's smile at the oracle's points (fixed point).
fn grid_smile(mut points: Vec<SmilePoint>) -> Option<[i128; SMILE_POINTS]> {
	points.sort_by_key(|point| point.log_moneyness);
	points.dedup_by_key(|point| point.log_moneyness);
	let mut grid = [0i128; SMILE_POINTS];
	for (value, k) in grid.iter_mut().zip(SMILE_LOG_MONEYNESS) {
		*value = smile_iv(&points, k).ok()?;
	}
	Some(grid)
}

/// The smile of each of `targets` (listed expiries) at time `now`, from `quotes`; a target
/// with no Deribit expiry after `now` to read from, or whose smile would leave (0, 500%],
/// is left out.
pub fn smiles_for(quotes: &[Quote], targets: &[Moment], now: Moment) -> Vec<(Moment, Smile)> {
	let mut expiries: Vec<Moment> = quotes.iter().map(|q| q.expiry).filter(|e| *e > now).collect();
	expiries.sort_unstable();
	expiries.dedup();
	// (time to expiry in ms, smile) per Deribit expiry, nearest first.
	let curve: Vec<(i128, [i128; SMILE_POINTS])> = expiries
		.into_iter()
		.filter_map(|expiry| {
			let points = quotes
				.iter()
				.filter(|q| q.expiry == expiry)
				.map(|q| SmilePoint { log_moneyness: q.log_moneyness, iv: q.iv })
				.collect();
			Some((i128::from(expiry.checked_sub(now)?), grid_smile(points)?))
		})
		.collect();
	targets
		.iter()
		.filter_map(|target| {
			let t = i128::from(target.checked_sub(now).filter(|t| *t > 0)?);
			let smile = read_curve(&curve, t)?;
			Some((*target, smile))
		})
		.collect()
}

/// The smile at time to expiry `t` on `curve` (sorted by time), as prices.
fn read_curve(curve: &[(i128, [i128; SMILE_POINTS])], t: i128) -> Option<Smile> {
	let (first, last) = (curve.first()?, curve.last()?);
	let (before, after) = match curve.windows(2).find(|pair| matches!(pair, [_, b] if t <= b.0)) {
		_ if t <= first.0 => (first, first),
		Some([a, b]) => (a, b),
		_ => (last, last),
	};
	let mut smile = [Price::from_inner(0); SMILE_POINTS];
	for (point, out) in smile.iter_mut().enumerate() {
		let (iv1, iv2) = (*before.1.get(point)?, *after.1.get(point)?);
		let iv = if before.0 == after.0 { iv1 } else { term_iv(before.0, iv1, after.0, iv2, t).ok()? };
		if iv <= 0 || iv > 5 * ONE {
			return None;
		}
		*out = Price::from_inner(u128::try_from(iv).ok()?);
	}
	Some(smile)
}
