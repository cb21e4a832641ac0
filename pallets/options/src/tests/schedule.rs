//! Listing by schedule. ATTACKS: 17 (only governance sets a schedule; bounds hold), 16 (at
//! most `MaxSchedules` schedules, `MaxListingsPerBlock` series a block, `MaxSeries` slots),
//! 15 (the hook reads one value when nothing is due and lists nothing beyond its weight
//! limit), 13 (a stale index lists nothing; the listing is retried), 7 (no strike outside
//! the listing range around the index), 18 (extreme schedules get a named error or list
//! nothing; never a panic).

use crate::{
	mock::*, Error, Event, ExpiryCycle, ListingSchedule, ListingSchedules, NextListingCheck, Series,
	SeriesByTerms, SeriesListed,
};
use clearing_primitives::{black76::OptionKind, options::SeriesTerms, oracle::PriceStatus, Price};
use clearing_test_utils::{set_price, usd};
use frame_support::{
	assert_noop, assert_ok,
	traits::{Get, Hooks},
	weights::{Weight, WeightMeter},
};
use sp_runtime::DispatchError;

const HOUR: u64 = 3_600_000;
const WINDOW: u64 = 30 * 60 * 1_000;
/// The mock's first daily expiry at 08:00.
const FIRST: u64 = START_MS + 8 * HOUR;

fn daily(each_side: u32) -> ListingSchedule {
	ListingSchedule {
		cycles: vec![ExpiryCycle { period_ms: DAY_MS, offset_ms: 8 * HOUR }].try_into().unwrap(),
		strike_step: usd(1_000),
		strikes_each_side: each_side,
		tick_size: usd(1),
		max_open_interest: 1_000,
	}
}

fn set(schedule: Option<ListingSchedule>) -> sp_runtime::DispatchResult {
	Options::set_listing_schedule(RuntimeOrigin::root(), BTC_PERP, schedule)
}

/// The block's hooks at `ms`: what the expiry and listing hooks used.
fn poll_at(ms: u64) -> Weight {
	Timestamp::set_timestamp(ms);
	let mut meter = WeightMeter::new();
	Options::on_poll(System::block_number(), &mut meter);
	meter.consumed()
}

fn listed_terms() -> Vec<SeriesTerms> {
	let mut terms: Vec<_> = Series::<Test>::iter_values().map(|listed| listed.terms).collect();
	terms.sort_by_key(|t| (t.expiry, t.strike, t.kind as u8));
	terms
}

fn terms(expiry: u64, strike: u128, kind: OptionKind) -> SeriesTerms {
	SeriesTerms { underlying: BTC, expiry, strike: usd(strike), kind }
}

#[test]
fn a_schedule_lists_its_next_expiry_by_itself_around_the_index() {
	ExtBuilder::default().build_and_execute(|| {
		set_market_inputs(60_400, 60);
		assert_ok!(set(Some(daily(0))));
		System::assert_has_event(
			Event::ListingScheduleSet { underlying: BTC_PERP, schedule: Some(daily(0)) }.into(),
		);
		assert!(Series::<Test>::iter().next().is_none());
		poll_at(START_MS);
		// The strike nearest $60,400: a call and a put at $60,000, on the mock's tick and cap.
		assert_eq!(listed_terms(), vec![terms(FIRST, 60_000, OptionKind::Call), terms(FIRST, 60_000, OptionKind::Put)]);
		System::assert_has_event(Event::ExpiryListed { underlying: BTC_PERP, expiry: FIRST, series: 2 }.into());
		// Nothing more until the expiry enters its window.
		assert_eq!(NextListingCheck::<Test>::get(), Some(FIRST - WINDOW + 1));
		poll_at(FIRST - WINDOW);
		assert_eq!(Series::<Test>::count(), 2);
	});
}

#[test]
fn the_next_expiry_lists_once_the_last_enters_its_window() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(Some(daily(0))));
		poll_at(START_MS);
		set_market_inputs(63_000, 60);
		poll_at(FIRST - WINDOW + 1);
		let next = FIRST + DAY_MS;
		assert_eq!(
			listed_terms(),
			vec![
				terms(FIRST, 60_000, OptionKind::Call),
				terms(FIRST, 60_000, OptionKind::Put),
				terms(next, 63_000, OptionKind::Call),
				terms(next, 63_000, OptionKind::Put),
			]
		);
		assert_eq!(NextListingCheck::<Test>::get(), Some(next - WINDOW + 1));
	});
}

