//! Listing series. ATTACKS: 17 (governance: only the governance origin lists; no dust series
//! far from the index), 16 (storage: `MaxSeries` bounds the series, each a market of the
//! margin engine's bounded set; `MaxExpiries` the expiries, each a smile slot), 18 (extreme inputs get named errors), 7 (deep out-of-the-
//! money dust series cannot be listed).

use crate::{mock::*, Error, Event, ListedSeries, Series, SeriesByTerms, SeriesListed};
use clearing_primitives::{black76::OptionKind, options::SeriesTerms, oracle::PriceStatus};
use clearing_test_utils::{set_price, usd};
use frame_support::{assert_noop, assert_ok};
use clearing_primitives::Price;
use sp_runtime::DispatchError;

fn list_with(
	underlying: u32,
	expiry: u64,
	strike: Price,
	tick: Price,
	cap: u128,
) -> sp_runtime::DispatchResult {
	Options::list_series(RuntimeOrigin::root(), underlying, expiry, strike, OptionKind::Call, tick, cap)
}

#[test]
fn a_series_gets_the_next_id_in_its_range_and_a_market() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(list(OptionKind::Put, 55_000, 7), Ok(FIRST_SERIES));
		assert_eq!(list(OptionKind::Call, 65_000, 7), Ok(FIRST_SERIES + 1));
		let terms = SeriesTerms {
			underlying: BTC,
			expiry: START_MS + 7 * DAY_MS,
			strike: usd(55_000),
			kind: OptionKind::Put,
		};
		assert_eq!(Series::<Test>::get(FIRST_SERIES), Some(ListedSeries { terms, base_decimals: perpetual_decimals(BTC_PERP) }));
		assert_eq!(SeriesByTerms::<Test>::get(terms), Some(FIRST_SERIES));
		assert_eq!(MockMarkets::opened(), vec![FIRST_SERIES, FIRST_SERIES + 1]);
		System::assert_has_event(Event::SeriesListed { market: FIRST_SERIES, terms }.into());
	});
}

#[test]
fn only_governance_lists() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Options::list_series(
				RuntimeOrigin::signed(1),
				BTC_PERP,
				START_MS + DAY_MS,
				usd(60_000),
				OptionKind::Call,
				usd(1),
				1
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_same_terms_list_once() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(list(OptionKind::Put, 55_000, 7));
		assert_noop!(list(OptionKind::Put, 55_000, 7), Error::<Test>::SeriesExists);
		// Another kind at the same strike is another series.
		assert_ok!(list(OptionKind::Call, 55_000, 7));
	});
}

#[test]
fn max_series_bounds_the_listing() {
	ExtBuilder::default().build_and_execute(|| {
		for strike in [50_000, 55_000, 60_000, 65_000] {
			assert_ok!(list(OptionKind::Call, strike, 7));
			assert_ok!(list(OptionKind::Put, strike, 7));
		}
		assert_noop!(list(OptionKind::Call, 70_000, 7), Error::<Test>::TooManySeries);
	});
}

#[test]
fn expiries_lie_ahead_within_the_longest_horizon() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(list_with(BTC_PERP, START_MS, usd(60_000), usd(1), 1), Error::<Test>::ExpiryPassed);
		assert_noop!(list_with(BTC_PERP, 0, usd(60_000), usd(1), 1), Error::<Test>::ExpiryPassed);
		assert_noop!(
			list_with(BTC_PERP, START_MS + 366 * DAY_MS, usd(60_000), usd(1), 1),
			Error::<Test>::ExpiryTooFar
		);
		assert_noop!(list_with(BTC_PERP, u64::MAX, usd(60_000), usd(1), 1), Error::<Test>::ExpiryTooFar);
		assert_ok!(list_with(BTC_PERP, START_MS + 365 * DAY_MS, usd(60_000), usd(1), 1));
	});
}

#[test]
fn strikes_lie_near_the_index() {
	ExtBuilder::default().build_and_execute(|| {
		let expiry = START_MS + DAY_MS;
		// BTC at $60,000: [12,000, 300,000].
		for strike in [usd(11_999), usd(300_001), Price::from_inner(0), Price::from_inner(u128::MAX)] {
			assert_noop!(list_with(BTC_PERP, expiry, strike, usd(1), 1), Error::<Test>::StrikeOutOfRange);
		}
		assert_ok!(list_with(BTC_PERP, expiry, usd(12_000), usd(1), 1));
		assert_ok!(list_with(BTC_PERP, expiry, usd(300_000), usd(1), 1));
	});
}

#[test]
fn a_listing_needs_a_fresh_index_and_a_volatility_source() {
	ExtBuilder::default().build_and_execute(|| {
		let expiry = START_MS + DAY_MS;
		assert_noop!(list_with(DOT_PERP, expiry, usd(5), usd(1), 1), Error::<Test>::NoVolatilitySource);
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		assert_noop!(list_with(BTC_PERP, expiry, usd(60_000), usd(1), 1), Error::<Test>::NoFreshIndex);
		set_market_inputs(60_000, 60);
		set_price(BTC_IV, percent(60), PriceStatus::Flagged);
		assert_noop!(list_with(BTC_PERP, expiry, usd(60_000), usd(1), 1), Error::<Test>::NoFreshVolatility);
		// A failed listing leaves no market behind and uses no id.
		assert!(MockMarkets::opened().is_empty());
		assert_eq!(SeriesListed::<Test>::get(), 0);
	});
}

#[test]
fn zero_ticks_and_caps_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let expiry = START_MS + DAY_MS;
		assert_noop!(
			list_with(BTC_PERP, expiry, usd(60_000), Price::from_inner(0), 1),
			Error::<Test>::ZeroTickSize
		);
		assert_noop!(list_with(BTC_PERP, expiry, usd(60_000), usd(1), 0), Error::<Test>::ZeroOpenInterestCap);
		assert_noop!(
			list_with(7, expiry, usd(60_000), usd(1), 1),
			DispatchError::Other("MarketNotFound")
		);
	});
}

#[test]
fn a_new_expiry_beyond_max_expiries_is_refused_and_an_existing_one_still_lists() {
	ExtBuilder::default().build_and_execute(|| {
		// `MaxExpiries` is 6 on the mock, `MaxSeries` 8.
		for days in 1..=6 {
			assert_ok!(list(OptionKind::Call, 60_000, days));
		}
		let series = Series::<Test>::count();
		assert_noop!(list(OptionKind::Call, 60_000, 7), Error::<Test>::TooManyExpiries);
		assert_eq!(Series::<Test>::count(), series);
		// Another strike of a listed expiry takes no new smile slot.
		assert_ok!(list(OptionKind::Put, 60_000, 6));
	});
}
