//! The keeper offchain worker: scans from a persisted cursor, bounded per block, and submits
//! an authorized `liquidate` for each subaccount below maintenance.

use super::*;
use crate::{keeper::CURSOR_KEY, Call};
use codec::Decode;
use sp_core::offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt};
use std::sync::Arc;

struct Harness {
	ext: sp_io::TestExternalities,
	pool: Arc<parking_lot::RwLock<testing::PoolState>>,
	offchain: Arc<parking_lot::RwLock<testing::OffchainState>>,
}

/// A validator node's offchain context (the test externalities always report a validator),
/// its keystore holding the keeper key.
fn harness() -> Harness {
	sp_runtime::testing::UintAuthorityId::set_all_keys([KEEPER_KEY]);
	let mut ext = ExtBuilder::default().build();
	let (offchain, offchain_state) = testing::TestOffchainExt::new();
	let (pool_ext, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool_ext));
	Harness { ext, pool: pool_state, offchain: offchain_state }
}

/// The subaccounts the pool holds liquidations of (a batch's entries each), and their
/// counterparties.
fn submitted(h: &Harness) -> Vec<(AccountId, Vec<AccountId>)> {
	h.pool
		.read()
		.transactions
		.iter()
		.flat_map(|bytes| {
			let xt = Extrinsic::decode(&mut &bytes[..]).expect("an extrinsic");
			assert!(
				matches!(xt.preamble, sp_runtime::generic::Preamble::General(..)),
				"an authorized (general) transaction"
			);
			match xt.function {
				RuntimeCall::Liquidation(Call::keeper_liquidate { subaccount, counterparties, .. }) => {
					assert!(!counterparties.is_empty(), "alone only with counterparties");
					vec![(subaccount.owner, counterparties.iter().map(|c| c.owner).collect())]
				},
				RuntimeCall::Liquidation(Call::liquidate_batch { subaccounts, max_positions, .. }) => {
					// Every trader in these tests holds one position: the witness says so.
					assert_eq!(max_positions, 1, "the witness is the most any entry holds");
					subaccounts.iter().map(|s| (s.owner, Vec::new())).collect()
				},
				other => panic!("unexpected call {other:?}"),
			}
		})
		.collect()
}

/// Five traders long 1 BTC each against Bob; those listed hold only $3,000 (the others
/// $20,000), and BTC falls to $58,000.
fn crash(thin: &[AccountId]) {
	for who in [ALICE, CAROL, DAVE, 10, 11] {
		let collateral = if thin.contains(&who) { 3_000 } else { 20_000 };
		open(who, collateral, Side::Buy, ONE_BTC, 60_000, sub(BOB, 0));
	}
	btc_at(58_000);
}

#[test]
fn the_keeper_scans_a_bounded_slice_per_block_and_resumes_from_its_cursor() {
	let mut h = harness();
	h.ext.execute_with(|| {
		crash(&[ALICE, CAROL, DAVE, 10, 11]);
		// Six subaccounts hold positions (Bob too); two are read per block.
		Liquidation::run_keeper(1);
	});
	assert_eq!(submitted(&h).len(), 2);
	// Both in one batch.
	assert_eq!(h.pool.read().transactions.len(), 1);
	let cursor = h.offchain.read().persistent_storage.get(CURSOR_KEY);
	assert!(cursor.is_some(), "the cursor is persisted");
	h.ext.execute_with(|| {
		Liquidation::run_keeper(2);
		Liquidation::run_keeper(3);
	});
	// All five unhealthy traders found once in three blocks; Bob (healthy) never.
	// Solvent ($3,000 − $2,000 > 0): nothing offered for deleveraging.
	assert!(submitted(&h).iter().all(|(_, offered)| offered.is_empty()));
	let mut found: Vec<AccountId> = submitted(&h).into_iter().map(|(who, _)| who).collect();
	found.sort();
	assert_eq!(found, vec![ALICE, CAROL, DAVE, 10, 11]);
	// The scan reached the end: the cursor is cleared and the next block starts over.
	assert_eq!(h.offchain.read().persistent_storage.get(CURSOR_KEY), None);
	h.ext.execute_with(|| {
		Liquidation::do_try_state().expect("liquidation's try_state");
		Margin::do_try_state().expect("the margin engine's try_state");
	});
}

#[test]
fn healthy_subaccounts_are_never_submitted() {
	let mut h = harness();
	h.ext.execute_with(|| {
		crash(&[]);
		for n in 1..=4 {
			Liquidation::run_keeper(n);
		}
	});
	assert!(submitted(&h).is_empty());
}

