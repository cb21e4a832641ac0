//! Market statuses: set by root per market, enforced on every fill, and at least reduce-only
//! while the index price is stale or flagged.

use super::trade;
use crate::{mock::*, Error, Event, Markets, Pallet, Positions};
use clearing_primitives::{
	margin::{Fill, FillParty, MarginEngine, MarketStatus, Side},
	oracle::PriceStatus,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

const CAROL: AccountId = 3;

fn set_status(status: MarketStatus) -> sp_runtime::DispatchResult {
	Margin::set_market_status(RuntimeOrigin::root(), BTC_USD, status)
}

/// Alice long 0.5 BTC, Bob short 0.5 BTC, both well funded.
fn open_both() {
	fund(&sub(ALICE, 0), 100_000 * USDC);
	fund(&sub(BOB, 0), 100_000 * USDC);
	assert_ok!(trade(Side::Buy, ONE_BTC / 2, 60_000));
}

#[test]
fn only_root_sets_a_status_and_only_of_a_market_that_exists() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::signed(ALICE), BTC_USD, MarketStatus::Halted),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Margin::set_market_status(RuntimeOrigin::root(), 99, MarketStatus::Halted),
			Error::<Test>::MarketNotFound
		);
		assert_ok!(set_status(MarketStatus::PostOnly));
		assert_eq!(Markets::<Test>::get(BTC_USD).map(|m| m.status), Some(MarketStatus::PostOnly));
		assert!(margin_events()
			.contains(&Event::MarketStatusSet { market: BTC_USD, status: MarketStatus::PostOnly }));
		// The other market is untouched.
		assert_eq!(Pallet::<Test>::market_status(ETH_USD), Some(MarketStatus::Active));
	});
}

#[test]
fn updating_a_markets_rules_keeps_its_status() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set_status(MarketStatus::ReduceOnly));
		let safer = crate::MarketConfig { initial_margin: sp_runtime::Permill::from_percent(20), ..btc_usd() };
		assert_ok!(Margin::update_market(RuntimeOrigin::root(), BTC_USD, safer));
		assert_eq!(Margin::market_config(BTC_USD), Some(safer));
		assert_eq!(Pallet::<Test>::market_status(BTC_USD), Some(MarketStatus::ReduceOnly));
	});
}

#[test]
fn a_halted_market_applies_no_fill_at_all() {
	ExtBuilder::default().build_and_execute(|| {
		open_both();
		assert_ok!(set_status(MarketStatus::Halted));
		assert_noop!(trade(Side::Sell, ONE_BTC / 10, 60_000), Error::<Test>::MarketHalted);
		assert_eq!(Margin::market_rules(BTC_USD).map(|r| r.status), Some(MarketStatus::Halted));
	});
}

#[test]
fn a_reduce_only_market_refuses_the_side_that_would_grow() {
	ExtBuilder::default().build_and_execute(|| {
		open_both();
		assert_ok!(set_status(MarketStatus::ReduceOnly));
		// Both grow: refused (taker first).
		assert_noop!(trade(Side::Buy, ONE_BTC / 10, 60_000), Error::<Test>::MarketReduceOnly);
		// Alice sells to Bob: both reduce.
		assert_ok!(trade(Side::Sell, ONE_BTC / 10, 60_000));
		assert_eq!(Positions::<Test>::get(sub(ALICE, 0), BTC_USD).map(|p| p.size), Some(4 * ONE_BTC as i128 / 10));
		// Alice reduces but Carol, the maker, would open a short: the maker is refused.
		fund(&sub(CAROL, 0), 100_000 * USDC);
		let refusal = Margin::apply_fill(&Fill {
			market: BTC_USD,
			taker: sub(ALICE, 0),
			maker: sub(CAROL, 0),
			taker_side: Side::Sell,
			price: usd(60_000),
			size: ONE_BTC / 10,
		});
		assert_eq!(
			refusal.map_err(|r| (r.party, r.error)),
			Err((FillParty::Maker, Error::<Test>::MarketReduceOnly.into()))
		);
	});
}

#[test]
fn a_stale_or_flagged_index_makes_an_active_market_reduce_only_and_fresh_undoes_it() {
	ExtBuilder::default().build_and_execute(|| {
		for status in [PriceStatus::Stale, PriceStatus::Flagged] {
			set_price(BTC, usd(60_000), status);
			assert_eq!(Pallet::<Test>::market_status(BTC_USD), Some(MarketStatus::ReduceOnly));
			// A stricter status set by governance stays.
			assert_ok!(set_status(MarketStatus::Halted));
			assert_eq!(Pallet::<Test>::market_status(BTC_USD), Some(MarketStatus::Halted));
			assert_ok!(set_status(MarketStatus::Active));
			// The other market's price is fresh: it trades on.
			assert_eq!(Pallet::<Test>::market_status(ETH_USD), Some(MarketStatus::Active));
		}
		set_price(BTC, usd(60_000), PriceStatus::Fresh);
		assert_eq!(Pallet::<Test>::market_status(BTC_USD), Some(MarketStatus::Active));
	});
}
