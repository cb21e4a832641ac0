//! Pricing a series from the chain's own inputs: the underlying's index from the oracle; its
//! implied volatility read off the expiry's smile at the series' log-moneyness when the
//! oracle holds one, the underlying's volatility index otherwise; its realized volatility as
//! a floor under the margin's; the block's time; and the governed rate.

use crate::{inputs::SharedInputs, pallet::*, types::fraction, ListedSeries, PortfolioGreeks, SeriesView};
use clearing_primitives::{
	black76::{Priced, ONE},
	collateral::Valuation,
	options::{
		self, from_fixed, price_leg, price_series, to_fixed, LegInputs, LegPricing, OptionMarks, SeriesLeg, SeriesTerms,
	},
	oracle::{Moment, PriceProvider},
	AssetId, MarketId, Price, SignedBalance,
};
use frame_support::{traits::{Get, Time}, weights::Weight};
use sp_runtime::FixedI128;

/// The least implied volatility a series is priced at (1%): below, a feed is wrong.
pub const MIN_VOLATILITY: i128 = ONE / 100;
/// The most (500%).
pub const MAX_VOLATILITY: i128 = 5 * ONE;

/// What pricing one series reads, in the fixed point of `clearing_primitives::black76`.
pub(crate) struct Read {
	pub(crate) inputs: LegInputs,
	pub(crate) rate: i128,
}

impl<T: Config> Pallet<T> {
	/// `price` if `valuation` may use a quote of that status: any for maintenance, fresh
	/// only for opening risk.
	fn quoted(inputs: &mut SharedInputs, asset: AssetId, valuation: Valuation) -> Option<Price> {
		let quote = inputs.quote::<T>(asset)?;
		(valuation == Valuation::Maintenance || quote.is_fresh()).then_some(quote.price)
	}

	/// The implied volatility oracle asset `source` quotes, as `valuation` may use it: opening
	/// risk needs it fresh and within [1%, 500%]; maintenance takes the last one, brought
	/// within those bounds (a feed gone wrong never leaves a subaccount without a health, so
	/// its other positions stay liquidatable).
	pub(crate) fn implied(source: AssetId, valuation: Valuation) -> Option<i128> {
		Self::implied_in(&mut SharedInputs::default(), source, valuation)
	}

	/// [`Self::implied`], reading through `inputs`.
	fn implied_in(inputs: &mut SharedInputs, source: AssetId, valuation: Valuation) -> Option<i128> {
		let implied = to_fixed(Self::quoted(inputs, source, valuation)?).ok()?;
		match valuation {
			Valuation::Opening => (MIN_VOLATILITY..=MAX_VOLATILITY).contains(&implied).then_some(implied),
			Valuation::Maintenance => Some(implied.clamp(MIN_VOLATILITY, MAX_VOLATILITY)),
		}
	}

	/// The volatility of series `terms` on its expiry's smile, if the oracle holds one, as
	/// `valuation` may use it: read at the series' spot log-moneyness ln(K / index) (the
	/// feeders quote the points against the same index); opening risk needs the smile fresh
	/// and the volatility within [1%, 500%], maintenance takes the last smile, the volatility
	/// brought within those bounds. `Err(())` if a smile exists that `valuation` may not use.
	fn smile_implied(
		inputs: &mut SharedInputs,
		terms: &SeriesTerms,
		index: i128,
		valuation: Valuation,
	) -> Result<Option<i128>, ()> {
		let Some(surface) = inputs.surface::<T>(terms.underlying, terms.expiry) else { return Ok(None) };
		if valuation == Valuation::Opening && !surface.is_fresh() {
			return Err(());
		}
		let read = || -> Option<i128> {
			let k = clearing_primitives::volatility::log_moneyness(to_fixed(terms.strike).ok()?, index).ok()?;
			let mut ivs = [0i128; clearing_primitives::oracle::SMILE_POINTS];
			for (iv, point) in ivs.iter_mut().zip(surface.smile) {
				*iv = to_fixed(point).ok()?;
			}
			clearing_primitives::volatility::grid_smile_iv(&ivs, k).ok()
		};
		let implied = read().ok_or(())?;
		match valuation {
			Valuation::Opening => (MIN_VOLATILITY..=MAX_VOLATILITY).contains(&implied).then_some(Some(implied)).ok_or(()),
			Valuation::Maintenance => Ok(Some(implied.clamp(MIN_VOLATILITY, MAX_VOLATILITY))),
		}
	}

