//! Options as the margin engine sees them: a series' terms, one leg's figures per contract,
//! the pure function that prices a leg (Black-76 at the mark volatility, the standard per-leg
//! margin at the margin volatility), and the traits the options pallet and the margin engine
//! talk through.
//!
//! Figures per contract are USD per whole unit of the underlying (a [`Price`]); the math runs
//! in the fixed point of [`crate::black76`] (an `i128` × 10^18, the same scale as `Price`).

use crate::{
	black76::{self, Inputs, MathError, OptionKind, Priced, MIN_STD_DEV, ONE},
	collateral::Valuation,
	option_margin::{short_leg_requirements, LegMarginParams},
	oracle::Moment,
	AssetId, Balance, MarketId, Price,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult, Weight};

/// Milliseconds in the year Black-76's time is counted in (365 days).
pub const MS_PER_YEAR: i128 = 31_536_000_000;

/// What one option series is: European, cash-settled in the settlement asset.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo,
)]
pub struct SeriesTerms {
	/// The oracle asset whose index the series is written on.
	pub underlying: AssetId,
	/// When it expires (milliseconds since the Unix epoch).
	pub expiry: Moment,
	/// USD per whole unit of the underlying.
	pub strike: Price,
	pub kind: OptionKind,
}

/// One leg's figures per contract, as the margin engine uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegPricing {
	/// The premium a contract is marked at (Black-76 at the mark volatility).
	pub mark: Price,
	/// A short contract's initial requirement (at the margin volatility; none once expired).
	pub short_initial: Price,
	/// A short contract's maintenance requirement (at the margin volatility; none once
	/// expired).
	pub short_maintenance: Price,
	/// The series has expired: it trades no more and is marked at its intrinsic value.
	pub expired: bool,
}

/// A held series leg as a health reading needs it: its figures per contract and the
/// decimals its sizes are counted in (its underlying's base asset's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesLeg {
	pub pricing: LegPricing,
	pub base_decimals: u8,
	/// The volatility its mark is priced at (what its scenario vector must have been
	/// computed near).
	pub mark_sigma: Price,
	/// Its underlying and the index it was priced at.
	pub underlying: AssetId,
	pub index: Price,
}

/// The market a series trades in, as the margin engine opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesMarket {
	/// The base asset of the perpetual it is written on: the series' underlying.
	pub base_asset: AssetId,
	/// That asset's decimals: a contract is one whole unit.
	pub base_decimals: u8,
}

/// What pricing one leg takes, each in the fixed point of [`crate::black76`] but `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegInputs {
	/// The underlying's index.
	pub index: i128,
	/// The volatility the mark uses (the implied one).
	pub mark_sigma: i128,
	/// The volatility the margin uses (no lower than the mark's).
	pub margin_sigma: i128,
	pub now: Moment,
	/// The interest rate per year.
	pub rate: i128,
	pub params: LegMarginParams,
}

/// Years from `now` to `expiry` (zero once expired).
pub fn years_to(now: Moment, expiry: Moment) -> Result<i128, MathError> {
	let left = i128::from(expiry.saturating_sub(now));
	// Both are whole milliseconds: their ratio in fixed point.
	black76::div(left, MS_PER_YEAR).map(|years| years.max(0))
}

/// The value of a contract exercised at `index` now: `max(0, ±(index − strike))`.
pub fn intrinsic(kind: OptionKind, strike: i128, index: i128) -> Result<i128, MathError> {
	let money = match kind {
		OptionKind::Call => index.checked_sub(strike),
		OptionKind::Put => strike.checked_sub(index),
	};
	money.map(|m| m.max(0)).ok_or(MathError::Overflow)
}

/// A live series' time to expiry: years and their square root.
#[derive(Clone, Copy)]
struct Remaining {
	years: i128,
	root_years: i128,
}

impl Remaining {
	/// `None` from expiry on (the series is worth its intrinsic value).
	fn of(terms: &SeriesTerms, now: Moment) -> Result<Option<Self>, MathError> {
		let years = years_to(now, terms.expiry)?;
		if years == 0 {
			return Ok(None);
		}
		Ok(Some(Self { years, root_years: black76::sqrt(years)? }))
	}

	/// `true` if Black-76 prices volatility `sigma` (`σ√T` not below its least): otherwise
	/// the series is worth its intrinsic value.
	fn prices(&self, sigma: i128) -> Result<bool, MathError> {
		Ok(black76::mul(sigma, self.root_years)? >= MIN_STD_DEV)
	}
}

