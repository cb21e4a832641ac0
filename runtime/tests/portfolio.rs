//! Portfolio margin against the whole runtime: each underlying's scenario book refreshed at the
//! start of each block by the options pallet, a hedged book margined under BTC's grid by the margin
//! engine, traded in the real order book, liquidated by the real keeper.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 1 (walk away from debt): a portfolio book below maintenance after a volatility spike (the
//!   index unmoved) is liquidated with no debt left; entering the mode needs its initial
//!   requirement.
//! - 13 (stale inputs): a series' entry is recomputed each block its inputs move; opening risk
//!   under portfolio margin refuses a book the refresh has not brought to this block.
//! - 15 (weights): the block's refresh runs within `on_poll`'s meter; 64 legs trade through
//!   the real book within their declared weights (`dispatch` checks them), a 65th is refused.
//! - 16 (storage): `MaxPortfolioPositions` bounds a portfolio subaccount, and leaving the
//!   mode with more than `MaxPositions` is refused.

mod common;

use clearing_primitives::{
	black76::OptionKind, collateral::Valuation, margin::Side, oracle::Moment, Price, BTC_ASSET_ID,
	BTC_VOLATILITY_ASSET_ID, USDC_ASSET_ID,
};
use clearing_runtime::{AccountId, Runtime};
use common::*;
use pallet_margin::MarginMode;
use pallet_orderbook::OrderKind;
use sp_runtime::FixedPointNumber;

const DAY_MS: Moment = 86_400_000;

type Options = pallet_options::Pallet<Runtime>;
type Margin = pallet_margin::Pallet<Runtime>;

/// `writer` sells one contract of each of `legs` to a buyer at the mark.
fn sell_each(writer: &AccountId, legs: &[u32]) {
	let buyer = trader("straddle buyer", 100_000);
	deposit(&buyer, 0, USDC_ASSET_ID, 60_000 * USDC);
	for leg in legs {
		let price = ask_at_mark(*leg);
		send(writer, order(*leg, Side::Sell, price, ONE_BTC, OrderKind::Limit)).expect("the writer's ask rests");
		send(&buyer, order(*leg, Side::Buy, price, ONE_BTC, OrderKind::ImmediateOrCancel)).expect("bought");
		assert_eq!(position(writer, 0, *leg), -(ONE_BTC as i128));
	}
}

/// `writer` buys (or sells) BTC perpetuals to flatten its book's delta, to the market's step.
fn hedge_delta(writer: &AccountId, legs: &[u32]) {
	let held = legs.iter().map(|leg| (*leg, position(writer, 0, *leg), 8u8));
	let delta = Options::portfolio_greeks(held).expect("priced").delta;
	let step: i128 = 10_000;
	let size = (-delta.into_inner() / (Price::DIV as i128 / ONE_BTC as i128) / step) * step;
	let side = if size > 0 { Side::Buy } else { Side::Sell };
	let maker = trader("perpetual maker", 100_000);
	deposit(&maker, 0, USDC_ASSET_ID, 50_000 * USDC);
	let other = if side == Side::Buy { Side::Sell } else { Side::Buy };
	send(&maker, order(BTC_USD, other, usd(60_000), size.unsigned_abs(), OrderKind::Limit)).expect("rests");
	send(writer, order(BTC_USD, side, usd(60_000), size.unsigned_abs(), OrderKind::ImmediateOrCancel))
		.expect("hedged");
	assert_eq!(position(writer, 0, BTC_USD), size);
}

fn enter_portfolio(who: &AccountId) {
	send(who, pallet_margin::Call::set_margin_mode { subaccount: 0, mode: MarginMode::Portfolio })
		.expect("enters portfolio margin");
}