#[test]
fn two_cycles_list_their_own_next_expiries_and_a_shared_one_once() {
	ExtBuilder::default().build_and_execute(|| {
		// Daily at 08:00 and every two days at 08:00: today's expiry is both.
		let mut schedule = daily(0);
		schedule.cycles.try_push(ExpiryCycle { period_ms: 2 * DAY_MS, offset_ms: 8 * HOUR }).unwrap();
		assert_ok!(set(Some(schedule)));
		poll_at(START_MS);
		assert_eq!(Series::<Test>::count(), 2);
		System::assert_has_event(Event::ExpiryListed { underlying: BTC_PERP, expiry: FIRST, series: 2 }.into());
		// The mock lists two series a block: the second cycle's ladder waits for the next.
		assert_eq!(NextListingCheck::<Test>::get(), Some(START_MS));
		poll_at(START_MS + 1_000);
		System::assert_has_event(Event::ExpiryListed { underlying: BTC_PERP, expiry: FIRST, series: 0 }.into());
		assert_eq!(Series::<Test>::count(), 2);
	});
}

#[test]
fn a_series_listed_already_is_not_listed_again() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Options::list_series(
			RuntimeOrigin::root(),
			BTC_PERP,
			FIRST,
			usd(60_000),
			OptionKind::Call,
			usd(1),
			1
		));
		assert_ok!(set(Some(daily(0))));
		poll_at(START_MS);
		assert_eq!(Series::<Test>::count(), 2);
		assert!(SeriesByTerms::<Test>::contains_key(terms(FIRST, 60_000, OptionKind::Put)));
		System::assert_has_event(Event::ExpiryListed { underlying: BTC_PERP, expiry: FIRST, series: 1 }.into());
	});
}

#[test]
fn a_stale_index_defers_the_listing_until_a_fresh_one() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(Some(daily(0))));
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		poll_at(START_MS);
		assert_eq!(Series::<Test>::count(), 0);
		System::assert_has_event(
			Event::ListingDeferred {
				underlying: BTC_PERP,
				expiry: FIRST,
				error: Error::<Test>::NoFreshIndex.into(),
			}
			.into(),
		);
		let retry: u64 = <Test as crate::Config>::ListingRetryMs::get();
		assert_eq!(NextListingCheck::<Test>::get(), Some(START_MS + retry));
		// A stale volatility defers it too; the retry lists once both are fresh.
		set_market_inputs(60_000, 60);
		set_price(BTC_IV, percent(60), PriceStatus::Stale);
		poll_at(START_MS + retry);
		assert_eq!(Series::<Test>::count(), 0);
		set_market_inputs(60_000, 60);
		poll_at(START_MS + 2 * retry);
		assert_eq!(Series::<Test>::count(), 2);
	});
}

#[test]
fn a_ladder_lists_whole_or_waits_for_free_slots() {
	ExtBuilder::default().build_and_execute(|| {
		for strike in [50_000, 55_000, 65_000, 70_000] {
			assert_ok!(list(OptionKind::Call, strike, 7));
		}
		for strike in [50_000, 55_000, 65_000] {
			assert_ok!(list(OptionKind::Put, strike, 7));
		}
		assert_ok!(set(Some(daily(0))));
		poll_at(START_MS);
		// One slot of `MaxSeries` (8) free, two series due: none lists, no id is used.
		assert_eq!(Series::<Test>::count(), 7);
		assert_eq!(SeriesListed::<Test>::get(), 7);
		assert_eq!(MockMarkets::opened().len(), 7);
		System::assert_has_event(
			Event::ListingDeferred {
				underlying: BTC_PERP,
				expiry: FIRST,
				error: Error::<Test>::TooManySeries.into(),
			}
			.into(),
		);
	});
}

#[test]
fn a_ladder_without_a_strike_in_range_lists_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		// The multiple of $200,000 nearest $60,000 is $0: no strike.
		let mut schedule = daily(0);
		schedule.strike_step = usd(200_000);
		assert_ok!(set(Some(schedule)));
		poll_at(START_MS);
		assert_eq!(Series::<Test>::count(), 0);
		System::assert_has_event(Event::ExpiryListed { underlying: BTC_PERP, expiry: FIRST, series: 0 }.into());
	});
}

#[test]
fn the_hook_reads_one_value_when_nothing_is_due_and_keeps_to_its_limit() {
	ExtBuilder::default().build_and_execute(|| {
		let db = frame_support::weights::constants::RocksDbWeight::get();
		let one_read = db.reads(1);
		// No schedule: the listing hook reads its check (the expiry hook reads its own).
		assert_eq!(Options::list_scheduled(Weight::MAX), one_read);
		assert_ok!(set(Some(daily(0))));
		// Due, but the limit leaves room for the scan and not the ladder: the next block lists.
		let scan = db.reads_writes(2, 1).saturating_add(db.reads_writes(1, 1).saturating_mul(2));
		let used = Options::list_scheduled(scan);
		assert!(used.all_lte(scan));
		assert_eq!(Series::<Test>::count(), 0);
		assert_eq!(NextListingCheck::<Test>::get(), Some(START_MS));
		// Not even the scan: nothing read beyond the check.
		assert_eq!(Options::list_scheduled(scan.saturating_sub(one_read)), one_read);
		let used = Options::list_scheduled(Weight::MAX);
		assert_eq!(Series::<Test>::count(), 2);
		assert!(used.all_gte(scan.saturating_add(<() as crate::WeightInfo>::list_scheduled(0))));
		assert_eq!(Options::list_scheduled(Weight::MAX), one_read);
	});
}

