//! `feed_surfaces`: who may feed smiles and for which expiries, how each point aggregates
//! (median, quorum, clamp, split), staleness, pruning, and what leaving feeders and assets
//! take with them.

use crate::{
	feed_check::refusal, mock::*, CheckFeed, Error, Event, PendingSurfaces, SurfaceFeeds, Surfaces,
	SurfacesFedIn,
};
use clearing_primitives::{
	oracle::{Moment, PriceStatus, PriceProvider, Smile, SMILE_POINTS},
	AssetId, Price,
};
use frame_support::{
	assert_noop, assert_ok, dispatch::{GetDispatchInfo, Pays}, BoundedVec,
};
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionSource},
};

const HOUR: Moment = 3_600_000;

/// `percent` (with hundredths) as a volatility fraction: `vol(60, 0)` is 60%.
fn vol(percent: u128, hundredths: u128) -> Price {
	Price::from_inner(percent * 10u128.pow(16) + hundredths * 10u128.pow(14))
}

/// A smile whose points rise from `low`% by one point each.
fn smile(low: u128) -> Smile {
	core::array::from_fn(|i| vol(low + i as u128, 0))
}

fn flat(level: Price) -> Smile {
	[level; SMILE_POINTS]
}

fn expiry(hours: u64) -> Moment {
	GENESIS_MS + hours * HOUR
}

fn listed(hours: u64) -> Moment {
	let at = expiry(hours);
	MockExpiries::list(BTC, at);
	at
}

fn feed(who: u8, values: Vec<(AssetId, Moment, Smile)>) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let values: BoundedVec<_, _> = values.try_into().expect("within MaxSurfaces");
	Oracle::feed_surfaces(RuntimeOrigin::signed(account(who)), values)
}

/// The aggregated record of BTC's expiry `at`.
fn record(at: Moment) -> Option<crate::SurfaceRecord> {
	Surfaces::<Test>::get(BTC).into_iter().find(|(expiry, _)| *expiry == at).map(|(_, record)| record)
}

fn stored(at: Moment) -> Option<Smile> {
	record(at).map(|record| record.smile)
}

fn status(at: Moment) -> Option<PriceStatus> {
	<Oracle as PriceProvider>::surface(BTC, at).map(|quote| quote.status)
}

#[test]
fn feeders_feed_smiles_for_free_and_each_point_is_the_lower_median() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		let post = feed(1, vec![(BTC, at, smile(50))]).expect("a feeder feeds");
		assert_eq!(post.pays_fee, Pays::No);
		assert_ok!(feed(2, vec![(BTC, at, smile(60))]));
		assert_ok!(feed(3, vec![(BTC, at, smile(55))]));
		assert_eq!(PendingSurfaces::<Test>::get().into_inner(), vec![(BTC, at)]);
		assert_eq!(SurfacesFedIn::<Test>::get(account(1)), Some(1));
		next_block();
		assert_eq!(stored(at), Some(smile(55)));
		assert_eq!(status(at), Some(PriceStatus::Fresh));
		assert!(oracle_events().contains(&Event::SurfaceAggregated { underlying: BTC, expiry: at, flagged: false }));
		// Prices are untouched: a smile is not a price.
		assert!(<Oracle as PriceProvider>::quote(BTC).is_none());
	});
}

