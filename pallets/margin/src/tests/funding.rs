use super::trade;
use crate::{mock::*, Event, MarketStates, Positions};
use clearing_primitives::{margin::Side, oracle::PriceStatus};
use frame_support::assert_ok;
use sp_runtime::{traits::Zero, FixedI128, FixedPointNumber};

fn open_one_btc() {
	fund(&sub(ALICE, 0), 10_000 * USDC);
	fund(&sub(BOB, 0), 10_000 * USDC);
	assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
}

#[test]
fn with_no_book_funding_is_the_interest_and_longs_pay_shorts() {
	ExtBuilder::default().build_and_execute(|| {
		open_one_btc();
		run_to_block(9);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).funding_index, FixedI128::zero());
		run_to_block(10);
		// 10 ppm of $60,000 = $0.60 per BTC.
		let index = FixedI128::saturating_from_rational(6, 10);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).funding_index, index);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).next_funding_at, 20);
		let alice = Margin::position_views(ALICE, 0);
		assert_eq!(alice[0].unsettled_funding, -600_000);
		assert_eq!(Margin::position_views(BOB, 0)[0].unsettled_funding, 600_000);
		// The next fill settles it, through the pool, exactly.
		let (a, b) = (settlement(&sub(ALICE, 0)), settlement(&sub(BOB, 0)));
		assert_ok!(trade(Side::Sell, ONE_BTC / 2, 60_000));
		assert_eq!(settlement(&sub(ALICE, 0)), a - 600_000 + 30_000 * USDC as i128);
		assert_eq!(settlement(&sub(BOB, 0)), b + 600_000 - 30_000 * USDC as i128);
		assert_eq!(settlement(&Margin::funding_pool()), 0);
		assert_eq!(Positions::<Test>::get(sub(ALICE, 0), BTC_USD).unwrap().funding_index, index);
		assert!(margin_events().iter().any(|e| matches!(e, Event::FundingSettled { amount: -600_000, .. })));
	});
}

#[test]
fn the_book_premium_moves_funding_up_to_the_cap() {
	ExtBuilder::default().build_and_execute(|| {
		open_one_btc();
		// The book trades 2% above the index: capped at 1% per interval → $600 per BTC.
		set_impact_mid(Some(usd(61_200)));
		run_to_block(10);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).funding_index, FixedI128::saturating_from_integer(600));
		// The book 0.5% below: the mean premium plus interest, −0.499%: shorts pay.
		set_impact_mid(Some(usd(59_700)));
		run_to_block(20);
		let step = MarketStates::<Test>::get(BTC_USD).funding_index - FixedI128::saturating_from_integer(600);
		assert_eq!(step, FixedI128::saturating_from_rational(-2_994, 10));
		assert_eq!(MarketStates::<Test>::get(BTC_USD).premium_samples, 0);
	});
}

#[test]
fn no_funding_moves_without_a_fresh_index_price() {
	ExtBuilder::default().build_and_execute(|| {
		open_one_btc();
		set_price(BTC, usd(60_000), PriceStatus::Stale);
		run_to_block(30);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).funding_index, FixedI128::zero());
	});
}

/// Attack 9 (steer a price the chain reads): a premium seen in a block or two of the
/// interval (a book pushed for a moment) does not set the rate; the interest alone does.
#[test]
fn a_premium_sampled_in_too_few_of_the_intervals_blocks_does_not_count() {
	ExtBuilder::default().build_and_execute(|| {
		open_one_btc();
		run_to_block(8);
		// The book trades 2% above the index in blocks 9 and 10 only: 2 of 10, under half.
		set_impact_mid(Some(usd(61_200)));
		run_to_block(10);
		assert_eq!(MarketStates::<Test>::get(BTC_USD).funding_index, FixedI128::saturating_from_rational(6, 10));
		// Sampled through most of the next interval, it counts (capped at 1%).
		run_to_block(20);
		let step = MarketStates::<Test>::get(BTC_USD).funding_index - FixedI128::saturating_from_rational(6, 10);
		assert_eq!(step, FixedI128::saturating_from_integer(600));
	});
}
