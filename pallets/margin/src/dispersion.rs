//! Dispersion-aware margin: while the oracle's feeds for an asset disagree (their spread,
//! (highest − lowest) / median, past [`DISPERSION_THRESHOLD`]), the initial requirement of
//! every perpetual and short option on the asset rises by the excess × its notional at the
//! index, at most [`MAX_DISPERSION_ADD_ON`], until they agree again. Uncertainty in the price
//! is risk; maintenance is left alone, so disagreement alone liquidates nobody.

use crate::{math, pallet::*};
use alloc::vec::Vec;
use clearing_primitives::{oracle::PriceProvider, AssetId, Balance, MarketId, Price, SignedBalance};
use sp_runtime::{traits::Saturating, DispatchError, Permill};

/// Feeds this far apart are ordinary noise (half the oracle's 1% split limit).
pub const DISPERSION_THRESHOLD: Permill = Permill::from_parts(5_000);

/// The most the add-on raises an initial requirement by: 10% of the notional.
pub const MAX_DISPERSION_ADD_ON: Permill = Permill::from_percent(10);

/// The share of a notional added to the initial requirement at `dispersion`.
pub fn add_on(dispersion: Permill) -> Permill {
	dispersion.saturating_sub(DISPERSION_THRESHOLD).min(MAX_DISPERSION_ADD_ON)
}

/// Each asset's add-on, read once per health reading.
#[derive(Default)]
pub(crate) struct AddOns(Vec<(AssetId, Permill)>);

impl AddOns {
	/// `asset`'s add-on share (one read the first time).
	pub(crate) fn of<T: Config>(&mut self, asset: AssetId) -> Permill {
		if let Some((_, share)) = self.0.iter().find(|(held, _)| *held == asset) {
			return *share;
		}
		let share = add_on(T::Prices::dispersion(asset));
		self.0.push((asset, share));
		share
	}

	/// The add-on for `size` (base units, `decimals`) of `asset` at `index`: a perpetual's,
	/// or a short option's (a long option is worth at most its premium, held in full or in
	/// the grid).
	pub(crate) fn charge<T: Config>(
		&mut self,
		asset: AssetId,
		size: SignedBalance,
		decimals: u8,
		index: Price,
	) -> Result<Balance, DispatchError> {
		let share = self.of::<T>(asset);
		if share.is_zero() {
			return Ok(0);
		}
		math::requirement(size, decimals, index, share).map_err(DispatchError::from)
	}
}

/// What `MarginApi.market_margin` shows of a market.
#[derive(Clone, Debug, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub struct MarketMargin {
	pub market: MarketId,
	/// Its initial fraction now (raised by open interest), before any add-on.
	pub initial_fraction: Permill,
	pub maintenance_fraction: Permill,
	/// How far its asset's feeds disagree.
	pub dispersion: Permill,
	/// The share of the notional that adds to the initial requirement for it.
	pub dispersion_add_on: Permill,
}

impl<T: Config> Pallet<T> {
	/// `MarginApi.market_margin`: market `market`'s fractions now and its dispersion add-on
	/// (a series': its underlying's, on short contracts).
	pub fn market_margin_of(market: MarketId) -> Option<MarketMargin> {
		let config = Self::market_config(market)?;
		let state = MarketStates::<T>::get(market);
		let dispersion = T::Prices::dispersion(config.base_asset);
		Some(MarketMargin {
			market,
			initial_fraction: math::initial_fraction(
				config.initial_margin,
				state.open_interest,
				config.oi_lower,
				config.oi_upper,
			),
			maintenance_fraction: config.maintenance_margin,
			dispersion,
			dispersion_add_on: add_on(dispersion),
		})
	}
}
