//! Applying a fill: funding first, then the trade's cash, positions, open interest, and the
//! initial-margin check of every side that took on risk.

use crate::{math, pallet::*, Health, Market, Position};
use clearing_primitives::{
	options::OptionMarks,
	collateral::{CollateralLedger, Valuation},
	margin::{
		within_band, Fill, FillParty, FillRefusal, MarginEngine, MarketRules, MarketStatus, Side,
	},
	oracle::{PriceProvider, PriceQuote},
	notional, Balance, MarketId, Price, SignedBalance,
};
use frame_support::{
	ensure,
	storage::with_storage_layer,
	traits::{Contains, Get},
	weights::Weight,
};
use sp_runtime::{ArithmeticError, DispatchError, DispatchResult, Rounding};

/// A side of a fill whose risk does not grow: how it stood before, and how its collateral is
/// valued for the check after.
struct Reducing<T: Config> {
	who: SubaccountOf<T>,
	collateral: Valuation,
	health: Health,
}

impl<T: Config> Pallet<T> {
	/// Settles `subaccount`'s unsettled funding in `market` (whose sizes have `decimals` and
	/// whose funding index is now `index`) against the funding pool, and brings its position's
	/// index up to date.
	fn settle_funding(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		decimals: u8,
		index: sp_runtime::FixedI128,
	) -> DispatchResult {
		let Some(mut position) = Positions::<T>::get(subaccount, market) else { return Ok(()) };
		let amount = math::funding_payment(position.size, decimals, position.funding_index, index)
			.map_err(DispatchError::from)?;
		if amount != 0 {
			let pool = Self::funding_pool();
			if amount > 0 {
				T::Ledger::move_settlement(&pool, subaccount, amount.unsigned_abs())?;
			} else {
				T::Ledger::move_settlement(subaccount, &pool, amount.unsigned_abs())?;
			}
			Self::deposit_event(Event::FundingSettled {
				subaccount: subaccount.clone(),
				market,
				amount,
			});
		}
		position.funding_index = index;
		Self::write_position(subaccount, market, Some(position))
	}

	/// `Ok` (with its position count) if `subaccount` may open a position in `market`, which
	/// it holds none in: below `MaxPositions`, an isolated market alone in its subaccount,
	/// whichever came first, and only its own market in an isolated subaccount; under
	/// portfolio margin the portfolio rules instead (`ensure_portfolio_room`); an
	/// `Unbounded` subaccount always may.
	fn ensure_room(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		isolated: bool,
	) -> Result<u32, DispatchError> {
		let count = PositionCount::<T>::get(subaccount);
		if T::Unbounded::contains(subaccount) {
			return Ok(count);
		}
		let settings = Self::settings_of(subaccount);
		if settings.mode == crate::MarginMode::Portfolio {
			let legs = PortfolioLegs::<T>::get(subaccount).unwrap_or_default();
			Self::ensure_portfolio_room(&legs, market)?;
			return Ok(count);
		}
		ensure!(count < T::MaxPositions::get(), Error::<T>::TooManyPositions);
		Self::ensure_isolation_allows(&settings, market)?;
		let others_isolated = Positions::<T>::iter_key_prefix(subaccount)
			.filter_map(Self::market_config)
			.any(|other| other.isolated_only);
		ensure!(count == 0 || (!isolated && !others_isolated), Error::<T>::IsolatedMarket);
		Ok(count)
	}

	/// Stores `position` (removing it at size zero), keeping counts, the position bound and
	/// the isolated-market rule.
	fn put_position(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		position: Position,
		isolated: bool,
	) -> DispatchResult {
		let existed = Positions::<T>::contains_key(subaccount, market);
		if position.size == 0 {
			if existed {
				Self::write_position(subaccount, market, None)?;
				PositionCount::<T>::mutate_exists(subaccount, |count| {
					*count = count.and_then(|c| c.checked_sub(1)).filter(|c| *c > 0);
				});
				Self::count_series_holder(market, false);
			}
			return Ok(());
		}
		if !existed {
			let count = Self::ensure_room(subaccount, market, isolated)?;
			PositionCount::<T>::insert(subaccount, count.saturating_add(1));
			Self::count_series_holder(market, true);
		}
		Self::write_position(subaccount, market, Some(position))
	}

