//! `feed_prices`: who may feed, how often, and which values are refused (changing nothing).

use crate::{mock::*, Error, Event, Feeders, Feeds, PendingAggregation};
use frame_support::{assert_noop, assert_ok, dispatch::Pays, BoundedVec};
use sp_runtime::DispatchError;

fn values(v: Vec<(u32, clearing_primitives::Price)>) -> BoundedVec<(u32, clearing_primitives::Price), frame_support::traits::ConstU32<4>> {
	v.try_into().expect("within MaxAssets")
}

fn feed(who: u8, v: Vec<(u32, clearing_primitives::Price)>) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Oracle::feed_prices(RuntimeOrigin::signed(account(who)), values(v))
}

#[test]
fn a_feeder_feeds_for_free_and_the_values_are_stored() {
	ExtBuilder::default().build_and_execute(|| {
		let post = feed(1, vec![(BTC, usd(60_000, 0)), (ETH, usd(3_000, 0))]).expect("a feeder feeds");
		assert_eq!(post.pays_fee, Pays::No);
		let btc = Feeds::<Test>::get(BTC);
		assert_eq!(btc.len(), 1);
		assert_eq!((btc[0].feeder, btc[0].price, btc[0].at), (account(1), usd(60_000, 0), GENESIS_MS));
		assert_eq!(Feeds::<Test>::get(ETH)[0].price, usd(3_000, 0));
		assert_eq!(PendingAggregation::<Test>::get().into_inner(), vec![BTC, ETH]);
		assert_eq!(Feeders::<Test>::get(account(1)).and_then(|s| s.last_fed), Some(1));
		assert_eq!(oracle_events(), vec![Event::PricesFed { feeder: account(1), count: 2 }]);
	});
}

#[test]
fn a_second_feed_replaces_the_feeders_value() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(feed(1, vec![(BTC, usd(60_000, 0))]));
		next_block();
		assert_ok!(feed(1, vec![(BTC, usd(61_000, 0))]));
		let btc = Feeds::<Test>::get(BTC);
		assert_eq!(btc.len(), 1);
		assert_eq!((btc[0].price, btc[0].at), (usd(61_000, 0), GENESIS_MS + BLOCK_MS));
	});
}

#[test]
fn non_feeders_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(feed(9, vec![(BTC, usd(60_000, 0))]), Error::<Test>::NotFeeder);
		assert_noop!(
			Oracle::feed_prices(RuntimeOrigin::root(), values(vec![(BTC, usd(1, 0))])),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn one_feed_per_feeder_per_block() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(feed(1, vec![(BTC, usd(60_000, 0))]));
		assert_noop!(feed(1, vec![(ETH, usd(3_000, 0))]), Error::<Test>::AlreadyFedThisBlock);
		// Another feeder is not affected, and the next block is open again.
		assert_ok!(feed(2, vec![(BTC, usd(60_000, 0))]));
		next_block();
		assert_ok!(feed(1, vec![(ETH, usd(3_000, 0))]));
	});
}

#[test]
fn bad_values_are_refused_and_nothing_is_written() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(feed(1, vec![]), Error::<Test>::NoValues);
		assert_noop!(
			feed(1, vec![(BTC, usd(60_000, 0)), (ETH, usd(3_000, 0)), (BTC, usd(60_001, 0))]),
			Error::<Test>::DuplicateAsset
		);
		assert_noop!(feed(1, vec![(BTC, usd(60_000, 0)), (DOT, usd(5, 0))]), Error::<Test>::AssetNotPriced);
		assert_noop!(feed(1, vec![(ETH, usd(3_000, 0)), (BTC, usd(0, 0))]), Error::<Test>::ZeroPrice);
		// The refusals did not use up this block's feed.
		assert_ok!(feed(1, vec![(BTC, usd(60_000, 0))]));
	});
}
