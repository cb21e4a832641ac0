//! Portfolio margin with perpetuals (`set_margin_mode`, `set_scenario_grid`, the grid in
//! health, `scenarios`). Series legs under portfolio margin are tested in the runtime, where
//! the options pallet caches their vectors.
//!
//! ATTACKS tried here:
//! - 1 (walk away from debt): entering or leaving a mode needs the new mode's initial
//!   requirement at fresh prices, so no switch leaves a subaccount under-margined; a
//!   portfolio subaccount turns liquidatable when a move eats its margin.
//! - 4 (rounding): a leg's loss in a scenario rounds up, its profit down
//!   (`a_perpetual_alone_is_charged_its_worst_move_times_the_factor_plus_contingency`).
//! - 10 (corner a market): the open-interest surcharge of a market's fraction applies under
//!   portfolio margin too.
//! - 16 (storage): the mode is part of the settings, stored only off the default with the
//!   settings deposit.
//! - 17 (governance): grids are set by root only, within hard bounds.
//! - 18 (extreme input): a grid outside its bounds gets a named error, nothing written.
//! - 18 also: `what_if` at the largest size shows nothing and changes nothing.
//! - 12 (one feeder lies): disagreeing feeds raise initial margin only, capped at 10% of the
//!   notional, never maintenance: a lying feeder liquidates nobody.

use super::trade;
use crate::{mock::*, Error, Event, MarginMode, ScenarioGrids, Settings};
use clearing_primitives::{margin::Side, portfolio::ScenarioGrid};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn portfolio(who: AccountId) -> sp_runtime::DispatchResult {
	Margin::set_margin_mode(origin(who), 0, MarginMode::Portfolio)
}

fn health(who: AccountId) -> crate::Health {
	Margin::account_health(who, 0).expect("readable")
}

/// Market 5: a second perpetual on BTC (a hedge can offset the first).
fn second_btc_market() {
	assert_ok!(Margin::create_market(RuntimeOrigin::root(), 5, btc_usd()));
}

#[test]
fn entering_portfolio_margin_needs_the_least_equity() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), MIN_PORTFOLIO_EQUITY - 1);
		assert_noop!(portfolio(ALICE), Error::<Test>::EquityBelowPortfolioMinimum);
		assert_eq!(Margin::settings_of(&sub(ALICE, 0)).mode, MarginMode::Standard);

		fund(&sub(ALICE, 0), 1 + SETTINGS_DEPOSIT);
		assert_ok!(portfolio(ALICE));
		let settings = Margin::settings_of(&sub(ALICE, 0));
		assert_eq!((settings.mode, settings.deposit), (MarginMode::Portfolio, SETTINGS_DEPOSIT));
		assert!(margin_events()
			.contains(&Event::MarginModeSet { subaccount: sub(ALICE, 0), mode: MarginMode::Portfolio }));
		// The same mode again changes nothing.
		assert_ok!(portfolio(ALICE));
		// Back to standard: the default again, stored no more, the deposit released.
		assert_ok!(Margin::set_margin_mode(origin(ALICE), 0, MarginMode::Standard));
		assert!(!Settings::<Test>::contains_key(sub(ALICE, 0)));
	});
}

#[test]
fn a_portfolio_subaccount_is_cross_margined() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(ALICE, 1), 20_000 * USDC);
		assert_ok!(Margin::set_isolated(origin(ALICE), 1, Some(BTC_USD)));
		assert_noop!(
			Margin::set_margin_mode(origin(ALICE), 1, MarginMode::Portfolio),
			Error::<Test>::PortfolioIsCrossMargined
		);
		assert_ok!(portfolio(ALICE));
		assert_noop!(Margin::set_isolated(origin(ALICE), 0, Some(BTC_USD)), Error::<Test>::PortfolioIsCrossMargined);
	});
}

