//! Option series against the whole runtime: listed by root, traded in the real order book,
//! margined per leg by the real margin engine at the oracle's index and implied volatility.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 1 (walk away from debt): a long pays its premium in full from its own collateral; a short
//!   is refused below the per-leg initial requirement when it places its order; a short put
//!   below maintenance is liquidated with no debt left.
//! - 2 / 9 (trade with yourself at any price, steer the mark): a premium outside the band
//!   around the Black-76 mark does not rest.
//! - 13 (stale inputs): without a fresh implied volatility a series is reduce-only; marks for
//!   maintenance still stand.
//! - 17 (governance): a perpetual cannot be opened in the series' id range; only root lists.
//! - 13: an expired series is halted and marked at its intrinsic value; it settles at the
//!   window's time-weighted index, to the unit, in bounded blocks (500 positions).

mod common;

use clearing_primitives::{
	black76::OptionKind, collateral::Valuation, margin::{MarketStatus, Side}, oracle::Moment,
	positions::MarginAccounts, Price, BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID, USDC_ASSET_ID,
};
use clearing_runtime::{Runtime, RuntimeOrigin};
use common::*;
use pallet_orderbook::OrderKind;
use sp_runtime::{traits::Saturating, FixedPointNumber, Permill};

const DAY_MS: Moment = 86_400_000;

type Options = pallet_options::Pallet<Runtime>;
type Margin = pallet_margin::Pallet<Runtime>;

fn now() -> Moment {
	pallet_timestamp::Now::<Runtime>::get()
}

fn mark(market: u32) -> Price {
	Options::leg_of(market, Valuation::Maintenance).expect("priced").mark
}

fn settlement_units(price: Price) -> u128 {
	// One contract (1 BTC) at `price` USD, in USDC units, rounded up.
	price.into_inner().div_ceil(1_000_000_000_000)
}

#[test]
fn a_long_put_is_paid_in_full_and_a_short_is_margined_per_leg() {
	run(|| {
		let put = list(OptionKind::Put, 55_000, 7 * DAY_MS);
		assert_eq!(put, FIRST_SERIES);
		let leg = Options::leg_of(put, Valuation::Opening).expect("fresh inputs");
		let price = ask_at_mark(put);

		// A writer short of the per-leg requirement cannot offer the put.
		let poor_writer = trader("poor writer", 10_000);
		deposit(&poor_writer, 0, USDC_ASSET_ID, settlement_units(leg.short_initial) - 1_000 * USDC);
		assert_eq!(
			error_of(send(&poor_writer, order(put, Side::Sell, price, ONE_BTC, OrderKind::Limit))),
			pallet_margin::Error::<Runtime>::InitialMarginBreached.into()
		);

		let writer = trader("writer", 20_000);
		deposit(&writer, 0, USDC_ASSET_ID, 10_000 * USDC);
		send(&writer, order(put, Side::Sell, price, ONE_BTC, OrderKind::Limit)).expect("a backed ask rests");

		// A buyer with less than the premium cannot buy: no credit for a long option.
		let premium = settlement_units(price);
		let short_buyer = trader("short of premium", 10_000);
		deposit(&short_buyer, 0, USDC_ASSET_ID, premium - USDC);
		assert_eq!(
			error_of(send(&short_buyer, order(put, Side::Buy, price, ONE_BTC, OrderKind::ImmediateOrCancel))),
			pallet_margin::Error::<Runtime>::InitialMarginBreached.into()
		);
		assert_eq!(position(&short_buyer, 0, put), 0);

		// With the premium and the taker fee, the buyer holds the put.
		let hedger = trader("hedger", 10_000);
		deposit(&hedger, 0, USDC_ASSET_ID, premium + 10 * USDC);
		send(&hedger, order(put, Side::Buy, price, ONE_BTC, OrderKind::ImmediateOrCancel)).expect("the premium is paid");
		assert_eq!(position(&hedger, 0, put), ONE_BTC as i128);
		assert_eq!(position(&writer, 0, put), -(ONE_BTC as i128));
		assert!(usdc_in(&hedger, 0) < 10 * USDC as i128, "the premium left the buyer's cash");

		// Requirements per leg: the long its mark, the short 15% less OTM (floored at 10%) of
		// the index plus the mark; no maintenance for the long.
		let long = health(&hedger, 0);
		assert_eq!(long.initial_requirement, settlement_units(mark(put)));
		assert_eq!(long.maintenance_requirement, 0);
		let short = health(&writer, 0);
		let now_leg = Options::leg_of(put, Valuation::Maintenance).unwrap();
		assert_eq!(short.initial_requirement, settlement_units(now_leg.short_initial));
		assert_eq!(short.maintenance_requirement, settlement_units(now_leg.short_maintenance));
		assert!(!short.liquidatable);

		// Options pay no funding: the series' index never moves.
		// A whole funding interval (a minute on dev) and more.
		for _ in 0..clearing_runtime::genesis_config_presets::DEV_FUNDING_INTERVAL_BLOCKS + 2 {
			next_block();
		}
		assert_eq!(pallet_margin::MarketStates::<Runtime>::get(put).funding_index, Default::default());
		assert_ne!(pallet_margin::MarketStates::<Runtime>::get(BTC_USD).funding_index, Default::default());
	});
}