#[test]
fn smiles_out_of_bounds_or_for_unlisted_expiries_are_refused_changing_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		assert_noop!(feed(9, vec![(BTC, at, smile(50))]), Error::<Test>::NotFeeder);
		assert_noop!(feed(1, vec![]), Error::<Test>::NoValues);
		let mut zero = smile(50);
		zero[3] = Price::from_inner(0);
		assert_noop!(feed(1, vec![(BTC, at, zero)]), Error::<Test>::VolatilityOutOfRange);
		let mut wild = smile(50);
		wild[6] = vol(500, 1);
		assert_noop!(feed(1, vec![(BTC, at, wild)]), Error::<Test>::VolatilityOutOfRange);
		assert_ok!(Oracle::feed_surfaces(
			RuntimeOrigin::signed(account(1)),
			vec![(BTC, at, flat(vol(500, 0)))].try_into().unwrap()
		));
		next_block();
		assert_noop!(feed(1, vec![(DOT, at, smile(50))]), Error::<Test>::AssetNotPriced);
		// ETH is priced but has no expiry listed; nor has BTC an hour later.
		assert_noop!(feed(1, vec![(ETH, at, smile(50))]), Error::<Test>::ExpiryNotListed);
		assert_noop!(feed(1, vec![(BTC, at + HOUR, smile(50))]), Error::<Test>::ExpiryNotListed);
		assert_noop!(feed(1, vec![(BTC, at, smile(50)), (BTC, at, smile(51))]), Error::<Test>::DuplicateExpiry);
		// An expiry that has passed takes no more smiles, listed or not.
		let soon = listed(0) + 2 * BLOCK_MS;
		MockExpiries::list(BTC, soon);
		next_block_after(2 * BLOCK_MS);
		assert_noop!(feed(2, vec![(BTC, soon, smile(50))]), Error::<Test>::ExpiryNotListed);
	});
}

#[test]
fn one_smile_feed_per_feeder_per_block_apart_from_prices() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		assert_ok!(Oracle::feed_prices(
			RuntimeOrigin::signed(account(1)),
			vec![(BTC, usd(60_000, 0))].try_into().unwrap()
		));
		assert_ok!(feed(1, vec![(BTC, at, smile(50))]));
		assert_noop!(feed(1, vec![(BTC, at, smile(51))]), Error::<Test>::AlreadyFedThisBlock);
		next_block();
		assert_ok!(feed(1, vec![(BTC, at, smile(51))]));
		assert_eq!(SurfaceFeeds::<Test>::get((BTC, at)).len(), 1, "a feeder's smile is replaced, not added");
	});
}

#[test]
fn one_lying_feeder_cannot_move_a_smile_and_an_even_split_is_flagged() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		for who in [1, 2, 3] {
			assert_ok!(feed(who, vec![(BTC, at, flat(vol(60, 0)))]));
		}
		next_block();
		// Feeder 3 claims the wings at 300%: the median of three ignores it.
		assert_ok!(feed(1, vec![(BTC, at, flat(vol(60, 10)))]));
		assert_ok!(feed(2, vec![(BTC, at, flat(vol(60, 20)))]));
		assert_ok!(feed(3, vec![(BTC, at, flat(vol(300, 0)))]));
		next_block();
		assert_eq!(stored(at), Some(flat(vol(60, 20))), "the middle of three");
		assert_eq!(status(at), Some(PriceStatus::Fresh));
		// Feeder 3 leaves; of the two left, one lies: the halves are far apart, so the lower
		// is taken and the smile flagged (no opening risk on it).
		assert_ok!(Oracle::remove_feeder(RuntimeOrigin::root(), account(3)));
		assert_ok!(feed(1, vec![(BTC, at, flat(vol(60, 10)))]));
		assert_ok!(feed(2, vec![(BTC, at, flat(vol(90, 0)))]));
		next_block();
		assert_eq!(status(at), Some(PriceStatus::Flagged));
		assert_eq!(stored(at), Some(flat(vol(60, 10))));
	});
}

