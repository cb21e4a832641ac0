//! The liquidation penalty: kept in this pallet's storage, set by governance within
//! `MaxPenaltyRate`.

use crate::pallet::*;
use frame_support::{ensure, traits::Get};
use sp_runtime::{DispatchResult, Permill};

impl<T: Config> Pallet<T> {
	/// Sets the penalty on the notional closed in the book to `rate`.
	///
	/// - Origin: none of its own; the runtime's governance calls it when it enacts an approved
	///   change (which also bounds each step).
	/// - Errors: `PenaltyTooHigh` above `MaxPenaltyRate`; nothing changes.
	/// - Weight: one storage write, the caller's to charge.
	pub fn set_penalty_rate(rate: Permill) -> DispatchResult {
		ensure!(rate <= T::MaxPenaltyRate::get(), Error::<T>::PenaltyTooHigh);
		PenaltyRate::<T>::put(rate);
		Self::deposit_event(Event::PenaltyRateSet { rate });
		Ok(())
	}
}
