//! Nobody walks away from a loss that others pay.
//!
//! Attacks tried (../shared/ATTACKS.md), each refused here:
//! - 1, walk away from debt: a subaccount with no position and a settlement debt moving its
//!   other collateral out; a fill leaving a side with negative equity;
//! - 2, trade with yourself at any price: a long selling into its own second account's bid far
//!   below the index (refused by the band), and within the band deep enough to go negative
//!   (refused by the equity check), in an active and a reduce-only market;
//! - 8, a reducing fill that sinks a subaccount below maintenance, worse off than before;
//! - 9/13, a maker adding risk at a stale price fails only itself, never a reducing taker.

use super::{apply, trade};
use crate::{mock::*, Error, MarketStatus, Positions};
use clearing_primitives::{
	collateral::MarginGuard,
	margin::{Fill, FillParty, MarginEngine, Side},
	oracle::PriceStatus,
};
use frame_support::{assert_noop, assert_ok};

const CAROL: AccountId = 3;

fn guard(s: &clearing_primitives::collateral::Subaccount<AccountId>) -> sp_runtime::DispatchResult {
	<Margin as MarginGuard<_>>::ensure_initial_margin(s)
}

/// Alice's subaccount 0 sells `size` BTC at `$price` to `maker`'s subaccount 0.
fn sell_to(maker: AccountId, size: u128, price: u128) -> Fill<AccountId> {
	Fill {
		market: BTC_USD,
		taker: sub(ALICE, 0),
		maker: sub(maker, 0),
		taker_side: Side::Sell,
		price: usd(price),
		size,
	}
}

/// Alice holds 1 BTC long bought at $60,000 with `usdc` of collateral; Bob is short.
fn alice_long(usdc: u128) {
	fund(&sub(ALICE, 0), usdc * USDC);
	fund(&sub(BOB, 0), 100_000 * USDC);
	assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
}

#[test]
fn a_debtor_without_positions_keeps_its_other_collateral_until_the_debt_is_covered() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice owes $1,000 (a loss she closed) and holds other collateral worth $800 after
		// haircut: moving any of it out would leave the debt to others.
		fund(&sub(ALICE, 0), 0);
		assert_ok!(<MockLedger as clearing_primitives::collateral::CollateralLedger<_>>::move_settlement(
			&sub(ALICE, 0),
			&sub(ALICE, 9),
			1_000 * USDC
		));
		set_other_collateral(&sub(ALICE, 0), 800 * USDC as i128, 800 * USDC as i128);
		assert_noop!(guard(&sub(ALICE, 0)), Error::<Test>::InitialMarginBreached);
		// Stale prices value it at nothing for taking collateral out.
		set_other_collateral(&sub(ALICE, 0), 0, 1_200 * USDC as i128);
		assert_noop!(guard(&sub(ALICE, 0)), Error::<Test>::InitialMarginBreached);
		// Covered at fresh prices: what is left over may go.
		set_other_collateral(&sub(ALICE, 0), 1_000 * USDC as i128, 1_000 * USDC as i128);
		assert_ok!(guard(&sub(ALICE, 0)));
		// No debt, no position: nothing at risk.
		assert_ok!(guard(&sub(ALICE, 9)));
	});
}

#[test]
fn selling_a_long_into_an_own_bid_far_below_the_index_is_refused_by_the_band() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long(3_100);
		fund(&sub(CAROL, 0), 10 * USDC);
		// Carol (Alice's other account) bids $1 for the whole BTC.
		let refusal = Margin::apply_fill(&sell_to(CAROL, ONE_BTC, 1)).unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Maker, Error::<Test>::PriceOutsideBand.into()));
		// The band is 10% of the $60,000 index either way, inclusive.
		let refusal = Margin::apply_fill(&sell_to(CAROL, ONE_BTC / 1_000, 53_999)).unwrap_err();
		assert_eq!(refusal.error, Error::<Test>::PriceOutsideBand.into());
		assert_noop!(
			apply(&Fill { taker_side: Side::Buy, ..sell_to(CAROL, ONE_BTC / 1_000, 66_001) }),
			Error::<Test>::PriceOutsideBand
		);
		fund(&sub(CAROL, 0), 1_000 * USDC);
		assert_ok!(apply(&sell_to(CAROL, ONE_BTC / 1_000, 54_000)));
		// In a reduce-only market, where neither side grows, the band holds the same.
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC_USD, MarketStatus::ReduceOnly));
		assert_noop!(apply(&Fill { taker: sub(BOB, 0), maker: sub(ALICE, 0), taker_side: Side::Buy, ..sell_to(CAROL, ONE_BTC / 2, 1) }),
			Error::<Test>::PriceOutsideBand);
	});
}