#[test]
fn a_jump_is_clamped_point_by_point_and_followed_once_confirmed() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, flat(vol(60, 0)))]));
		}
		next_block();
		// The wing at 100% jumps; the 10% clamp holds it to 66%.
		let mut shocked = flat(vol(60, 0));
		shocked[0] = vol(100, 0);
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, shocked)]));
		}
		next_block();
		let mut clamped = flat(vol(60, 0));
		clamped[0] = vol(66, 0);
		assert_eq!(stored(at), Some(clamped));
		assert_eq!(status(at), Some(PriceStatus::Flagged));
		assert!(oracle_events().contains(&Event::SurfaceAggregated { underlying: BTC, expiry: at, flagged: true }));
		// Confirmed block after block, it is followed 10% at a time until it lands.
		for _ in 0..6 {
			for who in [1, 2] {
				assert_ok!(feed(who, vec![(BTC, at, shocked)]));
			}
			next_block();
		}
		assert_eq!(stored(at), Some(shocked));
		assert_eq!(status(at), Some(PriceStatus::Fresh));
	});
}

#[test]
fn a_smile_goes_stale_without_quorum_or_with_age() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, smile(50))]));
		}
		next_block();
		assert_eq!(status(at), Some(PriceStatus::Fresh));
		let streak = || <Oracle as PriceProvider>::surface(BTC, at).map(|q| q.fresh_streak);
		assert_eq!(streak(), Some(1));
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, smile(50))]));
		}
		next_block();
		assert_eq!(streak(), Some(2), "a streak of fresh aggregates, as liquidation waits for");
		// One feed alone is under the quorum of two (the other's has aged out).
		next_block_after(10_000);
		assert_ok!(feed(1, vec![(BTC, at, smile(70))]));
		next_block();
		assert_eq!(stored(at), Some(smile(50)), "the last smile stands");
		assert_eq!(status(at), Some(PriceStatus::Stale));
		assert!(oracle_events().contains(&Event::SurfaceWentStale { underlying: BTC, expiry: at }));
		// Fresh again, then too old without an aggregation.
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, smile(52))]));
		}
		next_block();
		assert_eq!(status(at), Some(PriceStatus::Fresh));
		assert_eq!(streak(), Some(1), "back from stale, the streak starts again");
		next_block_after(10_000);
		assert_eq!(status(at), Some(PriceStatus::Stale));
		assert_eq!(streak(), Some(0));
	});
}

#[test]
fn expired_smiles_make_room_and_live_ones_are_never_pushed_out() {
	ExtBuilder::default().build_and_execute(|| {
		// MaxSurfaces is 3.
		let soon = GENESIS_MS + 5 * BLOCK_MS;
		MockExpiries::list(BTC, soon);
		let (a, b) = (listed(24), listed(48));
		assert_ok!(feed(1, vec![(BTC, soon, smile(50)), (BTC, a, smile(50)), (BTC, b, smile(50))]));
		next_block();
		let c = listed(72);
		assert_noop!(feed(1, vec![(BTC, c, smile(50))]), Error::<Test>::TooManySurfaces);
		next_block_after(5 * BLOCK_MS);
		// `soon` has expired: feeding `c` prunes it.
		assert_ok!(feed(1, vec![(BTC, c, smile(50))]));
		assert!(oracle_events().contains(&Event::SurfacePruned { underlying: BTC, expiry: soon }));
		assert!(!SurfaceFeeds::<Test>::contains_key((BTC, soon)));
		assert!(record(soon).is_none());
		assert_eq!(SurfaceFeeds::<Test>::count(), 3);
		next_block();
		let d = listed(96);
		assert_noop!(feed(1, vec![(BTC, d, smile(50))]), Error::<Test>::TooManySurfaces);
	});
}

