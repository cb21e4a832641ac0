//! `liquidate_batch`: the keeper's call for many subaccounts; each entry on its own, weighed
//! per entry, valid only while every entry is liquidatable.

use super::*;
use crate::{weights::WeightInfo, BatchOf, Call, Error, Event};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::PostDispatchInfo,
	pallet_prelude::{Authorize, InvalidTransaction, TransactionSource, TransactionValidityError},
	weights::Weight,
};

type Weights = <Test as crate::Config>::WeightInfo;

fn batch(who: &[AccountId]) -> BatchOf<Test> {
	who.iter().map(|w| sub(*w, 0)).collect::<Vec<_>>().try_into().expect("within MaxBatch")
}

fn keeper() -> RuntimeOrigin {
	RuntimeOrigin::from(frame_system::RawOrigin::Authorized)
}

/// Alice, Carol and Dave each long 1 BTC from $60,000 on $3,000: below maintenance and
/// still solvent at $58,000, with an empty book.
fn three_thin_longs() {
	for who in [ALICE, CAROL, DAVE] {
		open(who, 3_000, Side::Buy, ONE_BTC, 60_000, sub(BOB, 0));
	}
	btc_at(58_000);
}

/// The keeper's `liquidate_batch` of `who`'s subaccounts 0 at `max_positions`, with its proof.
fn keeper_batch(who: &[AccountId], max_positions: u32) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let subaccounts = batch(who);
	let proof = batch_proof(&subaccounts, max_positions);
	Liquidation::liquidate_batch(keeper(), subaccounts, max_positions, proof)
}

fn authorize(who: &[AccountId], max_positions: u32) -> Result<(sp_runtime::transaction_validity::ValidTransaction, Weight), TransactionValidityError> {
	let subaccounts = batch(who);
	let proof = batch_proof(&subaccounts, max_positions);
	Call::<Test>::liquidate_batch { subaccounts, max_positions, proof }
		.authorize(TransactionSource::External)
		.expect("liquidate_batch is an authorized call")
}

#[test]
fn a_batch_liquidates_every_entry_and_is_charged_per_entry() {
	ExtBuilder::default().build_and_execute(|| {
		three_thin_longs();
		let info = keeper_batch(&[ALICE, CAROL, DAVE], 1)
			.expect("the batch succeeds");
		for who in [ALICE, CAROL, DAVE] {
			assert_eq!(position(who), 0);
			assert!(liquidation_events().contains(&Event::Liquidated {
				subaccount: sub(who, 0),
				markets: 1,
				healthy: true
			}));
		}
		// The backstop holds all three longs.
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), 3 * ONE_BTC as i128);
		// Charged the shared part and three solvent takeovers of one position: no close
		// filled, nothing covered, so each entry costs the solvent path's benchmark.
		let expected = Weights::liquidate_batch(0)
			.saturating_add(Liquidation::solvent_entry_weight(1).saturating_mul(3));
		assert_eq!(info.actual_weight, Some(expected));
		assert!(expected.ref_time() < Liquidation::batch_weight(3, 1).ref_time());
		// Sharing the overhead: less than the shared part plus three single calls' own work.
		assert!(Liquidation::batch_entry_weight(1).all_lte(Weights::liquidate(1)));
	});
}

#[test]
fn an_entry_that_fails_changes_nothing_and_the_others_go_on() {
	ExtBuilder::default().build_and_execute(|| {
		three_thin_longs();
		// Bob (the longs' seller) is healthy; the witness 0 is too low for Dave's position.
		let bob_before = Margin::position_size(&sub(BOB, 0), BTC_USD);
		assert_ok!(keeper_batch(&[ALICE, BOB, CAROL], 1));
		assert_eq!((position(ALICE), position(CAROL)), (0, 0));
		assert_eq!(Margin::position_size(&sub(BOB, 0), BTC_USD), bob_before);
		assert!(liquidation_events().contains(&Event::BatchEntryFailed {
			subaccount: sub(BOB, 0),
			error: Error::<Test>::NotLiquidatable.into(),
		}));
		assert_ok!(keeper_batch(&[DAVE], 0));
		assert_eq!(position(DAVE), ONE_BTC as i128);
		assert!(liquidation_events().contains(&Event::BatchEntryFailed {
			subaccount: sub(DAVE, 0),
			error: Error::<Test>::PositionWitnessTooLow.into(),
		}));
		// Nothing of Dave's liquidation was written: no `Liquidated` for him.
		assert!(!liquidation_events()
			.iter()
			.any(|e| matches!(e, Event::Liquidated { subaccount, .. } if *subaccount == sub(DAVE, 0))));
	});
}

