use crate::{mock::*, runtime_api::AssetCollateral, Error};
use clearing_primitives::{
	collateral::{CollateralLedger, Valuation},
	oracle::PriceStatus,
	Price,
};
use frame_support::{assert_noop, assert_ok};

fn value(owner: AccountId, number: u16, valuation: Valuation) -> i128 {
	<Vaults as CollateralLedger<AccountId>>::collateral_value(&sub(owner, number), valuation)
		.expect("no overflow")
}

#[test]
fn collateral_is_valued_with_haircuts_at_oracle_prices() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 1_000 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 100 * CLR_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT / 2));
		// $1,000 + 100 × $2 × 0.8 + 0.5 × $60,000 × 0.9 = $1,000 + $160 + $27,000.
		assert_eq!(value(ALICE, 0, Valuation::Opening), (28_160 * USDC_UNIT) as i128);
		assert_eq!(value(ALICE, 0, Valuation::Maintenance), (28_160 * USDC_UNIT) as i128);
		assert_eq!(value(ALICE, 1, Valuation::Opening), 0);
	});
}

/// The margin engine's cheap first look: the settlement balance's value alone, never more
/// than the whole value, negative while it owes.
#[test]
fn the_settlement_value_is_the_settlement_balance_alone_and_a_lower_bound() {
	ExtBuilder::default().build_and_execute(|| {
		let settlement_value = |number| {
			<Vaults as CollateralLedger<AccountId>>::settlement_value(&sub(ALICE, number), Valuation::Opening)
				.expect("no overflow")
		};
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 1_000 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 100 * CLR_UNIT));
		assert_eq!(settlement_value(0), (1_000 * USDC_UNIT) as i128);
		assert!(settlement_value(0) <= value(ALICE, 0, Valuation::Opening));
		// CLR alone: nothing in USDC.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 1, CLR, 100 * CLR_UNIT));
		assert_eq!(settlement_value(1), 0);
		// Owing USDC: the debt, below the whole value.
		assert_ok!(<Vaults as CollateralLedger<AccountId>>::move_settlement(&sub(ALICE, 1), &sub(BOB, 0), 50 * USDC_UNIT));
		assert_eq!(settlement_value(1), -((50 * USDC_UNIT) as i128));
		assert_eq!(value(ALICE, 1, Valuation::Opening), (110 * USDC_UNIT) as i128);
	});
}

#[test]
fn stale_or_flagged_prices_count_zero_for_opening_risk_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 1_000 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT));
		set_price(BTC, Price::from_u32(60_000), PriceStatus::Stale);
		assert_eq!(value(ALICE, 0, Valuation::Opening), (1_000 * USDC_UNIT) as i128);
		assert_eq!(value(ALICE, 0, Valuation::Maintenance), (55_000 * USDC_UNIT) as i128);
		set_price(BTC, Price::from_u32(50_000), PriceStatus::Flagged);
		assert_eq!(value(ALICE, 0, Valuation::Opening), (1_000 * USDC_UNIT) as i128);
		assert_eq!(value(ALICE, 0, Valuation::Maintenance), (46_000 * USDC_UNIT) as i128);
	});
}

#[test]
fn the_runtime_api_view_lists_amounts_and_values() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 2, USDC, 10 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 2, CLR, 5 * CLR_UNIT));
		let view = Vaults::subaccount_view(ALICE, 2);
		let mut assets = view.assets.clone();
		assets.sort_by_key(|a| a.asset);
		assert_eq!(
			assets,
			vec![
				AssetCollateral {
					asset: CLR,
					amount: (5 * CLR_UNIT) as i128,
					value: (8 * USDC_UNIT) as i128,
					haircut: Vaults::haircut_of(CLR, 5 * CLR_UNIT),
				},
				AssetCollateral {
					asset: USDC,
					amount: (10 * USDC_UNIT) as i128,
					value: (10 * USDC_UNIT) as i128,
					haircut: Vaults::haircut_of(USDC, 10 * USDC_UNIT),
				},
			]
		);
		assert_eq!(view.total_value, (18 * USDC_UNIT) as i128);
		// No curve: each at its registered haircut.
		assert_eq!(assets[0].haircut.map(|c| (c.haircut, c.binding)), Some((sp_runtime::Permill::from_percent(20), crate::HaircutTerm::Floor)));
	});
}

