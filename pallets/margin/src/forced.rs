//! What liquidation asks of the margin engine: a subaccount's positions by size, and moving a
//! position to another subaccount for a set amount of cash with no margin check (the
//! backstop's takeover and deleveraging, both at the bankruptcy price).

use crate::{functions::overflow, math, pallet::*, Position};
use alloc::vec::Vec;
use clearing_primitives::{collateral::Valuation, Balance, MarketId, SignedBalance};
use frame_support::ensure;
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// `subaccount`'s positions with their value at the last mark, largest notional first.
	pub fn positions_by_value(
		subaccount: &SubaccountOf<T>,
	) -> Result<Vec<(MarketId, Position, SignedBalance)>, DispatchError> {
		let mut positions = Vec::new();
		for (market, position) in Positions::<T>::iter_prefix(subaccount) {
			let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
			let mark = Self::mark(&config, Valuation::Maintenance).ok_or(Error::<T>::NoFreshPrice)?;
			let value =
				math::position_value(position.size, config.base_decimals, mark).map_err(overflow)?;
			positions.push((market, position, value));
		}
		positions.sort_by_key(|p| core::cmp::Reverse(p.2.unsigned_abs()));
		Ok(positions)
	}

	/// Moves `size` base units of `from`'s position in `market` to `to`, `to` paying `from`
	/// `cash` (negative: `from` pays `to`). Funding settles first for both; open interest
	/// and counts stay right. No margin check, no tick: only liquidation calls this, at a
	/// bankruptcy price it has computed.
	pub fn transfer_position(
		market: MarketId,
		from: &SubaccountOf<T>,
		to: &SubaccountOf<T>,
		size: Balance,
		cash: SignedBalance,
	) -> DispatchResult {
		ensure!(from != to, Error::<T>::SelfTrade);
		let config = Self::market_config(market).ok_or(Error::<T>::MarketNotFound)?;
		let held = Positions::<T>::get(from, market).map(|p| p.size).unwrap_or_default();
		ensure!(size > 0 && size <= held.unsigned_abs(), Error::<T>::NoSuchPosition);
		// A long is sold to `to` (who pays); a short is bought back from `to`.
		if held > 0 {
			Self::exchange(market, &config, to, from, size, cash, false)?;
		} else {
			Self::exchange(market, &config, from, to, size, cash.saturating_neg(), false)?;
		}
		Self::deposit_event(Event::PositionTransferred {
			market,
			from: from.clone(),
			to: to.clone(),
			size,
			cash,
		});
		Ok(())
	}
}
