//! Haircut curves: root sets them within bounds, and a holding is valued at the haircut in
//! force. ATTACKS: 1 (a holding never counts for more than its haircut in force, whichever
//! way it was built up: split over subaccounts, its opening value is weighed at the owner's
//! total; a seizure is valued the same way), 4 (every rounding cuts more),
//! 13 (no realized volatility: the floor still holds), 17 (root only; bounds), 18 (the
//! largest holding is a named outcome, not a panic).

use crate::{mock::*, Error, Event, HaircutCurve, HaircutCurves, HaircutTerm};
use clearing_primitives::{
	collateral::{CollateralLedger, Valuation},
	Price,
};
use clearing_test_utils::set_realized_volatility;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};

fn pct(p: u32) -> Permill {
	Permill::from_percent(p)
}

/// Depth 100 CLR, size factor 50%: 900 CLR (√9 = 3) are weighted 1.1 / 2.5 = 44%.
fn clr_curve() -> HaircutCurve {
	HaircutCurve {
		volatility_factor: pct(12),
		max_volatility_haircut: pct(50),
		liquidity_depth: 100 * CLR_UNIT,
		size_factor: pct(50),
	}
}

fn with_curve() {
	assert_ok!(Vaults::set_haircut_curve(RuntimeOrigin::root(), CLR, Some(clr_curve())));
}

fn opening_value(owner: AccountId, number: u16) -> i128 {
	Vaults::collateral_value(&sub(owner, number), Valuation::Opening).unwrap()
}

#[test]
fn root_sets_and_removes_a_curve_within_its_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Vaults::set_haircut_curve(RuntimeOrigin::signed(ALICE), CLR, Some(clr_curve())),
			DispatchError::BadOrigin
		);
		assert_noop!(Vaults::set_haircut_curve(RuntimeOrigin::root(), ETH, Some(clr_curve())), Error::<Test>::NotCollateral);
		assert_noop!(
			Vaults::set_haircut_curve(RuntimeOrigin::root(), USDC, Some(clr_curve())),
			Error::<Test>::SettlementAssetCurve
		);
		for bad in [
			HaircutCurve { max_volatility_haircut: pct(91), ..clr_curve() },
			HaircutCurve { liquidity_depth: 0, ..clr_curve() },
		] {
			assert_noop!(Vaults::set_haircut_curve(RuntimeOrigin::root(), CLR, Some(bad)), Error::<Test>::CurveOutOfBounds);
		}
		with_curve();
		assert_eq!(HaircutCurves::<Test>::get(CLR), Some(clr_curve()));
		assert_ok!(Vaults::set_haircut_curve(RuntimeOrigin::root(), CLR, None));
		assert_eq!(HaircutCurves::<Test>::get(CLR), None);
		assert_eq!(
			vault_events(),
			vec![
				Event::HaircutCurveSet { asset: CLR, curve: Some(clr_curve()) },
				Event::HaircutCurveSet { asset: CLR, curve: None },
			]
		);
	});
}

#[test]
fn a_large_holding_counts_for_less_per_unit_and_the_view_says_why() {
	ExtBuilder::default().build_and_execute(|| {
		with_curve();
		// 10 CLR: weight 1.1 / (1 + 0.5 × √0.1) = 95%, so the 20% floor binds: $16.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 10 * CLR_UNIT));
		assert_eq!(opening_value(ALICE, 0), 16_000_000);
		let view = Vaults::subaccount_view(ALICE, 0);
		let cut = view.assets[0].haircut.expect("CLR is collateral");
		assert_eq!((cut.haircut, cut.binding), (pct(20), HaircutTerm::Floor));
		// 900 CLR: weight 44% (a hair less: the root is rounded up), so 900 × $2 × 0.439999.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 890 * CLR_UNIT));
		let cut = Vaults::haircut_of(CLR, 900 * CLR_UNIT).unwrap();
		assert_eq!((cut.binding, cut.size_weight), (HaircutTerm::Size, Permill::from_parts(439_999)));
		assert_eq!(opening_value(ALICE, 0), 791_998_200);
		assert_eq!(Vaults::subaccount_view(ALICE, 0).assets[0].haircut, Some(cut));
		// More CLR never counts for less in all.
		assert!(opening_value(ALICE, 0) > 16_000_000);
	});
}

#[test]
fn realized_volatility_raises_the_haircut_up_to_its_cap_and_its_absence_leaves_the_floor() {
	ExtBuilder::default().build_and_execute(|| {
		with_curve();
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 10 * CLR_UNIT));
		// No realized volatility kept: the floor.
		assert_eq!(Vaults::haircut_of(CLR, 10 * CLR_UNIT).unwrap().realized_volatility, None);
		assert_eq!(opening_value(ALICE, 0), 16_000_000);
		// RV 300%: 36% cut, $12.80.
		set_realized_volatility(CLR, Price::from_u32(3));
		let cut = Vaults::haircut_of(CLR, 10 * CLR_UNIT).unwrap();
		assert_eq!((cut.haircut, cut.binding), (pct(36), HaircutTerm::Volatility));
		assert_eq!(opening_value(ALICE, 0), 12_800_000);
		// RV 1,000%: capped at 50%.
		set_realized_volatility(CLR, Price::from_u32(10));
		assert_eq!(opening_value(ALICE, 0), 10_000_000);
		// Maintenance values the same way, at the last price.
		assert_eq!(Vaults::collateral_value(&sub(ALICE, 0), Valuation::Maintenance), Ok(10_000_000));
		// Without a curve the floor alone applies, whatever the volatility.
		assert_ok!(Vaults::set_haircut_curve(RuntimeOrigin::root(), CLR, None));
		assert_eq!(opening_value(ALICE, 0), 16_000_000);
	});
}

