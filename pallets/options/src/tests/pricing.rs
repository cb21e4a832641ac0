//! Pricing from the chain's inputs. ATTACKS: 12 (a lying implied-volatility feed outside
//! [1%, 500%] prices nothing), 13 (opening risk needs a fresh index and a fresh volatility;
//! maintenance uses the last ones), 5 (the margin's volatility never below the realized one).

use crate::{mock::*, OptionParams};
use clearing_primitives::{
	black76::{self, Inputs, OptionKind, ONE},
	collateral::Valuation,
	options::{to_fixed, years_to, OptionMarks},
	oracle::PriceStatus,
};
use clearing_test_utils::{set_price, set_realized_volatility, usd};
use frame_support::assert_ok;
use sp_runtime::{FixedI128, Permill};

fn fixed(dollars: u128) -> i128 {
	to_fixed(usd(dollars)).unwrap()
}

#[test]
fn the_mark_is_black_76_at_the_chains_inputs() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 55_000, 30).unwrap();
		let leg = Options::leg(put, Valuation::Opening).expect("priced");
		let expected = black76::price(
			OptionKind::Put,
			Inputs {
				spot: fixed(60_000),
				strike: fixed(55_000),
				sigma: 6 * ONE / 10,
				years: years_to(START_MS, START_MS + 30 * DAY_MS).unwrap(),
				rate: 0,
			},
		)
		.unwrap();
		assert_eq!(to_fixed(leg.mark).unwrap(), expected.price);
		// Out of the money by $5,000 (8.33%): max(15% − 8.33%, 10%) × 60,000 + mark.
		assert_eq!(leg.short_initial, usd(6_000) + leg.mark);
		assert_eq!(leg.short_maintenance, usd(4_500) + leg.mark);
		let view = Options::series_view(put).unwrap();
		assert_eq!(view.mark, leg.mark);
		assert_eq!(view.delta, FixedI128::from_inner(expected.delta));
		assert_eq!((view.index, view.volatility, view.priced_at), (usd(60_000), percent(60), START_MS));
	});
}

#[test]
fn only_series_ids_are_series() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(!<Options as OptionMarks>::is_series(FIRST_SERIES - 1));
		assert!(<Options as OptionMarks>::is_series(FIRST_SERIES));
		// In the range but never listed: no figures.
		assert_eq!(Options::leg(FIRST_SERIES, Valuation::Maintenance), None);
	});
}

#[test]
fn opening_risk_needs_fresh_inputs() {
	ExtBuilder::default().build_and_execute(|| {
		let call = list(OptionKind::Call, 60_000, 7).unwrap();
		set_price(BTC_IV, percent(60), PriceStatus::Stale);
		assert_eq!(Options::leg(call, Valuation::Opening), None);
		assert!(Options::leg(call, Valuation::Maintenance).is_some());
		set_market_inputs(60_000, 60);
		set_price(BTC, usd(60_000), PriceStatus::Flagged);
		assert_eq!(Options::leg(call, Valuation::Opening), None);
		assert!(Options::leg(call, Valuation::Maintenance).is_some());
	});
}

#[test]
fn an_implied_volatility_out_of_range_prices_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let call = list(OptionKind::Call, 60_000, 7).unwrap();
		// A feed of 0 would mark every series at its intrinsic value; of 10,000% far above.
		// Nothing opens on it; maintenance takes it within the bounds, so health still reads.
		for (wrong, bound) in [(percent(0), percent(1)), (Price::from_inner(ONE as u128 / 1_000), percent(1)), (percent(501), percent(500))] {
			set_price(BTC_IV, wrong, PriceStatus::Fresh);
			assert_eq!(Options::leg(call, Valuation::Opening), None);
			assert!(Options::leg(call, Valuation::Maintenance).is_some());
			assert_eq!(Options::series_view(call).unwrap().volatility, bound);
		}
		set_price(BTC_IV, percent(1), PriceStatus::Fresh);
		assert!(Options::leg(call, Valuation::Opening).is_some());
		set_price(BTC_IV, percent(500), PriceStatus::Fresh);
		assert!(Options::leg(call, Valuation::Opening).is_some());
	});
}

use clearing_primitives::Price;

#[test]
fn realized_volatility_floors_only_the_margin() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 55_000, 7).unwrap();
		let implied_only = Options::leg(put, Valuation::Opening).unwrap();
		// Realized 120% above implied 60%: the same mark, higher requirements.
		set_realized_volatility(BTC, percent(120));
		let floored = Options::leg(put, Valuation::Opening).unwrap();
		assert_eq!(floored.mark, implied_only.mark);
		assert!(floored.short_initial > implied_only.short_initial);
		assert!(floored.short_maintenance > implied_only.short_maintenance);
		assert_eq!(Options::series_view(put).unwrap().margin_volatility, percent(120));
		// k = 50%: 60% realized counts, equal to the implied.
		assert_ok!(Options::set_params(
			RuntimeOrigin::root(),
			OptionParams { realized_floor: Permill::from_percent(50), ..Default::default() }
		));
		assert_eq!(Options::leg(put, Valuation::Opening).unwrap(), implied_only);
		// A realized volatility below the implied one changes nothing.
		assert_ok!(Options::set_params(RuntimeOrigin::root(), OptionParams::default()));
		set_realized_volatility(BTC, percent(30));
		assert_eq!(Options::leg(put, Valuation::Opening).unwrap(), implied_only);
		// However wild, the realized volatility floors the margin's at 500% at most.
		set_realized_volatility(BTC, percent(1_000));
		assert_eq!(Options::series_view(put).unwrap().margin_volatility, percent(500));
	});
}

#[test]
fn a_rate_raises_calls_and_lowers_puts() {
	ExtBuilder::default().build_and_execute(|| {
		let call = list(OptionKind::Call, 60_000, 300).unwrap();
		let put = list(OptionKind::Put, 60_000, 300).unwrap();
		let (call_before, put_before) =
			(Options::leg(call, Valuation::Opening).unwrap().mark, Options::leg(put, Valuation::Opening).unwrap().mark);
		assert_ok!(Options::set_params(
			RuntimeOrigin::root(),
			OptionParams { rate: Permill::from_percent(5), ..Default::default() }
		));
		assert!(Options::leg(call, Valuation::Opening).unwrap().mark > call_before);
		assert!(Options::leg(put, Valuation::Opening).unwrap().mark < put_before);
	});
}

#[test]
fn an_expired_series_is_marked_at_its_intrinsic_value() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 55_000, 1).unwrap();
		Timestamp::set_timestamp(START_MS + DAY_MS);
		set_market_inputs(50_000, 60);
		let leg = Options::leg(put, Valuation::Maintenance).unwrap();
		assert!(leg.expired);
		assert_eq!(leg.mark, usd(5_000));
	});
}

#[test]
fn net_greeks_sum_the_series_legs() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 55_000, 30).unwrap();
		let call = list(OptionKind::Call, 65_000, 30).unwrap();
		let (put_view, call_view) = (Options::series_view(put).unwrap(), Options::series_view(call).unwrap());
		// Long 2 puts, short half a call (8 decimals); a perpetual leg is left out.
		let greeks = Options::portfolio_greeks([
			(put, 200_000_000, 8),
			(call, -50_000_000, 8),
			(0, 1_000_000_000, 8),
		])
		.unwrap();
		assert_eq!(greeks.legs, 2);
		let expected = put_view.delta.into_inner() * 2 - call_view.delta.into_inner() / 2;
		assert!((greeks.delta.into_inner() - expected).abs() <= 2);
		assert!(greeks.delta.into_inner() < 0);
	});
}
