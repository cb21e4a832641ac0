//! Root-only management of feeders, assets and parameters, and their named errors.

use crate::{
	mock::*, types::bounds, Error, Event, Feeders, Feeds, OracleAssets, OracleParams, Params,
	PriceSource, Prices, SourceFormat, SourcesOf,
};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::{DispatchError, Permill};

fn sources(urls: &[&str]) -> SourcesOf<Test> {
	urls.iter()
		.map(|u| PriceSource {
			url: BoundedVec::try_from(u.as_bytes().to_vec()).expect("short url"),
			format: SourceFormat::Binance,
		})
		.collect::<Vec<_>>()
		.try_into()
		.expect("within MaxSources")
}

#[test]
fn only_root_governs() {
	ExtBuilder::default().build_and_execute(|| {
		let user = RuntimeOrigin::signed(account(1));
		assert_noop!(Oracle::add_feeder(user.clone(), account(7)), DispatchError::BadOrigin);
		assert_noop!(Oracle::remove_feeder(user.clone(), account(2)), DispatchError::BadOrigin);
		assert_noop!(Oracle::set_asset(user.clone(), DOT, sources(&[])), DispatchError::BadOrigin);
		assert_noop!(Oracle::remove_asset(user.clone(), BTC), DispatchError::BadOrigin);
		assert_noop!(Oracle::set_params(user, default_params()), DispatchError::BadOrigin);
	});
}

#[test]
fn feeders_are_added_and_removed() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Oracle::add_feeder(RuntimeOrigin::root(), account(7)));
		assert!(Feeders::<Test>::contains_key(account(7)));
		assert_noop!(Oracle::add_feeder(RuntimeOrigin::root(), account(7)), Error::<Test>::AlreadyFeeder);
		assert_ok!(Oracle::add_feeder(RuntimeOrigin::root(), account(8)));
		assert_noop!(
			Oracle::add_feeder(RuntimeOrigin::root(), account(9)),
			Error::<Test>::TooManyFeeders
		);
		assert_ok!(Oracle::remove_feeder(RuntimeOrigin::root(), account(7)));
		assert!(!Feeders::<Test>::contains_key(account(7)));
		assert_noop!(Oracle::remove_feeder(RuntimeOrigin::root(), account(7)), Error::<Test>::NotFeeder);
		assert_eq!(
			oracle_events(),
			vec![
				Event::FeederAdded { feeder: account(7) },
				Event::FeederAdded { feeder: account(8) },
				Event::FeederRemoved { feeder: account(7) },
			]
		);
	});
}

#[test]
fn assets_are_registered_with_valid_sources_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Oracle::set_asset(RuntimeOrigin::root(), DOT, sources(&["https://api.kraken.com/0/public/Ticker?pair=DOTUSD"])));
		assert_eq!(OracleAssets::<Test>::get(DOT).map(|s| s.len()), Some(1));
		for bad in ["ftp://example.com/x", "https:///path", "https://", "api.binance.com/x", "https://bad host/x"] {
			assert_noop!(
				Oracle::set_asset(RuntimeOrigin::root(), DOT, sources(&[bad])),
				Error::<Test>::InvalidSourceUrl
			);
		}
		assert_ok!(Oracle::set_asset(RuntimeOrigin::root(), 5, sources(&[])));
		// BTC, ETH, DOT and 5: MaxAssets (4) reached; replacing sources is still allowed.
		assert_noop!(Oracle::set_asset(RuntimeOrigin::root(), 6, sources(&[])), Error::<Test>::TooManyAssets);
		assert_ok!(Oracle::set_asset(RuntimeOrigin::root(), 5, sources(&["http://127.0.0.1:8099/x"])));
		assert!(oracle_events().contains(&Event::AssetSet { asset: DOT, sources: 1 }));
	});
}

#[test]
fn removing_an_asset_removes_its_feeds_and_price() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [1, 2] {
			let values: BoundedVec<_, _> = vec![(BTC, usd(60_000, 0))].try_into().unwrap();
			assert_ok!(Oracle::feed_prices(RuntimeOrigin::signed(account(who)), values));
		}
		next_block();
		assert!(Prices::<Test>::get(BTC).is_some());
		assert_ok!(Oracle::remove_asset(RuntimeOrigin::root(), BTC));
		assert!(OracleAssets::<Test>::get(BTC).is_none());
		assert!(Feeds::<Test>::get(BTC).is_empty());
		assert!(Prices::<Test>::get(BTC).is_none());
		assert_noop!(Oracle::remove_asset(RuntimeOrigin::root(), BTC), Error::<Test>::AssetNotPriced);
	});
}

#[test]
fn params_stay_within_hard_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let ok = OracleParams { min_feeders: 3, max_age_ms: 20_000, max_jump: Permill::from_percent(5) };
		assert_ok!(Oracle::set_params(RuntimeOrigin::root(), ok));
		assert_eq!(Params::<Test>::get(), ok);
		let cases = [
			(OracleParams { min_feeders: 0, ..ok }, Error::<Test>::MinFeedersOutOfBounds),
			(OracleParams { min_feeders: 6, ..ok }, Error::<Test>::MinFeedersOutOfBounds),
			(OracleParams { max_age_ms: bounds::MAX_AGE_FLOOR_MS - 1, ..ok }, Error::<Test>::MaxAgeOutOfBounds),
			(OracleParams { max_age_ms: bounds::MAX_AGE_CEILING_MS + 1, ..ok }, Error::<Test>::MaxAgeOutOfBounds),
			(OracleParams { max_jump: Permill::zero(), ..ok }, Error::<Test>::MaxJumpOutOfBounds),
			(OracleParams { max_jump: Permill::from_percent(51), ..ok }, Error::<Test>::MaxJumpOutOfBounds),
		];
		for (params, error) in cases {
			assert_noop!(Oracle::set_params(RuntimeOrigin::root(), params), error);
		}
		assert!(oracle_events().contains(&Event::ParamsSet { params: ok }));
	});
}