#[test]
fn settlement_moves_between_subaccounts_and_out_and_in() {
	ExtBuilder::default().build_and_execute(|| {
		type Ledger = Vaults;
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 100 * USDC_UNIT));
		// PnL: Alice's subaccount pays Bob's.
		assert_ok!(<Ledger as CollateralLedger<_>>::move_settlement(&sub(ALICE, 0), &sub(BOB, 0), 30 * USDC_UNIT));
		assert_eq!(<Ledger as CollateralLedger<_>>::settlement_balance(&sub(BOB, 0)), 30 * USDC_UNIT as i128);
		// A fee leaves the vault to an outside account.
		let before = balance(USDC, ISSUER);
		assert_ok!(<Ledger as CollateralLedger<_>>::pay_out(&sub(BOB, 0), &ISSUER, 5 * USDC_UNIT));
		assert_eq!(balance(USDC, ISSUER), before + 5 * USDC_UNIT);
		// A backstop pays into a subaccount.
		assert_ok!(<Ledger as CollateralLedger<_>>::pay_in(&BOB, &sub(ALICE, 0), 7 * USDC_UNIT));
		assert_eq!(<Ledger as CollateralLedger<_>>::settlement_balance(&sub(ALICE, 0)), 77 * USDC_UNIT as i128);
	});
}

#[test]
fn the_margin_engine_may_run_a_settlement_debt_that_counts_against_equity() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 10 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT));
		// Buying on margin: Alice's subaccount pays 60 USDC it does not hold.
		assert_ok!(<Vaults as CollateralLedger<_>>::move_settlement(&sub(ALICE, 0), &sub(BOB, 0), 60 * USDC_UNIT));
		assert_eq!(<Vaults as CollateralLedger<_>>::settlement_balance(&sub(ALICE, 0)), -50 * USDC_UNIT as i128);
		// $54,000 of BTC after its haircut, less the $50 owed.
		assert_eq!(value(ALICE, 0, Valuation::Opening), (54_000 * USDC_UNIT - 50 * USDC_UNIT) as i128);
		// A trader cannot withdraw into debt, nor move a debt's worth away.
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(ALICE), 0, USDC, USDC_UNIT),
			Error::<Test>::InsufficientCollateral
		);
		assert_noop!(
			Vaults::transfer(RuntimeOrigin::signed(ALICE), 0, 1, USDC, USDC_UNIT),
			Error::<Test>::InsufficientCollateral
		);
		// Bob's 60 are real tokens he can take out: Alice's 10 and his own 50 pay them.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(BOB), 0, USDC, 50 * USDC_UNIT));
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(BOB), 0, USDC, 60 * USDC_UNIT));
		// A deposit pays the debt down first.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 80 * USDC_UNIT));
		assert_eq!(<Vaults as CollateralLedger<_>>::settlement_balance(&sub(ALICE, 0)), 30 * USDC_UNIT as i128);
	});
}

#[test]
fn a_failing_ledger_movement_leaves_nothing_half_written() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 10 * USDC_UNIT));
		// The payer of a backstop lacks the funds: no credit appears.
		assert!(<Vaults as CollateralLedger<_>>::pay_in(&ISSUER, &sub(ALICE, 0), 5 * USDC_UNIT).is_err());
		assert_eq!(<Vaults as CollateralLedger<_>>::settlement_balance(&sub(ALICE, 0)), 10 * USDC_UNIT as i128);
		// A fee the vault cannot pay (more than every holding together) moves nothing.
		assert_noop!(
			<Vaults as CollateralLedger<_>>::pay_out(&sub(ALICE, 0), &ISSUER, 11 * USDC_UNIT),
			Error::<Test>::InsufficientCollateral
		);
	});
}