	/// The inputs series `terms` is priced from under `valuation`, read through `inputs`;
	/// `None` without an index or an implied volatility it may use: its expiry's smile when
	/// the oracle holds one (see [`Self::smile_implied`]), the underlying's volatility index
	/// otherwise (see [`Self::implied`]). Liquidation checks the readiness of the same input
	/// ([`OptionMarks::volatility_input`]).
	pub(crate) fn read(terms: &SeriesTerms, valuation: Valuation, inputs: &mut SharedInputs) -> Option<Read> {
		let now = inputs.now::<T>();
		let params = inputs.params::<T>();
		if now >= terms.expiry {
			// Expired: worth its intrinsic value at the settlement price once there is one, at
			// the index until then; no volatility enters.
			let index = match inputs.settlement::<T>(terms.underlying, terms.expiry) {
				Some(settled) => settled,
				None => Self::quoted(inputs, terms.underlying, valuation)?,
			};
			let sigma = MIN_VOLATILITY;
			return Some(Read {
				inputs: LegInputs {
					index: to_fixed(index).ok()?,
					mark_sigma: sigma,
					margin_sigma: sigma,
					now,
					rate: 0,
					params: params.leg_margin(),
				},
				rate: 0,
			});
		}
		let index = to_fixed(Self::quoted(inputs, terms.underlying, valuation)?).ok()?;
		let implied = match Self::smile_implied(inputs, terms, index, valuation).ok()? {
			Some(implied) => implied,
			None => {
				let source = inputs.volatility_source::<T>(terms.underlying)?;
				Self::implied_in(inputs, source, valuation)?
			},
		};
		let realized = inputs.realized::<T>(terms.underlying).and_then(|rv| to_fixed(rv).ok()).unwrap_or_default();
		let floor = clearing_primitives::black76::mul(realized, fraction(params.realized_floor)).ok()?;
		let rate = params.rate_fixed();
		Some(Read {
			inputs: LegInputs {
				index,
				mark_sigma: implied,
				margin_sigma: implied.max(floor.min(MAX_VOLATILITY)),
				now,
				rate,
				params: params.leg_margin(),
			},
			rate,
		})
	}

	/// Series `market`'s figures under `valuation`, with its contracts' decimals, reading
	/// through `inputs`.
	pub fn leg_in(inputs: &mut SharedInputs, market: MarketId, valuation: Valuation) -> Option<SeriesLeg> {
		let ListedSeries { terms, base_decimals } = Series::<T>::get(market)?;
		let read = Self::read(&terms, valuation, inputs)?;
		let pricing = price_leg(&terms, read.inputs).ok()?;
		let mark_sigma = from_fixed(read.inputs.mark_sigma).ok()?;
		let index = from_fixed(read.inputs.index).ok()?;
		Some(SeriesLeg { pricing, base_decimals, mark_sigma, underlying: terms.underlying, index })
	}

	/// Series `market`'s figures under `valuation`.
	pub fn leg_of(market: MarketId, valuation: Valuation) -> Option<LegPricing> {
		Self::leg_in(&mut SharedInputs::default(), market, valuation).map(|leg| leg.pricing)
	}

	/// `OptionsApi.greeks`: series `market` at the last inputs, whatever their status.
	pub fn series_view(market: MarketId) -> Option<SeriesView> {
		let terms = Series::<T>::get(market)?.terms;
		let read = Self::read(&terms, Valuation::Maintenance, &mut SharedInputs::default())?;
		let LegInputs { index, mark_sigma, margin_sigma, now, .. } = read.inputs;
		let priced: Priced = price_series(&terms, index, mark_sigma, now, read.rate).ok()?;
		let leg = price_leg(&terms, read.inputs).ok()?;
		let signed = |value: i128| FixedI128::from_inner(value);
		Some(SeriesView {
			market,
			terms,
			index: from_fixed(index).ok()?,
			volatility: from_fixed(mark_sigma).ok()?,
			margin_volatility: from_fixed(margin_sigma).ok()?,
			rate: from_fixed(read.rate).ok()?,
			priced_at: now,
			mark: leg.mark,
			delta: signed(priced.delta),
			gamma: signed(priced.gamma),
			vega: signed(priced.vega),
			theta: signed(priced.theta),
			short_initial: leg.short_initial,
			short_maintenance: leg.short_maintenance,
			expired: leg.expired,
		})
	}

	/// Every series on `underlying` expiring at `expiry`, by market id.
	pub fn series_of_expiry(underlying: clearing_primitives::AssetId, expiry: Moment) -> alloc::vec::Vec<MarketId> {
		let mut found: alloc::vec::Vec<MarketId> = Series::<T>::iter()
			.filter(|(_, listed)| listed.terms.underlying == underlying && listed.terms.expiry == expiry)
			.map(|(market, _)| market)
			.collect();
		found.sort_unstable();
		found
	}

	/// `OptionsApi.portfolio`: net Greeks of `legs` (market, signed size in base units, the
	/// base decimals), series only.
	pub fn portfolio_greeks(
		legs: impl IntoIterator<Item = (MarketId, SignedBalance, u8)>,
	) -> Option<PortfolioGreeks> {
		let mut total = PortfolioGreeks::default();
		for (market, size, decimals) in legs {
			if !Self::is_series(market) {
				continue;
			}
			let view = Self::series_view(market)?;
			let unit = 10i128.checked_pow(u32::from(decimals))?;
			// Contracts in the fixed point: size / 10^decimals.
			let contracts = size.checked_mul(ONE)?.checked_div(unit)?;
			let times = |greek: FixedI128, sum: FixedI128| -> Option<FixedI128> {
				let weighted = clearing_primitives::black76::mul(greek.into_inner(), contracts).ok()?;
				sum.into_inner().checked_add(weighted).map(FixedI128::from_inner)
			};
			total.delta = times(view.delta, total.delta)?;
			total.gamma = times(view.gamma, total.gamma)?;
			total.vega = times(view.vega, total.vega)?;
			total.theta = times(view.theta, total.theta)?;
			total.legs = total.legs.saturating_add(1);
		}
		Some(total)
	}