#[test]
fn the_settlement_asset_and_uncurved_assets_keep_their_flat_haircut() {
	ExtBuilder::default().build_and_execute(|| {
		with_curve();
		set_realized_volatility(BTC, Price::from_u32(5));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, BTC, BTC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, USDC, 1_000 * USDC_UNIT));
		// 1 BTC at $60,000 less 10%, and $1,000 at face.
		assert_eq!(opening_value(ALICE, 0), 54_000_000_000 + 1_000_000_000);
		assert_eq!(Vaults::haircut_of(USDC, u128::MAX).unwrap().haircut, Permill::zero());
		assert_eq!(Vaults::haircut_of(ETH, 1), None);
	});
}

#[test]
fn a_seizure_is_valued_at_the_haircut_in_force() {
	ExtBuilder::default().build_and_execute(|| {
		with_curve();
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 900 * CLR_UNIT));
		let seized = Vaults::seize_collateral(&sub(ALICE, 0), &sub(BOB, 9), Valuation::Maintenance).unwrap();
		assert_eq!(seized, 791_998_200);
		assert_eq!(held(&sub(BOB, 9), CLR), 900 * CLR_UNIT);
	});
}

#[test]
fn the_largest_holding_is_valued_without_a_panic() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::set_haircut_curve(
			RuntimeOrigin::root(),
			CLR,
			Some(HaircutCurve { liquidity_depth: 1, ..clr_curve() })
		));
		// u128::MAX smallest units against a depth of one: the ratio is beyond the fixed
		// point, so the holding counts for nothing rather than wrapping.
		assert_eq!(Vaults::haircut_of(CLR, u128::MAX).unwrap().haircut, Permill::one());
		assert_eq!(Vaults::value_of(&sub(ALICE, 0), CLR, i128::MAX, Valuation::Opening), Ok(0));
	});
}

#[test]
fn splitting_a_holding_over_subaccounts_does_not_lighten_its_opening_haircut() {
	ExtBuilder::default().build_and_execute(|| {
		with_curve();
		// 900 CLR in one subaccount: weight 44%.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 900 * CLR_UNIT));
		let whole = opening_value(ALICE, 0);
		assert_eq!(whole, 791_998_200);
		// Moved into nine subaccounts of 100 CLR (each alone 1.1 / 1.5 = 73%, under the floor's
		// 80%): for opening risk each is still weighed at her 900, so together they count the same.
		for number in 1..9 {
			assert_ok!(Vaults::transfer(RuntimeOrigin::signed(ALICE), 0, number, CLR, 100 * CLR_UNIT));
		}
		assert_eq!(crate::OwnerHoldings::<Test>::get(ALICE, CLR), 900 * CLR_UNIT);
		let split: i128 = (0..9).map(|number| opening_value(ALICE, number)).sum();
		assert!(split <= whole, "{split} above {whole}");
		assert_eq!(
			Vaults::subaccount_view(ALICE, 3).assets[0].haircut.map(|c| c.size_weight),
			Some(Permill::from_parts(439_999))
		);
		// For maintenance each holding is weighed alone: a deposit elsewhere never makes a
		// subaccount liquidatable.
		let maintenance = |number| Vaults::collateral_value(&sub(ALICE, number), Valuation::Maintenance).unwrap();
		let before = maintenance(1);
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 9, CLR, 90 * CLR_UNIT));
		assert_eq!(maintenance(1), before);
		// Another owner's holdings are its own.
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(BOB), 0, CLR, 10 * CLR_UNIT));
		assert_eq!(opening_value(BOB, 0), 16_000_000);
		// Withdrawn, the owner's total falls with it (try_state checks the sums after every test).
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(ALICE), 9, CLR, 90 * CLR_UNIT));
		assert_eq!(crate::OwnerHoldings::<Test>::get(ALICE, CLR), 900 * CLR_UNIT);
	});
}

#[test]
fn holdings_stored_before_owner_sums_are_summed_by_the_migration() {
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 0, CLR, 30 * CLR_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 4, CLR, 12 * CLR_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(ALICE), 4, USDC, 5 * USDC_UNIT));
		assert_ok!(Vaults::deposit(RuntimeOrigin::signed(BOB), 0, BTC, BTC_UNIT));
		// As a chain from before the sums holds them: none.
		let _ = crate::OwnerHoldings::<Test>::clear(u32::MAX, None);
		crate::migrations::v1::SumOwnerHoldings::<Test>::on_runtime_upgrade();
		assert_eq!(crate::OwnerHoldings::<Test>::get(ALICE, CLR), 42 * CLR_UNIT);
		assert_eq!(crate::OwnerHoldings::<Test>::get(BOB, BTC), BTC_UNIT);
		// The settlement asset is never summed.
		assert_eq!(crate::OwnerHoldings::<Test>::get(ALICE, USDC), 0);
	});
}
