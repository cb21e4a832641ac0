//! Legs priced together through one [`SharedInputs`]: each input read once, every leg priced
//! exactly as alone, its decimals its market's. ATTACKS: 11 (cost: a health reading of many
//! legs reads each underlying's inputs once, which its weight counts), 12 and 13 (a leg on
//! another underlying or expiry never takes an input that is not its own).

use crate::{inputs::SharedInputs, mock::*, ListedSeries, Series};
use clearing_primitives::{
	black76::OptionKind,
	collateral::Valuation,
	oracle::{PriceStatus, Smile},
	MarketId,
};
use clearing_test_utils::{set_price, set_realized_volatility, set_smile, usd};
use frame_support::assert_ok;

const DOT_IV: u32 = 1_004;

fn smile() -> Smile {
	[80, 68, 60, 57, 55, 58, 62].map(percent)
}

/// BTC puts and calls at two expiries (one with a smile), a DOT call, and a BTC put expired
/// before its settlement: every way a leg's inputs are found.
fn mixed_legs() -> Vec<MarketId> {
	assert_ok!(Options::set_volatility_source(RuntimeOrigin::root(), DOT, DOT_IV));
	set_price(DOT_IV, percent(90), PriceStatus::Fresh);
	let soon = list(OptionKind::Put, 58_000, 1).unwrap();
	let legs = vec![
		soon,
		list(OptionKind::Put, 54_000, 7).unwrap(),
		list(OptionKind::Call, 63_000, 7).unwrap(),
		list(OptionKind::Call, 66_000, 14).unwrap(),
		list(OptionKind::Put, 57_000, 14).unwrap(),
	];
	assert_ok!(Options::list_series(
		RuntimeOrigin::root(),
		DOT_PERP,
		START_MS + 7 * DAY_MS,
		usd(6),
		OptionKind::Call,
		usd(1),
		1_000_000_000,
	));
	let dot_call = FIRST_SERIES + crate::SeriesListed::<Test>::get() - 1;
	set_smile(BTC, START_MS + 7 * DAY_MS, smile(), PriceStatus::Fresh);
	set_realized_volatility(BTC, percent(70));
	[legs, vec![dot_call]].concat()
}

#[test]
fn legs_priced_together_are_priced_as_each_alone() {
	ExtBuilder::default().build_and_execute(|| {
		let legs = mixed_legs();
		// A day on, the first put has expired (no settlement yet: the index marks it).
		Timestamp::set_timestamp(START_MS + DAY_MS + 1);
		for valuation in [Valuation::Opening, Valuation::Maintenance] {
			let mut shared = SharedInputs::default();
			// Twice round, so later legs read what earlier ones kept.
			for market in legs.iter().chain(legs.iter()) {
				let together = Options::leg_in(&mut shared, *market, valuation);
				assert_eq!(together.map(|leg| leg.pricing), Options::leg_of(*market, valuation), "{market} {valuation:?}");
			}
		}
		let maintenance = |market| Options::leg_in(&mut SharedInputs::default(), market, Valuation::Maintenance);
		// Each leg carries its own market's decimals.
		for market in &legs {
			let ListedSeries { terms, base_decimals } = Series::<Test>::get(market).unwrap();
			let expected = if terms.underlying == DOT { perpetual_decimals(DOT_PERP) } else { perpetual_decimals(BTC_PERP) };
			assert_eq!(base_decimals, expected);
			assert_eq!(maintenance(*market).unwrap().base_decimals, expected);
		}
		assert!(maintenance(legs[0]).unwrap().pricing.expired);
	});
}

#[test]
fn a_reading_reads_each_input_once_and_keeps_it() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 57_000, 7).unwrap();
		let call = list(OptionKind::Call, 63_000, 7).unwrap();
		let mut shared = SharedInputs::default();
		let first = Options::leg_in(&mut shared, put, Valuation::Maintenance).unwrap();
		// The index moves after the first leg was read: the same reading still sees the one
		// it read (every leg of one health reading at the same inputs), a new reading the new.
		set_market_inputs(50_000, 60);
		let again = Options::leg_in(&mut shared, put, Valuation::Maintenance).unwrap();
		assert_eq!(again, first);
		let fresh = Options::leg_in(&mut SharedInputs::default(), put, Valuation::Maintenance).unwrap();
		assert!(fresh.pricing.mark > first.pricing.mark, "a put is worth more after a fall");
		// The call, first read after the move by the old reading, gets the old index too.
		let old_call = Options::leg_in(&mut shared, call, Valuation::Maintenance).unwrap();
		set_market_inputs(60_000, 60);
		assert_eq!(Some(old_call.pricing), Options::leg_of(call, Valuation::Maintenance));
	});
}
