//! Reading prices out of exchange API bodies, exactly: decimal strings become fixed point
//! without ever passing through a float. Every failure is `None`, never a panic or a zero.

use crate::types::SourceFormat;
use clearing_primitives::Price;
use serde_json::Value;
use sp_runtime::FixedPointNumber;

/// Decimal places `Price` (`FixedU128`) holds.
const PRICE_DECIMALS: usize = 18;

/// Parses a plain positive decimal (`"60000.12"`, `"0.5"`, `"42"`) exactly into a price.
/// Digits past the 18th decimal are dropped (rounded down). Signs, exponents, spaces, empty
/// parts and zero are refused.
pub fn parse_decimal(text: &str) -> Option<Price> {
	let (whole, fraction) = match text.split_once('.') {
		Some((whole, fraction)) => (whole, Some(fraction)),
		None => (text, None),
	};
	if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
		return None;
	}
	let mut inner: u128 = whole.parse::<u128>().ok()?.checked_mul(Price::DIV)?;
	if let Some(fraction) = fraction {
		if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
			return None;
		}
		let kept = fraction.get(..fraction.len().min(PRICE_DECIMALS))?;
		let padding = u32::try_from(PRICE_DECIMALS.saturating_sub(kept.len())).ok()?;
		let fractional = kept.parse::<u128>().ok()?.checked_mul(10u128.checked_pow(padding)?)?;
		inner = inner.checked_add(fractional)?;
	}
	(inner > 0).then(|| Price::from_inner(inner))
}

/// The key of Deribit's index value.
const DERIBIT_INDEX_KEY: &[u8] = b"\"index_price\"";

/// Deribit's DVOL (percent) as a fraction. Deribit writes the value as a JSON number, which
/// `serde_json` would read as a float: the number's own text is read instead, after the
/// body parsed as JSON with a number at `result.index_price` and the key once in the body.
fn deribit_volatility(json: &Value, body: &[u8]) -> Option<Price> {
	// An escaped key (`index\u005fprice`) would be the parsed field but not the text found:
	// Deribit's answer has no escapes, so a body with any is refused.
	if body.contains(&b'\\') || !json.get("result")?.get("index_price")?.is_number() {
		return None;
	}
	let mut found = body.windows(DERIBIT_INDEX_KEY.len()).enumerate().filter(|(_, w)| *w == DERIBIT_INDEX_KEY);
	let (at, _) = found.next()?;
	if found.next().is_some() {
		return None;
	}
	let rest = body.get(at.checked_add(DERIBIT_INDEX_KEY.len())?..)?;
	let rest = rest.iter().position(|b| !b.is_ascii_whitespace()).and_then(|i| rest.get(i..))?;
	let rest = rest.strip_prefix(b":")?;
	let rest = rest.iter().position(|b| !b.is_ascii_whitespace()).and_then(|i| rest.get(i..))?;
	let end = rest.iter().position(|b| !(b.is_ascii_digit() || *b == b'.')).unwrap_or(rest.len());
	// A number ends at a delimiter: an exponent or sign is refused, not cut off.
	if rest.get(end).is_some_and(|b| !(b.is_ascii_whitespace() || *b == b',' || *b == b'}')) {
		return None;
	}
	let text = core::str::from_utf8(rest.get(..end)?).ok()?;
	let percent = parse_decimal(text)?;
	let fraction = Price::from_inner(percent.into_inner().checked_div(100)?);
	(fraction > Price::from_inner(0)).then_some(fraction)
}

/// Reads the price a source of `format` reports in `body`.
pub fn parse_price(format: SourceFormat, body: &[u8]) -> Option<Price> {
	let json: Value = serde_json::from_slice(body).ok()?;
	if format == SourceFormat::DeribitVolatility {
		return deribit_volatility(&json, body);
	}
	let text = match format {
		// {"symbol":"BTCUSDT","price":"60000.12000000"}
		SourceFormat::Binance => json.get("price")?.as_str()?,
		// {"data":{"amount":"60000.12","base":"BTC","currency":"USD"}}
		SourceFormat::Coinbase => json.get("data")?.get("amount")?.as_str()?,
		// {"error":[],"result":{"XXBTZUSD":{"c":["60000.1","0.01"],...}}}: the last trade.
		SourceFormat::Kraken => {
			if !json.get("error")?.as_array()?.is_empty() {
				return None;
			}
			let pairs = json.get("result")?.as_object()?;
			// One pair was asked for; more than one answer is ambiguous.
			if pairs.len() != 1 {
				return None;
			}
			pairs.values().next()?.get("c")?.as_array()?.first()?.as_str()?
		},
		// A volatility index is read above; a book summary is a smile source, not a price.
		SourceFormat::DeribitVolatility | SourceFormat::DeribitOptions => return None,
	};
	parse_decimal(text)
}
