use super::{apply, trade};
use crate::{mock::*, Error, Event, MarketStates, PositionCount, Positions};
use clearing_primitives::{
	margin::{Fill, Side},
	oracle::PriceStatus,
};
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_fill_moves_the_cash_and_opens_both_positions() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		let total = total_settlement();
		// Alice buys 0.1 BTC at $60,000 from Bob: $6,000 changes hands.
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		assert_eq!(settlement(&sub(ALICE, 0)), 4_000 * USDC as i128);
		assert_eq!(settlement(&sub(BOB, 0)), 16_000 * USDC as i128);
		assert_eq!(total_settlement(), total);
		let alice = Positions::<Test>::get(sub(ALICE, 0), BTC_USD).unwrap();
		let bob = Positions::<Test>::get(sub(BOB, 0), BTC_USD).unwrap();
		assert_eq!((alice.size, alice.cost_basis), (ONE_BTC as i128 / 10, 6_000 * USDC as i128));
		assert_eq!((bob.size, bob.cost_basis), (-(ONE_BTC as i128) / 10, -(6_000 * USDC as i128)));
		assert_eq!(MarketStates::<Test>::get(BTC_USD).open_interest, ONE_BTC / 10);
		assert!(margin_events().iter().any(|e| matches!(e, Event::FillApplied { size, .. } if *size == ONE_BTC / 10)));
	});
}

#[test]
fn buying_on_margin_runs_a_settlement_debt_within_the_initial_requirement() {
	ExtBuilder::default().build_and_execute(|| {
		// $3,000 carries 1 BTC at 5% initial margin ($3,000) exactly.
		fund(&sub(ALICE, 0), 3_000 * USDC);
		fund(&sub(BOB, 0), 3_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_eq!(settlement(&sub(ALICE, 0)), -57_000 * USDC as i128);
		// One step more is beyond it, for either side that adds risk.
		assert_noop!(trade(Side::Buy, ONE_BTC / 1_000, 60_000), Error::<Test>::InitialMarginBreached);
	});
}

#[test]
fn reducing_risk_is_always_allowed_even_below_the_requirement() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 3_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		// BTC falls: Alice is below initial, and may only reduce.
		set_price(BTC, usd(59_000), PriceStatus::Fresh);
		assert_noop!(trade(Side::Buy, ONE_BTC / 1_000, 59_000), Error::<Test>::InitialMarginBreached);
		assert_ok!(trade(Side::Sell, ONE_BTC / 2, 59_000));
		let alice = Positions::<Test>::get(sub(ALICE, 0), BTC_USD).unwrap();
		assert_eq!((alice.size, alice.cost_basis), (ONE_BTC as i128 / 2, 30_000 * USDC as i128));
		// Closing entirely removes the position and frees the count.
		assert_ok!(trade(Side::Sell, ONE_BTC / 2, 59_000));
		assert_eq!(Positions::<Test>::get(sub(ALICE, 0), BTC_USD), None);
		assert_eq!(PositionCount::<Test>::get(sub(ALICE, 0)), 0);
		// Realized: −$1,000 on the whole BTC.
		assert_eq!(settlement(&sub(ALICE, 0)), 2_000 * USDC as i128);
	});
}

#[test]
fn fills_are_checked_against_the_market_rules() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000_000 * USDC);
		fund(&sub(BOB, 0), 1_000_000 * USDC);
		assert_noop!(trade(Side::Buy, ONE_BTC / 10_000, 60_000), Error::<Test>::SizeOffStep);
		assert_noop!(trade(Side::Buy, 0, 60_000), Error::<Test>::SizeOffStep);
		let half_dollar = Fill {
			market: BTC_USD,
			taker: sub(ALICE, 0),
			maker: sub(BOB, 0),
			taker_side: Side::Buy,
			price: sp_runtime::FixedU128::from_rational(120_001, 2),
			size: ONE_BTC,
		};
		assert_noop!(apply(&half_dollar), Error::<Test>::PriceOffTick);
		let to_self = Fill { maker: sub(ALICE, 0), price: usd(60_000), ..half_dollar.clone() };
		assert_noop!(apply(&to_self), Error::<Test>::SelfTrade);
		let nowhere = Fill { market: 9, price: usd(60_000), ..half_dollar };
		assert_noop!(apply(&nowhere), Error::<Test>::MarketNotFound);
		// The open-interest cap: 30 BTC.
		assert_ok!(trade(Side::Buy, 15 * ONE_BTC, 60_000));
		assert_noop!(trade(Side::Buy, 16 * ONE_BTC, 60_000), Error::<Test>::OpenInterestCapReached);
	});
}

#[test]
fn no_risk_is_added_at_a_stale_or_flagged_price() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		assert_noop!(trade(Side::Buy, ONE_BTC, 60_000), Error::<Test>::NoFreshPrice);
		set_price(BTC, usd(60_000), PriceStatus::Flagged);
		assert_noop!(trade(Side::Buy, ONE_BTC, 60_000), Error::<Test>::NoFreshPrice);
	});
}

#[test]
fn positions_are_bounded_and_isolated_markets_stand_alone() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 1_000_000 * USDC);
		fund(&sub(BOB, 0), 1_000_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		let eth = Fill {
			market: ETH_USD,
			taker: sub(ALICE, 0),
			maker: sub(BOB, 1),
			taker_side: Side::Buy,
			price: usd(3_000),
			size: 10u128.pow(18),
		};
		fund(&sub(BOB, 1), 1_000_000 * USDC);
		// ETH-USD is isolated: not beside BTC-USD in subaccount 0…
		assert_noop!(apply(&eth), Error::<Test>::IsolatedMarket);
		// …but alone in subaccount 1 it trades, and then nothing joins it there.
		fund(&sub(ALICE, 1), 1_000_000 * USDC);
		assert_ok!(apply(&Fill { taker: sub(ALICE, 1), ..eth.clone() }));
		assert_noop!(
			apply(&Fill {
				market: BTC_USD,
				taker: sub(ALICE, 1),
				maker: sub(BOB, 0),
				taker_side: Side::Buy,
				price: usd(60_000),
				size: ONE_BTC,
			}),
			Error::<Test>::IsolatedMarket
		);
	});
}

