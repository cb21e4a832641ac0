//! Dynamic haircuts against the whole runtime (the `dev` genesis: CLR's curve, 25% floor,
//! 12% per unit of realized volatility up to 50%, depth 250,000 CLR at size factor 50%).
//! ATTACKS: 1 (collateral never backs more than its haircut in force: a withdrawal the old
//! haircut allowed is refused in the block the volatility rises), 13 (no realized volatility
//! kept: the floor).

mod common;

use clearing_primitives::{haircut::HaircutTerm, margin::Side, CLR_ASSET_ID};
use clearing_runtime::{Runtime, RuntimeCall};
use common::*;
use pallet_orderbook::OrderKind;
use sp_keyring::Sr25519Keyring;
use sp_runtime::Permill;

type Vaults = pallet_vaults::Pallet<Runtime>;

/// Sets CLR's realized volatility to `percent` a year, as the oracle keeps it: the variance
/// per sampling interval.
fn set_clr_volatility(percent: u128) {
	let per_year = 31_557_600_000u128 / u128::from(<Runtime as pallet_oracle::Config>::VolatilitySampleMs::get());
	let variance = percent * percent * 100_000_000_000_000 / per_year;
	let kept = pallet_oracle::RealizedVolatilities::<Runtime>::get(CLR_ASSET_ID).expect("CLR is sampled");
	pallet_oracle::RealizedVolatilities::<Runtime>::insert(CLR_ASSET_ID, pallet_oracle::RealizedVolatility { variance, ..kept });
}

fn withdraw_clr(amount: u128) -> RuntimeCall {
	RuntimeCall::Vaults(pallet_vaults::Call::withdraw { subaccount: 0, asset: CLR_ASSET_ID, amount })
}

#[test]
fn a_large_clr_deposit_counts_for_less_per_unit_than_a_small_one() {
	run(|| {
		set_clr_volatility(0);
		let small = trader("small CLR holder", 0);
		deposit(&small, 0, CLR_ASSET_ID, 1_000 * CLR);
		let whale = trader("CLR whale", 0);
		send(&dev(Sr25519Keyring::Bob), pallet_balances::Call::transfer_keep_alive { dest: whale.clone().into(), value: 800_000 * CLR })
			.expect("Bob has CLR");
		deposit(&whale, 0, CLR_ASSET_ID, 800_000 * CLR);

		// 1,000 CLR at $1: the 25% floor, $750.
		let view = Vaults::subaccount_view(small.clone(), 0);
		assert_eq!(view.assets[0].haircut.map(|c| c.binding), Some(HaircutTerm::Floor));
		assert_eq!(health(&small, 0).equity, 750_000_000);
		// 800,000 CLR: 1.1 / (1 + 0.5 × √3.2) = 58.07%, so each counts for about $0.58.
		let cut = Vaults::subaccount_view(whale.clone(), 0).assets[0].haircut.expect("CLR is collateral");
		assert_eq!(cut.binding, HaircutTerm::Size);
		assert_eq!(cut.size_weight, Permill::from_parts(580_650));
		assert_eq!(health(&whale, 0).equity, 464_520_000_000);
		next_block();
	});
}

#[test]
fn a_volatility_spike_cuts_clr_and_a_withdrawal_the_old_haircut_allowed_is_refused() {
	run(|| {
		set_clr_volatility(0);
		let mm = trader("market maker", 200_000);
		deposit(&mm, 0, clearing_primitives::USDC_ASSET_ID, 100_000 * USDC);
		// Mallory backs a 0.1 BTC long with 9,000 CLR alone ($6,750 at the floor).
		let mallory = trader("mallory", 0);
		deposit(&mallory, 0, CLR_ASSET_ID, 9_000 * CLR);
		send(&mm, order(BTC_USD, Side::Sell, usd(60_000), ONE_BTC / 10, OrderKind::Limit)).unwrap();
		send(&mallory, order(BTC_USD, Side::Buy, usd(60_000), ONE_BTC / 10, OrderKind::ImmediateOrCancel)).unwrap();
		let before = health(&mallory, 0);
		// What her CLR must cover: the initial requirement and her fee debt (equity less the CLR).
		let clr_value =
			Vaults::value_of(&sub(&mallory, 0), CLR_ASSET_ID, (9_000 * CLR) as i128, clearing_primitives::collateral::Valuation::Opening)
				.expect("valued") as u128;
		let needed = before.initial_requirement + clr_value - before.equity as u128;
		// Keep 10% more than the floor says is enough: 0.75 × kept = 1.1 × needed.
		let kept = needed * 11 * CLR / 10 * 100 / 75 / 1_000_000;
		// CLR's realized volatility jumps to 400%: 48% cut. The same withdrawal is refused.
		set_clr_volatility(400);
		let cut = Vaults::haircut_of(CLR_ASSET_ID, kept).expect("collateral");
		assert_eq!((cut.haircut, cut.binding), (Permill::from_percent(48), HaircutTerm::Volatility));
		assert!(health(&mallory, 0).equity < before.equity);
		assert_eq!(
			error_of(send(&mallory, withdraw_clr(9_000 * CLR - kept))),
			pallet_vaults::Error::<Runtime>::WouldBreachMargin.into()
		);
		// At the floor it would have gone.
		set_clr_volatility(0);
		send(&mallory, withdraw_clr(9_000 * CLR - kept)).expect("the floor leaves room");
		assert!(health(&mallory, 0).free_collateral >= 0);
		next_block();
	});
}