	/// Applies `fill`, checking both sides: a side whose risk grew must meet its initial
	/// requirement at fresh prices; any other side must keep non-negative equity and, if it
	/// ends below maintenance, be no worse off than before (its equity per unit of
	/// maintenance requirement no lower). A refusal names the side at fault: the maker for its
	/// price (outside the band) or its own margin, the taker for everything else.
	/// `taker_closing`: the taker is a liquidation's close, bounded by its own price limit.
	pub(crate) fn do_apply_fill(
		fill: &Fill<T::AccountId>,
		taker_closing: bool,
	) -> Result<(), FillRefusal> {
		let as_taker = |error: DispatchError| FillRefusal { party: FillParty::Taker, error };
		let Market { config, status: set_status } = Markets::<T>::get(fill.market)
			.ok_or(Error::<T>::MarketNotFound)
			.map_err(|e| as_taker(e.into()))?;
		if set_status == MarketStatus::Halted {
			return Err(as_taker(Error::<T>::MarketHalted.into()));
		}
		let party_of =
			|who: &SubaccountOf<T>| if *who == fill.taker { FillParty::Taker } else { FillParty::Maker };
		// The fill is at the maker's price: a price far from the index is the maker's.
		let index = Self::mark(fill.market, &config, Valuation::Maintenance)
			.ok_or(Error::<T>::NoFreshPrice)
			.map_err(|e| as_taker(e.into()))?;
		if !within_band(fill.price, index, config.price_band) {
			return Err(FillRefusal {
				party: FillParty::Maker,
				error: Error::<T>::PriceOutsideBand.into(),
			});
		}
		// Sides whose risk will not grow are held to "no worse than before": read how they
		// stand before the fill (the liquidated taker of a close excepted).
		let before = Self::health_before_reducing(fill, index, taker_closing)?;
		// A side with no room for a new position is refused as itself: a maker that cannot
		// take the fill never fails the taker (nor a liquidation's close).
		for (who, party) in [(&fill.taker, FillParty::Taker), (&fill.maker, FillParty::Maker)] {
			if !Positions::<T>::contains_key(who, fill.market) {
				Self::ensure_room(who, fill.market, config.isolated_only)
					.map_err(|error| FillRefusal { party, error })?;
			}
		}
		let checks = Self::move_positions(fill, &config).map_err(as_taker)?;
		// A reduce-only market lets no side grow: the side that would is refused.
		if set_status == MarketStatus::ReduceOnly {
			if let Some((who, _)) = checks.iter().find(|(_, riskier)| *riskier) {
				return Err(FillRefusal {
					party: party_of(who),
					error: Error::<T>::MarketReduceOnly.into(),
				});
			}
		}
		// Risk is added only at a fresh price: the side adding it is refused (the taker if
		// both do), so a maker's stale-priced bid never fails a taker that only reduces.
		if Self::mark(fill.market, &config, Valuation::Opening).is_none() {
			let adding = checks
				.iter()
				.filter(|(_, riskier)| *riskier)
				.map(|(who, _)| party_of(who))
				.min_by_key(|party| *party != FillParty::Taker);
			if let Some(party) = adding {
				return Err(FillRefusal { party, error: Error::<T>::NoFreshPrice.into() });
			}
		}
		for (who, riskier) in &checks {
			let refused = |error| FillRefusal { party: party_of(who), error };
			if *riskier {
				Self::ensure_initial(who).map_err(refused)?;
			} else if let Some(side) = before.iter().flatten().find(|side| side.who == *who) {
				let after = Self::ensure_no_worse(side).map_err(refused)?;
				// A smaller position raises a requirement only under portfolio margin (a hedge
				// taken off): that is risk added, held to the initial requirement at the
				// market's fresh price.
				if after.maintenance_requirement > side.health.maintenance_requirement {
					if Self::mark(fill.market, &config, Valuation::Opening).is_none() {
						return Err(refused(Error::<T>::NoFreshPrice.into()));
					}
					ensure!(after.free_collateral >= 0, refused(Error::<T>::InitialMarginBreached.into()));
				}
			}
		}
		Self::deposit_event(Event::FillApplied {
			market: fill.market,
			taker: fill.taker.clone(),
			maker: fill.maker.clone(),
			taker_side: fill.taker_side,
			price: fill.price,
			size: fill.size,
		});
		Ok(())
	}

