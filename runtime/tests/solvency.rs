//! The solvency attacks against the whole runtime (every pallet real, the `dev` genesis):
//! each is written as the attacker would run it, and each is refused by name or ends with
//! nobody in unpayable debt and nothing taken from anyone else.

mod common;

use clearing_primitives::{margin::Side, BTC_ASSET_ID, CLR_ASSET_ID, USDC_ASSET_ID};
use clearing_runtime::{Runtime, RuntimeCall, RuntimeOrigin};
use common::*;
use pallet_orderbook::OrderKind;
use sp_keyring::Sr25519Keyring;

fn withdraw(asset: u32, amount: u128) -> RuntimeCall {
	RuntimeCall::Vaults(pallet_vaults::Call::withdraw { subaccount: 0, asset, amount })
}

/// A market maker with $100,000 in its subaccount 0.
fn market_maker() -> clearing_runtime::AccountId {
	let mm = trader("market maker", 200_000);
	deposit(&mm, 0, USDC_ASSET_ID, 100_000 * USDC);
	mm
}

/// Mallory long 1 BTC, bought at $60,000 from the market maker on $3,100, and her accomplice
/// (her other account) with $10,000: returns (market maker, Mallory, accomplice).
fn mallory_long_with_an_accomplice() -> (clearing_runtime::AccountId, clearing_runtime::AccountId, clearing_runtime::AccountId) {
	let mm = market_maker();
	let mallory = trader("mallory", 4_000);
	deposit(&mallory, 0, USDC_ASSET_ID, 3_100 * USDC);
	let accomplice = trader("mallory's other account", 20_000);
	deposit(&accomplice, 0, USDC_ASSET_ID, 10_000 * USDC);
	send(&mm, order(BTC_USD, Side::Sell, usd(60_000), ONE_BTC, OrderKind::Limit)).unwrap();
	send(&mallory, order(BTC_USD, Side::Buy, usd(60_000), ONE_BTC, OrderKind::ImmediateOrCancel)).unwrap();
	assert_eq!(position(&mallory, 0, BTC_USD), ONE_BTC as i128);
	(mm, mallory, accomplice)
}

/// A thin 1 BTC long bought at $60,000 from the market maker; BTC falls to $58,300: below
/// maintenance ($1,370 against $1,749), still solvent, and no bid in the book, so the keeper's
/// liquidation hands the long to the backstop at the bankruptcy price, $56,930. Returns the
/// market maker and the backstop.
fn thin_long_taken_by_the_backstop() -> (clearing_runtime::AccountId, pallet_margin::SubaccountOf<Runtime>) {
	let mm = market_maker();
	let trader = trader("thin long", 4_000);
	deposit(&trader, 0, USDC_ASSET_ID, 3_100 * USDC);
	send(&mm, order(BTC_USD, Side::Sell, usd(60_000), ONE_BTC, OrderKind::Limit)).unwrap();
	send(&trader, order(BTC_USD, Side::Buy, usd(60_000), ONE_BTC, OrderKind::ImmediateOrCancel)).unwrap();
	move_price(BTC_ASSET_ID, usd(58_300));
	assert!(health(&trader, 0).liquidatable);
	let keeper = dev(Sr25519Keyring::Charlie);
	send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&trader, 0) }).expect("liquidated");
	let backstop = pallet_liquidation::Pallet::<Runtime>::backstop();
	assert_eq!(position(&backstop.owner, 0, BTC_USD), ONE_BTC as i128);
	(mm, backstop)
}

