//! Option changes through the two paths. ATTACKS: 17 (listing a series, setting a schedule,
//! loosening option margin and setting a settlement price wait out the timelock; only
//! tightening margin and removing a schedule are fast; each margin fraction moves one step
//! per window whichever changes move it).

use crate::{classify::OptionTerms, mock::*, Error, Event, Pending, RiskChange};
use clearing_primitives::{black76::OptionKind, Price};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{FixedPointNumber, Permill};

fn usd(v: u128) -> Price {
	Price::saturating_from_integer(v)
}

fn scheduled(change: &Change) -> bool {
	governance_events().iter().any(|e| matches!(e, Event::ChangeScheduled { change: c, .. } if c == change))
}

#[test]
fn listing_a_series_or_a_schedule_and_setting_a_settlement_price_wait_out_the_timelock() {
	ExtBuilder::default().build_and_execute(|| {
		let expiry = 1_000_000;
		let changes = [
			RiskChange::ListSeries {
				underlying: BTC_USD,
				expiry,
				strike: usd(60_000),
				kind: OptionKind::Put,
				tick_size: usd(1),
				max_open_interest: 1_000,
			},
			RiskChange::SetListingSchedule { underlying: BTC_USD, schedule: Some(1) },
			RiskChange::SetSettlementPrice { underlying: 2, expiry, price: usd(61_000) },
		];
		// One a block (the mock enacts two a block).
		for change in &changes {
			assert_ok!(propose(change.clone()));
			assert!(scheduled(change));
			run_to_block(System::block_number() + 1);
		}
		assert_eq!(Pending::<Test>::count(), 3);
		run_to_block(TIMELOCK);
		assert!(!OptionSeries::contains_key((BTC_USD, expiry, usd(60_000))));
		run_to_block(1 + TIMELOCK);
		assert!(OptionSeries::contains_key((BTC_USD, expiry, usd(60_000))));
		assert_eq!(Schedules::get(BTC_USD), None);
		run_to_block(3 + TIMELOCK);
		assert_eq!(Schedules::get(BTC_USD), Some(1));
		assert_eq!(SettlementPrices::get((2, expiry)), Some(usd(61_000)));
	});
}

#[test]
fn removing_a_schedule_is_fast() {
	ExtBuilder::default().build_and_execute(|| {
		Schedules::insert(BTC_USD, 2);
		let change = RiskChange::SetListingSchedule { underlying: BTC_USD, schedule: None };
		assert_ok!(propose(change.clone()));
		assert_eq!(Schedules::get(BTC_USD), None);
		assert!(governance_events().contains(&Event::ChangeEnacted { id: None, change: change.clone() }));
		// None left: the options pallet's refusal reaches the proposer.
		assert_noop!(propose(change), sp_runtime::DispatchError::Other("no schedule"));
	});
}

#[test]
fn tighter_option_margin_is_fast_and_looser_waits() {
	ExtBuilder::default().build_and_execute(|| {
		let current = OptionTerms {
			maintenance: Permill::from_percent(10),
			realized_floor: Permill::from_percent(100),
			..OPTION_TERMS
		};
		let tighter = RiskChange::SetOptionParams { params: current };
		assert_ok!(propose(tighter.clone()));
		assert!(governance_events().contains(&Event::ChangeEnacted { id: None, change: tighter }));
		// A lower floor or realized-volatility share, any new window, coverage or rate: each
		// waits.
		for looser in [
			OptionTerms { initial_floor: Permill::from_percent(8), ..current },
			OptionTerms { realized_floor: Permill::from_percent(95), ..current },
			OptionTerms { settlement_window_ms: 60_000, ..current },
			OptionTerms { settlement_window_ms: 3_600_000, ..current },
			OptionTerms { min_coverage: Permill::from_percent(70), ..current },
			OptionTerms { min_coverage: Permill::from_percent(90), ..current },
			OptionTerms { rate: Permill::from_percent(1), ..current },
			// Tighter margin with a new rate is mixed: it waits too.
			OptionTerms { initial_base: Permill::from_percent(20), rate: Permill::from_percent(1), ..current },
		] {
			let change = RiskChange::SetOptionParams { params: looser };
			assert_ok!(propose(change.clone()));
			assert!(scheduled(&change), "{looser:?} waits");
			run_to_block(System::block_number() + 1);
		}
		assert_eq!(OptionParams::get(), Some(current));
	});
}

#[test]
fn each_option_margin_fraction_moves_one_step_per_window() {
	type Set = fn(&mut OptionTerms, Permill);
	let fractions: [(Set, u32); 4] = [
		(|t, p| t.initial_base = p, 15),
		(|t, p| t.initial_floor = p, 10),
		(|t, p| t.maintenance = p, 7),
		(|t, p| t.realized_floor = p, 80),
	];
	for (set, start) in fractions {
		ExtBuilder::default().build_and_execute(|| {
			let with = |percent: u32| {
				let mut params = OPTION_TERMS;
				set(&mut params, Permill::from_percent(start));
				let anchor = params;
				set(&mut params, Permill::from_percent(percent));
				(anchor, RiskChange::SetOptionParams { params })
			};
			let (anchor, _) = with(start);
			OptionParams::put(anchor);
			// More than ten points at once.
			assert_noop!(propose(with(start + 11).1), Error::<Test>::StepTooLarge);
			// Ten points is one step (tighter: at once); five more would be a second step
			// within the window.
			assert_ok!(propose(with(start + 10).1));
			assert_noop!(propose(with(start + 15).1), Error::<Test>::StepTooLarge);
			let mut expected = anchor;
			set(&mut expected, Permill::from_percent(start + 10));
			assert_eq!(OptionParams::get(), Some(expected));
		});
	}
}