/// A series' price and Greeks at `index` and volatility `sigma` at `now`. From expiry on,
/// and where `σ√T` is below what Black-76 prices, the intrinsic value, with a delta of ±1 in
/// the money and no other Greek.
pub fn price_series(
	terms: &SeriesTerms,
	index: i128,
	sigma: i128,
	now: Moment,
	rate: i128,
) -> Result<Priced, MathError> {
	if let Some(remaining) = Remaining::of(terms, now)? {
		if remaining.prices(sigma)? {
			let inputs = Inputs { spot: index, strike: to_fixed(terms.strike)?, sigma, years: remaining.years, rate };
			return black76::price(terms.kind, inputs);
		}
	}
	let price = intrinsic(terms.kind, to_fixed(terms.strike)?, index)?;
	let delta = match terms.kind {
		_ if price == 0 => 0,
		OptionKind::Call => ONE,
		OptionKind::Put => ONE.checked_neg().ok_or(MathError::Overflow)?,
	};
	Ok(Priced { price, delta, gamma: 0, vega: 0, theta: 0 })
}

/// A series' prices alone at each of `sigmas`, as [`price_series`] prices them, sharing
/// Black-76's forward, logarithm and square root.
pub(crate) fn premiums<const N: usize>(
	terms: &SeriesTerms,
	index: i128,
	sigmas: [i128; N],
	now: Moment,
	rate: i128,
) -> Result<[i128; N], MathError> {
	let strike = to_fixed(terms.strike)?;
	let remaining = Remaining::of(terms, now)?;
	let mut forward = None;
	let mut prices = [0; N];
	for (price, sigma) in prices.iter_mut().zip(sigmas) {
		*price = match remaining {
			Some(remaining) if remaining.prices(sigma)? => {
				let shared = match forward {
					Some(shared) => shared,
					None => *forward.insert(black76::Forward::with_root(
						index, strike, remaining.years, remaining.root_years, rate,
					)?),
				};
				shared.premium(terms.kind, sigma)?
			},
			_ => intrinsic(terms.kind, strike, index)?,
		};
	}
	Ok(prices)
}

/// A series' price alone (what margin needs), as [`price_series`] prices it.
pub fn premium_series(
	terms: &SeriesTerms,
	index: i128,
	sigma: i128,
	now: Moment,
	rate: i128,
) -> Result<i128, MathError> {
	premiums(terms, index, [sigma], now, rate).map(|[price]| price)
}

/// One leg's figures: the mark at `mark_sigma`, a short's requirements with the premium at
/// `margin_sigma`. Requirements round up to the next unit of `Price`, the mark to nearest.
/// The two prices share their forward, logarithm and square root.
pub fn price_leg(terms: &SeriesTerms, inputs: LegInputs) -> Result<LegPricing, MathError> {
	let LegInputs { index, mark_sigma, margin_sigma, now, rate, params } = inputs;
	let (mark, margin_premium) = if margin_sigma == mark_sigma {
		let [mark] = premiums(terms, index, [mark_sigma], now, rate)?;
		(mark, mark)
	} else {
		let [mark, margin] = premiums(terms, index, [mark_sigma, margin_sigma], now, rate)?;
		(mark, margin.max(mark))
	};
	let expired = now >= terms.expiry;
	// Expired, a short owes its intrinsic value, already in its equity (its value is negative):
	// nothing more can move against it.
	let (initial, maintenance) = if expired {
		(0, 0)
	} else {
		short_leg_requirements(terms.kind, to_fixed(terms.strike)?, index, margin_premium, params)?
	};
	Ok(LegPricing {
		mark: from_fixed(mark)?,
		short_initial: from_fixed(initial)?,
		short_maintenance: from_fixed(maintenance)?,
		expired,
	})
}

/// `price` in the fixed point of [`crate::black76`].
pub fn to_fixed(price: Price) -> Result<i128, MathError> {
	i128::try_from(price.into_inner()).map_err(|_| MathError::Overflow)
}

/// A non-negative fixed-point value as a `Price` (`Domain` if negative).
pub fn from_fixed(value: i128) -> Result<Price, MathError> {
	u128::try_from(value).map(Price::from_inner).map_err(|_| MathError::Domain)
}

/// The options pallet, for the margin engine: which markets are option series and what one
/// leg of each is worth and requires.
pub trait OptionMarks {
	/// `true` if `market` lies in the option series' id range (no storage is read).
	fn is_series(market: MarketId) -> bool;

	/// What pricing several legs in one reading shares: each input (the time, the
	/// parameters, an underlying's index and volatilities, an expiry's smile) is read once
	/// into it and reused by every later leg. Start each reading with a new one: it holds
	/// what storage held when it was read.
	type Inputs: Default;

