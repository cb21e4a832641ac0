//! The inputs a health reading's series legs share, each read from storage once: the time,
//! the parameters, each underlying's index, volatility source, realized volatility and
//! smiles (all its expiries' in one read), each volatility index's quote, each expiry's
//! settlement. Sixteen legs on one underlying read these once, not sixteen times.

use crate::{pallet::*, OptionParams};
use alloc::vec::Vec;
use clearing_primitives::{
	oracle::{Moment, PriceProvider, PriceQuote, SurfaceQuote},
	AssetId, Price,
};
use frame_support::traits::Time;

/// What the legs priced so far in one reading have read ([`OptionMarks::Inputs`]). It holds
/// storage as it was when read: one reading's, never kept past it.
///
/// [`OptionMarks::Inputs`]: clearing_primitives::options::OptionMarks::Inputs
#[derive(Default)]
pub struct SharedInputs {
	now: Option<Moment>,
	params: Option<OptionParams>,
	quotes: Vec<(AssetId, Option<PriceQuote>)>,
	sources: Vec<(AssetId, Option<AssetId>)>,
	realized: Vec<(AssetId, Option<Price>)>,
	surfaces: Vec<(AssetId, Vec<(Moment, SurfaceQuote)>)>,
	settlements: Vec<((AssetId, Moment), Option<Price>)>,
}

/// The value under `key` in `seen`, read (and kept) the first time. The lists stay as short
/// as the distinct inputs of one subaccount's legs, so a scan beats a map.
fn remembered<K: PartialEq + Copy, V: Copy>(seen: &mut Vec<(K, V)>, key: K, read: impl FnOnce() -> V) -> V {
	if let Some((_, value)) = seen.iter().find(|(known, _)| *known == key) {
		return *value;
	}
	let value = read();
	seen.push((key, value));
	value
}

/// [`remembered`] for a value kept by reference (always `Some`: read if it was not kept).
fn remembered_ref<K: PartialEq + Copy, V>(seen: &mut Vec<(K, V)>, key: K, read: impl FnOnce() -> V) -> Option<&V> {
	if !seen.iter().any(|(known, _)| *known == key) {
		seen.push((key, read()));
	}
	seen.iter().find(|(known, _)| *known == key).map(|(_, value)| value)
}

impl SharedInputs {
	/// The block's time.
	pub(crate) fn now<T: Config>(&mut self) -> Moment {
		*self.now.get_or_insert_with(T::Time::now)
	}

	/// The options parameters.
	pub(crate) fn params<T: Config>(&mut self) -> OptionParams {
		*self.params.get_or_insert_with(Params::<T>::get)
	}

	/// The oracle's quote of `asset` (an index or a volatility index).
	pub(crate) fn quote<T: Config>(&mut self, asset: AssetId) -> Option<PriceQuote> {
		remembered(&mut self.quotes, asset, || T::Prices::quote(asset))
	}

	/// The volatility index `underlying`'s implied volatility comes from.
	pub(crate) fn volatility_source<T: Config>(&mut self, underlying: AssetId) -> Option<AssetId> {
		remembered(&mut self.sources, underlying, || VolatilitySources::<T>::get(underlying))
	}

	/// `underlying`'s realized volatility.
	pub(crate) fn realized<T: Config>(&mut self, underlying: AssetId) -> Option<Price> {
		remembered(&mut self.realized, underlying, || T::Prices::realized_volatility(underlying))
	}

	/// The smile of `underlying`'s `expiry`: every smile of the underlying is read at once.
	pub(crate) fn surface<T: Config>(&mut self, underlying: AssetId, expiry: Moment) -> Option<SurfaceQuote> {
		let smiles = remembered_ref(&mut self.surfaces, underlying, || T::Prices::surfaces(underlying))?;
		smiles.iter().find(|(at, _)| *at == expiry).map(|(_, quote)| *quote)
	}

	/// The settlement price of `underlying`'s `expiry`, once set.
	pub(crate) fn settlement<T: Config>(&mut self, underlying: AssetId, expiry: Moment) -> Option<Price> {
		remembered(&mut self.settlements, (underlying, expiry), || Pallet::<T>::settlement_price(underlying, expiry))
	}
}
