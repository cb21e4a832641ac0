//! The backstop unwinds: what it took over goes back into the book in the block's idle
//! weight, up to `MaxUnwindRounds` closes a block, the markets in turn, while each closes
//! something, within `UnwindSlippage` of the mark and the block's notional cap. Its fills are
//! ordinary fills for the makers (margin-checked, fees paid); the backstop, like any
//! liquidation close, is bounded by its price limit instead. Rounds, not one close, so that
//! one-step bids on top spend a round's fills, never the block's unwind.

use crate::{math, pallet::*};
use alloc::vec::Vec;
use clearing_primitives::{
	margin::{LiquidationBook, Side},
	positions::MarginAccounts,
	Balance, MarketId, SignedBalance,
};
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight};
use sp_runtime::{ArithmeticError, DispatchError};

/// What one round of the unwind did.
struct Round {
	/// The weight it used.
	weight: Weight,
	/// It closed something (another round may follow).
	closed: bool,
}

impl Round {
	const NOTHING: Round = Round { weight: Weight::zero(), closed: false };
}

impl<T: Config> Pallet<T> {
	/// Reading the backstop's `positions` positions and this pallet's state, before a close.
	fn unwind_read_weight(positions: u32) -> Weight {
		T::Margin::health_weight(positions)
			.saturating_add(T::DbWeight::get().reads_writes(4, 2))
	}

	/// The most one unwind may cost for a backstop holding `positions` positions.
	pub fn unwind_weight(positions: u32) -> Weight {
		Self::unwind_read_weight(positions)
			.saturating_add(T::ClosingBook::close_weight(T::MaxCloseFills::get()))
	}

	/// Unwinds the backstop in up to `MaxUnwindRounds` rounds while `remaining` weight allows
	/// each one's worst case and the last closed something; returns the weight used.
	pub fn unwind_backstop(remaining: Weight) -> Weight {
		let mut used = Weight::zero();
		for _ in 0..T::MaxUnwindRounds::get() {
			let round = Self::unwind_round(remaining.saturating_sub(used));
			used.saturating_accrue(round.weight);
			if !round.closed {
				break;
			}
		}
		used
	}

	/// Unwinds the next of the backstop's markets if `remaining` weight allows its worst
	/// case; returns the weight used and whether it closed anything.
	fn unwind_round(remaining: Weight) -> Round {
		let mut used = T::DbWeight::get().reads(1);
		let backstop = Self::backstop();
		let positions = T::Margin::position_count(&backstop);
		if positions == 0 || remaining.any_lt(used.saturating_add(Self::unwind_weight(positions))) {
			return Round { weight: used, closed: false };
		}
		used.saturating_accrue(Self::unwind_read_weight(positions));
		// Markets take turns: the first after the last one tried, in id order.
		let mut holdings: Vec<(MarketId, SignedBalance)> =
			T::Margin::positions_of(&backstop).into_iter().map(|(market, p)| (market, p.size)).collect();
		holdings.sort_by_key(|(market, _)| *market);
		let last = UnwindCursor::<T>::get();
		let next = holdings.iter().find(|(market, _)| last.is_none_or(|l| *market > l)).or(holdings.first());
		let Some((market, size)) = next.copied() else { return Round { weight: used, closed: false } };
		UnwindCursor::<T>::put(market);
		// A market that cannot unwind now (price not ready, nothing in bounds) changes nothing.
		match with_storage_layer(|| Self::unwind_market(market, size)) {
			Ok(round) => Round { weight: used.saturating_add(round.weight), closed: round.closed },
			Err(_) => Round { weight: used, closed: false },
		}
	}

	/// Closes up to the backstop's `size` in `market` in the book; returns the close's weight
	/// and whether it closed anything.
	fn unwind_market(market: MarketId, size: SignedBalance) -> Result<Round, DispatchError> {
		Self::ensure_price_ready(market)?;
		let config = T::Margin::market_terms(market).ok_or(Error::<T>::PriceNotReady)?;
		let mark = T::Margin::mark(&config).ok_or(Error::<T>::PriceNotReady)?;
		let now = frame_system::Pallet::<T>::block_number();
		let (block, closed_before) = ClosedThisBlock::<T>::get();
		let closed_before = if block == now { closed_before } else { 0 };
		let cap_left = T::BlockNotionalCap::get().saturating_sub(closed_before);
		let step_notional =
			clearing_primitives::notional(config.step_size, config.base_decimals, mark, sp_runtime::Rounding::Up)
				.map_err(|_| ArithmeticError::Overflow)?
				.max(1);
		let allowed: Balance =
			cap_left.checked_div(step_notional).unwrap_or_default().saturating_mul(config.step_size);
		let amount = size.unsigned_abs().min(allowed);
		if amount == 0 {
			return Ok(Round::NOTHING);
		}
		let selling = size > 0;
		let limit = math::limit_price(selling, mark, None, T::UnwindSlippage::get(), config.tick_size)
			.map_err(DispatchError::from)?;
		let side = if selling { Side::Sell } else { Side::Buy };
		let closed =
			T::ClosingBook::close(&Self::backstop(), market, side, amount, limit, T::MaxCloseFills::get())?;
		if closed.size > 0 {
			ClosedThisBlock::<T>::put((now, closed_before.saturating_add(closed.notional)));
			Self::deposit_event(Event::BackstopUnwound { market, size: closed.size, notional: closed.notional });
		}
		Ok(Round { weight: closed.weight, closed: closed.size > 0 })
	}
}
