//! Deleveraging when the fund cannot cover: profitable opposite positions, best ranked
//! (profit × leverage) first, at the bankruptcy price; anything else is refused by name.

use super::*;
use crate::{Error, Event};
use clearing_primitives::collateral::CollateralLedger;
use frame_support::{assert_noop, assert_ok, BoundedVec};

/// Alice long 1 BTC ($3,000): half from Carol (a $2,000 short, highly levered), half from
/// Bob ($1,000,000, who is also short another 0.5 to Dave). BTC then falls to $56,000:
/// Alice is $1,000 bankrupt and the fund holds $500.
fn scenario() {
	fund(&sub(ALICE, 0), 3_000 * USDC);
	fund(&sub(CAROL, 0), 2_000 * USDC);
	fund(&sub(BOB, 0), 1_000_000 * USDC);
	fund(&sub(DAVE, 0), 10_000 * USDC);
	for (taker, maker) in [(ALICE, CAROL), (ALICE, BOB), (DAVE, BOB)] {
		assert_ok!(Margin::apply_fill(&Fill {
			market: BTC_USD,
			taker: sub(taker, 0),
			maker: sub(maker, 0),
			taker_side: Side::Buy,
			price: usd(60_000),
			size: ONE_BTC / 2,
		})
		.map_err(|r| r.error));
	}
	seed_fund(500 * USDC);
	btc_at(56_000);
}

fn liquidate_with(counterparties: Vec<AccountId>) -> sp_runtime::DispatchResult {
	keeper_liquidate(&sub(ALICE, 0), counterparties.into_iter().map(|c| sub(c, 0)).collect())
		.map(|_| ())
		.map_err(|e| e.error)
}

#[test]
fn the_best_ranked_counterparty_absorbs_first_at_the_bankruptcy_price() {
	ExtBuilder::default().build_and_execute(|| {
		scenario();
		let carol = Liquidation::rank(&sub(CAROL, 0), BTC_USD).unwrap();
		let bob = Liquidation::rank(&sub(BOB, 0), BTC_USD).unwrap();
		assert!(carol > bob, "Carol's levered profit ranks above Bob's");
		// Offered Bob first, the chain still goes to Carol first.
		assert_ok!(liquidate_with(vec![BOB, CAROL]));
		let deleveraged: Vec<_> = liquidation_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::Deleveraged { counterparty, size, cash, .. } => Some((counterparty.owner, size, cash)),
				_ => None,
			})
			.collect();
		// $56,000 + $1,000 of loss: $57,000 for the whole BTC, split by size.
		let half = 28_500 * USDC as i128;
		assert_eq!(deleveraged, vec![(CAROL, ONE_BTC / 2, half), (BOB, ONE_BTC / 2, half)]);
		assert_eq!((position(ALICE), settlement(&sub(ALICE, 0))), (0, 0));
		assert_eq!(position(CAROL), 0);
		assert_eq!(position(BOB), -(ONE_BTC as i128) / 2);
		// Carol closed her short at $57,000: $2,000 + $30,000 − $28,500.
		assert_eq!(settlement(&sub(CAROL, 0)), 3_500 * USDC as i128);
		assert_eq!(fund_balance(), 500 * USDC, "the fund was not touched");
	});
}

#[test]
fn without_enough_counterparties_the_call_fails_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		scenario();
		assert_noop!(liquidate_with(vec![]), Error::<Test>::InsufficientCounterparties);
		// Carol alone holds only half.
		assert_noop!(liquidate_with(vec![CAROL]), Error::<Test>::InsufficientCounterparties);
	});
}

#[test]
fn only_distinct_profitable_opposite_positions_may_be_offered() {
	ExtBuilder::default().build_and_execute(|| {
		scenario();
		// Dave is long like Alice; Alice is herself; Carol twice.
		for offered in [vec![DAVE], vec![ALICE], vec![CAROL, CAROL], vec![KEEPER]] {
			assert_noop!(liquidate_with(offered), Error::<Test>::InvalidCounterparty);
		}
		// A short opened lower is losing at $56,000: not in profit, not eligible.
		btc_at(54_000);
		fund(&sub(KEEPER, 0), 10_000 * USDC);
		assert_ok!(Margin::apply_fill(&Fill {
			market: BTC_USD,
			taker: sub(KEEPER, 0),
			maker: sub(DAVE, 0),
			taker_side: Side::Sell,
			price: usd(54_000),
			size: ONE_BTC / 10,
		})
		.map_err(|r| r.error));
		btc_at(56_000);
		assert_eq!(Liquidation::rank(&sub(KEEPER, 0), BTC_USD), None);
		assert_noop!(liquidate_with(vec![KEEPER, CAROL, BOB]), Error::<Test>::InvalidCounterparty);
	});
}

#[test]
fn a_signed_caller_cannot_choose_who_is_deleveraged() {
	ExtBuilder::default().build_and_execute(|| {
		scenario();
		// The keeper's call with a signer is refused before anything runs…
		let offered: BoundedVec<_, _> = vec![sub(CAROL, 0), sub(BOB, 0)].try_into().unwrap();
		assert_noop!(
			Liquidation::keeper_liquidate(RuntimeOrigin::signed(KEEPER), sub(ALICE, 0), offered.clone(), proof_of(&sub(ALICE, 0), &offered))
				.map_err(|e| e.error),
			sp_runtime::DispatchError::BadOrigin
		);
		// …and a signed `liquidate` names nobody: it gets as far as the fund, which cannot
		// cover.
		assert_noop!(liquidate(&sub(ALICE, 0)), Error::<Test>::InsufficientCounterparties);
	});
}

/// The fund answers for the loss the backstop already carries: a balance that covers a
/// bankruptcy on its own, but not on top of that loss, deleverages instead of piling more
/// risk on a fund worth less than the loss.
#[test]
fn the_backstop_takes_a_bankruptcy_only_while_the_funds_value_covers_it() {
	ExtBuilder::default().build_and_execute(|| {
		scenario();
		// $1,500 in the fund against Alice's $1,000 loss…
		seed_fund(1_000 * USDC);
		assert_eq!(fund_balance(), 1_500 * USDC);
		// …but the backstop owes $800 already: the fund is worth $700.
		assert_ok!(<Test as pallet_margin::Config>::Ledger::move_settlement(
			&Liquidation::backstop(),
			&sub(DAVE, 0),
			800 * USDC,
		));
		assert_ok!(liquidate_with(vec![BOB, CAROL]));
		let events = liquidation_events();
		assert!(!events.iter().any(|e| matches!(e, Event::TakenByBackstop { .. })));
		assert!(events.iter().any(|e| matches!(e, Event::Deleveraged { .. })));
		assert_eq!(position(ALICE), 0);
		assert_eq!(fund_balance(), 1_500 * USDC, "the fund was not touched");
	});
}