#[test]
fn a_leaving_feeder_takes_its_smiles_and_an_unpriced_asset_its_surfaces() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = (listed(24), listed(48));
		assert_ok!(feed(1, vec![(BTC, a, smile(50)), (BTC, b, smile(50))]));
		assert_ok!(feed(2, vec![(BTC, a, smile(50))]));
		next_block();
		assert_eq!(status(a), Some(PriceStatus::Fresh));
		assert_ok!(Oracle::remove_feeder(RuntimeOrigin::root(), account(1)));
		// `b` had only feeder 1: nothing stands for it; `a` keeps feeder 2's and re-aggregates.
		assert!(!SurfaceFeeds::<Test>::contains_key((BTC, b)) && record(b).is_none());
		assert_eq!(SurfaceFeeds::<Test>::get((BTC, a)).len(), 1);
		assert_eq!(SurfacesFedIn::<Test>::get(account(1)), None);
		next_block();
		assert_eq!(status(a), Some(PriceStatus::Stale), "one feeder of the two left is under the quorum");
		assert_ok!(Oracle::remove_asset(RuntimeOrigin::root(), BTC));
		assert_eq!(SurfaceFeeds::<Test>::count(), 0);
		assert!(record(a).is_none());
		MockExpiries::delist(BTC, a);
	});
}

fn surface_call(at: Moment) -> RuntimeCall {
	let values: BoundedVec<_, _> = vec![(BTC, at, smile(50))].try_into().expect("one smile");
	RuntimeCall::Oracle(crate::Call::feed_surfaces { values })
}

fn validate(who: u8, call: &RuntimeCall) -> Result<sp_runtime::transaction_validity::ValidTransaction, sp_runtime::transaction_validity::TransactionValidityError> {
	CheckFeed::<Test>::new()
		.validate_only(RuntimeOrigin::signed(account(who)), call, &call.get_dispatch_info(), 0, TransactionSource::External, 0)
		.map(|(valid, _, _)| valid)
}

#[test]
fn the_pool_takes_one_smile_feed_per_feeder_per_block_and_none_from_others() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		let valid = validate(1, &surface_call(at)).expect("a feeder's smiles are valid");
		assert_eq!(valid.priority, FeedPriority::get());
		let prices: BoundedVec<_, _> = vec![(BTC, usd(60_000, 0))].try_into().unwrap();
		let price_feed = validate(1, &RuntimeCall::Oracle(crate::Call::feed_prices { values: prices })).expect("valid");
		assert_ne!(valid.provides, price_feed.provides, "a pending price feed does not block smiles");
		assert_eq!(validate(9, &surface_call(at)), Err(InvalidTransaction::Custom(refusal::NOT_FEEDER).into()));
		assert_ok!(feed(1, vec![(BTC, at, smile(50))]));
		assert_eq!(validate(1, &surface_call(at)), Err(InvalidTransaction::Custom(refusal::ALREADY_FED).into()));
		next_block();
		assert!(validate(1, &surface_call(at)).is_ok());
	});
}

#[test]
fn a_feed_prunes_only_as_many_expired_smiles_as_it_needs_room_for() {
	ExtBuilder::default().build_and_execute(|| {
		let (soon, sooner) = (GENESIS_MS + 5 * BLOCK_MS, GENESIS_MS + 4 * BLOCK_MS);
		MockExpiries::list(BTC, soon);
		MockExpiries::list(BTC, sooner);
		let a = listed(24);
		assert_ok!(feed(1, vec![(BTC, soon, smile(50)), (BTC, sooner, smile(50)), (BTC, a, smile(50))]));
		next_block_after(5 * BLOCK_MS);
		let b = listed(48);
		assert_ok!(feed(1, vec![(BTC, b, smile(50))]));
		let pruned = oracle_events().iter().filter(|e| matches!(e, Event::SurfacePruned { .. })).count();
		assert_eq!(pruned, 1, "one new expiry, one expired smile pruned");
		assert_eq!(SurfaceFeeds::<Test>::count(), 3);
	});
}

