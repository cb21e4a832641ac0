//! Expiry and settlement. ATTACKS: 9 (steer the settlement: the price is the window's
//! time-weighted fresh index, and once settled the index no longer moves a series), 13 (a
//! window the index was fresh for less than 80% of waits for governance), 17 (only governance
//! sets a pending price, once), 15 (the hook reads one value when nothing is due).

use crate::{mock::*, Error, Event, Expiries, NextExpiryAction, Settlement};
use clearing_primitives::{black76::OptionKind, collateral::Valuation, oracle::TimeWeightedPoint};
use clearing_test_utils::{set_time_weighted, usd};
use frame_support::{assert_noop, assert_ok, traits::Get};
use sp_runtime::{DispatchError, Permill};

const WINDOW: u64 = 30 * 60 * 1_000;

/// A reading `fresh_ms` of fresh index at `price` after `from`.
fn after(from: TimeWeightedPoint, price: u128, fresh_ms: u64) -> TimeWeightedPoint {
	TimeWeightedPoint {
		price_time: from.price_time + usd(price).into_inner() * u128::from(fresh_ms),
		fresh_ms: from.fresh_ms + fresh_ms,
	}
}

fn at(ms: u64) {
	Timestamp::set_timestamp(ms);
	Options::process_expiries();
}

#[test]
fn an_expiry_settles_at_its_windows_time_weighted_index() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 62_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		assert_eq!(NextExpiryAction::<Test>::get(), Some(expiry - WINDOW));
		let start = TimeWeightedPoint { price_time: 7, fresh_ms: 1_000 };
		set_time_weighted(BTC, start);
		at(expiry - WINDOW);
		System::assert_has_event(Event::SettlementWindowOpened { underlying: BTC, expiry }.into());
		assert_eq!(NextExpiryAction::<Test>::get(), Some(expiry));
		// Half the window at 61,000, half at 59,000: 60,000, whatever the index at expiry.
		set_time_weighted(BTC, after(after(start, 61_000, WINDOW / 2), 59_000, WINDOW / 2));
		set_market_inputs(50_000, 60);
		at(expiry);
		System::assert_has_event(
			Event::ExpirySettled { underlying: BTC, expiry, price: usd(60_000), coverage: Permill::one() }.into(),
		);
		assert_eq!(Options::settlement_price(BTC, expiry), Some(usd(60_000)));
		assert_eq!(NextExpiryAction::<Test>::get(), None);
		// The put pays 62,000 − 60,000 however the index moves on.
		for index in [40_000, 90_000] {
			set_market_inputs(index, 60);
			let leg = Options::leg_of(put, Valuation::Maintenance).unwrap();
			assert!(leg.expired);
			assert_eq!(leg.mark, usd(2_000));
		}
	});
}

#[test]
fn a_thinly_covered_window_waits_for_governance() {
	ExtBuilder::default().build_and_execute(|| {
		let call = list(OptionKind::Call, 58_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		let start = TimeWeightedPoint::default();
		set_time_weighted(BTC, start);
		at(expiry - WINDOW);
		// Fresh for 79% of the window.
		set_time_weighted(BTC, after(start, 60_000, WINDOW * 79 / 100));
		at(expiry);
		System::assert_has_event(
			Event::SettlementPending { underlying: BTC, expiry, coverage: Permill::from_percent(79) }.into(),
		);
		assert_eq!(Expiries::<Test>::get((BTC, expiry)).unwrap().settlement, Settlement::Pending);
		// Until governance sets it, the series is marked at the index.
		assert_eq!(Options::leg_of(call, Valuation::Maintenance).unwrap().mark, usd(2_000));
		assert_noop!(
			Options::set_settlement_price(RuntimeOrigin::signed(1), BTC, expiry, usd(59_000)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Options::set_settlement_price(RuntimeOrigin::root(), BTC, expiry, usd(0)),
			Error::<Test>::ZeroPrice
		);
		assert_noop!(
			Options::set_settlement_price(RuntimeOrigin::root(), BTC, expiry + 1, usd(59_000)),
			Error::<Test>::NotPendingSettlement
		);
		assert_ok!(Options::set_settlement_price(RuntimeOrigin::root(), BTC, expiry, usd(59_000)));
		assert_eq!(Options::leg_of(call, Valuation::Maintenance).unwrap().mark, usd(1_000));
		// Set once: no second price.
		assert_noop!(
			Options::set_settlement_price(RuntimeOrigin::root(), BTC, expiry, usd(70_000)),
			Error::<Test>::NotPendingSettlement
		);
	});
}

#[test]
fn an_index_never_read_leaves_the_expiry_pending() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		// No reading at the window's opening nor at expiry (a halted feed).
		at(expiry - WINDOW);
		at(expiry + 5_000);
		assert_eq!(Expiries::<Test>::get((BTC, expiry)).unwrap().settlement, Settlement::Pending);
	});
}