#[test]
fn a_perpetual_alone_is_charged_its_worst_move_times_the_factor_plus_contingency() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_eq!(health(ALICE).initial_requirement, 3_000 * USDC);
		assert_ok!(portfolio(ALICE));
		// The -20% extreme (full weight): $12,000 × 1.25, plus 1% of the $60,000 notional.
		let charged = health(ALICE);
		assert_eq!(charged.initial_requirement, 15_600 * USDC + SETTINGS_DEPOSIT);
		assert_eq!(charged.maintenance_requirement, 12_480 * USDC);
		let view = Margin::scenarios(ALICE, 0).expect("readable");
		let btc = &view.underlyings[0];
		assert_eq!((btc.asset, btc.binding, btc.worst_loss), (BTC, 21, 12_000 * USDC));
		assert_eq!(btc.pnl[0], -9_000 * USDC as i128);
		assert_eq!(btc.pnl[10], 0);
		assert_eq!(btc.pnl[22], 12_000 * USDC as i128);
		// Bob, in standard mode, sees what portfolio margin would charge his short.
		let bob = Margin::scenarios(BOB, 0).expect("readable");
		assert_eq!(bob.mode, MarginMode::Standard);
		assert_eq!(bob.underlyings[0].binding, 22);
		assert_eq!(health(BOB).initial_requirement, 3_000 * USDC);
	});
}

#[test]
fn offsetting_perpetuals_on_one_underlying_pay_only_their_funding_contingency() {
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		hedged_pair(ONE_BTC);
		assert_eq!(health(ALICE).initial_requirement, 6_000 * USDC);
		assert_ok!(portfolio(ALICE));
		// No scenario loses; each market charges its own funding: 1% of each $60,000 leg.
		let view = Margin::scenarios(ALICE, 0).expect("readable");
		assert_eq!(view.underlyings[0].worst_loss, 0);
		let hedged = health(ALICE);
		assert_eq!(hedged.initial_requirement, 1_200 * USDC + SETTINGS_DEPOSIT);
		assert_eq!(hedged.maintenance_requirement, 960 * USDC);
	});
}

/// Alice takes `side` of `size` in `market` from Bob at $60,000.
fn fill_of(market: u32, side: Side, size: u128) -> clearing_primitives::margin::Fill<AccountId> {
	clearing_primitives::margin::Fill {
		market,
		taker: sub(ALICE, 0),
		maker: sub(BOB, 0),
		taker_side: side,
		price: usd(60_000),
		size,
	}
}

/// Alice long `size` BTC on BTC-USD and short as much on market 5, both from Bob at $60,000.
fn hedged_pair(size: u128) {
	assert_ok!(trade(Side::Buy, size, 60_000));
	assert_ok!(super::apply(&fill_of(5, Side::Sell, size)));
}

#[test]
fn taking_off_a_hedge_needs_the_initial_requirement() {
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		fund(&sub(ALICE, 0), 13_100 * USDC);
		fund(&sub(BOB, 0), 40_000 * USDC);
		hedged_pair(ONE_BTC);
		assert_ok!(portfolio(ALICE));
		// Buying back the short leaves a naked long: $12,480 maintenance, which the $13,100 of
		// equity meets, but $15,600 initial, which it does not.
		let buy_back = fill_of(5, Side::Buy, ONE_BTC);
		assert_noop!(super::apply(&buy_back), Error::<Test>::InitialMarginBreached);
		// Both legs together (the book reduced as a whole) go through.
		assert_ok!(super::apply(&clearing_primitives::margin::Fill { size: ONE_BTC / 2, ..buy_back.clone() }).and_then(|_| {
			trade(Side::Sell, ONE_BTC / 2, 60_000)
		}));
	});
}

#[test]
fn a_portfolio_order_sets_aside_what_it_needs_filled_alone() {
	use clearing_primitives::margin::MarginEngine;
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 40_000 * USDC);
		fund(&sub(ALICE, 1), 40_000 * USDC);
		assert_ok!(portfolio(ALICE));
		let (portfolio_margin, _) =
			Margin::reserve_order_margin(&sub(ALICE, 0), BTC_USD, Side::Buy, ONE_BTC, usd(60_000), 0).expect("fits");
		let (standard_margin, _) =
			Margin::reserve_order_margin(&sub(ALICE, 1), BTC_USD, Side::Buy, ONE_BTC, usd(60_000), 0).expect("fits");
		// Filled alone under the grid: $15,600; in standard mode its 5%.
		assert_eq!((portfolio_margin, standard_margin), (15_600 * USDC, 3_000 * USDC));
		// Each filled: neither side's initial requirement is breached by its own order.
		Margin::release_order_margin(&sub(ALICE, 0), portfolio_margin);
		Margin::release_order_margin(&sub(ALICE, 1), standard_margin);
	});
}

