//! Forced transfers (liquidation's backstop and deleveraging): any cash, no margin check,
//! open interest and funding kept right.

use super::trade;
use crate::{mock::*, Error, Event, MarketStates, Pallet, PositionCount, Positions};
use clearing_primitives::{
	margin::Side,
	oracle::PriceStatus,
	positions::{ForcedTransfer, HeldPosition, MarginAccounts},
};
use frame_support::{assert_noop, assert_ok};

const CAROL: AccountId = 3;

#[test]
fn a_long_moves_to_the_receiver_who_pays_the_set_cash_with_no_margin_check() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 3_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		set_price(BTC, usd(57_000), PriceStatus::Fresh);
		let total = total_settlement();
		// Carol has nothing, yet takes the whole long for $57,000 (she goes into debt).
		assert_ok!(Pallet::<Test>::force_transfer(
			BTC_USD,
			&sub(ALICE, 0),
			&sub(CAROL, 0),
			ONE_BTC,
			57_000 * USDC as i128
		));
		assert_eq!(Positions::<Test>::get(sub(ALICE, 0), BTC_USD), None);
		assert_eq!(PositionCount::<Test>::get(sub(ALICE, 0)), 0);
		let carol = Positions::<Test>::get(sub(CAROL, 0), BTC_USD).unwrap();
		assert_eq!((carol.size, carol.cost_basis), (ONE_BTC as i128, 57_000 * USDC as i128));
		assert_eq!(settlement(&sub(ALICE, 0)), 0);
		assert_eq!(settlement(&sub(CAROL, 0)), -57_000 * USDC as i128);
		assert_eq!(total_settlement(), total);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).open_interest, ONE_BTC);
		assert!(margin_events().contains(&Event::PositionTransferred {
			market: BTC_USD,
			from: sub(ALICE, 0),
			to: sub(CAROL, 0),
			size: ONE_BTC,
			cash: 57_000 * USDC as i128,
		}));
	});
}

#[test]
fn a_short_is_bought_back_by_closing_the_receivers_long_and_open_interest_falls() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 3_000 * USDC);
		// Alice long 1 BTC, Bob short 1 BTC.
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		// Bob's short half goes to Alice (deleveraging her long) for $63,000 paid by Bob:
		// cash −$31,500 from Alice's point of view as payer.
		assert_ok!(Pallet::<Test>::force_transfer(
			BTC_USD,
			&sub(BOB, 0),
			&sub(ALICE, 0),
			ONE_BTC / 2,
			-(31_500 * USDC as i128)
		));
		assert_eq!(Positions::<Test>::get(sub(BOB, 0), BTC_USD).unwrap().size, -(ONE_BTC as i128) / 2);
		assert_eq!(Positions::<Test>::get(sub(ALICE, 0), BTC_USD).unwrap().size, ONE_BTC as i128 / 2);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).open_interest, ONE_BTC / 2);
		// Alice sold half her long for $31,500: 40,000 + 31,500.
		assert_eq!(settlement(&sub(ALICE, 0)), 71_500 * USDC as i128);
		assert_eq!(settlement(&sub(BOB, 0)), 31_500 * USDC as i128);
	});
}

#[test]
fn only_a_held_size_moves_and_never_to_the_same_subaccount() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 10_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		let transfer = |size, to| {
			Pallet::<Test>::force_transfer(BTC_USD, &sub(ALICE, 0), &to, size, 0)
		};
		assert_noop!(transfer(ONE_BTC, sub(CAROL, 0)), Error::<Test>::NoSuchPosition);
		assert_noop!(transfer(0, sub(CAROL, 0)), Error::<Test>::NoSuchPosition);
		assert_noop!(transfer(ONE_BTC / 10, sub(ALICE, 0)), Error::<Test>::SelfTrade);
		assert_noop!(
			Pallet::<Test>::force_transfer(9, &sub(ALICE, 0), &sub(CAROL, 0), 1, 0),
			Error::<Test>::MarketNotFound
		);
	});
}