#[test]
fn a_reducing_fill_into_negative_equity_is_refused_on_either_side_and_in_a_reduce_only_market() {
	ExtBuilder::default().build_and_execute(|| {
		// $3,100 on a 1 BTC long: selling it all at $54,000 loses $6,000.
		alice_long(3_100);
		assert_noop!(apply(&sell_to(BOB, ONE_BTC, 54_000)), Error::<Test>::NegativeEquity);
		// The same fill with Alice as the maker is refused as the maker's.
		let as_maker = Fill {
			taker: sub(BOB, 0),
			maker: sub(ALICE, 0),
			taker_side: Side::Buy,
			..sell_to(BOB, ONE_BTC, 54_000)
		};
		let refusal = Margin::apply_fill(&as_maker).unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Maker, Error::<Test>::NegativeEquity.into()));
		// Reduce-only: both sides reduce, and both are still checked.
		assert_ok!(Margin::set_market_status(RuntimeOrigin::root(), BTC_USD, MarketStatus::ReduceOnly));
		assert_noop!(apply(&sell_to(BOB, ONE_BTC, 54_000)), Error::<Test>::NegativeEquity);
		// At the index it closes, with the $3,100 intact.
		assert_ok!(apply(&sell_to(BOB, ONE_BTC, 60_000)));
		assert_eq!(settlement(&sub(ALICE, 0)), 3_100 * USDC as i128);
	});
}

#[test]
fn a_reducing_fill_may_not_leave_a_side_below_maintenance_and_worse_than_before() {
	ExtBuilder::default().build_and_execute(|| {
		// Equity $3,000, maintenance $1,800: healthy.
		alice_long(3_000);
		// Half sold at $55,000 loses $2,500: equity $500 against $900. Healthy before, so
		// ending below maintenance is worse.
		assert_noop!(apply(&sell_to(BOB, ONE_BTC / 2, 55_000)), Error::<Test>::MaintenanceWorsened);
		// BTC at $58,500: equity $1,500 against $1,755, ratio 0.85. A close near the index
		// that restores maintenance goes through…
		set_price(BTC, usd(58_500), PriceStatus::Fresh);
		assert_ok!(apply(&sell_to(BOB, ONE_BTC / 4, 58_400)));
		let health = Margin::account_health(ALICE, 0).unwrap();
		assert!(!health.liquidatable, "restored: {health:?}");
		// …one deep below it that sinks the ratio does not: at $57,000, equity $350 against
		// $1,282.50 (0.27); a quarter more sold at $56,000 leaves $100 against $855 (0.12).
		set_price(BTC, usd(57_000), PriceStatus::Fresh);
		let before = Margin::account_health(ALICE, 0).unwrap();
		assert_eq!((before.equity, before.maintenance_requirement), (350 * USDC as i128, 1_282_500_000));
		assert_noop!(apply(&sell_to(BOB, ONE_BTC / 4, 56_000)), Error::<Test>::MaintenanceWorsened);
		// The liquidated taker of a close is bounded by the close, not by this rule.
		assert_ok!(Margin::apply_close_fill(&sell_to(BOB, ONE_BTC / 4, 56_000)).map(|_| ()).map_err(|r| r.error));
	});
}

#[test]
fn a_close_fill_still_checks_its_maker() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long(3_000);
		fund(&sub(CAROL, 0), 100 * USDC);
		// Carol cannot carry the long she would buy.
		let refusal = Margin::apply_close_fill(&sell_to(CAROL, ONE_BTC / 2, 60_000)).unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Maker, Error::<Test>::InitialMarginBreached.into()));
		// Nor may a maker that reduces be sunk into negative equity by a close.
		let short = Fill { taker: sub(BOB, 0), maker: sub(ALICE, 0), ..sell_to(BOB, ONE_BTC, 54_000) };
		let refusal = Margin::apply_close_fill(&Fill { taker_side: Side::Buy, ..short }).unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Maker, Error::<Test>::NegativeEquity.into()));
		assert_eq!(Positions::<Test>::get(sub(ALICE, 0), BTC_USD).map(|p| p.size), Some(ONE_BTC as i128));
	});
}

