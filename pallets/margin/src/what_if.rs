//! `MarginApi.what_if`: a subaccount's health after a hypothetical fill, what a trading UI
//! shows before an order is signed. The fill is applied inside a storage layer that is always
//! rolled back, so the view never changes state.

use crate::{pallet::*, Health, HypotheticalOrder};
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, SubaccountNumber, Valuation},
	margin::Side,
	units::notional,
	Balance, MarketId, Price, SignedBalance,
};
use frame_support::storage::{with_transaction, TransactionOutcome};
use sp_runtime::{traits::Zero, ArithmeticError, DispatchError, Rounding};

impl<T: Config> Pallet<T> {
	/// The health of subaccount `number` of `owner` at the last prices, as
	/// `MarginApi.account_health` reads it, after `order` fills whole at its price (fees left out, open interest as it stands, no refusal checked: a fill the
	/// market's rules or the initial requirement would refuse is shown all the same); `None`
	/// for an unknown market, a zero size or price, or a health that cannot be read.
	pub fn what_if_view(owner: T::AccountId, number: SubaccountNumber, order: HypotheticalOrder) -> Option<Health> {
		let HypotheticalOrder { market, side, size, price } = order;
		if size.is_zero() || price.is_zero() {
			return None;
		}
		let subaccount = Subaccount::new(owner, number);
		let outcome = with_transaction(|| {
			let health = Self::hypothetical_fill(&subaccount, market, side, size, price);
			TransactionOutcome::Rollback(Ok::<_, DispatchError>(health))
		});
		outcome.ok().and_then(Result::ok)
	}

	/// Moves the fill's size into the position and its cash out of (a buy) or into (a sell)
	/// the settlement balance, against the funding pool; then reads the health.
	fn hypothetical_fill(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		side: Side,
		size: Balance,
		price: Price,
	) -> Result<Health, DispatchError> {
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		// As a fill moves it: the buyer pays the rounded-down notional, the seller receives it.
		let cash = notional(size, config.base_decimals, price, Rounding::Down).map_err(|_| ArithmeticError::Overflow)?;
		let delta = SignedBalance::try_from(size).map_err(|_| ArithmeticError::Overflow)?;
		let pool = Self::funding_pool();
		let delta = match side {
			Side::Buy => {
				T::Ledger::move_settlement(subaccount, &pool, cash)?;
				delta
			},
			Side::Sell => {
				T::Ledger::move_settlement(&pool, subaccount, cash)?;
				delta.checked_neg().ok_or(ArithmeticError::Overflow)?
			},
		};
		// A held position keeps its unsettled funding; a new one starts at the market's index.
		let mut position = Positions::<T>::get(subaccount, market).unwrap_or_else(|| clearing_primitives::positions::Position {
			funding_index: MarketStates::<T>::get(market).funding_index,
			..Default::default()
		});
		position.size = position.size.checked_add(delta).ok_or(ArithmeticError::Overflow)?;
		// In the caller's discarded layer; a portfolio subaccount's legs move with it.
		Self::write_position(subaccount, market, (position.size != 0).then_some(position))?;
		Self::health(subaccount, Valuation::Maintenance)
	}
}
