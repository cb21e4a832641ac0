//! The settlement sweep. ATTACKS: 15 (no block reads more than `MaxSettlementsPerBlock`
//! positions, nor more than its idle weight allows; a block with nothing to settle reads one
//! value), 1 (no position of a settled series is left unsettled: the sweep stops only after a
//! whole pass begun after the last settlement found nothing to settle).

use frame_support::weights::constants::RocksDbWeight;
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
fn a_settled_expiry_is_swept_in_bounded_blocks_until_a_clean_pass_finds_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(!SweepPending::<Test>::get());
		settled_put();
		assert!(SweepPending::<Test>::get());
		// 25 positions, all settleable; 10 read a block at most.
		set_positions_to_sweep(25, 25);
		for _ in 0..3 {
			idle(Weight::MAX);
		}
		// The first pass settled all 25 but proves nothing: a second pass must find none.
		assert!(SweepPending::<Test>::get());
		for _ in 0..3 {
			idle(Weight::MAX);
		}
		assert_eq!(sweep_calls(), 6);
		assert!(!SweepPending::<Test>::get());
		// Nothing pending: no sweep; the sweep, the books to clear and the delisting check
		// each read one value (the finished sweep asked for a delisting check: run it first).
		idle(Weight::MAX);
		let used = idle(Weight::MAX);
		assert_eq!(sweep_calls(), 6);
		let three_reads = <<Test as frame_system::Config>::DbWeight as Get<frame_support::weights::RuntimeDbWeight>>::get().reads(3);
		assert_eq!(used, three_reads);
	});
}

#[test]
fn a_pass_begun_before_a_settlement_proves_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		settled_put();
		// A pass is under way when the sweep first runs (it began before this settlement).
		set_positions_to_sweep(20, 0);
		set_sweep_cursor(15);
		idle(Weight::MAX);
		assert!(SweepPending::<Test>::get(), "a partial pass with nothing settled is not proof");
		// A whole pass from the first position with nothing to settle is.
		idle(Weight::MAX);
		assert!(SweepPending::<Test>::get());
		idle(Weight::MAX);
		assert!(!SweepPending::<Test>::get());
	});
}

#[test]
fn a_settlement_during_a_clean_pass_needs_another_pass() {
	ExtBuilder::default().build_and_execute(|| {
		settled_put();
		set_positions_to_sweep(20, 0);
		idle(Weight::MAX);
		// Another expiry settles mid-pass: positions the pass already read may settle now.
		assert_ok!(governance_settles_another_expiry());
		idle(Weight::MAX);
		assert!(SweepPending::<Test>::get());
		idle(Weight::MAX);
		idle(Weight::MAX);
		assert!(!SweepPending::<Test>::get());
	});
}

#[test]
fn the_idle_weight_bounds_the_positions_read() {
	ExtBuilder::default().build_and_execute(|| {
		settled_put();
		set_positions_to_sweep(10, 10);
		// Room for three positions beyond the check and the bookkeeping.
		let fixed = RocksDbWeight::get().reads_writes(2, 3);
		idle(fixed.saturating_add(Weight::from_parts(3 * 1_000_000 + 999_999, 0)));
		assert_eq!(sweep_calls(), 1);
		assert_eq!(clearing_test_utils::get::<u32>(b"mock-sweep-cursor"), 3);
		// None fits: nothing read.
		idle(fixed.saturating_add(Weight::from_parts(999_999, 0)));
		assert_eq!(sweep_calls(), 1);
	});
}

/// Governance settles a second, pending expiry.
fn governance_settles_another_expiry() -> sp_runtime::DispatchResult {
	list(OptionKind::Call, 60_000, 2).unwrap();
	let expiry = START_MS + 2 * DAY_MS;
	Timestamp::set_timestamp(expiry);
	Options::process_expiries();
	Options::set_settlement_price(RuntimeOrigin::root(), BTC, expiry, usd(61_000))
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