#[test]
fn underlyings_never_offset_each_other() {
	ExtBuilder::default().build_and_execute(|| {
		super::two_more_markets();
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		for (market, side) in [(2, Side::Buy), (3, Side::Sell)] {
			assert_ok!(super::apply(&clearing_primitives::margin::Fill { price: usd(100), ..fill_of(market, side, 10 * ONE_BTC) }));
		}
		assert_ok!(portfolio(ALICE));
		// Each underlying alone: 20% of $1,000 × 1.25 + 1% = $260, twice.
		let view = Margin::scenarios(ALICE, 0).expect("readable");
		assert_eq!(view.underlyings.len(), 2);
		assert_eq!(health(ALICE).initial_requirement, 520 * USDC + SETTINGS_DEPOSIT);
	});
}

#[test]
fn leaving_a_mode_needs_the_new_modes_initial_requirement() {
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		fund(&sub(ALICE, 0), 10_100 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		// A hedged pair: standard asks 5% of each leg's $60,000.
		hedged_pair(ONE_BTC);
		assert_ok!(portfolio(ALICE));
		// BTC doubles: the pair's equity holds, standard would ask 5% of $240,000.
		set_price(BTC, usd(120_000), clearing_primitives::oracle::PriceStatus::Fresh);
		assert!(health(ALICE).equity < 12_000 * USDC as i128);
		assert_noop!(
			Margin::set_margin_mode(origin(ALICE), 0, MarginMode::Standard),
			Error::<Test>::InitialMarginBreached
		);
		assert_eq!(Margin::settings_of(&sub(ALICE, 0)).mode, MarginMode::Portfolio);
	});
}

#[test]
fn open_interest_still_raises_a_portfolio_perpetuals_initial_requirement() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 800_000 * USDC);
		fund(&sub(BOB, 0), 800_000 * USDC);
		assert_ok!(portfolio(ALICE));
		// 15 BTC: half way from 10 to 20 BTC of open interest, the 5% fraction is 52.5%.
		assert_ok!(trade(Side::Buy, 15 * ONE_BTC, 60_000));
		let notional = 900_000 * USDC;
		let grid = notional / 5 * 5 / 4 + notional / 100;
		let concentration = Permill::from_parts(475_000).mul_ceil(notional);
		assert_eq!(health(ALICE).initial_requirement, grid + concentration + SETTINGS_DEPOSIT);
	});
}

#[test]
fn a_portfolio_subaccount_turns_liquidatable_when_a_move_eats_its_margin() {
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 16_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(portfolio(ALICE));
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		// At $57,000: equity $13,000, maintenance 0.8 × ($14,250 + $570) = $11,856.
		set_price(BTC, usd(57_000), clearing_primitives::oracle::PriceStatus::Fresh);
		assert!(!health(ALICE).liquidatable);
		// At $55,000: equity $11,000, maintenance 0.8 × ($13,750 + $550) = $11,440.
		set_price(BTC, usd(55_000), clearing_primitives::oracle::PriceStatus::Fresh);
		let after = health(ALICE);
		assert_eq!(after.maintenance_requirement, 11_440 * USDC);
		assert!(after.liquidatable);
	});
}

#[test]
fn grids_are_set_by_root_within_their_bounds_and_apply_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		let half_extremes = ScenarioGrid { extreme_weight: Permill::from_percent(50), ..ScenarioGrid::default() };
		assert_noop!(Margin::set_scenario_grid(origin(ALICE), BTC, half_extremes), DispatchError::BadOrigin);
		let too_small = ScenarioGrid { spot_step: Permill::from_parts(1), ..ScenarioGrid::default() };
		assert_noop!(
			Margin::set_scenario_grid(RuntimeOrigin::root(), BTC, too_small),
			Error::<Test>::InvalidScenarioGrid
		);
		assert!(!ScenarioGrids::<Test>::contains_key(BTC));

		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(portfolio(ALICE));
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_ok!(Margin::set_scenario_grid(RuntimeOrigin::root(), BTC, half_extremes));
		assert!(margin_events().contains(&Event::ScenarioGridSet { asset: BTC, grid: half_extremes }));
		// The -15% core move now binds: $9,000 × 1.25 + $600.
		assert_eq!(health(ALICE).initial_requirement, 11_850 * USDC + SETTINGS_DEPOSIT);
	});
}