	/// How each side of `fill` whose risk will not grow stands before it, and how its
	/// collateral is valued: at the last prices when the fill is at the index or better for
	/// it (reducing never needs a fresh price), at fresh prices only (stale is worth nothing)
	/// when it sells below or buys above the index, so value handed to the other side is
	/// never backed by collateral whose price has not been confirmed. The taker of a close
	/// is left out.
	fn health_before_reducing(
		fill: &Fill<T::AccountId>,
		index: Price,
		taker_closing: bool,
	) -> Result<[Option<Reducing<T>>; 2], FillRefusal> {
		let size = SignedBalance::try_from(fill.size)
			.map_err(|_| FillRefusal::from(DispatchError::from(ArithmeticError::Overflow)))?;
		let (taker_delta, maker_delta) = match fill.taker_side {
			Side::Buy => (size, size.saturating_neg()),
			Side::Sell => (size.saturating_neg(), size),
		};
		let mut before = [None, None];
		let sides = [(&fill.taker, taker_delta, FillParty::Taker), (&fill.maker, maker_delta, FillParty::Maker)];
		for (slot, (who, delta, party)) in before.iter_mut().zip(sides) {
			if party == FillParty::Taker && taker_closing {
				continue;
			}
			let held = Positions::<T>::get(who, fill.market).map(|p| p.size).unwrap_or_default();
			if math::risk_grows(held, delta) {
				continue;
			}
			let gives_value = if delta > 0 { fill.price > index } else { fill.price < index };
			let collateral = if gives_value { Valuation::Opening } else { Valuation::Maintenance };
			let health = Self::health_valued(who, collateral, Valuation::Maintenance)
				.map_err(|error| FillRefusal { party, error })?;
			*slot = Some(Reducing { who: who.clone(), collateral, health });
		}
		Ok(before)
	}

	/// `Ok` with its health after if `side`, whose risk did not grow, keeps non-negative
	/// equity and, below maintenance, is no worse off than before (both valued as before).
	fn ensure_no_worse(side: &Reducing<T>) -> Result<crate::Health, DispatchError> {
		let after = Self::health_valued(&side.who, side.collateral, Valuation::Maintenance)?;
		ensure!(after.equity >= 0, Error::<T>::NegativeEquity);
		ensure!(
			math::no_worse(
				(side.health.equity, side.health.maintenance_requirement),
				(after.equity, after.maintenance_requirement),
			),
			Error::<T>::MaintenanceWorsened
		);
		Ok(after)
	}

	/// Checks `fill` against its market's rules, then exchanges it. Returns each side with
	/// whether its risk grew.
	fn move_positions(
		fill: &Fill<T::AccountId>,
		config: &crate::MarketConfigOf<T>,
	) -> Result<[(SubaccountOf<T>, bool); 2], DispatchError> {
		ensure!(fill.taker != fill.maker, Error::<T>::SelfTrade);
		ensure!(math::on_tick(fill.price, config.tick_size), Error::<T>::PriceOffTick);
		ensure!(math::on_step(fill.size, config.step_size), Error::<T>::SizeOffStep);
		let (buyer, seller) = match fill.taker_side {
			Side::Buy => (&fill.taker, &fill.maker),
			Side::Sell => (&fill.maker, &fill.taker),
		};
		let cash: Balance = notional(fill.size, config.base_decimals, fill.price, Rounding::Down)
			.map_err(|_| ArithmeticError::Overflow)?;
		let cash = SignedBalance::try_from(cash).map_err(|_| ArithmeticError::Overflow)?;
		let [buyer_riskier, seller_riskier] =
			Self::exchange(fill.market, config, buyer, seller, fill.size, cash, config.isolated_only)?;
		Ok([(buyer.clone(), buyer_riskier), (seller.clone(), seller_riskier)])
	}