#[test]
fn a_debtor_with_no_position_cannot_take_its_clr_out_and_is_liquidated_when_clr_falls() {
	run(|| {
		let mm = market_maker();
		// Mallory: $100 and 1,000 CLR ($750 after the 25% haircut).
		let mallory = trader("mallory", 1_000);
		deposit(&mallory, 0, USDC_ASSET_ID, 100 * USDC);
		deposit(&mallory, 0, CLR_ASSET_ID, 1_000 * CLR);
		// She buys 0.1 BTC at $60,000, BTC falls to $56,000, she sells: flat, owing USDC.
		send(&mm, order(BTC_USD, Side::Sell, usd(60_000), ONE_BTC / 10, OrderKind::Limit)).unwrap();
		send(&mallory, order(BTC_USD, Side::Buy, usd(60_000), ONE_BTC / 10, OrderKind::ImmediateOrCancel)).unwrap();
		move_price(BTC_ASSET_ID, usd(56_000));
		send(&mm, order(BTC_USD, Side::Buy, usd(56_000), ONE_BTC / 10, OrderKind::Limit)).unwrap();
		send(&mallory, order(BTC_USD, Side::Sell, usd(56_000), ONE_BTC / 10, OrderKind::ImmediateOrCancel)).unwrap();
		assert_eq!(position(&mallory, 0, BTC_USD), 0);
		// −$400 of loss and $5.80 of taker fees, against $100.
		assert_eq!(usdc_in(&mallory, 0), -305_800_000);

		// The attack: take the CLR out and leave the debt to the other depositors.
		assert_eq!(
			error_of(send(&mallory, withdraw(CLR_ASSET_ID, 1_000 * CLR))),
			pallet_vaults::Error::<Runtime>::WouldBreachMargin.into()
		);
		// What the debt does not need may go: 600 CLR ($450) stay against $305.80…
		send(&mallory, withdraw(CLR_ASSET_ID, 400 * CLR)).expect("the excess over the debt");
		// …but not down to 400 CLR ($300).
		assert_eq!(
			error_of(send(&mallory, withdraw(CLR_ASSET_ID, 200 * CLR))),
			pallet_vaults::Error::<Runtime>::WouldBreachMargin.into()
		);

		// CLR falls to $0.60: her 600 CLR count for $270, less than she owes.
		let staker = dev(Sr25519Keyring::Bob);
		send(&staker, pallet_insurance::Call::stake { amount: 10_000 * USDC }).expect("Bob stakes");
		let fund_before = pallet_insurance::FundBalance::<Runtime>::get();
		let mm_before = usdc_in(&mm, 0);
		move_price(CLR_ASSET_ID, cents(60));
		assert!(health(&mallory, 0).liquidatable);
		let keeper = dev(Sr25519Keyring::Charlie);
		send(&keeper, pallet_liquidation::Call::liquidate { subaccount: sub(&mallory, 0) })
			.expect("anyone may liquidate a debtor");
		// She owes and holds nothing; the backstop holds her CLR; the fund paid the debt; the
		// market maker lost nothing.
		assert_eq!(usdc_in(&mallory, 0), 0);
		assert_eq!(pallet_vaults::Pallet::<Runtime>::collateral_of(&sub(&mallory, 0), CLR_ASSET_ID), 0);
		let backstop = pallet_liquidation::Pallet::<Runtime>::backstop();
		assert_eq!(pallet_vaults::Pallet::<Runtime>::collateral_of(&backstop, CLR_ASSET_ID), (600 * CLR) as i128);
		assert_eq!(pallet_insurance::FundBalance::<Runtime>::get(), fund_before - 305_800_000);
		assert_eq!(usdc_in(&mm, 0), mm_before);
		next_block();
	});
}

#[test]
fn selling_a_long_into_an_own_bid_far_below_the_index_is_refused_by_name() {
	run(|| {
		let (_, mallory, accomplice) = mallory_long_with_an_accomplice();

		// A $1 bid for the whole BTC: refused before it rests.
		assert_eq!(
			error_of(send(&accomplice, order(BTC_USD, Side::Buy, usd(1), ONE_BTC, OrderKind::Limit))),
			pallet_orderbook::Error::<Runtime>::PriceOutsideBand.into()
		);
		// At the band's edge ($54,000) it rests, but selling into it would leave Mallory
		// $2,900 short: refused, and nothing moves.
		send(&accomplice, order(BTC_USD, Side::Buy, usd(54_000), ONE_BTC, OrderKind::Limit)).unwrap();
		let sell = order(BTC_USD, Side::Sell, usd(54_000), ONE_BTC, OrderKind::ImmediateOrCancel);
		assert_eq!(error_of(send(&mallory, sell)), pallet_margin::Error::<Runtime>::NegativeEquity.into());
		assert_eq!(position(&mallory, 0, BTC_USD), ONE_BTC as i128);
		assert_eq!(position(&accomplice, 0, BTC_USD), 0);
		next_block();
	});
}

