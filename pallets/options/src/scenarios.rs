//! Scenario vectors for portfolio margin: each listed series' change in value per contract in
//! every scenario of its underlying's grid, computed at the start of a block when its inputs
//! moved (or half `ScenarioMaxAge` has passed) and cached, so an account's requirement is
//! multiply-adds over its legs.

use crate::{inputs::SharedInputs, pallet::*, retire::steps_within, ListedSeries};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::Valuation,
	options::{from_fixed, SeriesMarkets, SeriesScenarios, SeriesTerms},
	portfolio::{series_scenarios, within_drift, ScenarioGrid, MAX_INDEX_DRIFT, SCENARIOS},
	AssetId, MarketId,
};
use frame_support::{traits::Get, weights::Weight};

/// A vector older than this many `ScenarioMaxAge`s no longer serves even maintenance: the leg
/// is charged its standard requirement until the refresh reaches it again.
pub const MAINTENANCE_AGE_FACTOR: u64 = 4;

impl<T: Config> Pallet<T> {
	/// The block's refresh within `limit`: visits up to `MaxScenarioRefreshes` series from
	/// where the last block stopped, recomputing the vectors whose inputs moved. Returns the
	/// weight used (never above `limit`).
	pub fn refresh_scenarios(limit: Weight) -> Weight {
		use crate::weights::WeightInfo;
		let base = T::WeightInfo::refresh_scenarios(0);
		if !limit.all_gte(base) {
			return Weight::zero();
		}
		let per = T::WeightInfo::refresh_scenarios(1).saturating_sub(base);
		let most = steps_within(limit.saturating_sub(base), per).min(T::MaxScenarioRefreshes::get()) as usize;
		if most == 0 {
			// No room this block: the cursor stays where it was.
			return base;
		}
		let page: Vec<(MarketId, ListedSeries)> = match ScenarioCursor::<T>::get() {
			Some(last) => Series::<T>::iter_from(Series::<T>::hashed_key_for(last)),
			None => Series::<T>::iter(),
		}
		.take(most.saturating_add(1))
		.collect();
		let finished = page.len() <= most;
		let mut inputs = SharedInputs::default();
		let mut grids: Vec<(AssetId, ScenarioGrid)> = Vec::new();
		let mut visited: u32 = 0;
		for (market, listed) in page.iter().take(most) {
			visited = visited.saturating_add(1);
			Self::refresh_vector(&mut inputs, &mut grids, *market, &listed.terms);
		}
		let next = if finished { None } else { page.get(most.saturating_sub(1)).map(|(market, _)| *market) };
		ScenarioCursor::<T>::set(next);
		base.saturating_add(per.saturating_mul(u64::from(visited)))
	}

	/// Recomputes series `market`'s vector if its index or volatility moved or it is half
	/// `ScenarioMaxAge` old; removes it when the series cannot be priced (no opening risk then
	/// uses it; maintenance charges the leg per leg).
	fn refresh_vector(
		inputs: &mut SharedInputs,
		grids: &mut Vec<(AssetId, ScenarioGrid)>,
		market: MarketId,
		terms: &SeriesTerms,
	) {
		let now = inputs.now::<T>();
		let stored = ScenarioVectors::<T>::get(market);
		let fresh = Self::vector_now(inputs, grids, terms, now);
		let Some(fresh) = fresh else {
			if stored.is_some() {
				ScenarioVectors::<T>::remove(market);
			}
			return;
		};
		let due = stored.is_none_or(|kept| {
			kept.index != fresh.index ||
				kept.sigma != fresh.sigma ||
				now.saturating_sub(kept.at) >= T::ScenarioMaxAge::get() / 2
		});
		if due {
			ScenarioVectors::<T>::insert(market, fresh);
		}
	}

	/// Series `terms`' vector at the last inputs, on its underlying's grid (read once per
	/// underlying); zero in every scenario once its expiry has settled (its value is fixed).
	fn vector_now(
		inputs: &mut SharedInputs,
		grids: &mut Vec<(AssetId, ScenarioGrid)>,
		terms: &SeriesTerms,
		now: clearing_primitives::oracle::Moment,
	) -> Option<SeriesScenarios> {
		let read = Self::read(terms, Valuation::Maintenance, inputs)?;
		let index = from_fixed(read.inputs.index).ok()?;
		let sigma = from_fixed(read.inputs.mark_sigma).ok()?;
		let settled = now >= terms.expiry && inputs.settlement::<T>(terms.underlying, terms.expiry).is_some();
		let values = if settled {
			[0; SCENARIOS]
		} else {
			let grid = match grids.iter().find(|(asset, _)| *asset == terms.underlying) {
				Some((_, grid)) => *grid,
				None => {
					let grid = T::Markets::scenario_grid(terms.underlying);
					grids.push((terms.underlying, grid));
					grid
				},
			};
			series_scenarios(terms, read.inputs.index, read.inputs.mark_sigma, now, read.rate, &grid).ok()?
		};
		Some(SeriesScenarios { underlying: terms.underlying, index, sigma, at: now, values })
	}

	/// Series `market`'s cached vector as `valuation` may use it: opening risk needs it no
	/// older than `ScenarioMaxAge` and its underlying's index no further than
	/// [`MAX_INDEX_DRIFT`] from the one it was computed at (a settled series' zero vector
	/// whatever the index); maintenance one no older than [`MAINTENANCE_AGE_FACTOR`] ×
	/// `ScenarioMaxAge`.
	pub fn scenarios_in(
		inputs: &mut SharedInputs,
		market: MarketId,
		valuation: Valuation,
	) -> Option<SeriesScenarios> {
		let kept = ScenarioVectors::<T>::get(market)?;
		let age = inputs.now::<T>().saturating_sub(kept.at);
		let oldest = match valuation {
			Valuation::Opening => T::ScenarioMaxAge::get(),
			Valuation::Maintenance => T::ScenarioMaxAge::get().saturating_mul(MAINTENANCE_AGE_FACTOR),
		};
		if age > oldest {
			return None;
		}
		// A settled series' vector is zero whatever the index does.
		let settled = kept.values.iter().all(|value| *value == 0);
		if valuation == Valuation::Opening && !settled {
			let index = inputs.quote::<T>(kept.underlying)?.price;
			if !within_drift(kept.index, index, MAX_INDEX_DRIFT) {
				return None;
			}
		}
		Some(kept)
	}
}
