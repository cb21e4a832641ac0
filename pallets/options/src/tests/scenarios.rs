//! Scenario vectors for portfolio margin: computed at the start of a block, cached, equal to
//! a fresh revaluation, refreshed when their inputs move, bounded per block.
//!
//! ATTACKS tried here:
//! - 9 and 13 (steer or stale prices): opening risk takes a vector only while it is recent
//!   and computed at an index within 1% of the current one; a jump waits for the next refresh.
//! - 15 (weights): a block's refresh visits at most `MaxScenarioRefreshes` series, resuming
//!   where the last stopped, and never more than its weight allows.
//! - 16 (storage): a vector exists only for a listed series (`try_state`), and goes when the
//!   series cannot be priced.

use crate::{mock::*, Pallet, ScenarioVectors, Series};
use clearing_primitives::{
	black76::OptionKind,
	collateral::Valuation,
	options::{to_fixed, SeriesScenarios},
	oracle::PriceStatus,
	portfolio::{series_scenarios, ScenarioGrid},
	MarketId,
};
use clearing_test_utils::{set_price, set_smile, usd};
use sp_runtime::{Permill, Weight};

fn refresh() {
	Pallet::<Test>::refresh_scenarios(Weight::MAX);
}

fn vector(market: MarketId) -> SeriesScenarios {
	ScenarioVectors::<Test>::get(market).expect("a vector is cached")
}

/// `market` revalued now on `grid` from the inputs its view reports.
fn revalued(market: MarketId, grid: &ScenarioGrid) -> [i128; clearing_primitives::portfolio::SCENARIOS] {
	let view = Options::series_view(market).expect("priced");
	let terms = Series::<Test>::get(market).expect("listed").terms;
	series_scenarios(
		&terms,
		to_fixed(view.index).unwrap(),
		to_fixed(view.volatility).unwrap(),
		view.priced_at,
		to_fixed(view.rate).unwrap(),
		grid,
	)
	.expect("revalued")
}

fn advance(ms: u64) {
	Timestamp::set_timestamp(Timestamp::get() + ms);
}

#[test]
fn cached_vectors_equal_a_fresh_revaluation() {
	ExtBuilder::default().build_and_execute(|| {
		let put = list(OptionKind::Put, 57_000, 7).unwrap();
		let call = list(OptionKind::Call, 64_000, 14).unwrap();
		// One on its expiry's smile, one on the volatility index.
		set_smile(BTC, START_MS + 7 * DAY_MS, [80, 68, 60, 57, 55, 58, 62].map(percent), PriceStatus::Fresh);
		refresh();
		for market in [put, call] {
			let kept = vector(market);
			assert_eq!(kept.values, revalued(market, &ScenarioGrid::default()));
			assert_eq!((kept.underlying, kept.index, kept.at), (BTC, usd(60_000), START_MS));
		}
		// The short put loses most in the largest fall with volatility up.
		let worst = vector(put).values.iter().copied().max().unwrap();
		assert_eq!(vector(put).values[21], worst);
	});
}

#[test]
fn a_refresh_visits_at_most_its_bound_and_resumes_where_it_stopped() {
	ExtBuilder::default().build_and_execute(|| {
		let markets: Vec<MarketId> = (0..7).map(|i| list(OptionKind::Call, 58_000 + 1_000 * i, 7).unwrap()).collect();
		refresh();
		assert_eq!(ScenarioVectors::<Test>::iter().count(), 5);
		refresh();
		assert_eq!(ScenarioVectors::<Test>::iter().count(), 7);
		for market in markets {
			assert_eq!(vector(market).values, revalued(market, &ScenarioGrid::default()));
		}
		// Room for none: nothing visited, nothing charged.
		assert_eq!(Pallet::<Test>::refresh_scenarios(Weight::zero()), Weight::zero());
	});
}