#[test]
fn a_smile_left_unfed_for_six_ages_counts_as_absent() {
	ExtBuilder::default().build_and_execute(|| {
		let at = listed(24);
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, smile(50))]));
		}
		next_block();
		// max_age is 10 s: stale after 10 s, gone (for readers) after 60 s.
		next_block_after(10_000);
		assert_eq!(status(at), Some(PriceStatus::Stale));
		next_block_after(47_000);
		assert_eq!(status(at), Some(PriceStatus::Stale), "60 s old: still there");
		next_block_after(1_000);
		assert_eq!(status(at), None, "past six ages the expiry reads as without a smile");
		assert!(record(at).is_some(), "kept until pruned or fed again");
		// Fed again, it is back.
		for who in [1, 2] {
			assert_ok!(feed(who, vec![(BTC, at, smile(50))]));
		}
		next_block();
		assert_eq!(status(at), Some(PriceStatus::Fresh));
	});
}

#[test]
fn an_underlyings_smiles_sit_in_one_entry_in_expiry_order() {
	ExtBuilder::default().build_and_execute(|| {
		let (late, early) = (listed(48), listed(24));
		MockExpiries::list(ETH, early);
		// Fed out of order, two underlyings in one block.
		for who in 1..=3 {
			assert_ok!(feed(who, vec![(BTC, late, smile(60)), (ETH, early, smile(70)), (BTC, early, smile(50))]));
		}
		next_block();
		let expiries = |asset| Surfaces::<Test>::get(asset).into_iter().map(|(at, _)| at).collect::<Vec<_>>();
		assert_eq!(expiries(BTC), vec![early, late]);
		assert_eq!(expiries(ETH), vec![early]);
		// One call quotes them all, each as it would alone.
		let all = <Oracle as PriceProvider>::surfaces(BTC);
		assert_eq!(all.iter().map(|(at, _)| *at).collect::<Vec<_>>(), vec![early, late]);
		for (at, quote) in all {
			assert_eq!(Some(quote), <Oracle as PriceProvider>::surface(BTC, at));
		}
		assert_eq!(stored(early), Some(smile(50)));
		assert_eq!(stored(late), Some(smile(60)));
		// Forgetting one expiry leaves the other; forgetting the last removes the entry.
		Oracle::forget_surface(BTC, early);
		assert_eq!(expiries(BTC), vec![late]);
		Oracle::forget_surface(BTC, late);
		assert!(!Surfaces::<Test>::contains_key(BTC));
		assert_eq!(<Oracle as PriceProvider>::surfaces(BTC), vec![]);
		assert_eq!(expiries(ETH), vec![early]);
	});
}

#[test]
fn the_migration_groups_smiles_by_underlying_once() {
	use crate::{migrations::v1::MigrateToV1, SurfaceRecord};
	use codec::Encode;
	use frame_support::{
		storage::{unhashed, StoragePrefixedMap},
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		StorageHasher, Twox64Concat,
	};
	ExtBuilder::default().build_and_execute(|| {
		let (early, late) = (listed(24), listed(48));
		MockExpiries::list(ETH, early);
		for who in 1..=3 {
			assert_ok!(feed(who, vec![(BTC, late, smile(60)), (BTC, early, smile(50)), (ETH, early, smile(70))]));
		}
		next_block();
		let kept = |asset| Surfaces::<Test>::get(asset);
		let (btc, eth) = (kept(BTC), kept(ETH));
		// As a chain from before: one entry per (underlying, expiry), version 0.
		let _ = Surfaces::<Test>::clear(u32::MAX, None);
		let prefix = Surfaces::<Test>::final_prefix();
		for (asset, smiles) in [(BTC, &btc), (ETH, &eth)] {
			for (at, record) in smiles.iter() {
				let key = [prefix.as_slice(), &Twox64Concat::hash(&(asset, *at).encode())].concat();
				unhashed::put::<SurfaceRecord>(&key, record);
			}
		}
		StorageVersion::new(0).put::<Oracle>();

		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(kept(BTC), btc);
		assert_eq!(kept(ETH), eth);
		assert_eq!(Surfaces::<Test>::iter().count(), 2, "no old entry left");
		assert_eq!(Oracle::on_chain_storage_version(), StorageVersion::new(1));
		// At v1 it does nothing.
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(kept(BTC), btc);
	});
}