	/// Settles both sides' funding, has `buyer` pay `seller` `cash` (negative: the seller
	/// pays), moves `size` base units from the seller to the buyer, and keeps open interest.
	/// Returns, for the buyer and the seller, whether its risk grew.
	pub(crate) fn exchange(
		market: MarketId,
		config: &crate::MarketConfigOf<T>,
		buyer: &SubaccountOf<T>,
		seller: &SubaccountOf<T>,
		size: Balance,
		cash: SignedBalance,
		isolated: bool,
	) -> Result<[bool; 2], DispatchError> {
		let mut state = MarketStates::<T>::get(market);
		let index = state.funding_index;
		Self::settle_funding(buyer, market, config.base_decimals, index)?;
		Self::settle_funding(seller, market, config.base_decimals, index)?;
		if cash >= 0 {
			T::Ledger::move_settlement(buyer, seller, cash.unsigned_abs())?;
		} else {
			T::Ledger::move_settlement(seller, buyer, cash.unsigned_abs())?;
		}

		let size = SignedBalance::try_from(size).map_err(|_| ArithmeticError::Overflow)?;
		let mut open_interest = state.open_interest;
		let mut riskier = [false, false];
		for (i, (who, delta, paid)) in
			[(buyer, size, cash), (seller, size.saturating_neg(), cash.saturating_neg())]
				.into_iter()
				.enumerate()
		{
			let old = Positions::<T>::get(who, market).unwrap_or_default();
			let new_size = old.size.checked_add(delta).ok_or(ArithmeticError::Overflow)?;
			let cost = math::cost_after_fill(old.size, old.cost_basis, delta, paid).map_err(DispatchError::from)?;
			// Open interest counts the long side: remove the old long, add the new.
			open_interest = open_interest
				.checked_sub(old.size.max(0).unsigned_abs())
				.and_then(|oi| oi.checked_add(new_size.max(0).unsigned_abs()))
				.ok_or(ArithmeticError::Overflow)?;
			if let Some(flag) = riskier.get_mut(i) {
				*flag = math::risk_grows(old.size, delta);
			}
			Self::put_position(
				who,
				market,
				Position { size: new_size, cost_basis: cost, funding_index: index },
				isolated,
			)?;
			Self::deposit_event(Event::PositionChanged {
				subaccount: who.clone(),
				market,
				size: new_size,
				cost_basis: cost,
			});
		}
		if open_interest > state.open_interest {
			ensure!(
				open_interest <= config.max_open_interest,
				Error::<T>::OpenInterestCapReached
			);
		}
		state.open_interest = open_interest;
		MarketStates::<T>::insert(market, state);
		Ok(riskier)
	}
}

impl<T: Config> Pallet<T> {
	/// Applies `fill` in a storage layer of its own and reports its weight.
	fn apply_and_weigh(fill: &Fill<T::AccountId>, taker_closing: bool) -> Result<Weight, FillRefusal> {
		// Atomic on its own: an order book that skips a refused fill finds nothing changed.
		with_storage_layer(|| Self::do_apply_fill(fill, taker_closing))?;
		// The benchmark holds `p` positions on each side; a side's count during the fill is
		// at most one more than after it (a position the fill closed).
		let positions = PositionCount::<T>::get(&fill.taker)
			.max(PositionCount::<T>::get(&fill.maker))
			.saturating_add(1)
			.min(T::MaxPositions::get());
		Ok(Self::fill_weight(positions, T::Options::is_series(fill.market)))
	}
}

impl<T: Config> MarginEngine<T::AccountId> for Pallet<T> {
	fn apply_fill(fill: &Fill<T::AccountId>) -> Result<Weight, FillRefusal> {
		Self::apply_and_weigh(fill, false)
	}

	fn apply_close_fill(fill: &Fill<T::AccountId>) -> Result<Weight, FillRefusal> {
		Self::apply_and_weigh(fill, true)
	}

	fn market_rules(market: MarketId) -> Option<MarketRules> {
		let stored = Markets::<T>::get(market)?;
		if T::Options::is_series(market) {
			// A series' band is around its premium, and its status follows its pricing.
			let fresh = T::Options::leg(market, Valuation::Opening);
			let last = fresh.or_else(|| T::Options::leg(market, Valuation::Maintenance));
			return Some(MarketRules {
				status: Self::series_status_priced(stored.status, fresh.as_ref(), last.as_ref()),
				base_decimals: stored.config.base_decimals,
				tick_size: stored.config.tick_size,
				step_size: stored.config.step_size,
				maker_fee: stored.config.maker_fee,
				taker_fee: stored.config.taker_fee,
				price_band: stored.config.price_band,
				index: last.map(|leg| leg.mark),
				index_fresh: fresh.is_some(),
			});
		}
		Some({
			// One read of the index serves both the status and the band.
			let quote = T::Prices::quote(stored.config.base_asset);
			let index_fresh = quote.as_ref().is_some_and(PriceQuote::is_fresh);
			MarketRules {
				status: Self::status_priced(&stored, index_fresh),
				base_decimals: stored.config.base_decimals,
				tick_size: stored.config.tick_size,
				step_size: stored.config.step_size,
				maker_fee: stored.config.maker_fee,
				taker_fee: stored.config.taker_fee,
				price_band: stored.config.price_band,
				index: quote.map(|q| q.price),
				index_fresh,
			}
		})
	}

	fn position_size(subaccount: &SubaccountOf<T>, market: MarketId) -> SignedBalance {
		Positions::<T>::get(subaccount, market).map(|p| p.size).unwrap_or_default()
	}

