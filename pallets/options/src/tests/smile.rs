//! Pricing off the oracle's smile of an expiry. ATTACKS: 12 (a smile point beyond [1%, 500%]
//! opens nothing and is brought within them for maintenance), 13 (a stale or flagged smile
//! prices no opening risk; maintenance keeps its last reading, and liquidation waits on the
//! readiness of the input that marks the series).

use crate::mock::*;
use clearing_primitives::{
	black76::{self, Inputs, OptionKind, ONE},
	collateral::Valuation,
	options::{to_fixed, years_to, OptionMarks},
	oracle::{ListedExpiries, PriceStatus, Smile, SMILE_LOG_MONEYNESS, SMILE_POINTS},
	volatility::{grid_smile_iv, log_moneyness},
	Price,
};
use clearing_test_utils::{set_smile, usd};

const BTC_INDEX: u128 = 60_000;

/// A skewed smile: 80% at −30% down to 55% at +5%, up to 62% at +30%.
fn skewed() -> Smile {
	[80, 68, 60, 57, 55, 58, 62].map(percent)
}

fn fixed(price: Price) -> i128 {
	to_fixed(price).unwrap()
}

/// The volatility the smile gives `strike` against the index (rate 0).
fn smile_volatility(smile: &Smile, strike: u128) -> i128 {
	let ivs: [i128; SMILE_POINTS] = smile.map(fixed);
	grid_smile_iv(&ivs, log_moneyness(fixed(usd(strike)), fixed(usd(BTC_INDEX))).unwrap()).unwrap()
}

#[test]
fn a_fresh_smile_prices_each_strike_at_its_own_volatility() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 54_000, 7).unwrap();
		let call = list(OptionKind::Call, 63_000, 7).unwrap();
		let expiry = START_MS + 7 * DAY_MS;
		set_smile(BTC, expiry, skewed(), PriceStatus::Fresh);
		for (market, kind, strike) in [(put, OptionKind::Put, 54_000), (call, OptionKind::Call, 63_000)] {
			let sigma = smile_volatility(&skewed(), strike);
			let view = Options::series_view(market).unwrap();
			assert_eq!(fixed(view.volatility), sigma, "strike {strike}");
			let expected = black76::price(
				kind,
				Inputs {
					spot: fixed(usd(BTC_INDEX)),
					strike: fixed(usd(strike)),
					sigma,
					years: years_to(START_MS, expiry).unwrap(),
					rate: 0,
				},
			)
			.unwrap();
			let leg = Options::leg(market, Valuation::Opening).expect("priced for opening");
			assert_eq!(fixed(leg.mark), expected.price, "strike {strike}");
		}
		// The skew shows: the put 10% down trades richer in volatility than the call 5% up,
		// and neither at the 60% index.
		let (put_iv, call_iv) = (smile_volatility(&skewed(), 54_000), smile_volatility(&skewed(), 63_000));
		assert!(put_iv > call_iv && put_iv != 6 * ONE / 10 && call_iv != 6 * ONE / 10);
		// Another expiry without a smile stays on the index.
		let later = list(OptionKind::Put, 54_000, 14).unwrap();
		assert_eq!(Options::series_view(later).unwrap().volatility, percent(60));
	});
}

#[test]
fn a_smile_point_at_the_strike_is_used_exactly() {
	ExtBuilder::default().build_and_execute(|| {
		// The strike at the money: the middle point, 57%.
		let call = list(OptionKind::Call, BTC_INDEX, 7).unwrap();
		assert_eq!(SMILE_LOG_MONEYNESS[3], 0);
		set_smile(BTC, START_MS + 7 * DAY_MS, skewed(), PriceStatus::Fresh);
		assert_eq!(Options::series_view(call).unwrap().volatility, percent(57));
	});
}

#[test]
fn a_stale_or_flagged_smile_opens_nothing_and_maintenance_keeps_its_last_reading() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 54_000, 7).unwrap();
		let expiry = START_MS + 7 * DAY_MS;
		set_smile(BTC, expiry, skewed(), PriceStatus::Fresh);
		let fresh = Options::leg(put, Valuation::Maintenance).unwrap();
		for status in [PriceStatus::Stale, PriceStatus::Flagged] {
			set_smile(BTC, expiry, skewed(), status);
			assert_eq!(Options::leg(put, Valuation::Opening), None, "{status:?}");
			// No jump to the volatility index: the last smile marks it, as the last price
			// marks a perpetual.
			assert_eq!(Options::leg(put, Valuation::Maintenance), Some(fresh), "{status:?}");
			assert_eq!(fixed(Options::series_view(put).unwrap().volatility), smile_volatility(&skewed(), 54_000));
		}
	});
}

#[test]
fn liquidation_is_told_to_wait_on_whichever_input_marks_the_series() {
	use clearing_primitives::oracle::VolatilityInput;
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 54_000, 7).unwrap();
		let expiry = START_MS + 7 * DAY_MS;
		assert_eq!(<Options as OptionMarks>::volatility_input(put), Some(VolatilityInput::Index(BTC_IV)));
		set_smile(BTC, expiry, skewed(), PriceStatus::Stale);
		assert_eq!(
			<Options as OptionMarks>::volatility_input(put),
			Some(VolatilityInput::Smile { underlying: BTC, expiry })
		);
		// A perpetual's id and an expired series have none.
		assert_eq!(<Options as OptionMarks>::volatility_input(BTC_PERP), None);
		Timestamp::set_timestamp(expiry);
		assert_eq!(<Options as OptionMarks>::volatility_input(put), None);
	});
}

#[test]
fn a_smile_beyond_the_bounds_is_brought_within_them() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 40_000, 7).unwrap();
		let call = list(OptionKind::Call, 60_000, 7).unwrap();
		let mut wild = skewed();
		wild[0] = usd(50); // 5,000% at −30%: a liar past the oracle's own range.
		wild[3] = Price::from_inner(1); // 10^-18 at the money
		set_smile(BTC, START_MS + 7 * DAY_MS, wild, PriceStatus::Fresh);
		assert_eq!(Options::series_view(put).unwrap().volatility, percent(500));
		assert_eq!(Options::series_view(call).unwrap().volatility, percent(1));
		// Opening risk is not taken at a volatility the bounds had to correct.
		assert_eq!(Options::leg(put, Valuation::Opening), None);
		assert_eq!(Options::leg(call, Valuation::Opening), None);
	});
}

#[test]
fn the_oracle_is_told_which_expiries_are_listed_until_they_expire() {
	ExtBuilder::default().build_and_execute(|| {
		let expiry = START_MS + 7 * DAY_MS;
		assert!(!<Options as ListedExpiries>::is_listed(BTC, expiry));
		list(OptionKind::Put, 54_000, 7).unwrap();
		list(OptionKind::Call, 63_000, 7).unwrap();
		assert!(<Options as ListedExpiries>::is_listed(BTC, expiry));
		assert!(!<Options as ListedExpiries>::is_listed(BTC, expiry + 1));
		assert!(!<Options as ListedExpiries>::is_listed(BTC + 1, expiry));
		assert_eq!(<Options as ListedExpiries>::listed(), vec![(BTC, expiry)]);
		Timestamp::set_timestamp(expiry);
		assert!(!<Options as ListedExpiries>::is_listed(BTC, expiry));
		assert!(<Options as ListedExpiries>::listed().is_empty());
	});
}