	/// Series `market`'s figures under `valuation`, with its contracts' decimals: its
	/// underlying's index and implied volatility fresh for `Opening`, the last ones whatever
	/// their status for `Maintenance`, taken from `inputs` when an earlier leg read them.
	/// `None` if no such series is listed or it cannot be priced so.
	fn leg_in(inputs: &mut Self::Inputs, market: MarketId, valuation: Valuation) -> Option<SeriesLeg>;

	/// [`Self::leg_in`] for a leg priced alone.
	fn leg(market: MarketId, valuation: Valuation) -> Option<LegPricing> {
		Self::leg_in(&mut Self::Inputs::default(), market, valuation).map(|leg| leg.pricing)
	}

	/// The most one [`Self::leg`] costs.
	fn leg_weight() -> Weight;

	/// What one contract of series `market` pays at settlement (its intrinsic value at the
	/// settlement price), once its expiry has settled; `None` before, or if not a series.
	fn settlement_value(market: MarketId) -> Option<Price>;

	/// The most one [`Self::settlement_value`] costs.
	fn settlement_value_weight() -> Weight;

	/// Where live series `market`'s implied volatility comes from: its expiry's smile if the
	/// oracle holds one, the underlying's volatility index otherwise; `None` if it is not a
	/// listed series or has expired (its intrinsic value needs no volatility). Reads at most
	/// [`Self::leg_weight`].
	fn volatility_input(market: MarketId) -> Option<crate::oracle::VolatilityInput>;

	/// Live series `market`'s vega per contract (USD per 1.00 of volatility) at its
	/// maintenance inputs; `None` for a perpetual, an expired series or without inputs. Costs
	/// at most [`Self::leg_weight`].
	fn vega(market: MarketId) -> Option<Price>;

	/// Series `market`'s cached scenario vector as `valuation` may use it: opening risk only
	/// one refreshed recently enough; `None` if there is none (maintenance then charges the
	/// leg its standard requirement). Reads one vector, the time through `inputs`.
	fn scenarios_in(inputs: &mut Self::Inputs, market: MarketId, valuation: Valuation) -> Option<SeriesScenarios>;

	/// The most one [`Self::scenarios_in`] costs.
	fn scenarios_weight() -> Weight;

	/// `underlying`'s scenario book as `valuation` may use it, its entries by market: for
	/// opening risk only a book refreshed in this block (the oracle aggregates at a block's
	/// end, so its entries hold this block's inputs), for maintenance the last one whatever
	/// its age. `None` without one. One read, however many series it holds.
	fn scenario_book(underlying: AssetId, valuation: Valuation) -> Option<alloc::vec::Vec<BookEntry>>;

	/// The most one [`Self::scenario_book`] costs.
	fn scenario_book_weight() -> Weight;
}

/// One series in its underlying's scenario book: its mark and its vector, both at the inputs
/// of the vector's `at`, so a portfolio reading values and stresses the leg without pricing it.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct BookEntry {
	pub market: MarketId,
	/// The premium a contract is marked at (the leg's mark: Black-76 at the mark volatility,
	/// its intrinsic value once expired).
	pub mark: Price,
	/// Those inputs were fresh (not stale, not flagged): opening risk may use the entry.
	pub fresh: bool,
	pub vector: SeriesScenarios,
}

/// A series' scenario vector as the options pallet caches it: computed at `index` and the
/// mark volatility `sigma` at `at`, on its underlying's grid.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SeriesScenarios {
	pub underlying: AssetId,
	pub index: Price,
	pub sigma: Price,
	pub at: Moment,
	/// Each scenario's change in a contract's value (see [`crate::portfolio::ScenarioValues`]).
	pub values: crate::portfolio::ScenarioValues,
}

/// No options: every market is a perpetual.
impl OptionMarks for () {
	type Inputs = ();
	fn is_series(_: MarketId) -> bool {
		false
	}
	fn leg_in(_: &mut (), _: MarketId, _: Valuation) -> Option<SeriesLeg> {
		None
	}
	fn leg_weight() -> Weight {
		Weight::zero()
	}
	fn settlement_value(_: MarketId) -> Option<Price> {
		None
	}
	fn settlement_value_weight() -> Weight {
		Weight::zero()
	}
	fn volatility_input(_: MarketId) -> Option<crate::oracle::VolatilityInput> {
		None
	}
	fn vega(_: MarketId) -> Option<Price> {
		None
	}
	fn scenarios_in(_: &mut (), _: MarketId, _: Valuation) -> Option<SeriesScenarios> {
		None
	}
	fn scenarios_weight() -> Weight {
		Weight::zero()
	}
	fn scenario_book(_: AssetId, _: Valuation) -> Option<alloc::vec::Vec<BookEntry>> {
		None
	}
	fn scenario_book_weight() -> Weight {
		Weight::zero()
	}
}

