use crate::{mock::*, Error, Event, Markets, MarketStates};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};

#[test]
fn genesis_opens_the_markets_with_their_first_funding_due() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Margin::market_config(BTC_USD), Some(btc_usd()));
		assert_eq!(MarketStates::<Test>::get(BTC_USD).next_funding_at, 10);
		assert_eq!(Markets::<Test>::count(), 2);
	});
}

#[test]
fn root_creates_and_updates_markets() {
	ExtBuilder::default().build_and_execute(|| {
		let dot = crate::MarketConfig { base_asset: 4, base_decimals: 10, ..btc_usd() };
		assert_ok!(Margin::create_market(RuntimeOrigin::root(), 2, dot));
		assert_eq!(margin_events(), vec![Event::MarketCreated { market: 2, config: dot }]);
		assert_noop!(Margin::create_market(RuntimeOrigin::root(), 2, dot), Error::<Test>::MarketExists);
		let safer = crate::MarketConfig { initial_margin: Permill::from_percent(10), ..dot };
		assert_ok!(Margin::update_market(RuntimeOrigin::root(), 2, safer));
		assert_eq!(Margin::market_config(2), Some(safer));
		assert_noop!(
			Margin::update_market(RuntimeOrigin::root(), 2, crate::MarketConfig { base_asset: 5, ..safer }),
			Error::<Test>::MarketAssetChanged
		);
		assert_noop!(Margin::update_market(RuntimeOrigin::root(), 9, safer), Error::<Test>::MarketNotFound);
		assert_noop!(Margin::create_market(RuntimeOrigin::signed(ALICE), 3, dot), DispatchError::BadOrigin);
		assert_ok!(Margin::create_market(RuntimeOrigin::root(), 3, dot));
		assert_noop!(Margin::create_market(RuntimeOrigin::root(), 4, dot), Error::<Test>::TooManyMarkets);
	});
}

#[test]
fn market_rules_outside_the_bounds_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let create = |config| Margin::create_market(RuntimeOrigin::root(), 7, config);
		let base = btc_usd();
		for (config, error) in [
			(crate::MarketConfig { maintenance_margin: base.initial_margin, ..base }, Error::<Test>::InvalidMarginFractions),
			(crate::MarketConfig { maintenance_margin: Permill::zero(), ..base }, Error::<Test>::InvalidMarginFractions),
			(crate::MarketConfig { oi_lower: base.oi_upper, ..base }, Error::<Test>::InvalidOpenInterestBounds),
			(crate::MarketConfig { max_open_interest: 0, ..base }, Error::<Test>::InvalidOpenInterestBounds),
			(crate::MarketConfig { step_size: 0, ..base }, Error::<Test>::InvalidTickOrStep),
			(crate::MarketConfig { tick_size: usd(0), ..base }, Error::<Test>::InvalidTickOrStep),
			(crate::MarketConfig { base_decimals: 25, ..base }, Error::<Test>::InvalidTickOrStep),
			(crate::MarketConfig { funding_interval: 0, ..base }, Error::<Test>::InvalidFundingParams),
			(crate::MarketConfig { funding_cap: Permill::one(), ..base }, Error::<Test>::InvalidFundingParams),
		] {
			assert_noop!(create(config), error);
		}
	});
}