#[test]
fn a_vector_is_recomputed_when_its_inputs_move_or_it_ages() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Call, 62_000, 7).unwrap();
		refresh();
		advance(1_000);
		refresh();
		assert_eq!(vector(market).at, START_MS, "nothing moved");
		set_market_inputs(60_500, 60);
		refresh();
		assert_eq!((vector(market).at, vector(market).index), (START_MS + 1_000, usd(60_500)));
		set_market_inputs(60_500, 65);
		advance(1_000);
		refresh();
		assert_eq!(vector(market).at, START_MS + 2_000, "the volatility moved");
		// Half `ScenarioMaxAge` (30 s) later, unmoved: recomputed for time's passing.
		advance(15_000);
		refresh();
		assert_eq!(vector(market).at, START_MS + 17_000);
		assert_eq!(vector(market).values, revalued(market, &ScenarioGrid::default()));
	});
}

#[test]
fn opening_risk_needs_a_recent_vector_at_the_current_index() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Put, 58_000, 7).unwrap();
		let usable = |valuation| Pallet::<Test>::scenarios_in(&mut Default::default(), market, valuation).is_some();
		assert!(!usable(Valuation::Maintenance), "no vector before the first refresh");
		refresh();
		assert!(usable(Valuation::Opening));
		// A 1% move is within the drift allowed; a 2% jump waits for the next refresh.
		set_price(BTC, usd(60_600), PriceStatus::Fresh);
		assert!(usable(Valuation::Opening));
		set_price(BTC, usd(61_200), PriceStatus::Fresh);
		assert!(!usable(Valuation::Opening));
		assert!(usable(Valuation::Maintenance));
		refresh();
		assert!(usable(Valuation::Opening));
		// Older than `ScenarioMaxAge`: maintenance only.
		ScenarioVectors::<Test>::mutate(market, |kept| {
			if let Some(kept) = kept {
				kept.at = Timestamp::get() - 30_001;
			}
		});
		assert!(!usable(Valuation::Opening));
		assert!(usable(Valuation::Maintenance));
		// Older than four of them: not even maintenance (the leg is then charged per leg).
		ScenarioVectors::<Test>::mutate(market, |kept| {
			if let Some(kept) = kept {
				kept.at = Timestamp::get() - 120_001;
			}
		});
		assert!(!usable(Valuation::Maintenance));
	});
}

#[test]
fn a_settled_series_zero_vector_serves_whatever_the_index_does() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Put, 58_000, 7).unwrap();
		refresh();
		// As the refresh keeps it once the expiry has settled: zero in every scenario.
		ScenarioVectors::<Test>::mutate(market, |kept| {
			if let Some(kept) = kept {
				kept.values = [0; clearing_primitives::portfolio::SCENARIOS];
			}
		});
		set_price(BTC, usd(66_000), PriceStatus::Fresh);
		assert!(Pallet::<Test>::scenarios_in(&mut Default::default(), market, Valuation::Opening).is_some());
	});
}

#[test]
fn a_governed_grid_reaches_the_vectors_within_half_their_age() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Call, 60_000, 7).unwrap();
		refresh();
		let half = ScenarioGrid { extreme_weight: Permill::from_percent(50), ..ScenarioGrid::default() };
		set_grid(BTC, half);
		advance(15_000);
		refresh();
		assert_eq!(vector(market).values, revalued(market, &half));
		assert_ne!(vector(market).values[22], revalued(market, &ScenarioGrid::default())[22]);
	});
}

#[test]
fn a_series_that_cannot_be_priced_loses_its_vector() {
	ExtBuilder::default().build_and_execute(|| {
		let market = list(OptionKind::Call, 60_000, 7).unwrap();
		refresh();
		assert!(ScenarioVectors::<Test>::contains_key(market));
		clearing_test_utils::put((b"mock-price", BTC), Option::<clearing_primitives::oracle::PriceQuote>::None);
		advance(1_000);
		refresh();
		assert!(!ScenarioVectors::<Test>::contains_key(market));
	});
}
