//! Whether a subaccount may be liquidated now: prices ready, below maintenance, not the
//! backstop; and the pool-side check of the keeper's authorized transactions.

use crate::{pallet::*, proof::Statement, weights::WeightInfo};
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, Valuation},
	margin::LiquidationBook,
	oracle::{PriceProvider, VolatilityInput},
	positions::{Health, MarginAccounts, MarketTerms},
	AssetId, MarketId,
};
use frame_support::{
	ensure,
	pallet_prelude::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
	traits::Get,
	weights::Weight,
};
use sp_runtime::{traits::AccountIdConversion, DispatchError};

impl<T: Config> Pallet<T> {
	/// The subaccount the backstop holds taken-over positions in.
	pub fn backstop() -> SubaccountOf<T> {
		Subaccount::new(Self::backstop_account(), 0)
	}

	/// The backstop's account: receives the fund's cover before it moves into the vaults.
	pub fn backstop_account() -> T::AccountId {
		T::BackstopId::get().into_account_truncating()
	}

	/// `Ok` if `asset`'s index price is fresh and has been for `MinFreshAggregates`
	/// aggregates.
	fn ensure_asset_ready(asset: AssetId) -> Result<(), DispatchError> {
		let quote = T::Prices::quote(asset).ok_or(Error::<T>::PriceNotReady)?;
		ensure!(
			quote.is_fresh() && quote.fresh_streak >= T::MinFreshAggregates::get(),
			Error::<T>::PriceNotReady
		);
		Ok(())
	}

	/// `Ok` if `market`'s index price is ready (see [`Self::ensure_asset_ready`]).
	pub(crate) fn ensure_price_ready(market: MarketId) -> Result<(), DispatchError> {
		let terms = T::Margin::market_terms(market).ok_or(Error::<T>::PriceNotReady)?;
		Self::ensure_asset_ready(terms.base_asset)
	}

	/// `true` if a live option series' implied volatility is ready (always for a perpetual or
	/// an expired series): the input that marks it, its expiry's smile or the volatility
	/// index, fresh for `MinFreshAggregates` aggregates. A series whose volatility is not
	/// waits to be closed or taken over (its mark would be an old figure) while the
	/// subaccount's other markets are liquidated: a stale volatility feed never shields a
	/// perpetual.
	pub(crate) fn volatility_ready(terms: &MarketTerms) -> bool {
		match terms.volatility {
			None => true,
			Some(VolatilityInput::Index(asset)) => Self::ensure_asset_ready(asset).is_ok(),
			Some(VolatilityInput::Smile { underlying, expiry }) => T::Prices::surface(underlying, expiry)
				.is_some_and(|smile| smile.is_fresh() && smile.fresh_streak >= T::MinFreshAggregates::get()),
		}
	}

	/// The protocol's own subaccounts, never liquidated: the backstop, and the margin
	/// engine's pools, every subaccount of the funding pool's account (the funding pool pays a
	/// position its funding, and the settlement pool pays an expired option's holder, before
	/// the payers have settled theirs, so each owes for a while by design).
	pub fn is_exempt(subaccount: &SubaccountOf<T>) -> bool {
		*subaccount == Self::backstop() || subaccount.owner == T::Margin::funding_pool().owner
	}

	/// `subaccount`'s health if it may be liquidated now, the named reason otherwise: below
	/// maintenance, every market it holds priced and ready; with no position, a settlement
	/// debt its other collateral no longer covers at haircut value, every price that
	/// collateral is valued at ready (it is all its value; with positions, a stale price of
	/// its collateral never shields it from liquidation).
	pub fn ensure_liquidatable(subaccount: &SubaccountOf<T>) -> Result<Health, DispatchError> {
		ensure!(!Self::is_exempt(subaccount), Error::<T>::ProtocolExempt);
		let mut holds_any = false;
		for market in T::Margin::markets_held(subaccount) {
			Self::ensure_price_ready(market)?;
			holds_any = true;
		}
		if !holds_any {
			for asset in T::Ledger::collateral_assets(subaccount) {
				Self::ensure_asset_ready(asset)?;
			}
		}
		let health = T::Margin::health(subaccount, Valuation::Maintenance)?;
		ensure!(health.liquidatable, Error::<T>::NotLiquidatable);
		Ok(health)
	}

	/// The keeper's transaction is valid only with a current keeper's unexpired proof of its
	/// arguments, and while its subaccount is liquidatable; one per subaccount in the pool,
	/// ahead of ordinary transactions, and only as long as the proof. Returns what of
	/// [`Self::authorize_weight`] it did not use (it read the positions the subaccount holds,
	/// not `MaxPositions`).
	pub(crate) fn authorize_liquidate(
		_source: TransactionSource,
		subaccount: &SubaccountOf<T>,
		counterparties: &CounterpartiesOf<T>,
		proof: &KeeperProofOf<T>,
	) -> Result<(ValidTransaction, Weight), TransactionValidityError> {
		let statement = Statement::Liquidate { subaccount, counterparties: counterparties.as_slice() };
		let longevity = Self::check_proof(&statement, proof)?;
		Self::ensure_liquidatable(subaccount)
			.map_err(|_| TransactionValidityError::Invalid(InvalidTransaction::Call))?;
		let positions = T::Margin::position_count(subaccount);
		let unspent =
			Self::authorize_weight().saturating_sub(T::WeightInfo::authorize_liquidate(positions));
		let valid = ValidTransaction::with_tag_prefix("Liquidation")
			.priority(T::KeeperPriority::get())
			.and_provides(subaccount)
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((valid, unspent))
	}

	/// What checking a keeper's transaction may cost: a subaccount with `MaxPositions`.
	pub fn authorize_weight() -> Weight {
		T::WeightInfo::authorize_liquidate(T::Margin::max_positions())
	}

	/// The pallet's own work liquidating a subaccount that holds `positions`, offered
	/// `counterparties`: without them, measured by the positions (the backstop's path); with
	/// them, at least the deleveraging across that many, measured at `MaxPositions`.
	pub fn own_weight(positions: u32, counterparties: u32) -> Weight {
		let by_positions = T::WeightInfo::liquidate(positions);
		if counterparties == 0 {
			return by_positions;
		}
		by_positions.max(T::WeightInfo::liquidate_deleveraging(counterparties))
	}

	/// Reading the loss the backstop carries: a health reading of a subaccount that may hold
	/// every market.
	pub fn backstop_loss_weight() -> Weight {
		T::Margin::health_weight(T::Margin::max_markets())
	}

	/// What a `liquidate` offering `counterparties` may cost: the pallet's own work for a
	/// subaccount with `MaxPositions` positions, reading the backstop's loss, plus a close of
	/// `MaxCloseFills` fills in each of the `MaxMarketsPerCall` markets it may work through.
	pub fn liquidate_weight(counterparties: u32) -> Weight {
		Self::own_weight(T::Margin::max_positions(), counterparties)
			.saturating_add(Self::backstop_loss_weight())
			.saturating_add(
				T::ClosingBook::close_weight(T::MaxCloseFills::get())
					.saturating_mul(u64::from(T::MaxMarketsPerCall::get())),
			)
	}
}
