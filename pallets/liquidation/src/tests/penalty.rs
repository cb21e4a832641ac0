//! The penalty lives in this pallet's storage: governance sets it within `MaxPenaltyRate`,
//! and every close charges what is stored.

use super::*;
use crate::{Error, Event, PenaltyRate};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Permill;

#[test]
fn the_default_penalty_holds_until_governance_sets_one() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(PenaltyRate::<Test>::get(), DefaultPenaltyRate::get());
		assert_ok!(Liquidation::set_penalty_rate(Permill::from_percent(2)));
		assert_eq!(PenaltyRate::<Test>::get(), Permill::from_percent(2));
		assert!(liquidation_events().contains(&Event::PenaltyRateSet { rate: Permill::from_percent(2) }));
	});
}

#[test]
fn a_penalty_above_the_bound_is_refused_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let above = Permill::from_parts(MaxPenaltyRate::get().deconstruct() + 1);
		assert_noop!(Liquidation::set_penalty_rate(above), Error::<Test>::PenaltyTooHigh);
		assert_eq!(PenaltyRate::<Test>::get(), DefaultPenaltyRate::get());
		// The bound itself is allowed.
		assert_ok!(Liquidation::set_penalty_rate(MaxPenaltyRate::get()));
	});
}

#[test]
fn a_close_charges_the_stored_penalty() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		rest(Side::Buy, 58_400, 2 * ONE_BTC, sub(BOB, 0));
		assert_ok!(Liquidation::set_penalty_rate(Permill::from_percent(2)));
		btc_at(58_500);
		assert_ok!(liquidate(&sub(ALICE, 0)));
		let events = liquidation_events();
		let notional = events.iter().find_map(|event| match event {
			Event::ClosedInBook { notional, .. } => Some(*notional),
			_ => None,
		});
		let paid = events.iter().find_map(|event| match event {
			Event::PenaltyPaid { to_keeper, to_fund, .. } => Some(to_keeper + to_fund),
			_ => None,
		});
		let notional = notional.expect("the book closed part of the long");
		assert_eq!(paid, Some(notional * 2 / 100));
	});
}

#[test]
fn try_state_refuses_a_penalty_above_its_bound() {
	ExtBuilder::default().build().execute_with(|| {
		PenaltyRate::<Test>::put(Permill::from_percent(11));
		assert!(Liquidation::do_try_state().is_err());
		PenaltyRate::<Test>::put(Permill::from_percent(10));
		assert!(Liquidation::do_try_state().is_ok());
	});
}
