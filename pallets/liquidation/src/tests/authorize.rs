//! The keeper's authorized transaction: valid only with a current keeper's unexpired proof
//! of its arguments and while its subaccount is liquidatable; urgent, short-lived, one per
//! subaccount; dispatched, its whole penalty goes to the fund.
//!
//! Attack 14 (free transactions), tried here: anyone submitting the keeper's fee-free call
//! (no proof, a key that is not a keeper's, a keeper's signature of other arguments or
//! counterparties, an expired or far-dated proof, a proof replayed for another subaccount)
//! is invalid in the pool, so it never takes the keeper's slot, never picks whom to
//! deleverage, and never reaches a block.

use super::*;
use crate::{Call, Event, KeeperProof, KEEPER_LONGEVITY};
use frame_support::{
	assert_ok,
	pallet_prelude::{Authorize, InvalidTransaction, TransactionSource, TransactionValidityError},
};
use sp_runtime::{testing::UintAuthorityId, transaction_validity::ValidTransaction};

type Validity = Result<ValidTransaction, TransactionValidityError>;

fn authorize_with(who: AccountId, counterparties: Vec<Subaccount<AccountId>>, proof: crate::KeeperProofOf<Test>) -> Validity {
	let call = Call::<Test>::keeper_liquidate {
		subaccount: sub(who, 0),
		counterparties: counterparties.try_into().expect("within bounds"),
		proof,
	};
	call.authorize(TransactionSource::External).expect("keeper_liquidate is authorized").map(|(valid, _)| valid)
}

fn authorize(who: AccountId) -> Validity {
	authorize_with(who, Vec::new(), proof_of(&sub(who, 0), &[]))
}

fn invalid(why: InvalidTransaction) -> Validity {
	Err(TransactionValidityError::Invalid(why))
}

#[test]
fn a_keeper_transaction_is_valid_only_while_the_subaccount_is_liquidatable() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		assert_eq!(authorize(ALICE), invalid(InvalidTransaction::Call));
		btc_at(58_000);
		let valid = authorize(ALICE).expect("valid");
		assert_eq!(valid.priority, <<Test as crate::Config>::KeeperPriority as Get<u64>>::get());
		// Signed this block, it may wait in the pool until its last valid block.
		assert_eq!(valid.longevity, u64::from(KEEPER_LONGEVITY) + 1);
		assert!(valid.propagate);
		// One per subaccount: Alice's tag repeats for Alice.
		let again = authorize(ALICE).unwrap();
		assert_eq!(valid.provides, again.provides);
		// Stale prices invalidate it too.
		set_quote(BTC, usd(58_000), clearing_primitives::oracle::PriceStatus::Stale, 0);
		assert!(authorize(ALICE).is_err());
	});
}

#[test]
fn only_a_current_keepers_proof_of_these_very_arguments_makes_it_valid() {
	ExtBuilder::default().build_and_execute(|| {
		bankrupt_scenario(&sub(ALICE, 0), 2);
		let offered = vec![sub(100, 0), sub(101, 0)];
		let proof = proof_of(&sub(ALICE, 0), &offered);
		assert!(authorize_with(ALICE, offered.clone(), proof.clone()).is_ok());
		// An outsider's key signs as well as the keeper's, but is no keeper.
		let outsider = UintAuthorityId(5);
		let statement = crate::proof::Statement::Liquidate { subaccount: &sub(ALICE, 0), counterparties: &offered };
		let forged = Liquidation::prove(&outsider, &statement, System::block_number()).unwrap();
		assert_eq!(authorize_with(ALICE, offered.clone(), forged), invalid(InvalidTransaction::BadSigner));
		// The keeper's name on someone else's signature.
		let borrowed = KeeperProof { keeper: UintAuthorityId(KEEPER_KEY), ..Liquidation::prove(&outsider, &statement, System::block_number()).unwrap() };
		assert_eq!(authorize_with(ALICE, offered.clone(), borrowed), invalid(InvalidTransaction::BadProof));
		// The keeper's proof with other counterparties (the attacker picking its victims),
		// none at all, or for another subaccount.
		assert_eq!(authorize_with(ALICE, vec![sub(101, 0)], proof.clone()), invalid(InvalidTransaction::BadProof));
		assert_eq!(authorize_with(ALICE, Vec::new(), proof.clone()), invalid(InvalidTransaction::BadProof));
		assert_eq!(authorize_with(CAROL, offered.clone(), proof.clone()), invalid(InvalidTransaction::BadProof));
		// A proof dated further ahead than a keeper would sign.
		let ahead = Liquidation::prove(&UintAuthorityId(KEEPER_KEY), &statement, System::block_number() + 1).unwrap();
		assert_eq!(authorize_with(ALICE, offered.clone(), ahead), invalid(InvalidTransaction::Future));
		// Expired: replayed after its last valid block.
		System::set_block_number(System::block_number() + u64::from(KEEPER_LONGEVITY) + 1);
		assert_eq!(authorize_with(ALICE, offered, proof), invalid(InvalidTransaction::Stale));
	});
}

#[test]
fn an_authorized_liquidation_pays_the_whole_penalty_to_the_fund() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		rest(Side::Buy, 58_400, 2 * ONE_BTC, sub(BOB, 0));
		btc_at(58_500);
		assert_ok!(keeper_liquidate(&sub(ALICE, 0), Vec::new()));
		let notional = 899 * 58_400 * USDC / 1_000;
		let penalty = notional * 15 / 1_000;
		assert_eq!(fund_balance(), penalty);
		assert!(liquidation_events().contains(&Event::PenaltyPaid {
			subaccount: sub(ALICE, 0),
			keeper: None,
			to_keeper: 0,
			to_fund: penalty,
		}));
	});
}

#[test]
fn the_keepers_call_from_any_other_origin_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		btc_at(58_000);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::signed(KEEPER)] {
			frame_support::assert_noop!(
				Liquidation::keeper_liquidate(origin, sub(ALICE, 0), Default::default(), proof_of(&sub(ALICE, 0), &[]))
					.map_err(|e| e.error),
				sp_runtime::DispatchError::BadOrigin
			);
		}
		// `liquidate` is the signed one.
		frame_support::assert_noop!(
			Liquidation::liquidate(RuntimeOrigin::none(), sub(ALICE, 0)).map_err(|e| e.error),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

use frame_support::traits::Get;

#[test]
fn a_keeper_transaction_gives_back_the_checks_it_did_not_need() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		btc_at(58_000);
		let call = Call::<Test>::keeper_liquidate {
			subaccount: sub(ALICE, 0),
			counterparties: Default::default(),
			proof: proof_of(&sub(ALICE, 0), &[]),
		};
		let (_, unspent) = call
			.authorize(TransactionSource::External)
			.expect("keeper_liquidate is an authorized call")
			.expect("valid");
		// Alice holds one position: the check read one, not `MaxPositions`.
		let held_one = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::authorize_liquidate(1);
		assert_eq!(unspent, Liquidation::authorize_weight().saturating_sub(held_one));
		assert!(unspent.ref_time() > 0);
	});
}
