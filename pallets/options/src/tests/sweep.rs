//! The settlement sweep. ATTACKS: 15 (no block reads more than `MaxSettlementsPerBlock`
//! positions, nor more than its idle weight allows; a block with nothing to settle reads one
//! value), 16 (the sweep stops once no settled series holds open interest).

use crate::{mock::*, SweepPending};
use clearing_primitives::{black76::OptionKind, oracle::TimeWeightedPoint};
use clearing_test_utils::{set_time_weighted, usd};
use frame_support::{
	assert_ok,
	traits::{Get, Hooks},
	weights::Weight,
};

/// Lists a put and settles its expiry through the hook.
fn settled_put() -> u32 {
	let put = list(OptionKind::Put, 62_000, 1).unwrap();
	let expiry = START_MS + DAY_MS;
	set_time_weighted(BTC, TimeWeightedPoint::default());
	Timestamp::set_timestamp(expiry - 30 * 60 * 1_000);
	Options::process_expiries();
	set_time_weighted(
		BTC,
		TimeWeightedPoint { price_time: usd(60_000).into_inner() * 1_800_000, fresh_ms: 1_800_000 },
	);
	Timestamp::set_timestamp(expiry);
	Options::process_expiries();
	assert_eq!(Options::settlement_price(BTC, expiry), Some(usd(60_000)));
	put
}

fn idle(weight: Weight) -> Weight {
	Options::on_idle(System::block_number(), weight)
}

#[test]
fn a_settled_expiry_is_swept_in_bounded_blocks() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(!SweepPending::<Test>::get());
		let put = settled_put();
		assert!(SweepPending::<Test>::get());
		set_open_interest(put, 25);
		set_positions_to_sweep(25);
		// 10 positions a block at most: 25 take three blocks.
		for _ in 0..3 {
			assert!(SweepPending::<Test>::get());
			idle(Weight::MAX);
		}
		assert_eq!(sweep_calls(), 3);
		assert!(!SweepPending::<Test>::get());
		// Nothing pending: one read, no sweep.
		let used = idle(Weight::MAX);
		assert_eq!(sweep_calls(), 3);
		let one_read = <<Test as frame_system::Config>::DbWeight as Get<frame_support::weights::RuntimeDbWeight>>::get().reads(1);
		assert_eq!(used, one_read);
	});
}

#[test]
fn a_full_block_sweeps_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let put = settled_put();
		set_open_interest(put, 5);
		set_positions_to_sweep(5);
		idle(Weight::zero());
		assert_eq!(sweep_calls(), 0);
		assert!(SweepPending::<Test>::get());
	});
}

#[test]
fn a_pass_that_leaves_open_interest_sweeps_again() {
	ExtBuilder::default().build_and_execute(|| {
		let put = settled_put();
		// The pass reads everything but open interest remains (a position moved behind the
		// scan): another pass follows.
		set_positions_to_sweep(0);
		set_open_interest(put, 7);
		MockMarketsKeepInterest::on();
		idle(Weight::MAX);
		assert!(SweepPending::<Test>::get());
		MockMarketsKeepInterest::off();
		set_open_interest(put, 0);
		idle(Weight::MAX);
		assert!(!SweepPending::<Test>::get());
	});
}

#[test]
fn governance_setting_a_price_starts_the_sweep() {
	ExtBuilder::default().build_and_execute(|| {
		list(OptionKind::Call, 60_000, 1).unwrap();
		let expiry = START_MS + DAY_MS;
		Timestamp::set_timestamp(expiry - 30 * 60 * 1_000);
		Options::process_expiries();
		Timestamp::set_timestamp(expiry);
		Options::process_expiries();
		assert!(!SweepPending::<Test>::get());
		assert_ok!(Options::set_settlement_price(RuntimeOrigin::root(), BTC, expiry, usd(61_000)));
		assert!(SweepPending::<Test>::get());
	});
}