	/// `true` if `market` lies in the series' id range.
	pub fn is_series(market: MarketId) -> bool {
		market >= T::FirstSeriesId::get()
	}
}

impl<T: Config> OptionMarks for Pallet<T> {
	type Inputs = SharedInputs;

	fn is_series(market: MarketId) -> bool {
		Self::is_series(market)
	}

	fn leg_in(inputs: &mut SharedInputs, market: MarketId, valuation: Valuation) -> Option<SeriesLeg> {
		Self::leg_in(inputs, market, valuation)
	}

	fn leg_weight() -> Weight {
		use crate::weights::WeightInfo;
		// A leg is priced off its expiry's smile or off the volatility index: the dearer.
		T::WeightInfo::price_leg().max(T::WeightInfo::price_leg_smile())
	}

	fn settlement_value(market: MarketId) -> Option<Price> {
		let terms = Series::<T>::get(market)?.terms;
		let price = Self::settlement_price(terms.underlying, terms.expiry)?;
		let value = options::intrinsic(terms.kind, to_fixed(terms.strike).ok()?, to_fixed(price).ok()?).ok()?;
		from_fixed(value).ok()
	}

	fn settlement_value_weight() -> Weight {
		// The series and its expiry.
		T::DbWeight::get().reads(2)
	}

	fn vega(market: MarketId) -> Option<Price> {
		let terms = Series::<T>::get(market)?.terms;
		if T::Time::now() >= terms.expiry {
			return None;
		}
		let read = Self::read(&terms, Valuation::Maintenance, &mut SharedInputs::default())?;
		let LegInputs { index, mark_sigma, now, .. } = read.inputs;
		let priced = price_series(&terms, index, mark_sigma, now, read.rate).ok()?;
		from_fixed(priced.vega).ok()
	}

	fn scenarios_in(
		inputs: &mut SharedInputs,
		market: MarketId,
		valuation: Valuation,
	) -> Option<clearing_primitives::options::SeriesScenarios> {
		Self::scenarios_in(inputs, market, valuation)
	}

	fn scenarios_weight() -> Weight {
		// The series (its underlying) and its underlying's book.
		T::DbWeight::get().reads(2)
	}

	fn scenario_book(
		underlying: AssetId,
		valuation: Valuation,
	) -> Option<alloc::vec::Vec<clearing_primitives::options::BookEntry>> {
		Self::book_for(underlying, valuation).map(|book| book.series.into_inner())
	}

	fn scenario_book_weight() -> Weight {
		// The book (the block number is read by every block).
		T::DbWeight::get().reads(1)
	}

	fn volatility_input(market: MarketId) -> Option<clearing_primitives::oracle::VolatilityInput> {
		use clearing_primitives::oracle::VolatilityInput;
		if !Self::is_series(market) {
			return None;
		}
		let terms = Series::<T>::get(market)?.terms;
		// Expired, a series is worth its intrinsic value: no volatility marks it.
		if T::Time::now() >= terms.expiry {
			return None;
		}
		if T::Prices::surface(terms.underlying, terms.expiry).is_some() {
			return Some(VolatilityInput::Smile { underlying: terms.underlying, expiry: terms.expiry });
		}
		VolatilitySources::<T>::get(terms.underlying).map(VolatilityInput::Index)
	}
}

/// The oracle takes smiles for the expiries listed here, until they expire.
impl<T: Config> clearing_primitives::oracle::ListedExpiries for Pallet<T> {
	fn is_listed(underlying: clearing_primitives::AssetId, expiry: Moment) -> bool {
		expiry > T::Time::now() && Expiries::<T>::contains_key((underlying, expiry))
	}

	fn listed() -> alloc::vec::Vec<(clearing_primitives::AssetId, Moment)> {
		let now = T::Time::now();
		// Bounded: an expiry holds at least one of the `MaxSeries` series.
		Expiries::<T>::iter_keys().filter(|(_, expiry)| *expiry > now).collect()
	}
}

/// `true` if `strike` lies within [1/5, 5] × `index`: the moneyness Black-76 is tested over.
pub fn strike_in_range(strike: Price, index: Price) -> bool {
	let (Ok(strike), Ok(index)) = (to_fixed(strike), to_fixed(index)) else { return false };
	let moneyness = clearing_primitives::black76::div(strike, index);
	matches!(moneyness, Ok(m) if (ONE / 5..=5 * ONE).contains(&m))
}