#[test]
fn a_delta_hedged_short_straddle_needs_at_least_40_percent_less_under_portfolio_margin() {
	run(|| {
		let legs = [list(OptionKind::Call, 60_000, 30 * DAY_MS), list(OptionKind::Put, 60_000, 30 * DAY_MS)];
		next_block();
		let book = pallet_options::ScenarioBooks::<Runtime>::get(BTC_ASSET_ID).expect("refreshed at block start");
		for leg in legs {
			assert!(book.entry(leg).is_some(), "in BTC's book");
		}
		let writer = trader("straddle writer", 100_000);
		deposit(&writer, 0, USDC_ASSET_ID, 60_000 * USDC);
		sell_each(&writer, &legs);
		hedge_delta(&writer, &legs);
		let standard = health(&writer, 0);
		enter_portfolio(&writer);
		let portfolio = health(&writer, 0);
		assert_eq!(portfolio.equity, standard.equity);
		assert!(
			portfolio.initial_requirement * 10 <= standard.initial_requirement * 6,
			"portfolio {} vs standard {}",
			portfolio.initial_requirement,
			standard.initial_requirement
		);
		// The scenarios behind it: one underlying, its worst scenario a large move.
		let view = Margin::scenarios_view(writer.clone(), 0).expect("readable");
		let btc = &view.underlyings[0];
		assert_eq!((view.mode, btc.asset, view.unvectored), (MarginMode::Portfolio, BTC_ASSET_ID, 0));
		assert!(btc.pnl[10] > -(100 * USDC as i128), "no move, no volatility shock: little loss");
		assert!(btc.binding == 21 || btc.binding == 22 || btc.binding < 3 || btc.binding > 17, "{}", btc.binding);
	});
}

#[test]
fn a_portfolio_book_is_liquidated_after_a_volatility_spike_with_no_price_move() {
	run(|| {
		let legs = [list(OptionKind::Call, 60_000, 30 * DAY_MS), list(OptionKind::Put, 60_000, 30 * DAY_MS)];
		next_block();
		let writer = trader("thin straddle writer", 100_000);
		deposit(&writer, 0, USDC_ASSET_ID, 60_000 * USDC);
		enter_portfolio(&writer);
		sell_each(&writer, &legs);
		// Down to just over its initial requirement.
		let free = health(&writer, 0).free_collateral;
		send(&writer, pallet_vaults::Call::withdraw {
			subaccount: 0,
			asset: USDC_ASSET_ID,
			amount: free.unsigned_abs() - 100 * USDC,
		})
		.expect("the free collateral leaves");
		assert!(!health(&writer, 0).liquidatable);
		// BTC's implied volatility from 60% to 90%; the index never moves.
		move_price(BTC_VOLATILITY_ASSET_ID, Price::saturating_from_rational(90, 100));
		assert_eq!(pallet_oracle::Pallet::<Runtime>::quote(BTC_ASSET_ID).map(|q| q.price), Some(usd(60_000)));
		let after = health(&writer, 0);
		assert!(after.liquidatable, "{after:?}");
		let keeper = trader("keeper", 100);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&writer, 0) }).expect("liquidated");
		let left = health(&writer, 0);
		assert!(left.equity >= 0, "{left:?}");
		assert!(
			legs.iter().any(|leg| position(&writer, 0, *leg) == 0) || !left.liquidatable,
			"a leg closed or the book is healthy again"
		);
		Margin::do_try_state().expect("margin invariants");
	});
}

#[test]
fn opening_risk_waits_for_this_blocks_book() {
	run(|| {
		let legs = [list(OptionKind::Call, 60_000, 30 * DAY_MS), list(OptionKind::Put, 60_000, 30 * DAY_MS)];
		next_block();
		let writer = trader("straddle writer", 100_000);
		deposit(&writer, 0, USDC_ASSET_ID, 60_000 * USDC);
		enter_portfolio(&writer);
		sell_each(&writer, &legs);
		let opening = || Margin::health(&sub(&writer, 0), Valuation::Opening);
		assert!(opening().is_ok());
		// As if this block's refresh had found no room: the book is the last block's, whose
		// inputs may have moved at its end.
		pallet_options::ScenarioBooks::<Runtime>::mutate(BTC_ASSET_ID, |book| {
			let book = book.as_mut().expect("cached");
			book.refreshed = book.refreshed.saturating_sub(1);
		});
		assert_eq!(opening().map(|_| ()), Err(pallet_margin::Error::<Runtime>::ScenariosStale.into()));
		// Maintenance still reads it; the next block's refresh brings it back.
		assert!(Margin::health(&sub(&writer, 0), Valuation::Maintenance).is_ok());
		next_block();
		assert!(opening().is_ok());
	});
}