#[test]
fn a_refusal_names_the_side_below_its_requirement() {
	use clearing_primitives::margin::{FillParty, MarginEngine};
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 1_000 * USDC);
		// Bob (the maker) cannot carry a 1 BTC short with $1,000.
		let refusal = Margin::apply_fill(&Fill {
			market: BTC_USD,
			taker: sub(ALICE, 0),
			maker: sub(BOB, 0),
			taker_side: Side::Buy,
			price: usd(60_000),
			size: ONE_BTC,
		})
		.unwrap_err();
		assert_eq!(refusal.party, FillParty::Maker);
		assert_eq!(refusal.error, Error::<Test>::InitialMarginBreached.into());
		// Nothing moved.
		assert_eq!(settlement(&sub(ALICE, 0)), 100_000 * USDC as i128);
		assert_eq!(Positions::<Test>::get(sub(BOB, 0), BTC_USD), None);
	});
}

#[test]
fn a_fill_reports_the_weight_of_the_positions_it_touched_not_the_bound() {
	use crate::weights::WeightInfo;
	use frame_support::weights::Weight;
	use clearing_primitives::margin::MarginEngine;
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		let fill = Fill {
			market: BTC_USD,
			taker: sub(ALICE, 0),
			maker: sub(BOB, 0),
			taker_side: Side::Buy,
			price: usd(60_000),
			size: ONE_BTC / 10,
		};
		// One position a side after the fill: weighed as two (one it may have closed), each
		// of its four health readings at the costliest mix of legs.
		let used = Margin::apply_fill(&fill).expect("applies");
		// Either margin mode: perpetuals, series, or one series beside perpetuals.
		let dearest = |perpetuals: fn(u32) -> Weight, series: fn(u32) -> Weight| {
			let mixed = series(1).saturating_add(perpetuals(2)).saturating_sub(perpetuals(1));
			perpetuals(2).max(series(2)).max(mixed)
		};
		let standard = dearest(<() as WeightInfo>::check_initial_margin, <() as WeightInfo>::check_initial_margin_series);
		// A portfolio of two legs: both as series legs, and the mock's two perpetuals at most.
		let portfolio = <() as WeightInfo>::check_initial_margin_portfolio_series(2).saturating_add(
			<() as WeightInfo>::check_initial_margin_portfolio(2)
				.saturating_sub(<() as WeightInfo>::check_initial_margin_portfolio(0)),
		);
		let surplus = standard.max(portfolio).saturating_sub(<() as WeightInfo>::check_initial_margin(2));
		assert_eq!(used, <() as WeightInfo>::apply_fill(2).saturating_add(surplus.saturating_mul(4)));
		// The mock's bound is three positions a side: a fill over fewer never weighs more.
		assert!(used.ref_time() < Margin::apply_fill_weight().ref_time());
	});
}

#[test]
fn a_health_reading_is_charged_for_its_dearest_mix_of_legs() {
	use crate::weights::WeightInfo;
	ExtBuilder::default().build_and_execute(|| {
		let perpetual = |p| <() as WeightInfo>::check_initial_margin(p);
		let series = |p| <() as WeightInfo>::check_initial_margin_series(p);
		for positions in 1..=16u32 {
			let charged = Margin::health_weight(positions);
			// Every mix of k series legs beside positions − k perpetuals: the series reading
			// of k legs plus the perpetual legs beyond it.
			for k in 0..=positions {
				let mix = if k == 0 {
					perpetual(positions)
				} else {
					series(k).saturating_add(perpetual(positions)).saturating_sub(perpetual(k))
				};
				assert!(mix.all_lte(charged), "{k} of {positions} series legs: {mix:?} over {charged:?}");
			}
			// Never less for more positions.
			if positions > 1 {
				assert!(Margin::health_weight(positions - 1).all_lte(charged));
			}
		}
	});
}

#[test]
fn the_bound_charges_a_portfolio_reading_at_its_own_bound() {
	use crate::weights::WeightInfo;
	use frame_support::traits::Get;
	ExtBuilder::default().build_and_execute(|| {
		// `MaxPositions` stands for any subaccount: a portfolio one holds up to
		// `MaxPortfolioPositions` (3 on the mock) on two underlyings, two perpetuals at most.
		let bound = <Test as crate::Config>::MaxPositions::get();
		let legs = <Test as crate::Config>::MaxPortfolioPositions::get();
		let portfolio = <() as WeightInfo>::check_initial_margin_portfolio_series(legs).saturating_add(
			<() as WeightInfo>::check_initial_margin_portfolio(2)
				.saturating_sub(<() as WeightInfo>::check_initial_margin_portfolio(0)),
		);
		assert!(portfolio.all_lte(Margin::health_weight(bound)));
		// Below the bound, a reading of that many positions: the portfolio one of as many.
		let two = <() as WeightInfo>::check_initial_margin_portfolio_series(2).saturating_add(
			<() as WeightInfo>::check_initial_margin_portfolio(2)
				.saturating_sub(<() as WeightInfo>::check_initial_margin_portfolio(0)),
		);
		assert!(two.all_lte(Margin::health_weight(2)));
	});
}