#[test]
fn settings_stored_before_margin_modes_migrate_to_standard() {
	use crate::migrations::v2::{AddMarginMode, SettingsV1};
	use codec::Encode;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	ExtBuilder::default().build_and_execute(|| {
		let old = SettingsV1 {
			isolated: Some(BTC_USD),
			leverage: Default::default(),
			deposit: SETTINGS_DEPOSIT,
		};
		let key = Settings::<Test>::hashed_key_for(sub(ALICE, 0));
		frame_support::storage::unhashed::put_raw(&key, &old.encode());
		AddMarginMode::<Test>::on_runtime_upgrade();
		let migrated = Margin::settings_of(&sub(ALICE, 0));
		assert_eq!(migrated.isolated, Some(BTC_USD));
		assert_eq!(migrated.deposit, SETTINGS_DEPOSIT);
		assert_eq!(migrated.mode, MarginMode::Standard);
	});
}

/// An order of `size` in `market` at $60,000, for `what_if`.
fn order(market: u32, side: Side, size: u128) -> crate::HypotheticalOrder {
	crate::HypotheticalOrder { market, side, size, price: usd(60_000) }
}

#[test]
fn what_if_shows_the_health_an_order_would_leave_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 40_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_ok!(portfolio(ALICE));
		let now = health(ALICE);
		// Selling the hedge on market 5 would leave the pair: $1,200 and the deposit.
		let hedged = Margin::what_if(ALICE, 0, order(5, Side::Sell, ONE_BTC)).expect("readable");
		assert_eq!(hedged.initial_requirement, 1_200 * USDC + SETTINGS_DEPOSIT);
		assert_eq!(hedged.equity, now.equity);
		// Nothing moved: the same health, no position in market 5.
		assert_eq!(health(ALICE), now);
		assert!(crate::Positions::<Test>::get(sub(ALICE, 0), 5).is_none());
		// The same fill done for real leaves that health (fees are the order book's).
		assert_ok!(super::apply(&fill_of(5, Side::Sell, ONE_BTC)));
		let after = health(ALICE);
		assert_eq!(after.initial_requirement, hedged.initial_requirement);
		assert_eq!(after, hedged);
		// Refused inputs: no market, no size.
		assert_eq!(Margin::what_if(ALICE, 0, order(9, Side::Buy, ONE_BTC)), None);
		assert_eq!(Margin::what_if(ALICE, 0, order(BTC_USD, Side::Buy, 0)), None);
		// The largest size: no panic, no wrapped figure, nothing shown.
		assert_eq!(Margin::what_if(ALICE, 0, order(BTC_USD, Side::Sell, u128::MAX)), None);
		assert_eq!(health(ALICE), after);
	});
}