#[test]
fn positions_carry_their_signed_value_and_maintenance_at_the_last_mark() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		// A stale price still marks for liquidation (the last price, whatever its status).
		set_price(BTC, usd(50_000), PriceStatus::Stale);
		let alice = Pallet::<Test>::positions_by_value(&sub(ALICE, 0)).unwrap();
		let bob = Pallet::<Test>::positions_by_value(&sub(BOB, 0)).unwrap();
		// Each carries 3% of its notional at the last mark as maintenance.
		let figures = |held: &Vec<HeldPosition>| held.iter().map(|p| (p.market, p.value, p.maintenance)).collect::<Vec<_>>();
		assert_eq!(figures(&alice), vec![(BTC_USD, 5_000 * USDC as i128, 150 * USDC)]);
		assert_eq!(figures(&bob), vec![(BTC_USD, -5_000 * USDC as i128, 150 * USDC)]);
		assert!(Pallet::<Test>::positions_by_value(&sub(CAROL, 0)).unwrap().is_empty());
	});
}

#[test]
fn the_backstop_takes_positions_in_every_market_an_isolated_one_beside_the_others() {
	ExtBuilder::default().build_and_execute(|| {
		super::two_more_markets();
		fund(&sub(BOB, 0), 1_000_000 * USDC);
		// Alice holds the three BTC-like markets (MaxPositions) in subaccount 0 and the
		// isolated ETH-USD alone in subaccount 1; all four go to the backstop.
		fund(&sub(ALICE, 0), 1_000_000 * USDC);
		fund(&sub(ALICE, 1), 1_000_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		for market in [2, 3] {
			assert_ok!(super::apply(&clearing_primitives::margin::Fill {
				market,
				taker: sub(ALICE, 0),
				maker: sub(BOB, 0),
				taker_side: Side::Buy,
				price: usd(100),
				size: ONE_BTC,
			}));
		}
		fund(&sub(BOB, 1), 1_000_000 * USDC);
		assert_ok!(super::apply(&clearing_primitives::margin::Fill {
			market: ETH_USD,
			taker: sub(ALICE, 1),
			maker: sub(BOB, 1),
			taker_side: Side::Buy,
			price: usd(3_000),
			size: 10u128.pow(18),
		}));
		let backstop = sub(BACKSTOP, 0);
		for market in [BTC_USD, 2, 3] {
			assert_ok!(Pallet::<Test>::force_transfer(market, &sub(ALICE, 0), &backstop, 1_000_000, 0));
		}
		assert_ok!(Pallet::<Test>::force_transfer(ETH_USD, &sub(ALICE, 1), &backstop, 10u128.pow(15), 0));
		assert_eq!(PositionCount::<Test>::get(&backstop), 4);
		// Anyone else is still bounded: Carol cannot take a fourth market, nor the isolated
		// one beside another.
		for market in [BTC_USD, 2, 3] {
			assert_ok!(Pallet::<Test>::force_transfer(market, &sub(ALICE, 0), &sub(CAROL, 0), 1_000_000, 0));
		}
		assert_noop!(
			Pallet::<Test>::force_transfer(ETH_USD, &sub(ALICE, 1), &sub(CAROL, 0), 10u128.pow(15), 0),
			Error::<Test>::TooManyPositions
		);
	});
}

#[test]
fn the_holders_scan_pages_every_subaccount_once_and_resumes_from_its_cursor() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice long, Bob short, Carol long (half of Alice's): three holders.
		fund(&sub(ALICE, 0), 10_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_ok!(Pallet::<Test>::force_transfer(BTC_USD, &sub(ALICE, 0), &sub(CAROL, 0), ONE_BTC / 2, 0));
		let first = <Pallet<Test> as MarginAccounts<_>>::holders(None, 2);
		assert_eq!(first.holders.len(), 2);
		let next = first.next.clone().expect("a third holder is left");
		let second = <Pallet<Test> as MarginAccounts<_>>::holders(Some(next), 2);
		assert_eq!(second.holders.len(), 1);
		assert!(second.next.is_none(), "the second page reached the end");
		let mut seen: Vec<_> = first.holders.iter().chain(&second.holders).map(|(s, n)| (s.clone(), *n)).collect();
		seen.sort();
		let mut expected: Vec<_> = PositionCount::<Test>::iter().collect();
		expected.sort();
		assert_eq!(seen, expected);
		// A scan from a holder's cursor starts just after it.
		let (last, _) = first.holders.last().cloned().expect("two holders");
		let after = <Pallet<Test> as MarginAccounts<_>>::holders(Some(Pallet::<Test>::cursor_after(&last)), 10);
		assert_eq!(after.holders, second.holders);
		// A page exactly as long as what is left says so.
		assert!(<Pallet<Test> as MarginAccounts<_>>::holders(None, 3).next.is_none());
	});
}