#[test]
fn a_maker_adding_risk_at_a_stale_price_is_refused_as_the_maker_not_the_reducing_taker() {
	ExtBuilder::default().build_and_execute(|| {
		alice_long(10_000);
		fund(&sub(CAROL, 0), 100_000 * USDC);
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		// Alice reduces; Carol, the maker, would open a long: hers is the refusal.
		let refusal = Margin::apply_fill(&sell_to(CAROL, ONE_BTC / 2, 60_000)).unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Maker, Error::<Test>::NoFreshPrice.into()));
		// A taker that adds risk is the one refused, whatever the maker does.
		let refusal = Margin::apply_fill(&Fill {
			taker: sub(CAROL, 0),
			maker: sub(ALICE, 0),
			taker_side: Side::Buy,
			..sell_to(CAROL, ONE_BTC / 2, 60_000)
		})
		.unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Taker, Error::<Test>::NoFreshPrice.into()));
		// Reducing against a reducing maker needs no fresh price.
		assert_ok!(apply(&sell_to(BOB, ONE_BTC / 2, 60_000)));
	});
}

#[test]
fn a_market_needs_a_price_band_above_zero_and_below_one_hundred_percent() {
	ExtBuilder::default().build_and_execute(|| {
		for band in [sp_runtime::Permill::zero(), sp_runtime::Permill::one()] {
			let config = crate::MarketConfig { price_band: band, ..btc_usd() };
			assert_noop!(
				Margin::create_market(RuntimeOrigin::root(), 7, config),
				Error::<Test>::InvalidPriceBand
			);
			assert_noop!(
				Margin::update_market(RuntimeOrigin::root(), BTC_USD, config),
				Error::<Test>::InvalidPriceBand
			);
		}
		let rules = Margin::market_rules(BTC_USD).unwrap();
		assert!(rules.in_band(usd(66_000)) && !rules.in_band(usd(66_001)));
	});
}

#[test]
fn a_sale_below_the_index_counts_collateral_at_fresh_prices_only() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice's $3,100 of USDC plus other collateral worth $10,000 at its last price, which
		// is stale: worth nothing for handing value to the other side.
		alice_long(3_100);
		set_other_collateral(&sub(ALICE, 0), 0, 10_000 * USDC as i128);
		// Selling at $54,000 loses $6,000: covered only by the unconfirmed collateral.
		assert_noop!(apply(&sell_to(BOB, ONE_BTC, 54_000)), Error::<Test>::NegativeEquity);
		// At the index nothing is handed over: the last prices count, and she may reduce.
		assert_ok!(apply(&sell_to(BOB, ONE_BTC / 2, 60_000)));
		// With the collateral's price confirmed, the sale below the index is hers to make.
		set_other_collateral(&sub(ALICE, 0), 10_000 * USDC as i128, 10_000 * USDC as i128);
		assert_ok!(apply(&sell_to(BOB, ONE_BTC / 2, 54_000)));
	});
}

#[test]
fn a_maker_without_room_for_the_position_is_refused_as_the_maker() {
	ExtBuilder::default().build_and_execute(|| {
		// Carol holds ETH-USD, an isolated market, in her subaccount 0.
		fund(&sub(CAROL, 0), 100_000 * USDC);
		fund(&sub(BOB, 1), 100_000 * USDC);
		let eth = Fill {
			market: ETH_USD,
			taker: sub(CAROL, 0),
			maker: sub(BOB, 1),
			taker_side: Side::Buy,
			price: usd(3_000),
			size: 10u128.pow(18),
		};
		assert_ok!(apply(&eth));
		// Her bid for Alice's BTC cannot join it there: hers is the refusal, so a book that
		// meets it cancels her order and goes on; Alice's sale (or a liquidation's close) is
		// not failed by it (attack 8).
		alice_long(10_000);
		let refusal = Margin::apply_fill(&sell_to(CAROL, ONE_BTC / 10, 60_000)).unwrap_err();
		assert_eq!((refusal.party, refusal.error), (FillParty::Maker, Error::<Test>::IsolatedMarket.into()));
		let refusal = Margin::apply_close_fill(&sell_to(CAROL, ONE_BTC / 10, 60_000)).unwrap_err();
		assert_eq!(refusal.party, FillParty::Maker);
	});
}
