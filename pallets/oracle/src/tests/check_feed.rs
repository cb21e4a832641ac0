//! The pool-side check of feeds: members only, once per block, high priority, one pending.

use crate::{feed_check::refusal, mock::*, CheckFeed};
use frame_support::{assert_ok, dispatch::GetDispatchInfo, BoundedVec};
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

fn feed_call() -> RuntimeCall {
	let values: BoundedVec<_, _> = vec![(BTC, usd(60_000, 0))].try_into().expect("one value");
	RuntimeCall::Oracle(crate::Call::feed_prices { values })
}

fn validate(
	who: u8,
	call: &RuntimeCall,
) -> Result<sp_runtime::transaction_validity::ValidTransaction, TransactionValidityError> {
	CheckFeed::<Test>::new()
		.validate_only(
			RuntimeOrigin::signed(account(who)),
			call,
			&call.get_dispatch_info(),
			0,
			TransactionSource::External,
			0,
		)
		.map(|(valid, _, _)| valid)
}

#[test]
fn a_feeders_feed_is_valid_with_high_priority_and_one_pending_per_feeder() {
	ExtBuilder::default().build_and_execute(|| {
		let valid = validate(1, &feed_call()).expect("valid");
		assert_eq!(valid.priority, FeedPriority::get());
		assert_eq!(valid.provides.len(), 1);
		assert!(valid.longevity <= 4);
		let other = validate(2, &feed_call()).expect("valid");
		assert_ne!(valid.provides, other.provides, "feeders do not block each other");
	});
}

#[test]
fn non_feeders_and_repeat_feeds_are_invalid() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			validate(9, &feed_call()),
			Err(InvalidTransaction::Custom(refusal::NOT_FEEDER).into())
		);
		let values: BoundedVec<_, _> = vec![(BTC, usd(60_000, 0))].try_into().unwrap();
		assert_ok!(Oracle::feed_prices(RuntimeOrigin::signed(account(1)), values));
		assert_eq!(
			validate(1, &feed_call()),
			Err(InvalidTransaction::Custom(refusal::ALREADY_FED).into())
		);
		next_block();
		assert!(validate(1, &feed_call()).is_ok());
	});
}

#[test]
fn other_calls_pass_untouched() {
	ExtBuilder::default().build_and_execute(|| {
		let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		let valid = validate(9, &call).expect("not a feed: no opinion");
		assert_eq!(valid, Default::default());
	});
}