#[test]
fn only_the_keeper_may_submit_a_batch() {
	ExtBuilder::default().build_and_execute(|| {
		three_thin_longs();
		assert_noop!(
			Liquidation::liquidate_batch(RuntimeOrigin::signed(KEEPER), batch(&[ALICE]), 1, batch_proof(&batch(&[ALICE]), 1)),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Liquidation::liquidate_batch(RuntimeOrigin::none(), batch(&[ALICE]), 1, batch_proof(&batch(&[ALICE]), 1)),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn fills_in_the_book_are_bounded_per_batch_and_a_solvent_entry_past_the_bound_waits() {
	ExtBuilder::default().build_and_execute(|| {
		three_thin_longs();
		// Bids enough for everyone; the mock allows one fill per batch.
		rest(Side::Buy, 57_900, 3 * ONE_BTC, sub(BOB, 0));
		let info = keeper_batch(&[ALICE, CAROL], 1)
			.expect("the batch succeeds");
		let closed = |who: AccountId| {
			liquidation_events()
				.iter()
				.any(|e| matches!(e, Event::ClosedInBook { subaccount, .. } if *subaccount == sub(who, 0)))
		};
		assert!(closed(ALICE));
		// Carol's close could not fill: she keeps her long for a later call, not the backstop.
		assert!(!closed(CAROL));
		assert_eq!(position(CAROL), ONE_BTC as i128);
		assert!(liquidatable(&sub(CAROL, 0)));
		assert!(liquidation_events().contains(&Event::Liquidated {
			subaccount: sub(CAROL, 0),
			markets: 1,
			healthy: false
		}));
		assert_eq!(Margin::position_size(&Liquidation::backstop(), BTC_USD), 0);
		// The one fill is charged as the book reported it; Alice's entry paid a penalty (the
		// full entry's weight), Carol's only looked (the solvent path's).
		let expected = Weights::liquidate_batch(0)
			.saturating_add(Liquidation::batch_entry_weight(1))
			.saturating_add(Liquidation::solvent_entry_weight(1))
			.saturating_add(Weight::from_parts(CLOSE_WEIGHT_PER_FILL, 0));
		assert_eq!(info, PostDispatchInfo { actual_weight: Some(expected), pays_fee: info.pays_fee });
		// The next batch has its own budget: Carol is closed now.
		assert_ok!(keeper_batch(&[CAROL], 1));
		assert!(closed(CAROL));
	});
}

#[test]
fn a_batch_is_valid_while_one_entry_is_liquidatable_each_listed_once_and_within_its_witness() {
	ExtBuilder::default().build_and_execute(|| {
		three_thin_longs();
		let invalid = Err(TransactionValidityError::Invalid(InvalidTransaction::Call));
		let (valid, _) = authorize(&[ALICE, CAROL], 1).expect("valid");
		// It provides each entry's tag: the same as a single keeper transaction's, so the
		// pool never holds both for one subaccount.
		let single = Call::<Test>::keeper_liquidate {
			subaccount: sub(ALICE, 0),
			counterparties: Default::default(),
			proof: proof_of(&sub(ALICE, 0), &[]),
		}
			.authorize(TransactionSource::External)
			.unwrap()
			.unwrap()
			.0;
		assert_eq!(valid.provides.len(), 2);
		assert!(valid.provides.contains(&single.provides[0]));
		assert_eq!(valid.priority, single.priority);
		// Bob is not liquidatable: the batch stays valid for Alice and provides her tag only
		// (Bob's entry fails alone at dispatch); with nobody liquidatable it is invalid.
		let (with_bob, _) = authorize(&[ALICE, BOB], 1).expect("valid for Alice");
		assert_eq!(with_bob.provides, vec![single.provides[0].clone()]);
		assert_eq!(authorize(&[BOB], 1).map(|_| ()), invalid.clone());
		assert_eq!(authorize(&[ALICE, CAROL, ALICE], 1).map(|_| ()), invalid.clone());
		assert_eq!(authorize(&[ALICE], 0).map(|_| ()), invalid.clone());
		assert_eq!(authorize(&[], 1).map(|_| ()), invalid);
	});
}

#[test]
fn a_batch_check_gives_back_what_its_witness_overstated() {
	ExtBuilder::default().build_and_execute(|| {
		three_thin_longs();
		let most = <<Test as pallet_margin::Config>::MaxPositions as frame_support::traits::Get<u32>>::get();
		let (_, unspent) = authorize(&[ALICE, CAROL], most).expect("valid");
		let (_, exact) = authorize(&[ALICE, CAROL], 1).expect("valid");
		// Each entry holds one position: checked at one, whatever the witness said.
		assert_eq!(exact, Weight::zero());
		assert_eq!(
			unspent,
			Liquidation::authorize_batch_weight(2, most)
				.saturating_sub(Liquidation::authorize_batch_weight(2, 1))
		);
		assert!(unspent.ref_time() > 0);
	});
}