/// Attack 1 (walk away from debt): a debt must stay findable whatever the subaccount holds.
#[test]
fn every_settlement_debt_is_listed_and_leaves_the_list_when_paid() {
	use crate::Debtors;
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 100 * USDC_UNIT));
		// A loss of $150 against $100: Alice owes $50.
		assert_ok!(<Vaults as CollateralLedger<_>>::move_settlement(&sub(ALICE, 0), &sub(BOB, 0), 150 * USDC_UNIT));
		assert!(Debtors::<Test>::contains_key(sub(ALICE, 0)));
		assert!(!Debtors::<Test>::contains_key(sub(BOB, 0)));
		assert_eq!(<Vaults as CollateralLedger<_>>::debtors(None, 10), (vec![sub(ALICE, 0)], None));
		// Deeper in debt: still listed once.
		assert_ok!(<Vaults as CollateralLedger<_>>::move_settlement(&sub(ALICE, 0), &sub(BOB, 0), USDC_UNIT));
		assert_eq!(Debtors::<Test>::iter_keys().count(), 1);
		// A deposit pays the debt down; once it is paid, she is off the list.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 50 * USDC_UNIT));
		assert!(Debtors::<Test>::contains_key(sub(ALICE, 0)));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, USDC_UNIT));
		assert!(!Debtors::<Test>::contains_key(sub(ALICE, 0)));
		assert_eq!(Vaults::collateral_of(&sub(ALICE, 0), USDC), 0);
	});
}

#[test]
fn the_debtor_list_is_read_in_slices_from_a_cursor() {
	ExtBuilder::default().build_and_execute(|| {
		for number in 0..5 {
			assert_ok!(<Vaults as CollateralLedger<_>>::move_settlement(&sub(ALICE, number), &sub(BOB, 0), USDC_UNIT));
		}
		let (first, cursor) = <Vaults as CollateralLedger<_>>::debtors(None, 3);
		assert_eq!(first.len(), 3);
		let (rest, end) = <Vaults as CollateralLedger<_>>::debtors(cursor, 3);
		assert_eq!((rest.len(), end), (2, None));
		let mut all: Vec<_> = first.into_iter().chain(rest).collect();
		all.sort();
		assert_eq!(all, (0..5).map(|n| sub(ALICE, n)).collect::<Vec<_>>());
	});
}

#[test]
fn seizing_moves_every_holding_but_the_settlement_asset_and_reports_its_value() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 10 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 100 * CLR_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT / 10));
		let totals = (crate::TotalCollateral::<Test>::get(CLR), crate::TotalCollateral::<Test>::get(BTC));
		assert_eq!(<Vaults as CollateralLedger<_>>::collateral_assets(&sub(ALICE, 0)).len(), 2);
		// 100 × $2 × 0.8 + 0.1 × $60,000 × 0.9 = $160 + $5,400.
		let seized = <Vaults as CollateralLedger<_>>::seize_collateral(&sub(ALICE, 0), &sub(BOB, 7), Valuation::Maintenance);
		assert_eq!(seized, Ok(5_560 * USDC_UNIT));
		assert_eq!(Vaults::collateral_of(&sub(ALICE, 0), CLR), 0);
		assert_eq!(Vaults::collateral_of(&sub(BOB, 7), BTC), (BTC_UNIT / 10) as i128);
		assert_eq!(Vaults::collateral_of(&sub(ALICE, 0), USDC), (10 * USDC_UNIT) as i128);
		assert!(<Vaults as CollateralLedger<_>>::collateral_assets(&sub(ALICE, 0)).is_empty());
		// Tokens stay in the vault: the totals do not move.
		assert_eq!((crate::TotalCollateral::<Test>::get(CLR), crate::TotalCollateral::<Test>::get(BTC)), totals);
	});
}