#[test]
fn liquidation_reaches_the_legs_that_weigh_on_the_worst_scenario_first_and_hedges_last() {
	use clearing_primitives::positions::MarginAccounts;
	ExtBuilder::default().build_and_execute(|| {
		// Market 5: BTC at 20% / 10%, so a standard reading puts its leg first.
		let strict = crate::MarketConfig {
			initial_margin: Permill::from_percent(20),
			maintenance_margin: Permill::from_percent(10),
			..btc_usd()
		};
		assert_ok!(Margin::create_market(RuntimeOrigin::root(), 5, strict));
		fund(&sub(ALICE, 0), 20_000 * USDC);
		fund(&sub(BOB, 0), 40_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		assert_ok!(super::apply(&fill_of(5, Side::Sell, ONE_BTC / 2)));
		let order = || -> Vec<(u32, u128)> {
			<Margin as MarginAccounts<_>>::positions_by_value(&sub(ALICE, 0))
				.expect("readable")
				.into_iter()
				.map(|held| (held.market, held.maintenance))
				.collect()
		};
		// Standard: the short half (10% of $30,000) before the long (3% of $60,000).
		assert_eq!(order(), vec![(5, 3_000 * USDC), (BTC_USD, 1_800 * USDC)]);
		assert_ok!(portfolio(ALICE));
		// Portfolio: net long half a BTC needs 0.8 × ($7,500 + 1% of $90,000) = $6,720.
		// Without the long the short half alone needs $6,240: the long frees $480. Without
		// the short the long alone needs $12,480: closing the hedge frees nothing, so last.
		// Each keeps what the grid charges it alone, which sizes its close.
		assert_eq!(health(ALICE).maintenance_requirement, 6_720 * USDC);
		assert_eq!(order(), vec![(BTC_USD, 12_480 * USDC), (5, 6_240 * USDC)]);
	});
}

#[test]
fn disagreeing_feeds_raise_initial_margin_until_they_agree() {
	use clearing_test_utils::set_dispersion;
	ExtBuilder::default().build_and_execute(|| {
		fund(&sub(ALICE, 0), 30_000 * USDC);
		fund(&sub(BOB, 0), 20_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC, 60_000));
		let calm = health(ALICE);
		assert_eq!(calm.initial_requirement, 3_000 * USDC);
		// Within the 0.5% threshold: nothing added.
		set_dispersion(BTC, Permill::from_parts(5_000));
		assert_eq!(health(ALICE), calm);
		// 2% apart: 1.5% of $60,000 more to open or withdraw; maintenance unchanged.
		set_dispersion(BTC, Permill::from_percent(2));
		let uncertain = health(ALICE);
		assert_eq!(uncertain.initial_requirement, 3_900 * USDC);
		assert_eq!(uncertain.maintenance_requirement, calm.maintenance_requirement);
		let shown = Margin::market_margin(BTC_USD).expect("listed");
		assert_eq!((shown.dispersion, shown.dispersion_add_on), (Permill::from_percent(2), Permill::from_parts(15_000)));
		assert_eq!(shown.initial_fraction, Permill::from_percent(5));
		// Far apart: at most 10% more.
		set_dispersion(BTC, Permill::from_percent(40));
		assert_eq!(health(ALICE).initial_requirement, 9_000 * USDC);
		// Under portfolio margin too, on top of the grid.
		assert_ok!(portfolio(ALICE));
		assert_eq!(health(ALICE).initial_requirement, 15_600 * USDC + 6_000 * USDC + SETTINGS_DEPOSIT);
		// Agreeing again: back where it was.
		set_dispersion(BTC, Permill::zero());
		assert_eq!(health(ALICE).initial_requirement, 15_600 * USDC + SETTINGS_DEPOSIT);
	});
}

/// Alice's stored portfolio legs: (market, size) ascending by market.
fn legs_of(who: AccountId) -> Vec<(u32, i128)> {
	crate::PortfolioLegs::<Test>::get(sub(who, 0))
		.map(|legs| legs.iter().map(|leg| (leg.market, leg.position.size)).collect())
		.unwrap_or_default()
}

/// Market 2: a perpetual on asset 12 at $100 (BTC-USD's rules).
fn market_on_another_underlying() {
	let config = crate::MarketConfig { base_asset: 12, ..btc_usd() };
	assert_ok!(Margin::create_market(RuntimeOrigin::root(), 2, config));
	clearing_test_utils::set_price(12, usd(100), clearing_primitives::oracle::PriceStatus::Fresh);
}

/// Alice long one BTC of market 2, on asset 12.
fn third_perpetual() -> clearing_primitives::margin::Fill<AccountId> {
	clearing_primitives::margin::Fill { price: usd(100), size: ONE_BTC, ..fill_of(2, Side::Buy, 0) }
}

/// Alice's standard subaccount 1 takes three perpetuals (beyond the mock's two a portfolio
/// holds) from Bob's subaccount 1, both funded.
fn spread_standard_subaccount() {
	fund(&sub(ALICE, 1), 100_000 * USDC);
	fund(&sub(BOB, 1), 100_000 * USDC);
	for fill in [fill_of(BTC_USD, Side::Buy, ONE_BTC / 10), fill_of(5, Side::Sell, ONE_BTC / 10), third_perpetual()] {
		assert_ok!(super::apply(&clearing_primitives::margin::Fill { taker: sub(ALICE, 1), maker: sub(BOB, 1), ..fill }));
	}
}