#[test]
fn in_a_reduce_only_market_both_sides_of_a_fill_are_still_checked() {
	run(|| {
		// Mallory long 1 BTC, her accomplice short 1 BTC, both against the market maker.
		let (mm, mallory, accomplice) = mallory_long_with_an_accomplice();
		send(&mm, order(BTC_USD, Side::Buy, usd(60_000), ONE_BTC, OrderKind::Limit)).unwrap();
		send(&accomplice, order(BTC_USD, Side::Sell, usd(60_000), ONE_BTC, OrderKind::ImmediateOrCancel)).unwrap();
		dispatch(
			RuntimeOrigin::root(),
			RuntimeCall::Margin(pallet_margin::Call::set_market_status {
				market: BTC_USD,
				status: pallet_margin::MarketStatus::ReduceOnly,
			}),
		)
		.unwrap();
		// Both only reduce: the accomplice's reduce-only bid rests, and Mallory's sale into
		// it, $6,000 under the index, is refused.
		let bid = RuntimeCall::Orderbook(pallet_orderbook::Call::place_order {
			subaccount: 0,
			market: BTC_USD,
			side: Side::Buy,
			price: usd(54_000),
			size: ONE_BTC,
			kind: OrderKind::Limit,
			reduce_only: true,
		});
		send(&accomplice, bid).unwrap();
		let sell = RuntimeCall::Orderbook(pallet_orderbook::Call::place_order {
			subaccount: 0,
			market: BTC_USD,
			side: Side::Sell,
			price: usd(54_000),
			size: ONE_BTC,
			kind: OrderKind::ImmediateOrCancel,
			reduce_only: true,
		});
		assert_eq!(error_of(send(&mallory, sell)), pallet_margin::Error::<Runtime>::NegativeEquity.into());
		assert_eq!(position(&mallory, 0, BTC_USD), ONE_BTC as i128);
		next_block();
	});
}

/// Attack 5 (hide a loss): a position the backstop took over loses value; the fund's value,
/// which stakes and unstakes are priced at, shows it at once.
#[test]
fn a_loss_building_in_the_backstop_is_in_the_funds_value() {
	run(|| {
		let staker = dev(Sr25519Keyring::Bob);
		send(&staker, pallet_insurance::Call::stake { amount: 10_000 * USDC }).expect("Bob stakes");
		thin_long_taken_by_the_backstop();
		// Taken at the $58,300 mark less the 1.5% penalty ($874.50): a gain at the mark the
		// fund does not count until it is realized.
		let fund = pallet_insurance::Pallet::<Runtime>::fund_info();
		assert_eq!((fund.backstop_equity, fund.value), (874_500_000, fund.balance));
		// BTC falls on to $55,000: the backstop's long, bought at $57,425.50, is $2,425.50
		// under, and so is the fund.
		move_price(BTC_ASSET_ID, usd(55_000));
		let fund = pallet_insurance::Pallet::<Runtime>::fund_info();
		assert_eq!(fund.backstop_equity, -2_425_500_000);
		assert_eq!(fund.value, fund.balance - 2_425_500_000);
		let bob = pallet_insurance::Pallet::<Runtime>::staker_info(staker);
		assert!(bob.value < 10_000 * USDC, "Bob's shares carry the loss: {}", bob.value);
		next_block();
	});
}

#[test]
fn the_backstop_unwinds_what_it_took_over_into_the_book() {
	run(|| {
		let (mm, backstop) = thin_long_taken_by_the_backstop();
		// A bid 1% under the mark is beyond the unwind's 0.5%: the block ends, nothing moves.
		send(&mm, order(BTC_USD, Side::Buy, usd(57_717), ONE_BTC, OrderKind::Limit)).unwrap();
		next_block();
		assert_eq!(position(&backstop.owner, 0, BTC_USD), ONE_BTC as i128);
		// One 0.3% under is inside: the backstop sells into it as the block ends, realizing
		// its gain (taken over at $57,425.50, sold at $58,125) for the fund.
		send(&mm, order(BTC_USD, Side::Buy, usd(58_125), ONE_BTC, OrderKind::Limit)).unwrap();
		let fund_before = pallet_insurance::Pallet::<Runtime>::fund_info();
		next_block();
		assert_eq!(position(&backstop.owner, 0, BTC_USD), 0);
		assert_eq!(position(&mm, 0, BTC_USD), 0);
		let fund = pallet_insurance::Pallet::<Runtime>::fund_info();
		// The fund gained its share of the fill's fees; the backstop's gain is its own USDC.
		assert!(fund.balance > fund_before.balance);
		assert!(fund.backstop_equity > 0, "the gain is the backstop's USDC now: {}", fund.backstop_equity);
		next_block();
	});
}