#[test]
fn premiums_far_from_the_mark_neither_rest_nor_fill() {
	run(|| {
		let call = list(OptionKind::Call, 60_000, 7 * DAY_MS);
		let attacker = trader("attacker", 50_000);
		deposit(&attacker, 0, USDC_ASSET_ID, 40_000 * USDC);
		// The band is 90% of the mark either way: twice the mark is outside it.
		let far = Price::saturating_from_integer(2u32).saturating_mul(ask_at_mark(call));
		assert_eq!(
			error_of(send(&attacker, order(call, Side::Sell, far, ONE_BTC, OrderKind::Limit))),
			pallet_orderbook::Error::<Runtime>::PriceOutsideBand.into()
		);
	});
}

#[test]
fn without_a_fresh_volatility_a_series_only_reduces() {
	run(|| {
		let call = list(OptionKind::Call, 62_000, 7 * DAY_MS);
		assert_eq!(Margin::status_of(call), Some(MarketStatus::Active));
		pause_feed(BTC_VOLATILITY_ASSET_ID, true);
		for _ in 0..12 {
			next_block();
		}
		assert_eq!(Margin::status_of(call), Some(MarketStatus::ReduceOnly));
		let trader = trader("opener", 20_000);
		deposit(&trader, 0, USDC_ASSET_ID, 10_000 * USDC);
		assert_eq!(
			error_of(send(&trader, order(call, Side::Buy, usd(1_000), ONE_BTC, OrderKind::Limit))),
			pallet_orderbook::Error::<Runtime>::MarketReduceOnly.into()
		);
		// The last volatility still marks it for maintenance.
		assert!(Options::leg_of(call, Valuation::Maintenance).is_some());
		pause_feed(BTC_VOLATILITY_ASSET_ID, false);
		next_block();
		next_block();
		assert_eq!(Margin::status_of(call), Some(MarketStatus::Active));
	});
}

#[test]
fn an_expired_series_halts_and_is_worth_its_intrinsic_value() {
	run(|| {
		// Just past the dev chain's minute of settlement window.
		let put = list(OptionKind::Put, 60_000, 61_000);
		let (_, hedger) = put_sold(put);
		// BTC falls below the strike; the series expires.
		move_price(BTC_ASSET_ID, usd(57_000));
		while now() < pallet_options::Series::<Runtime>::get(put).unwrap().terms.expiry {
			next_block();
		}
		assert_eq!(Margin::status_of(put), Some(MarketStatus::Halted));
		let leg = Options::leg_of(put, Valuation::Maintenance).unwrap();
		assert!(leg.expired);
		let index = pallet_oracle::Pallet::<Runtime>::quote(BTC_ASSET_ID).unwrap().price;
		assert_eq!(leg.mark, usd(60_000).saturating_sub(index));
		assert_eq!(
			error_of(send(&hedger, order(put, Side::Sell, usd(1), ONE_BTC, OrderKind::Limit))),
			pallet_orderbook::Error::<Runtime>::MarketHalted.into()
		);
		assert_eq!(health(&hedger, 0).maintenance_requirement, 0);
	});
}

#[test]
fn the_series_range_is_the_options_pallets() {
	run(|| {
		let config = pallet_margin::Pallet::<Runtime>::market_config(BTC_USD).unwrap();
		assert_eq!(
			error_of(dispatch(
				RuntimeOrigin::root(),
				pallet_margin::Call::create_market { market: FIRST_SERIES + 7, config }.into()
			)),
			pallet_margin::Error::<Runtime>::SeriesIdReserved.into()
		);
		let someone = trader("someone", 0);
		assert_eq!(
			error_of(send(
				&someone,
				pallet_options::Call::list_series {
					underlying: BTC_USD,
					expiry: now() + DAY_MS,
					strike: usd(60_000),
					kind: OptionKind::Call,
					tick_size: usd(1),
					max_open_interest: ONE_BTC,
				}
			)),
			sp_runtime::DispatchError::BadOrigin
		);
		// A series on a series is refused by the margin engine.
		let call = list(OptionKind::Call, 60_000, DAY_MS);
		assert_eq!(
			error_of(dispatch(
				RuntimeOrigin::root(),
				pallet_options::Call::list_series {
					underlying: call,
					expiry: now() + DAY_MS,
					strike: usd(60_000),
					kind: OptionKind::Put,
					tick_size: usd(1),
					max_open_interest: ONE_BTC,
				}
				.into()
			)),
			pallet_margin::Error::<Runtime>::NotAPerpetual.into()
		);
	});
}

/// A new account with 100 CLR for deposits and 10 USDC, from Alice.
fn holder(name: &str) -> clearing_runtime::AccountId {
	let who: clearing_runtime::AccountId =
		sp_core::crypto::AccountId32::new(sp_io::hashing::blake2_256(name.as_bytes()));
	let alice = dev(sp_keyring::Sr25519Keyring::Alice);
	send(&alice, pallet_balances::Call::transfer_keep_alive { dest: who.clone().into(), value: 100 * CLR })
		.expect("Alice has CLR");
	send(&alice, pallet_assets::Call::transfer { id: USDC_ASSET_ID.into(), target: who.clone().into(), amount: 10 * USDC })
		.expect("Alice has USDC");
	who
}