/// The margin engine, for the options pallet: opens a market for a new series.
pub trait SeriesMarkets {
	/// Opens market `market` for a series written on the perpetual `underlying`'s base asset:
	/// its decimals, step and fees, the series' `tick_size`, at most `max_open_interest`
	/// contracts (base units), no funding. Returns its base asset and decimals.
	fn open_series_market(
		market: MarketId,
		underlying: MarketId,
		tick_size: Price,
		max_open_interest: Balance,
	) -> Result<SeriesMarket, DispatchError>;

	/// The base decimals of market `market`, a series' or a perpetual's; `None` if there is
	/// no such market. Reads one market.
	fn base_decimals(market: MarketId) -> Option<u8>;

	/// The most [`Self::open_series_market`] costs.
	fn open_series_market_weight() -> Weight;

	/// The base asset of perpetual `underlying`, which series may be written on; an error if
	/// there is no such market or it is a series. Reads one market.
	fn perpetual_asset(underlying: MarketId) -> Result<AssetId, DispatchError>;

	/// Settles positions in settled series, resuming a scan of every position where the
	/// last call stopped, reading at most `limit` positions.
	fn settle_expired_positions(limit: u32) -> SweepOutcome;

	/// The most [`Self::settle_expired_positions`] costs per position read.
	fn settle_expired_position_weight() -> Weight;

	/// Closes series `market`'s market for good (its config and state go, freeing its slot),
	/// refused while any position in it is held. Its cost is within the options pallet's
	/// `delist_series` benchmark, which runs it.
	fn close_series_market(market: MarketId) -> DispatchResult;

	/// The scenario grid of `underlying` (the default grid until governance sets one). Reads
	/// one grid.
	fn scenario_grid(underlying: AssetId) -> crate::portfolio::ScenarioGrid;
}

/// The order book, for the options pallet: empties an expired series' book.
pub trait SeriesBooks {
	/// Takes at most `steps` steps off series `market`'s book, each cancelling at most one
	/// waiting trigger and one resting order (their deposits and margin released).
	fn clear_book(market: MarketId, steps: u32) -> BookClearance;

	/// The most [`Self::clear_book`] of `steps` steps costs.
	fn clear_book_weight(steps: u32) -> Weight;
}

/// A market without an order book: nothing to clear.
impl SeriesBooks for () {
	fn clear_book(_: MarketId, _: u32) -> BookClearance {
		BookClearance { steps: 0, empty: true }
	}
	fn clear_book_weight(_: u32) -> Weight {
		Weight::zero()
	}
}

/// What one call of [`SeriesBooks::clear_book`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BookClearance {
	/// Steps taken (each cancelled something).
	pub steps: u32,
	/// Nothing is left: no resting order, no waiting trigger.
	pub empty: bool,
}