	fn apply_fill_weight() -> Weight {
		Self::fill_weight(T::MaxPositions::get(), true)
	}

	fn reserve_order_margin(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		side: Side,
		size: Balance,
		price: Price,
		deposit: Balance,
	) -> Result<(Balance, Weight), DispatchError> {
		// Only what adds size is held to the isolated market: a deposit alone (a trigger, a
		// dead-man's switch, whose "market" may be a placeholder) is not.
		let margin = if size == 0 {
			0
		} else {
			let settings = Self::settings_of(subaccount);
			Self::ensure_isolation_allows(&settings, market)?;
			match settings.mode {
				crate::MarginMode::Standard =>
					Self::order_margin_for(market, side, size, price, settings.chosen_fraction(market))?,
				crate::MarginMode::Portfolio => Self::portfolio_order_margin(market, side, size, price)?,
			}
		};
		let amount = margin.checked_add(deposit).ok_or(ArithmeticError::Overflow)?;
		Self::ensure_initial_with(subaccount, amount)?;
		OrderMargin::<T>::try_mutate(subaccount, |held| {
			*held = held.checked_add(amount).ok_or(ArithmeticError::Overflow)?;
			Ok::<_, DispatchError>(())
		})?;
		let positions = PositionCount::<T>::get(subaccount).max(1);
		Ok((margin, Self::reserve_weight(positions, T::Options::is_series(market))))
	}

	fn release_order_margin(subaccount: &SubaccountOf<T>, amount: Balance) {
		OrderMargin::<T>::mutate_exists(subaccount, |held| {
			*held = held.map(|h| h.saturating_sub(amount)).filter(|h| *h > 0);
		});
	}

	fn restore_order_margin(subaccount: &SubaccountOf<T>, amount: Balance) {
		OrderMargin::<T>::mutate(subaccount, |held| *held = held.saturating_add(amount));
	}

	fn order_margin(subaccount: &SubaccountOf<T>) -> Balance {
		OrderMargin::<T>::get(subaccount)
	}

	fn reserve_order_margin_weight() -> Weight {
		Self::reserve_weight(T::MaxPositions::get(), true)
	}

	fn reserve_order_margin_base_weight() -> Weight {
		Self::reserve_weight(0, false)
	}

	fn ensure_may_trade(subaccount: &SubaccountOf<T>, market: MarketId) -> DispatchResult {
		Self::ensure_isolation_allows(&Self::settings_of(subaccount), market)
	}
}

impl<T: Config> Pallet<T> {
	/// The initial margin a resting order of `size` at `price` in `market` sets aside: the
	/// market's initial fraction (at its open interest now, or `chosen` by the subaccount's
	/// leverage if higher) of its notional at the order's price or the fresh index, whichever
	/// is higher, so neither a low bid nor a high ask understates what filling it could need.
	pub(crate) fn order_margin_for(
		market: MarketId,
		side: Side,
		size: Balance,
		price: Price,
		chosen: sp_runtime::Permill,
	) -> Result<Balance, DispatchError> {
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		if T::Options::is_series(market) {
			return Self::series_order_margin(market, &config, side, size, price);
		}
		let index = Self::mark(market, &config, Valuation::Opening).ok_or(Error::<T>::NoFreshPrice)?;
		let state = MarketStates::<T>::get(market);
		let fraction = math::initial_fraction(
			config.initial_margin,
			state.open_interest,
			config.oi_lower,
			config.oi_upper,
		)
		.max(chosen);
		let size = SignedBalance::try_from(size).map_err(|_| ArithmeticError::Overflow)?;
		math::requirement(size, config.base_decimals, price.max(index), fraction).map_err(DispatchError::from)
	}

	/// A reservation for a subaccount with `positions` positions: the initial-margin check
	/// over them, plus the market, its state, the index, the subaccount's settings and the
	/// reservation itself; in a series (`series`), its leg priced for the book's rules (fresh
	/// and last) and for the order's margin; under portfolio margin also the grid and, in a
	/// series, its vector.
	fn reserve_weight(positions: u32, series: bool) -> Weight {
		let legs = if series {
			T::Options::leg_weight().saturating_mul(3).saturating_add(T::Options::scenarios_weight())
		} else {
			Weight::zero()
		};
		Self::health_weight(positions)
			.saturating_add(legs)
			.saturating_add(T::DbWeight::get().reads_writes(7, 1))
	}
}