#[test]
fn for_a_bankruptcy_the_keeper_offers_ranked_counterparties_in_case_the_fund_falls_short() {
	let mut h = harness();
	h.ext.execute_with(|| {
		bankrupt_scenario(&sub(ALICE, 0), 3);
		// Nobody else is unhealthy; read everything in one go.
		for n in 1..=3 {
			Liquidation::run_keeper(n);
		}
	});
	let found = submitted(&h);
	assert_eq!(found.len(), 1);
	let (who, counterparties) = &found[0];
	assert_eq!(*who, ALICE);
	// The three shorts (100, 101, 102), all equally placed: each ranks the same.
	let mut offered = counterparties.clone();
	offered.sort();
	assert_eq!(offered, vec![100, 101, 102]);
	// The chain accepts the keeper's call as submitted.
	h.ext.execute_with(|| {
		let offered: Vec<_> = counterparties.iter().map(|c| sub(*c, 0)).collect();
		frame_support::assert_ok!(keeper_liquidate(&sub(ALICE, 0), offered));
		assert_eq!(position(ALICE), 0);
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
	});
}

/// Every transaction the keeper submits carries a proof the chain accepts: it validates
/// in the pool as submitted.
#[test]
fn what_the_keeper_submits_is_valid_in_the_pool() {
	use frame_support::pallet_prelude::{Authorize, TransactionSource};
	let mut h = harness();
	h.ext.execute_with(|| {
		crash(&[ALICE, CAROL]);
		// Each run at its own block, as on a node; the pool validates at the last.
		for n in 1..=3 {
			System::set_block_number(n);
			Liquidation::run_keeper(n);
		}
	});
	let transactions = h.pool.read().transactions.clone();
	assert!(!transactions.is_empty());
	h.ext.execute_with(|| {
		for bytes in transactions {
			let xt = Extrinsic::decode(&mut &bytes[..]).expect("an extrinsic");
			let RuntimeCall::Liquidation(call) = xt.function else { panic!("a liquidation") };
			let validity = call.authorize(TransactionSource::External).expect("an authorized call");
			assert!(validity.is_ok(), "{validity:?}");
		}
	});
}

/// A node that holds no keeper key submits nothing (the chain would refuse it anyway).
#[test]
fn a_node_without_a_keeper_key_submits_nothing() {
	let mut h = harness();
	sp_runtime::testing::UintAuthorityId::set_all_keys([5u64]);
	h.ext.execute_with(|| {
		crash(&[ALICE, CAROL]);
		for n in 1..=3 {
			Liquidation::run_keeper(n);
		}
	});
	assert!(h.pool.read().transactions.is_empty());
}

#[test]
fn a_run_that_finds_the_cursors_locked_reads_and_submits_nothing() {
	use sp_runtime::offchain::{
		storage_lock::{StorageLock, Time},
		Duration,
	};
	let mut h = harness();
	h.ext.execute_with(|| {
		crash(&[ALICE, CAROL, DAVE, 10, 11]);
		// Another run of the keeper holds the lock.
		let mut lock = StorageLock::<Time>::with_deadline(crate::keeper::LOCK_KEY, Duration::from_millis(60_000));
		let guard = lock.try_lock().expect("the lock is free");
		Liquidation::run_keeper(1);
		assert!(h.pool.read().transactions.is_empty(), "nothing submitted under another run's lock");
		assert!(h.offchain.read().persistent_storage.get(CURSOR_KEY).is_none(), "the cursor is untouched");
		// Once it is released, the next run goes on.
		drop(guard);
		Liquidation::run_keeper(2);
	});
	assert_eq!(submitted(&h).len(), 2);
}

#[test]
fn the_liquidatable_query_pages_from_a_subaccount_and_lists_only_the_liquidatable() {
	ExtBuilder::default().build_and_execute(|| {
		crash(&[ALICE, DAVE, 11]);
		let all = Liquidation::liquidatable(None, 10);
		let mut owners: Vec<AccountId> = all.iter().map(|s| s.owner).collect();
		owners.sort();
		assert_eq!(owners, vec![ALICE, DAVE, 11], "the thin longs, never Bob, Carol or 10");
		// A limit stops the query; the next page starts just after the last one listed.
		let first = Liquidation::liquidatable(None, 2);
		assert_eq!(first, all[..2].to_vec());
		let rest = Liquidation::liquidatable(first.last().cloned(), 10);
		assert_eq!(rest, all[2..].to_vec());
		assert!(Liquidation::liquidatable(None, 0).is_empty());
	});
}