#[test]
fn a_ladder_refused_halfway_leaves_nothing_behind() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(Some(daily(0))));
		// The margin engine opens the call's market and refuses the put's.
		fail_opening_after(1);
		poll_at(START_MS);
		assert_eq!(Series::<Test>::count(), 0);
		assert_eq!(SeriesListed::<Test>::get(), 0);
		assert!(MockMarkets::opened().is_empty());
		assert!(crate::Expiries::<Test>::iter().next().is_none());
		// The margin engine's refusal (a string, not kept in the event's encoding).
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Options(Event::ListingDeferred { underlying: BTC_PERP, expiry: FIRST, error: DispatchError::Other(_) })
		)));
	});
}

#[test]
fn a_failing_schedule_neither_retries_before_its_time_nor_blocks_another() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Options::set_volatility_source(RuntimeOrigin::root(), DOT, BTC_IV));
		assert_ok!(set(Some(daily(0))));
		let dot = ListingSchedule { strike_step: usd(1), ..daily(0) };
		assert_ok!(Options::set_listing_schedule(RuntimeOrigin::root(), DOT_PERP, Some(dot)));
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		let deferrals = || {
			System::events()
				.iter()
				.filter(|r| matches!(r.event, RuntimeEvent::Options(Event::ListingDeferred { .. })))
				.count()
		};
		// The mock lists two series a block. BTC's schedule iterates first (its key hashes
		// lower): it fails and uses the block's budget, so DOT waits for the next block…
		poll_at(START_MS);
		assert_eq!(deferrals(), 1);
		assert_eq!(Series::<Test>::count(), 0);
		assert_eq!(NextListingCheck::<Test>::get(), Some(START_MS));
		assert_eq!(ListingSchedules::<Test>::get(BTC_PERP).map(|s| s.retry_at), Some(START_MS + 60_000));
		// …where BTC, waiting for its retry, takes none of it.
		poll_at(START_MS + 1_000);
		assert!(SeriesByTerms::<Test>::contains_key(SeriesTerms {
			underlying: DOT,
			expiry: FIRST,
			strike: usd(5),
			kind: OptionKind::Put
		}));
		assert_eq!(deferrals(), 1);
		// BTC waits out `ListingRetryMs` (a minute on the mock) before trying again.
		poll_at(START_MS + 2_000);
		poll_at(START_MS + 30_000);
		assert_eq!(deferrals(), 1);
		set_market_inputs(60_000, 60);
		poll_at(START_MS + 61_000);
		assert_eq!(Series::<Test>::count(), 4);
	});
}

#[test]
fn a_replaced_schedule_keeps_what_its_cycles_listed() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(Some(daily(0))));
		poll_at(START_MS);
		set_market_inputs(63_000, 60);
		assert_ok!(set(Some(ListingSchedule { strike_step: usd(500), ..daily(0) })));
		poll_at(START_MS + 1_000);
		// Today's expiry was listed by the same cycle: not again around the new index.
		assert_eq!(Series::<Test>::count(), 2);
		// A new cycle starts from nothing: its first expiry lists.
		let mut weekly = daily(0);
		weekly.cycles = vec![ExpiryCycle { period_ms: 7 * DAY_MS, offset_ms: DAY_MS + 8 * HOUR }].try_into().unwrap();
		assert_ok!(set(Some(weekly)));
		poll_at(START_MS + 2_000);
		assert_eq!(Series::<Test>::count(), 4);
	});
}