#[test]
fn a_portfolio_subaccounts_legs_follow_its_positions_in_one_key() {
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		assert!(legs_of(ALICE).is_empty(), "a standard subaccount keeps none");
		assert_ok!(portfolio(ALICE));
		assert_eq!(legs_of(ALICE), vec![(BTC_USD, 10_000_000)]);
		let leg = crate::PortfolioLegs::<Test>::get(sub(ALICE, 0)).unwrap()[0];
		assert_eq!((leg.underlying, leg.series, leg.decimals), (BTC, false, 8));
		// A new leg goes in market order, a fill moves its size, a close takes it out.
		assert_ok!(super::apply(&fill_of(5, Side::Sell, ONE_BTC / 20)));
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		assert_eq!(legs_of(ALICE), vec![(BTC_USD, 20_000_000), (5, -5_000_000)]);
		assert_ok!(super::apply(&fill_of(5, Side::Buy, ONE_BTC / 20)));
		assert_eq!(legs_of(ALICE), vec![(BTC_USD, 20_000_000)]);
		// Funding settled on a fill is kept in the leg too (`try_state` compares them).
		run_to_block(12);
		assert_ok!(trade(Side::Sell, ONE_BTC / 10, 60_000));
		assert_eq!(crate::PortfolioLegs::<Test>::get(sub(ALICE, 0)).unwrap()[0].position, crate::Positions::<Test>::get(sub(ALICE, 0), BTC_USD).unwrap());
		// Back to standard: the legs go.
		assert_ok!(Margin::set_margin_mode(origin(ALICE), 0, MarginMode::Standard));
		assert!(crate::PortfolioLegs::<Test>::get(sub(ALICE, 0)).is_none());
	});
}

#[test]
fn a_portfolio_stays_within_its_underlyings_and_perpetuals_and_takes_no_isolated_market() {
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		market_on_another_underlying();
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(portfolio(ALICE));
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		assert_ok!(super::apply(&fill_of(5, Side::Sell, ONE_BTC / 10)));
		// The mock's `MaxPortfolioUnderlyings` is 2: a third perpetual is refused, on another
		// underlying as on BTC, and nothing changes.
		assert_noop!(super::apply(&third_perpetual()), Error::<Test>::PortfolioTooSpread);
		assert_eq!(legs_of(ALICE).len(), 2);
		// An isolated-only market is never a portfolio leg.
		let eth = clearing_primitives::margin::Fill { price: usd(3_000), size: 10u128.pow(18), ..fill_of(ETH_USD, Side::Buy, 0) };
		assert_noop!(super::apply(&eth), Error::<Test>::PortfolioTooSpread);
		// The same rules keep a spread standard subaccount out of portfolio margin.
		spread_standard_subaccount();
		assert_noop!(
			Margin::set_margin_mode(origin(ALICE), 1, MarginMode::Portfolio),
			Error::<Test>::PortfolioTooSpread
		);
	});
}

#[test]
fn portfolio_subaccounts_from_before_their_legs_get_them_or_go_back_to_standard() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	ExtBuilder::default().build_and_execute(|| {
		second_btc_market();
		market_on_another_underlying();
		fund(&sub(ALICE, 0), 100_000 * USDC);
		fund(&sub(BOB, 0), 100_000 * USDC);
		assert_ok!(portfolio(ALICE));
		assert_ok!(trade(Side::Buy, ONE_BTC / 10, 60_000));
		assert_ok!(super::apply(&fill_of(5, Side::Sell, ONE_BTC / 20)));
		let kept = crate::PortfolioLegs::<Test>::get(sub(ALICE, 0)).expect("legs");
		// Alice's subaccount 1 holds three perpetuals in standard margin; as a v2 chain could
		// leave it, its settings say portfolio.
		spread_standard_subaccount();
		Settings::<Test>::insert(
			sub(ALICE, 1),
			crate::MarginSettings { mode: MarginMode::Portfolio, deposit: SETTINGS_DEPOSIT, ..Default::default() },
		);
		// A v2 chain: no legs kept.
		crate::PortfolioLegs::<Test>::remove(sub(ALICE, 0));
		StorageVersion::new(2).put::<Margin>();

		crate::migrations::v3::MigrateToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(3));
		assert_eq!(crate::PortfolioLegs::<Test>::get(sub(ALICE, 0)), Some(kept.clone()));
		assert_eq!(Margin::settings_of(&sub(ALICE, 1)).mode, MarginMode::Standard);
		assert!(crate::PortfolioLegs::<Test>::get(sub(ALICE, 1)).is_none());
		assert!(!Settings::<Test>::contains_key(sub(ALICE, 1)), "back at the default, its deposit released");
		// At v3 it does nothing.
		crate::PortfolioLegs::<Test>::remove(sub(ALICE, 0));
		crate::migrations::v3::MigrateToV3::<Test>::on_runtime_upgrade();
		assert!(crate::PortfolioLegs::<Test>::get(sub(ALICE, 0)).is_none());
		crate::PortfolioLegs::<Test>::insert(sub(ALICE, 0), kept);
	});
}