/// What one call of [`SeriesMarkets::settle_expired_positions`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepOutcome {
	/// Positions read.
	pub read: u32,
	/// Positions settled.
	pub settled: u32,
	/// The call started from the first position (a new pass).
	pub from_start: bool,
	/// The scan reached the last position (the next call starts from the first).
	pub finished: bool,
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::black76::OptionKind::{Call, Put};
	use proptest::prelude::*;

	const DERIBIT: LegMarginParams =
		LegMarginParams { base: 15 * ONE / 100, floor: ONE / 10, maintenance: 75 * ONE / 1000 };
	const DAY_MS: Moment = 86_400_000;

	fn usd(dollars: u128) -> Price {
		Price::from_inner(dollars * 10u128.pow(18))
	}

	fn terms(kind: OptionKind, strike: u128, expiry: Moment) -> SeriesTerms {
		SeriesTerms { underlying: 2, expiry, strike: usd(strike), kind }
	}

	fn inputs(index: u128, mark_sigma: i128, margin_sigma: i128, now: Moment) -> LegInputs {
		LegInputs {
			index: to_fixed(usd(index)).unwrap(),
			mark_sigma,
			margin_sigma,
			now,
			rate: 0,
			params: DERIBIT,
		}
	}

	#[test]
	fn a_year_is_365_days_of_milliseconds() {
		assert_eq!(years_to(0, 365 * DAY_MS), Ok(ONE));
		assert_eq!(years_to(10, 5), Ok(0));
	}

	#[test]
	fn an_expired_series_is_worth_its_intrinsic_value() {
		let put = terms(Put, 60_000, DAY_MS);
		let at = |index| price_leg(&put, inputs(index, ONE / 2, ONE / 2, DAY_MS)).unwrap();
		assert_eq!(at(55_000).mark, usd(5_000));
		assert!(at(55_000).expired);
		// What a short owes is in its equity already: no requirement beyond it.
		assert_eq!((at(55_000).short_initial, at(55_000).short_maintenance), (usd(0), usd(0)));
		assert_eq!(at(65_000).mark, usd(0));
		let priced = price_series(&put, to_fixed(usd(55_000)).unwrap(), ONE / 2, DAY_MS + 1, 0).unwrap();
		assert_eq!(priced.delta, -ONE);
	}

	#[test]
	fn a_live_series_is_black_76() {
		let call = terms(Call, 60_000, 30 * DAY_MS);
		let leg = price_leg(&call, inputs(60_000, ONE / 2, ONE / 2, 0)).unwrap();
		let direct = black76::price(
			Call,
			Inputs {
				spot: to_fixed(usd(60_000)).unwrap(),
				strike: to_fixed(usd(60_000)).unwrap(),
				sigma: ONE / 2,
				years: years_to(0, 30 * DAY_MS).unwrap(),
				rate: 0,
			},
		)
		.unwrap();
		assert_eq!(to_fixed(leg.mark).unwrap(), direct.price);
		assert!(!leg.expired);
		// At the money: 15% of the index plus the mark; 7.5% plus the mark.
		assert_eq!(leg.short_initial, usd(9_000) + leg.mark);
		assert_eq!(leg.short_maintenance, usd(4_500) + leg.mark);
	}

	#[test]
	fn the_margin_volatility_raises_only_the_requirements() {
		let put = terms(Put, 55_000, 7 * DAY_MS);
		let same = price_leg(&put, inputs(60_000, ONE / 2, ONE / 2, 0)).unwrap();
		let floored = price_leg(&put, inputs(60_000, ONE / 2, ONE, 0)).unwrap();
		assert_eq!(same.mark, floored.mark);
		assert!(floored.short_initial > same.short_initial);
		assert!(floored.short_maintenance > same.short_maintenance);
	}

	#[test]
	fn a_moment_before_expiry_is_priced_as_at_expiry() {
		// σ√T below Black-76's least (a second at 50%): the intrinsic value, no error.
		let call = terms(Call, 60_000, DAY_MS);
		let leg = price_leg(&call, inputs(61_000, ONE / 2, ONE / 2, DAY_MS - 1_000)).unwrap();
		assert_eq!(leg.mark, usd(1_000));
		assert!(!leg.expired);
	}

	proptest! {
		/// The price alone is the price the Greeks come with.
		#[test]
		fn the_premium_alone_is_the_priced_premium(
			index in 1_000u128..200_000,
			strike in 1_000u128..200_000,
			minutes in 0u64..600_000,
			sigma_pct in 1i128..500,
			put in any::<bool>(),
		) {
			let series = terms(if put { Put } else { Call }, strike, minutes * 60_000);
			let (index, sigma) = (to_fixed(usd(index)).unwrap(), sigma_pct * ONE / 100);
			let premium = premium_series(&series, index, sigma, 0, 0);
			prop_assert!(premium.is_ok(), "{:?}", premium);
			prop_assert_eq!(premium.ok(), price_series(&series, index, sigma, 0, 0).ok().map(|p| p.price));
		}

		/// Requirements are never below the mark, maintenance never above initial, and a leg
		/// is worth no less than its intrinsic value (no arbitrage at a zero rate).
		#[test]
		fn legs_are_ordered(
			index in 1_000u128..200_000,
			strike in 1_000u128..200_000,
			days in 0u64..400,
			sigma_pct in 5i128..300,
			put in any::<bool>(),
		) {
			let kind = if put { Put } else { Call };
			let series = terms(kind, strike, days * DAY_MS);
			let sigma = sigma_pct * ONE / 100;
			let Ok(leg) = price_leg(&series, inputs(index, sigma, sigma, 0)) else {
				// Only Black-76's moneyness bounds may refuse, and these inputs are inside.
				return Err(TestCaseError::fail("a leg inside the priced domain was refused"));
			};
			let floor = intrinsic(kind, to_fixed(usd(strike)).unwrap(), to_fixed(usd(index)).unwrap()).unwrap();
			prop_assert!(to_fixed(leg.mark).unwrap() >= floor - 1_000);
			prop_assert!(leg.short_initial >= leg.short_maintenance);
			if days > 0 {
				prop_assert!(leg.short_maintenance >= leg.mark);
			}
		}
	}
}