/// A writer sells one contract of `put` at its mark to a hedger; returns both.
fn put_sold(put: u32) -> (clearing_runtime::AccountId, clearing_runtime::AccountId) {
	let writer = trader("writer", 30_000);
	deposit(&writer, 0, USDC_ASSET_ID, 20_000 * USDC);
	let price = ask_at_mark(put);
	send(&writer, order(put, Side::Sell, price, ONE_BTC, OrderKind::Limit)).expect("rests");
	let hedger = trader("hedger", 10_000);
	deposit(&hedger, 0, USDC_ASSET_ID, 5_000 * USDC);
	send(&hedger, order(put, Side::Buy, price, ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
	(writer, hedger)
}

/// Runs blocks until series `market`'s expiry has settled; returns the settlement price.
fn until_settled(market: u32) -> Price {
	let terms = pallet_options::Series::<Runtime>::get(market).unwrap().terms;
	for _ in 0..200 {
		if let Some(price) = Options::settlement_price(terms.underlying, terms.expiry) {
			return price;
		}
		next_block();
	}
	panic!("the expiry did not settle");
}

#[test]
fn a_protective_put_pays_out_at_expiry_to_the_unit() {
	run(|| {
		// A minute's window on dev: list 70 s out.
		let put = list(OptionKind::Put, 60_000, 70_000);
		let (writer, hedger) = put_sold(put);
		// BTC falls to $57,000 before the window and stays there.
		move_price(BTC_ASSET_ID, usd(57_000));
		let (hedger_cash, writer_cash) = (usdc_in(&hedger, 0), usdc_in(&writer, 0));
		assert_eq!(until_settled(put), usd(57_000));
		// The sweep settles both positions within the next blocks.
		for _ in 0..3 {
			next_block();
		}
		assert_eq!(position(&hedger, 0, put), 0);
		assert_eq!(position(&writer, 0, put), 0);
		// $3,000 a contract, to the unit, from the writer to the hedger.
		assert_eq!(usdc_in(&hedger, 0) - hedger_cash, 3_000 * USDC as i128);
		assert_eq!(writer_cash - usdc_in(&writer, 0), 3_000 * USDC as i128);
		assert_eq!(usdc_in(&pallet_margin::Pallet::<Runtime>::settlement_pool().owner, 1), 0);
		assert_eq!(pallet_margin::MarketStates::<Runtime>::get(put).open_interest, 0);
		assert!(!pallet_options::SweepPending::<Runtime>::get());
	});
}

#[test]
fn an_expired_series_cancels_its_orders_and_is_delisted_once_settled() {
	run(|| {
		let put = list(OptionKind::Put, 60_000, 70_000);
		let (writer, hedger) = put_sold(put);
		// A maker rests a bid and an offer around the mark.
		let maker = trader("expiring maker", 20_000);
		deposit(&maker, 0, USDC_ASSET_ID, 15_000 * USDC);
		let ask = ask_at_mark(put);
		let spread = Price::saturating_from_integer(5);
		send(&maker, order(put, Side::Buy, ask.saturating_sub(spread), ONE_BTC, OrderKind::Limit)).expect("bid rests");
		send(&maker, order(put, Side::Sell, ask.saturating_add(spread), ONE_BTC, OrderKind::Limit)).expect("offer rests");
		assert!(pallet_margin::OrderMargin::<Runtime>::get(sub(&maker, 0)) > 0);
		let markets = pallet_margin::Markets::<Runtime>::count();
		until_settled(put);
		for _ in 0..4 {
			next_block();
		}
		// The orders were cancelled: the maker's margin is free, its slots too.
		assert_eq!(pallet_margin::OrderMargin::<Runtime>::get(sub(&maker, 0)), 0);
		assert_eq!(pallet_orderbook::OpenOrders::<Runtime>::get(&maker), 0);
		assert!(pallet_orderbook::LevelPrices::<Runtime>::get(put, Side::Buy).is_empty());
		assert!(pallet_orderbook::LevelPrices::<Runtime>::get(put, Side::Sell).is_empty());
		// Both positions settled, the series is delisted and its market closed.
		assert_eq!((position(&writer, 0, put), position(&hedger, 0, put)), (0, 0));
		assert!(pallet_options::Series::<Runtime>::get(put).is_none());
		assert!(pallet_margin::Markets::<Runtime>::get(put).is_none());
		assert_eq!(pallet_margin::Markets::<Runtime>::count(), markets - 1);
		assert_eq!(Margin::status_of(put), None);
		// Its expiry's only series gone, the expiry's record went too (the price stays in
		// the `ExpirySettled` event).
		assert_eq!(pallet_options::Expiries::<Runtime>::count(), 0);
		check_invariants();
	});
}

#[test]
fn an_expiry_with_500_positions_settles_over_bounded_blocks() {
	run(|| {
		let call = list(OptionKind::Call, 59_000, 120_000);
		let writer = trader("writer", 100_000);
		deposit(&writer, 0, USDC_ASSET_ID, 90_000 * USDC);
		let price = ask_at_mark(call);
		let contract = ONE_BTC / 1_000;
		send(&writer, order(call, Side::Sell, price, 500 * contract, OrderKind::Limit)).expect("rests");
		let holders: Vec<_> = (0..500).map(|i| holder(&format!("holder {i}"))).collect();
		for holder in &holders {
			deposit(holder, 0, USDC_ASSET_ID, 9 * USDC);
			send(holder, order(call, Side::Buy, price, contract, OrderKind::ImmediateOrCancel)).expect("bought");
		}
		assert_eq!(position(&writer, 0, call), -(500 * contract as i128));
		let before: Vec<i128> = holders.iter().map(|h| usdc_in(h, 0)).collect();
		let writer_before = usdc_in(&writer, 0);
		assert_eq!(until_settled(call), usd(60_000));
		// 501 positions, at most 64 settled a block: eight blocks (the first may be the
		// settling block's own idle time).
		let open = || pallet_margin::Positions::<Runtime>::iter().filter(|(_, market, _)| *market == call).count();
		let mut blocks = 0;
		let mut left = open();
		while left > 0 {
			next_block();
			blocks += 1;
			let now = open();
			assert!(left - now <= 64, "a block settled {} positions, above its bound", left - now);
			left = now;
			assert!(blocks <= 12, "the sweep took more than 12 blocks");
		}
		assert!(blocks >= 8, "501 positions in {blocks} blocks of at most 64");
		// $1,000 a contract × 0.001: $1 to each holder, $500 from the writer.
		for (holder, cash) in holders.iter().zip(before) {
			assert_eq!(usdc_in(holder, 0) - cash, USDC as i128);
		}
		assert_eq!(writer_before - usdc_in(&writer, 0), 500 * USDC as i128);
	});
}

#[test]
fn a_short_put_is_liquidated_when_btc_falls_once_its_volatility_is_fresh() {
	run(|| {
		let put = list(OptionKind::Put, 57_000, 7 * DAY_MS);
		let leg = Options::leg_of(put, Valuation::Opening).unwrap();
		let price = ask_at_mark(put);
		// The writer holds just over the per-leg requirement.
		let writer = trader("thin writer", 20_000);
		deposit(&writer, 0, USDC_ASSET_ID, settlement_units(leg.short_initial) + 500 * USDC);
		send(&writer, order(put, Side::Sell, price, ONE_BTC, OrderKind::Limit)).expect("rests");
		let buyer = trader("buyer", 10_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 5_000 * USDC);
		send(&buyer, order(put, Side::Buy, price, ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		assert!(!health(&writer, 0).liquidatable);
		// BTC falls 15%: the put is deep in the money, the writer below maintenance.
		move_price(BTC_ASSET_ID, usd(51_000));
		let after = health(&writer, 0);
		assert!(after.liquidatable, "{after:?}");
		let keeper = trader("keeper", 100);
		// Not at a stale implied volatility: the put's mark would be an old figure.
		pause_feed(BTC_VOLATILITY_ASSET_ID, true);
		for _ in 0..12 {
			next_block();
		}
		assert_eq!(
			error_of(send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) })),
			pallet_liquidation::Error::<Runtime>::PriceNotReady.into()
		);
		pause_feed(BTC_VOLATILITY_ASSET_ID, false);
		for _ in 0..4 {
			next_block();
		}
		assert!(health(&writer, 0).liquidatable);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		// The short left the writer (to the book or the backstop); no debt is left behind.
		assert_eq!(position(&writer, 0, put), 0);
		assert!(health(&writer, 0).equity >= 0);
		// Longs and shorts still match.
		pallet_margin::Pallet::<Runtime>::do_try_state().expect("margin invariants");
	});
}

#[test]
fn a_liquidation_buys_back_the_short_leg_first_and_only_what_restores_maintenance() {
	run(|| {
		let put = list(OptionKind::Put, 57_000, 7 * DAY_MS);
		let call = list(OptionKind::Call, 40_000, 7 * DAY_MS);
		let writer = trader("hedged writer", 60_000);
		deposit(&writer, 0, USDC_ASSET_ID, 36_000 * USDC);
		// The writer sells two puts and buys a deep in-the-money call, worth more than both.
		let buyer = trader("put buyer", 20_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 15_000 * USDC);
		send(&writer, order(put, Side::Sell, ask_at_mark(put), 2 * ONE_BTC, OrderKind::Limit)).expect("rests");
		send(&buyer, order(put, Side::Buy, ask_at_mark(put), 2 * ONE_BTC, OrderKind::ImmediateOrCancel))
			.expect("bought");
		let call_writer = trader("call writer", 100_000);
		deposit(&call_writer, 0, USDC_ASSET_ID, 90_000 * USDC);
		send(&call_writer, order(call, Side::Sell, ask_at_mark(call), ONE_BTC, OrderKind::Limit)).expect("rests");
		send(&writer, order(call, Side::Buy, ask_at_mark(call), ONE_BTC, OrderKind::ImmediateOrCancel))
			.expect("bought");
		assert_eq!((position(&writer, 0, put), position(&writer, 0, call)), (-2 * ONE_BTC as i128, ONE_BTC as i128));
		// BTC falls $250 at a time until the writer is just below maintenance.
		let mut btc = 60_000;
		while !health(&writer, 0).liquidatable {
			btc -= 250;
			assert!(btc > 40_000, "the writer never fell below maintenance");
			move_price(BTC_ASSET_ID, usd(btc));
		}
		let held = pallet_margin::Pallet::<Runtime>::positions_by_value(&sub(&writer, 0)).unwrap();
		let value = |market| held.iter().find(|h| h.market == market).unwrap().value.unsigned_abs();
		assert!(value(call) > value(put), "the long call is the larger position: {held:?} at {btc}");
		// Makers on both books, at the mark: a bid for the call, an offer of puts.
		let maker = trader("maker", 100_000);
		deposit(&maker, 0, USDC_ASSET_ID, 90_000 * USDC);
		let bid = Price::saturating_from_integer(mark(call).into_inner() / Price::DIV);
		send(&maker, order(call, Side::Buy, bid, ONE_BTC, OrderKind::Limit)).expect("bid rests");
		send(&maker, order(put, Side::Sell, ask_at_mark(put), 2 * ONE_BTC, OrderKind::Limit)).expect("offer rests");
		let keeper = trader("keeper", 100);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		// The long call, which carries no maintenance, is kept; part of the short puts is
		// bought back, well under half: each frees 7.5% of the index and its premium.
		assert_eq!(position(&writer, 0, call), ONE_BTC as i128);
		let short = -position(&writer, 0, put);
		assert!(short > ONE_BTC as i128 && short < 2 * ONE_BTC as i128, "{short} left of the short puts");
		assert!(!health(&writer, 0).liquidatable, "{:?}", health(&writer, 0));
		pallet_margin::Pallet::<Runtime>::do_try_state().expect("margin invariants");
	});
}

#[test]
fn a_stale_volatility_holds_back_only_the_series_not_the_perpetual() {
	run(|| {
		// Two short puts, each carrying more maintenance than the perpetual: under the call's
		// `MaxMarketsPerCall` (2) they would take both slots if waiting took one.
		let puts = [list(OptionKind::Put, 57_000, 7 * DAY_MS), list(OptionKind::Put, 58_000, 7 * DAY_MS)];
		let writer = trader("perp and puts writer", 60_000);
		deposit(&writer, 0, USDC_ASSET_ID, 24_000 * USDC);
		let buyer = trader("put buyer", 20_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 10_000 * USDC);
		for put in puts {
			send(&writer, order(put, Side::Sell, ask_at_mark(put), ONE_BTC, OrderKind::Limit)).expect("rests");
			send(&buyer, order(put, Side::Buy, ask_at_mark(put), ONE_BTC, OrderKind::ImmediateOrCancel))
				.expect("bought");
		}
		let seller = trader("btc seller", 100_000);
		deposit(&seller, 0, USDC_ASSET_ID, 50_000 * USDC);
		send(&seller, order(BTC_USD, Side::Sell, usd(60_000), ONE_BTC, OrderKind::Limit)).expect("rests");
		send(&writer, order(BTC_USD, Side::Buy, usd(60_000), ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		assert_eq!(<<Runtime as pallet_liquidation::Config>::MaxMarketsPerCall as frame_support::traits::Get<u32>>::get(), 2);
		// The volatility feed stops; BTC falls until the writer is below maintenance.
		pause_feed(BTC_VOLATILITY_ASSET_ID, true);
		let mut btc = 60_000;
		while !health(&writer, 0).liquidatable {
			btc -= 500;
			assert!(btc > 45_000, "the writer never fell below maintenance");
			move_price(BTC_ASSET_ID, usd(btc));
		}
		let ranked = pallet_margin::Pallet::<Runtime>::positions_by_value(&sub(&writer, 0)).unwrap();
		assert!(puts.contains(&ranked[0].market) && puts.contains(&ranked[1].market), "the puts rank first");
		// Bids for BTC: the perpetual closes in the book while the puts wait for their volatility.
		let bidder = trader("btc bidder", 100_000);
		deposit(&bidder, 0, USDC_ASSET_ID, 50_000 * USDC);
		send(&bidder, order(BTC_USD, Side::Buy, usd(btc), 2 * ONE_BTC, OrderKind::Limit)).expect("bid rests");
		let keeper = trader("keeper", 100);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		assert!(position(&writer, 0, BTC_USD) < ONE_BTC as i128, "the perpetual was reduced");
		for put in puts {
			assert_eq!(position(&writer, 0, put), -(ONE_BTC as i128), "the puts wait for a fresh volatility");
		}
		pallet_margin::Pallet::<Runtime>::do_try_state().expect("margin invariants");
	});
}

#[test]
fn a_series_market_closes_only_without_holders() {
	use clearing_primitives::options::SeriesMarkets;
	run(|| {
		let put = list(OptionKind::Put, 57_000, 7 * DAY_MS);
		let (writer, hedger) = put_sold(put);
		assert_eq!(pallet_margin::SeriesHolders::<Runtime>::get(put), 2);
		assert_eq!(Margin::close_series_market(put), Err(pallet_margin::Error::<Runtime>::SeriesPositionsOpen.into()));
		assert_eq!(Margin::close_series_market(BTC_USD), Err(pallet_margin::Error::<Runtime>::NotASeriesId.into()));
		// Half of the hedger's put sold back: both still hold, the count stands.
		let price = ask_at_mark(put);
		send(&hedger, order(put, Side::Sell, price, ONE_BTC / 2, OrderKind::Limit)).expect("offered");
		send(&writer, order(put, Side::Buy, price, ONE_BTC / 2, OrderKind::ImmediateOrCancel)).expect("bought back");
		assert_eq!(pallet_margin::SeriesHolders::<Runtime>::get(put), 2);
		// The rest sold to a third holder: the hedger leaves, the newcomer comes.
		let third = trader("third holder", 10_000);
		deposit(&third, 0, USDC_ASSET_ID, 5_000 * USDC);
		send(&hedger, order(put, Side::Sell, price, ONE_BTC / 2, OrderKind::Limit)).expect("offered");
		send(&third, order(put, Side::Buy, price, ONE_BTC / 2, OrderKind::ImmediateOrCancel)).expect("bought");
		assert_eq!(position(&hedger, 0, put), 0);
		assert_eq!(pallet_margin::SeriesHolders::<Runtime>::get(put), 2);
		assert_eq!(Margin::close_series_market(put), Err(pallet_margin::Error::<Runtime>::SeriesPositionsOpen.into()));
		check_invariants();
	});
}

#[test]
fn the_margin_migration_counts_the_holders_of_each_series() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run(|| {
		let put = list(OptionKind::Put, 57_000, 7 * DAY_MS);
		put_sold(put);
		assert_eq!(pallet_margin::SeriesHolders::<Runtime>::get(put), 2);
		// As on a chain from before the count: none kept, version 0.
		let _ = pallet_margin::SeriesHolders::<Runtime>::clear(u32::MAX, None);
		StorageVersion::new(0).put::<Margin>();
		pallet_margin::migrations::v1::MigrateToV1::<Runtime>::on_runtime_upgrade();
		assert_eq!(pallet_margin::SeriesHolders::<Runtime>::get(put), 2);
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(1));
		// Once at v1, it does nothing.
		pallet_margin::SeriesHolders::<Runtime>::insert(put, 5);
		pallet_margin::migrations::v1::MigrateToV1::<Runtime>::on_runtime_upgrade();
		assert_eq!(pallet_margin::SeriesHolders::<Runtime>::get(put), 5);
		pallet_margin::SeriesHolders::<Runtime>::insert(put, 2);
	});
}

/// The listed series' terms, by expiry, strike and kind.
fn listed() -> Vec<(Moment, u128, OptionKind)> {
	let mut terms: Vec<_> = pallet_options::Series::<Runtime>::iter_values()
		.map(|listed| listed.terms)
		.map(|t| (t.expiry, t.strike.into_inner() / Price::DIV, t.kind))
		.collect();
	terms.sort_by_key(|(expiry, strike, kind)| (*expiry, *strike, *kind as u8));
	terms
}

/// The ladder the dev schedule lists for `expiry` with BTC at $60,000.
fn dev_ladder(expiry: Moment) -> Vec<(Moment, u128, OptionKind)> {
	[59_000, 60_000, 61_000]
		.into_iter()
		.flat_map(|strike| [(expiry, strike, OptionKind::Call), (expiry, strike, OptionKind::Put)])
		.collect()
}

#[test]
fn the_dev_schedule_lists_btc_options_every_ten_minutes_and_they_retire_after_expiry() {
	run_scheduled(|| {
		const TEN_MINUTES: Moment = 600_000;
		// Listed by the hook once the index is fresh: the first expiry a minute's window away.
		for _ in 0..10 {
			next_block();
		}
		assert_eq!(listed(), dev_ladder(TEN_MINUTES));
		// The next one lists as the first enters its window.
		while now() <= TEN_MINUTES - 60_000 {
			next_block();
		}
		let both: Vec<_> = dev_ladder(TEN_MINUTES).into_iter().chain(dev_ladder(2 * TEN_MINUTES)).collect();
		assert_eq!(listed(), both);
		// The first settles at expiry, holds nothing and is delisted: its slots are free.
		while now() <= TEN_MINUTES + 5_000 {
			next_block();
		}
		assert_eq!(listed(), dev_ladder(2 * TEN_MINUTES));
		assert!(pallet_options::Expiries::<Runtime>::get((BTC_ASSET_ID, TEN_MINUTES)).is_none());
	});
}

#[test]
fn a_short_option_is_bought_back_in_a_thin_book_within_its_vega_band() {
	run(|| {
		let put = list(OptionKind::Put, 57_000, 7 * DAY_MS);
		let leg = Options::leg_of(put, Valuation::Opening).unwrap();
		let price = ask_at_mark(put);
		let writer = trader("band writer", 20_000);
		deposit(&writer, 0, USDC_ASSET_ID, settlement_units(leg.short_initial) + 500 * USDC);
		send(&writer, order(put, Side::Sell, price, ONE_BTC, OrderKind::Limit)).expect("rests");
		let buyer = trader("band buyer", 10_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 5_000 * USDC);
		send(&buyer, order(put, Side::Buy, price, ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		// BTC falls towards the strike until the writer is below maintenance: the put is near
		// the money, where its vega is largest.
		let mut btc = 60_000;
		while !health(&writer, 0).liquidatable {
			btc -= 250;
			assert!(btc > 50_000, "the writer never fell below maintenance");
			move_price(BTC_ASSET_ID, usd(btc));
		}
		// The only offer is 4% above the mark: beyond the perpetuals' 1%, within the put's
		// vega × 5 volatility points.
		let mark_now = mark(put);
		let vega = <pallet_options::Pallet<Runtime> as clearing_primitives::options::OptionMarks>::vega(put).unwrap();
		let band = pallet_liquidation::math::close_band(mark_now, Some(vega), Permill::from_percent(5), Permill::from_percent(1));
		assert!(band > Permill::from_percent(5), "a band of {band:?} at BTC {btc}");
		let offer = Price::saturating_from_integer(mark_now.into_inner() / Price::DIV * 104 / 100);
		let maker = trader("band maker", 100_000);
		deposit(&maker, 0, USDC_ASSET_ID, 90_000 * USDC);
		send(&maker, order(put, Side::Sell, offer, ONE_BTC, OrderKind::Limit)).expect("offer rests");
		let keeper = trader("band keeper", 100);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		// Bought back from the maker's offer, in the book: not handed to the backstop.
		assert!(position(&maker, 0, put) < 0, "the maker sold none of its offer");
		assert!(frame_system::Pallet::<Runtime>::events().iter().any(|r| matches!(
			&r.event,
			clearing_runtime::RuntimeEvent::Liquidation(pallet_liquidation::Event::ClosedInBook { market, .. }) if *market == put
		)));
		assert!(health(&writer, 0).equity >= 0);
		pallet_margin::Pallet::<Runtime>::do_try_state().expect("margin invariants");
	});
}

#[test]
fn a_short_option_of_a_subaccount_bankrupt_beyond_its_value_is_not_bought_back_in_the_book() {
	run(|| {
		let call = list(OptionKind::Call, 61_000, 7 * DAY_MS);
		let writer = trader("bankrupt writer", 100_000);
		deposit(&writer, 0, USDC_ASSET_ID, 16_500 * USDC);
		let buyer = trader("call buyer", 20_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 10_000 * USDC);
		send(&writer, order(call, Side::Sell, ask_at_mark(call), ONE_BTC, OrderKind::Limit)).expect("rests");
		send(&buyer, order(call, Side::Buy, ask_at_mark(call), ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		let seller = trader("btc seller", 200_000);
		deposit(&seller, 0, USDC_ASSET_ID, 100_000 * USDC);
		send(&seller, order(BTC_USD, Side::Sell, usd(60_000), 2 * ONE_BTC, OrderKind::Limit)).expect("rests");
		send(&writer, order(BTC_USD, Side::Buy, usd(60_000), 2 * ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		// BTC falls to $50,000 with no keeper about: the perpetual's loss leaves the writer
		// further under water than the short call is worth.
		let mut btc = 60_000;
		while btc > 50_000 {
			btc -= 1_000;
			move_price(BTC_ASSET_ID, usd(btc));
		}
		let value = mark(call).into_inner() / (Price::DIV / USDC);
		let equity = health(&writer, 0).equity;
		assert!(equity < -(value as i128), "equity {equity} against a call worth {value}");
		// An offer of the call inside its band, above the mark.
		let offer = Price::saturating_from_integer(mark(call).into_inner() / Price::DIV * 115 / 100 + 1);
		let maker = trader("call maker", 100_000);
		deposit(&maker, 0, USDC_ASSET_ID, 50_000 * USDC);
		send(&maker, order(call, Side::Sell, offer, ONE_BTC, OrderKind::Limit)).expect("offer rests");
		// The insurance fund can carry the loss.
		let staker = trader("staker", 50_000);
		send(&staker, pallet_insurance::Call::stake { amount: 20_000 * USDC }).expect("staked");
		let keeper = trader("keeper", 100);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		// Buying the call back at any price would only deepen the loss the fund covers: the
		// offer is left alone and the short goes the bankrupt way.
		assert_eq!(position(&maker, 0, call), 0);
		assert!(!frame_system::Pallet::<Runtime>::events().iter().any(|r| matches!(
			&r.event,
			clearing_runtime::RuntimeEvent::Liquidation(pallet_liquidation::Event::ClosedInBook { market, .. }) if *market == call
		)));
		assert_eq!(position(&writer, 0, call), 0);
		pallet_margin::Pallet::<Runtime>::do_try_state().expect("margin invariants");
	});
}

/// `percent`% as a volatility.
fn vol(percent: u32) -> Price {
	Price::saturating_from_rational(percent, 100u32)
}

#[test]
fn the_feeders_smile_of_an_expiry_prices_its_series_by_strike() {
	run(|| {
		let put = list(OptionKind::Put, 54_000, 7 * DAY_MS);
		let call = list(OptionKind::Call, 63_000, 7 * DAY_MS);
		let expiry = pallet_options::Series::<Runtime>::get(put).expect("listed").terms.expiry;
		let on_index = Options::series_view(put).expect("priced").volatility;
		// The dev feeder feeds a skewed smile for the expiry; the runtime aggregates it at
		// the block's end, and the series are priced off it from then on.
		let smile: clearing_primitives::oracle::Smile = [80, 68, 60, 57, 55, 58, 62].map(vol);
		let fed = dispatch(
			RuntimeOrigin::signed(feeder()),
			pallet_oracle::Call::feed_surfaces { values: vec![(BTC_ASSET_ID, expiry, smile)].try_into().unwrap() }.into(),
		)
		.expect("the dev feeder feeds smiles");
		assert_eq!(fed.pays_fee, frame_support::dispatch::Pays::No);
		next_block();
		let quote = pallet_oracle::Pallet::<Runtime>::surface_quote(BTC_ASSET_ID, expiry).expect("aggregated");
		assert_eq!(quote.smile, smile);
		let (put_view, call_view) = (Options::series_view(put).unwrap(), Options::series_view(call).unwrap());
		assert!(put_view.volatility > call_view.volatility, "the skew: the put is dearer in volatility");
		assert_ne!(put_view.volatility, on_index);
		for view in [&put_view, &call_view] {
			let ivs = smile.map(|p| p.into_inner() as i128);
			let k = clearing_primitives::volatility::log_moneyness(
				view.terms.strike.into_inner() as i128,
				view.index.into_inner() as i128,
			)
			.unwrap();
			let expected = clearing_primitives::volatility::grid_smile_iv(&ivs, k).unwrap();
			assert_eq!(view.volatility.into_inner() as i128, expected);
		}
		// Smiles for an expiry nobody listed are refused by name.
		let unlisted = dispatch(
			RuntimeOrigin::signed(feeder()),
			pallet_oracle::Call::feed_surfaces { values: vec![(BTC_ASSET_ID, expiry + 1, smile)].try_into().unwrap() }
				.into(),
		);
		assert_eq!(error_of(unlisted), pallet_oracle::Error::<Runtime>::ExpiryNotListed.into());
		// Fed no more, the smile ages out: opening risk waits, maintenance keeps its last
		// reading (no jump to the index's 60%).
		for _ in 0..40 {
			next_block();
		}
		assert!(!pallet_oracle::Pallet::<Runtime>::surface_quote(BTC_ASSET_ID, expiry).unwrap().is_fresh());
		assert_eq!(Options::leg_of(put, Valuation::Opening), None);
		assert_eq!(Options::series_view(put).unwrap().volatility, put_view.volatility);
	});
}

#[test]
fn a_stale_smile_holds_back_its_series_until_it_is_fresh_again_or_gone() {
	run(|| {
		let put = list(OptionKind::Put, 58_000, 7 * DAY_MS);
		let expiry = pallet_options::Series::<Runtime>::get(put).expect("listed").terms.expiry;
		// The feeder quotes the expiry's smile flat at the index's 60%: it marks the put.
		set_smile(BTC_ASSET_ID, expiry, Some([vol(60); clearing_primitives::oracle::SMILE_POINTS]));
		for _ in 0..4 {
			next_block();
		}
		let input = || <Options as clearing_primitives::options::OptionMarks>::volatility_input(put);
		assert_eq!(input(), Some(clearing_primitives::oracle::VolatilityInput::Smile { underlying: BTC_ASSET_ID, expiry }));
		let writer = trader("put writer on a smile", 60_000);
		deposit(&writer, 0, USDC_ASSET_ID, 9_000 * USDC);
		let buyer = trader("put buyer on a smile", 20_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 10_000 * USDC);
		send(&writer, order(put, Side::Sell, ask_at_mark(put), ONE_BTC, OrderKind::Limit)).expect("rests");
		send(&buyer, order(put, Side::Buy, ask_at_mark(put), ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		let mut btc = 60_000;
		while !health(&writer, 0).liquidatable {
			btc -= 500;
			assert!(btc > 40_000, "the writer never fell below maintenance");
			move_price(BTC_ASSET_ID, usd(btc));
		}
		// The smile's feed stops (the volatility index's goes on) and ages past 10 s: the put
		// is marked at its last reading, and nothing is liquidated at a smile nobody confirms.
		set_smile(BTC_ASSET_ID, expiry, None);
		for _ in 0..12 {
			next_block();
		}
		let quote = |asset| pallet_oracle::Pallet::<Runtime>::quote(asset).expect("priced");
		assert!(quote(BTC_VOLATILITY_ASSET_ID).is_fresh(), "the volatility index stays fresh");
		assert!(!pallet_oracle::Pallet::<Runtime>::surface_quote(BTC_ASSET_ID, expiry).unwrap().is_fresh());
		assert!(health(&writer, 0).liquidatable);
		let keeper = trader("keeper on a smile", 100);
		let refused = send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) });
		assert_eq!(error_of(refused), pallet_liquidation::Error::<Runtime>::PriceNotReady.into(), "liquidation waits for the smile");
		assert_eq!(position(&writer, 0, put), -(ONE_BTC as i128));
		// Unfed for six ages (a minute), the smile counts as gone: the volatility index marks
		// the put, and liquidation goes ahead on it. No series waits on a dead feed until expiry.
		for _ in 0..50 {
			next_block();
		}
		assert_eq!(pallet_oracle::Pallet::<Runtime>::surface_quote(BTC_ASSET_ID, expiry), None);
		assert_eq!(input(), Some(clearing_primitives::oracle::VolatilityInput::Index(BTC_VOLATILITY_ASSET_ID)));
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		assert_ne!(position(&writer, 0, put), -(ONE_BTC as i128), "the put is closed or taken over");
	});
}