#[test]
fn a_portfolio_subaccount_holds_its_64_legs_and_not_one_more() {
	use frame_support::traits::Get;
	run(|| {
		let most: u32 = <Runtime as pallet_margin::Config>::MaxPortfolioPositions::get();
		assert_eq!(most, 64);
		// 63 series on BTC, three at each of 21 expiries, and BTC's perpetual: 64 legs.
		let legs: Vec<u32> = (0..most - 1)
			.map(|i| {
				let (kind, strike) = match i % 3 {
					0 => (OptionKind::Call, 60_000),
					1 => (OptionKind::Put, 60_000),
					_ => (OptionKind::Call, 66_000),
				};
				list(kind, strike, (7 + u64::from(i / 3)) * DAY_MS)
			})
			.collect();
		next_block();
		let writer = trader("64-leg writer", 100_000);
		deposit(&writer, 0, USDC_ASSET_ID, 90_000 * USDC);
		enter_portfolio(&writer);
		let buyer = trader("64-leg buyer", 100_000);
		deposit(&buyer, 0, USDC_ASSET_ID, 90_000 * USDC);
		enter_portfolio(&buyer);
		let size = ONE_BTC / 100;
		for leg in &legs {
			let price = ask_at_mark(*leg);
			send(&writer, order(*leg, Side::Sell, price, size, OrderKind::Limit)).expect("the writer's ask rests");
			send(&buyer, order(*leg, Side::Buy, price, size, OrderKind::ImmediateOrCancel)).expect("bought");
		}
		let maker = trader("perpetual maker", 100_000);
		deposit(&maker, 0, USDC_ASSET_ID, 50_000 * USDC);
		send(&maker, order(BTC_USD, Side::Sell, usd(60_000), size, OrderKind::Limit)).expect("rests");
		send(&writer, order(BTC_USD, Side::Buy, usd(60_000), size, OrderKind::ImmediateOrCancel)).expect("hedged");
		let held = || pallet_margin::PortfolioLegs::<Runtime>::get(sub(&writer, 0)).map(|legs| legs.len()).unwrap_or_default();
		assert_eq!(held(), 64);
		// A 65th leg (ETH's perpetual: a second underlying, within four) is refused whole.
		send(&maker, order(ETH_USD, Side::Sell, usd(3_000), 10u128.pow(16), OrderKind::Limit)).expect("rests");
		let refused = send(&writer, order(ETH_USD, Side::Buy, usd(3_000), 10u128.pow(16), OrderKind::ImmediateOrCancel));
		assert_eq!(refused.map_err(|e| e.error), Err(pallet_margin::Error::<Runtime>::TooManyPositions.into()));
		assert_eq!((held(), position(&writer, 0, ETH_USD)), (64, 0));
		// Its reading values every leg from BTC's book: the equity the positions' own marks
		// give, and the grid's requirement the scenarios view shows.
		let health = Margin::health(&sub(&writer, 0), Valuation::Maintenance).expect("readable");
		let marked: i128 = Margin::position_views(writer.clone(), 0)
			.iter()
			.map(|view| view.value + view.unsettled_funding)
			.sum();
		let collateral = <pallet_vaults::Pallet<Runtime> as clearing_primitives::collateral::CollateralLedger<AccountId>>::collateral_value(
			&sub(&writer, 0),
			Valuation::Maintenance,
		)
		.expect("valued");
		assert_eq!(health.equity, collateral + marked);
		let view = Margin::scenarios_view(writer.clone(), 0).expect("readable");
		assert_eq!((view.underlyings.len(), view.unvectored), (1, 0));
		assert_eq!(health.maintenance_requirement, view.underlyings[0].maintenance);
		// Back to standard margin with 64 positions: refused, nothing changes.
		let back = send(&writer, pallet_margin::Call::set_margin_mode { subaccount: 0, mode: MarginMode::Standard });
		assert_eq!(back.map_err(|e| e.error), Err(pallet_margin::Error::<Runtime>::TooManyPositions.into()));
		assert_eq!(held(), 64);
		Margin::do_try_state().expect("margin invariants");
	});
}

#[test]
fn the_options_hooks_run_before_the_order_books() {
	use frame_support::traits::PalletsInfoAccess;
	// Triggers fire in the order book's `on_poll`: the scenario books must be this block's by
	// then, or a portfolio side of a fired trigger meets `ScenariosStale`.
	let infos = clearing_runtime::AllPalletsWithSystem::infos();
	let at = |name: &str| infos.iter().position(|info| info.name == name).expect("declared");
	assert!(at("Options") < at("Orderbook"));
	// Everything else keeps the order of its indices.
	let mut others: Vec<_> = infos.iter().filter(|info| info.name != "Options").map(|info| info.index).collect();
	let sorted = { let mut copy = others.clone(); copy.sort(); copy };
	assert_eq!(others, sorted);
	others.clear();
}
