//! Applying a fill: funding first, then the trade's cash, positions, open interest, and the
//! initial-margin check of every side that took on risk.

use crate::{functions::overflow, math, pallet::*, weights::WeightInfo, Market, Position};
use clearing_primitives::{
	collateral::{CollateralLedger, Valuation},
	margin::{Fill, FillParty, FillRefusal, MarginEngine, MarketRules, MarketStatus, Side},
	notional, Balance, MarketId, SignedBalance,
};
use frame_support::{ensure, storage::with_storage_layer, traits::Get, weights::Weight};
use sp_runtime::{ArithmeticError, DispatchError, DispatchResult, Rounding};

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
			.map_err(overflow)?;
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
		Positions::<T>::insert(subaccount, market, position);
		Ok(())
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
				Positions::<T>::remove(subaccount, market);
				PositionCount::<T>::mutate_exists(subaccount, |count| {
					*count = count.and_then(|c| c.checked_sub(1)).filter(|c| *c > 0);
				});
			}
			return Ok(());
		}
		if !existed {
			let count = PositionCount::<T>::get(subaccount);
			ensure!(count < T::MaxPositions::get(), Error::<T>::TooManyPositions);
			// An isolated market is alone in its subaccount, whichever came first.
			let others_isolated = Positions::<T>::iter_key_prefix(subaccount)
				.filter_map(Self::market_config)
				.any(|other| other.isolated_only);
			ensure!(count == 0 || (!isolated && !others_isolated), Error::<T>::IsolatedMarket);
			PositionCount::<T>::insert(subaccount, count.saturating_add(1));
		}
		Positions::<T>::insert(subaccount, market, position);
		Ok(())
	}

	/// Applies `fill`. A side below its initial requirement is refused as that side's fault;
	/// every other refusal (market, tick, step, limits, a stale price) is the taker's.
	pub(crate) fn do_apply_fill(fill: &Fill<T::AccountId>) -> Result<(), FillRefusal> {
		let as_taker = |error: DispatchError| FillRefusal { party: FillParty::Taker, error };
		let Market { config, status: set_status } = Markets::<T>::get(fill.market)
			.ok_or(Error::<T>::MarketNotFound)
			.map_err(|e| as_taker(e.into()))?;
		if set_status == MarketStatus::Halted {
			return Err(as_taker(Error::<T>::MarketHalted.into()));
		}
		let checks = Self::move_positions(fill, &config).map_err(as_taker)?;
		let party_of =
			|who: &SubaccountOf<T>| if *who == fill.taker { FillParty::Taker } else { FillParty::Maker };
		// A reduce-only market lets no side grow: the side that would is refused.
		if set_status == MarketStatus::ReduceOnly {
			if let Some((who, _)) = checks.iter().find(|(_, riskier)| *riskier) {
				return Err(FillRefusal {
					party: party_of(who),
					error: Error::<T>::MarketReduceOnly.into(),
				});
			}
		}
		// Risk is added only at a fresh price, and only with the collateral to carry it.
		if checks.iter().any(|(_, riskier)| *riskier) &&
			Self::mark(&config, Valuation::Opening).is_none()
		{
			return Err(as_taker(Error::<T>::NoFreshPrice.into()));
		}
		for (who, riskier) in checks {
			if riskier {
				Self::ensure_initial(&who)
					.map_err(|error| FillRefusal { party: party_of(&who), error })?;
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
			let cost = math::cost_after_fill(old.size, old.cost_basis, delta, paid).map_err(overflow)?;
			// Open interest counts the long side: remove the old long, add the new.
			open_interest = open_interest
				.checked_sub(old.size.max(0).unsigned_abs())
				.and_then(|oi| oi.checked_add(new_size.max(0).unsigned_abs()))
				.ok_or(ArithmeticError::Overflow)?;
			if let Some(flag) = riskier.get_mut(i) {
				let flipped = old.size != 0 && new_size != 0 && (new_size > 0) != (old.size > 0);
				*flag = new_size.unsigned_abs() > old.size.unsigned_abs() || flipped;
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

impl<T: Config> MarginEngine<T::AccountId> for Pallet<T> {
	fn apply_fill(fill: &Fill<T::AccountId>) -> Result<Weight, FillRefusal> {
		// Atomic on its own: an order book that skips a refused fill finds nothing changed.
		with_storage_layer(|| Self::do_apply_fill(fill))?;
		// The benchmark holds `p` positions on each side; a side's count during the fill is
		// at most one more than after it (a position the fill closed).
		let positions = PositionCount::<T>::get(&fill.taker)
			.max(PositionCount::<T>::get(&fill.maker))
			.saturating_add(1)
			.min(T::MaxPositions::get());
		Ok(T::WeightInfo::apply_fill(positions))
	}

	fn market_rules(market: MarketId) -> Option<MarketRules> {
		Markets::<T>::get(market).map(|stored| MarketRules {
			status: Self::effective_status(&stored),
			base_decimals: stored.config.base_decimals,
			tick_size: stored.config.tick_size,
			step_size: stored.config.step_size,
			maker_fee: stored.config.maker_fee,
			taker_fee: stored.config.taker_fee,
		})
	}

	fn position_size(subaccount: &SubaccountOf<T>, market: MarketId) -> SignedBalance {
		Positions::<T>::get(subaccount, market).map(|p| p.size).unwrap_or_default()
	}

	fn apply_fill_weight() -> Weight {
		T::WeightInfo::apply_fill(T::MaxPositions::get())
	}
}