#[test]
fn a_window_opened_late_counts_only_what_it_saw() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		let start = TimeWeightedPoint::default();
		set_time_weighted(BTC, start);
		// The chain was down: the first block after the opening comes with 90% of the window
		// gone, and the expiry passes in the same hook run.
		at(expiry - WINDOW / 10);
		set_time_weighted(BTC, after(start, 60_000, WINDOW / 10));
		at(expiry);
		assert_eq!(Expiries::<Test>::get((BTC, expiry)).unwrap().settlement, Settlement::Pending);
	});
}

#[test]
fn expiries_closer_than_the_window_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let too_soon = Options::list_series(
			RuntimeOrigin::root(),
			BTC_PERP,
			START_MS + WINDOW - 1,
			usd(60_000),
			OptionKind::Call,
			usd(1),
			1,
		);
		assert_noop!(too_soon, Error::<Test>::ExpiryTooSoon);
		assert_ok!(Options::list_series(
			RuntimeOrigin::root(),
			BTC_PERP,
			START_MS + WINDOW,
			usd(60_000),
			OptionKind::Call,
			usd(1),
			1
		));
	});
}

#[test]
fn the_hook_reads_one_value_when_nothing_is_due() {
	ExtBuilder::default().build_and_execute(|| {
		let one_read = <<Test as frame_system::Config>::DbWeight as Get<frame_support::weights::RuntimeDbWeight>>::get().reads(1);
		assert_eq!(Options::process_expiries(), one_read);
		list(OptionKind::Call, 60_000, 1).unwrap();
		assert_eq!(Options::process_expiries(), one_read);
	});
}

#[test]
fn eighty_percent_fresh_settles() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		let start = TimeWeightedPoint::default();
		set_time_weighted(BTC, start);
		at(expiry - WINDOW);
		set_time_weighted(BTC, after(start, 61_000, WINDOW * 80 / 100));
		at(expiry);
		assert_eq!(Options::settlement_price(BTC, expiry), Some(usd(61_000)));
	});
}

#[test]
fn a_window_first_seen_at_expiry_waits_for_governance() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		set_time_weighted(BTC, TimeWeightedPoint::default());
		// The chain was down through the whole window: opened and due at once.
		at(expiry + 1);
		assert_eq!(Expiries::<Test>::get((BTC, expiry)).unwrap().settlement, Settlement::Pending);
		assert_eq!(NextExpiryAction::<Test>::get(), None);
	});
}

#[test]
fn a_reset_index_settles_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		set_time_weighted(BTC, TimeWeightedPoint { price_time: 1 << 100, fresh_ms: 1 << 40 });
		at(expiry - WINDOW);
		// The asset was removed and listed again: its sums restarted below the opening's, and
		// their differences wrap to far more fresh time than has passed.
		set_time_weighted(BTC, after(TimeWeightedPoint::default(), 60_000, WINDOW));
		at(expiry);
		assert_eq!(Expiries::<Test>::get((BTC, expiry)).unwrap().settlement, Settlement::Pending);
	});
}

#[test]
fn the_hook_schedules_each_expiry_in_turn() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		list(OptionKind::Call, 60_000, 2).unwrap();
		let (first, second) = (START_MS + DAY_MS, START_MS + 2 * DAY_MS);
		assert_eq!(NextExpiryAction::<Test>::get(), Some(first - WINDOW));
		let start = TimeWeightedPoint::default();
		set_time_weighted(BTC, start);
		at(first - WINDOW);
		assert_eq!(NextExpiryAction::<Test>::get(), Some(first));
		set_time_weighted(BTC, after(start, 60_000, WINDOW));
		at(first);
		assert_eq!(Options::settlement_price(BTC, first), Some(usd(60_000)));
		// The second's window is next; nothing between.
		assert_eq!(NextExpiryAction::<Test>::get(), Some(second - WINDOW));
		assert_eq!(Expiries::<Test>::get((BTC, second)).unwrap().window_start, None);
	});
}

#[test]
fn a_new_window_reschedules_the_hook() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		let longer = crate::OptionParams { settlement_window_ms: 2 * WINDOW, ..Default::default() };
		assert_ok!(Options::set_params(RuntimeOrigin::root(), longer));
		Options::process_expiries();
		assert_eq!(NextExpiryAction::<Test>::get(), Some(expiry - 2 * WINDOW));
	});
}
