//! The keeper's authorized transaction: valid only while its subaccount is liquidatable,
//! urgent, short-lived, one per subaccount; dispatched, its whole penalty goes to the fund.

use super::*;
use crate::{checks::KEEPER_LONGEVITY, Call, Event};
use frame_support::{
	assert_ok,
	pallet_prelude::{Authorize, InvalidTransaction, TransactionSource, TransactionValidityError},
};

fn authorize(who: AccountId) -> Option<Result<sp_runtime::transaction_validity::ValidTransaction, TransactionValidityError>> {
	let call = Call::<Test>::liquidate { subaccount: sub(who, 0), counterparties: Default::default() };
	call.authorize(TransactionSource::External).map(|r| r.map(|(valid, _)| valid))
}

#[test]
fn a_keeper_transaction_is_valid_only_while_the_subaccount_is_liquidatable() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		assert_eq!(
			authorize(ALICE),
			Some(Err(TransactionValidityError::Invalid(InvalidTransaction::Call)))
		);
		btc_at(58_000);
		let valid = authorize(ALICE).expect("liquidate is an authorized call").expect("valid");
		assert_eq!(valid.priority, <<Test as crate::Config>::KeeperPriority as Get<u64>>::get());
		assert_eq!(valid.longevity, KEEPER_LONGEVITY);
		assert!(valid.propagate);
		// One per subaccount: Alice's tag differs from Bob's, and repeats for Alice.
		let again = authorize(ALICE).unwrap().unwrap();
		assert_eq!(valid.provides, again.provides);
		// Stale prices invalidate it too.
		set_price(BTC, usd(58_000), clearing_primitives::oracle::PriceStatus::Stale, 0);
		assert!(matches!(authorize(ALICE), Some(Err(_))));
	});
}

#[test]
fn an_authorized_liquidation_pays_the_whole_penalty_to_the_fund() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		rest(Side::Buy, 58_400, 2 * ONE_BTC, sub(BOB, 0));
		btc_at(58_500);
		assert_ok!(Liquidation::liquidate(
			RuntimeOrigin::from(frame_system::RawOrigin::Authorized),
			sub(ALICE, 0),
			Default::default()
		));
		let notional = 872 * 58_400 * USDC / 1_000;
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
fn an_unsigned_origin_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long();
		btc_at(58_000);
		frame_support::assert_noop!(
			Liquidation::liquidate(RuntimeOrigin::none(), sub(ALICE, 0), Default::default()),
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
		let call = Call::<Test>::liquidate { subaccount: sub(ALICE, 0), counterparties: Default::default() };
		let (_, unspent) = call
			.authorize(TransactionSource::External)
			.expect("liquidate is an authorized call")
			.expect("valid");
		// Alice holds one position: the check read one, not `MaxPositions`.
		let held_one = <<Test as crate::Config>::Weights as crate::WeightInfo>::authorize_liquidate(1);
		assert_eq!(unspent, Liquidation::authorize_weight().saturating_sub(held_one));
		assert!(unspent.ref_time() > 0);
	});
}