#[test]
fn schedules_out_of_bounds_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let cycle = |period_ms: u64, offset_ms: u64| ExpiryCycle { period_ms, offset_ms };
		let with_cycles = |cycles: Vec<ExpiryCycle>| ListingSchedule { cycles: cycles.try_into().unwrap(), ..daily(0) };
		let invalid = [
			with_cycles(vec![]),
			with_cycles(vec![cycle(59_999, 0)]),
			// No longer than the 30-minute settlement window.
			with_cycles(vec![cycle(WINDOW - 1, 0)]),
			with_cycles(vec![cycle(WINDOW, 0)]),
			with_cycles(vec![cycle(0, 0)]),
			with_cycles(vec![cycle(DAY_MS, DAY_MS)]),
			with_cycles(vec![cycle(365 * DAY_MS, 0)]),
			with_cycles(vec![cycle(u64::MAX, 0)]),
			with_cycles(vec![cycle(DAY_MS, 0), cycle(DAY_MS, 0)]),
			// One strike a side is six series an expiry: more than the mock lists in a block.
			daily(1),
			daily(u32::MAX),
			ListingSchedule { strike_step: Price::from_inner(0), ..daily(0) },
			ListingSchedule { tick_size: Price::from_inner(0), ..daily(0) },
			ListingSchedule { max_open_interest: 0, ..daily(0) },
		];
		for schedule in invalid {
			assert_noop!(set(Some(schedule)), Error::<Test>::InvalidSchedule);
		}
		assert_noop!(
			Options::set_listing_schedule(RuntimeOrigin::root(), 9, Some(daily(0))),
			DispatchError::Other("MarketNotFound")
		);
		assert_noop!(
			Options::set_listing_schedule(RuntimeOrigin::root(), DOT_PERP, Some(daily(0))),
			Error::<Test>::NoVolatilitySource
		);
		// A huge strike step or cap is within bounds and lists nothing out of range.
		assert_ok!(set(Some(ListingSchedule {
			strike_step: Price::from_inner(u128::MAX),
			max_open_interest: u128::MAX,
			..daily(0)
		})));
		poll_at(START_MS);
		assert_eq!(Series::<Test>::count(), 0);
	});
}

#[test]
fn only_governance_sets_a_schedule_and_at_most_max_schedules() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Options::set_listing_schedule(RuntimeOrigin::signed(1), BTC_PERP, Some(daily(0))),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Options::set_listing_schedule(RuntimeOrigin::signed(1), BTC_PERP, None),
			DispatchError::BadOrigin
		);
		// Two cycles: eight slots (two expiries of each), the mock's `MaxSeries`.
		let mut two_cycles = daily(0);
		two_cycles.cycles.try_push(ExpiryCycle { period_ms: 7 * DAY_MS, offset_ms: 0 }).unwrap();
		assert_ok!(set(Some(two_cycles)));
		for underlying in [DOT, ETH] {
			assert_ok!(Options::set_volatility_source(RuntimeOrigin::root(), underlying, BTC_IV));
		}
		assert_noop!(
			Options::set_listing_schedule(RuntimeOrigin::root(), DOT_PERP, Some(daily(0))),
			Error::<Test>::TooManyScheduledSeries
		);
		// Replacing one is not adding one.
		assert_ok!(set(Some(daily(0))));
		assert_ok!(Options::set_listing_schedule(RuntimeOrigin::root(), DOT_PERP, Some(daily(0))));
		assert_eq!(ListingSchedules::<Test>::count(), 2);
		assert_noop!(
			Options::set_listing_schedule(RuntimeOrigin::root(), ETH_PERP, Some(daily(0))),
			Error::<Test>::TooManySchedules
		);
	});
}

#[test]
fn a_removed_schedule_lists_no_more_and_its_series_stay() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set(Some(daily(0))));
		poll_at(START_MS);
		assert_ok!(set(None));
		System::assert_has_event(Event::ListingScheduleSet { underlying: BTC_PERP, schedule: None }.into());
		assert_eq!(NextListingCheck::<Test>::get(), None);
		assert_noop!(set(None), Error::<Test>::NoSchedule);
		poll_at(FIRST);
		assert_eq!(Series::<Test>::count(), 2);
	});
}

#[test]
fn a_settlement_window_is_kept_shorter_than_every_cycle() {
	ExtBuilder::default().build_and_execute(|| {
		let hourly = ListingSchedule {
			cycles: vec![ExpiryCycle { period_ms: HOUR, offset_ms: 0 }].try_into().unwrap(),
			..daily(0)
		};
		assert_ok!(set(Some(hourly)));
		poll_at(START_MS);
		let params = |window| crate::OptionParams { settlement_window_ms: window, ..Default::default() };
		assert_noop!(Options::set_params(RuntimeOrigin::root(), params(HOUR)), Error::<Test>::WindowNotShorterThanCycles);
		// A longer window that still fits moves the next listing: checked again now.
		Timestamp::set_timestamp(START_MS + 1_000);
		assert_ok!(Options::set_params(RuntimeOrigin::root(), params(HOUR - 60_000)));
		assert_eq!(NextListingCheck::<Test>::get(), Some(START_MS + 1_000));
		// Without schedules any window in bounds goes.
		assert_ok!(set(None));
		assert_ok!(Options::set_params(RuntimeOrigin::root(), params(HOUR)));
	});
}
