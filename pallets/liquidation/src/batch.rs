//! `liquidate_batch`: many subaccounts in one keeper transaction, each entry on its own
//! (one that fails changes nothing and the rest go on), weighed per entry.

use crate::{pallet::*, proof::Statement, weights::WeightInfo};
use frame_support::{
	dispatch::DispatchErrorWithPostInfo,
	pallet_prelude::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
	storage::with_storage_layer,
	traits::Get,
	weights::Weight,
};
use clearing_primitives::{margin::LiquidationBook, positions::MarginAccounts};

impl<T: Config> Pallet<T> {
	/// One entry's share of a batch-wide weight: the batch benchmark's slope (an entry of
	/// one position) plus what the single-subaccount benchmark adds for each further position
	/// (never more than `MaxPositions`).
	fn per_entry(batch: fn(u32) -> Weight, single: fn(u32) -> Weight, positions: u32) -> Weight {
		let positions = positions.clamp(1, T::Margin::max_positions());
		batch(1)
			.saturating_sub(batch(0))
			.saturating_add(single(positions).saturating_sub(single(1)))
	}

	/// One entry's own work beyond the batch's shared part.
	pub fn batch_entry_weight(positions: u32) -> Weight {
		Self::per_entry(T::WeightInfo::liquidate_batch, T::WeightInfo::liquidate, positions)
	}

	/// An entry that moved no money beyond a takeover at the mark (no close filled, nothing
	/// covered, deleveraged or settled): the solvent takeover's benchmark, never more than
	/// [`Self::batch_entry_weight`].
	pub fn solvent_entry_weight(positions: u32) -> Weight {
		Self::per_entry(T::WeightInfo::liquidate_batch_solvent, T::WeightInfo::liquidate, positions)
			.min(Self::batch_entry_weight(positions))
	}

	/// What a batch of `entries`, each holding at most `max_positions`, may cost: the shared
	/// part (reading the backstop's loss once included), every entry's own work, and
	/// `MaxBatchFills` fills in the book (at worst each in
	/// a close of its own).
	pub fn batch_weight(entries: u32, max_positions: u32) -> Weight {
		T::WeightInfo::liquidate_batch(0)
			.saturating_add(Self::backstop_loss_weight())
			.saturating_add(Self::batch_entry_weight(max_positions).saturating_mul(entries.into()))
			.saturating_add(
				T::ClosingBook::close_weight(1).saturating_mul(T::MaxBatchFills::get().into()),
			)
	}

	/// One entry's check beyond the batch check's shared part.
	fn authorize_entry_weight(positions: u32) -> Weight {
		Self::per_entry(
			T::WeightInfo::authorize_liquidate_batch,
			T::WeightInfo::authorize_liquidate,
			positions,
		)
	}

	/// What checking a batch of `entries` holding at most `max_positions` each may cost.
	pub fn authorize_batch_weight(entries: u32, max_positions: u32) -> Weight {
		T::WeightInfo::authorize_liquidate_batch(0).saturating_add(
			Self::authorize_entry_weight(max_positions).saturating_mul(entries.into()),
		)
	}

	/// A batch is valid with a current keeper's unexpired proof of its arguments, while it
	/// lists every subaccount once and at least one is liquidatable within `max_positions`; it
	/// provides the tag of each such subaccount, so it and a single keeper transaction for the
	/// same subaccount never both enter the pool. An entry that recovered (a deposit, a signed
	/// liquidation first) or outgrew the witness does not drop the batch: it fails alone at
	/// dispatch, changing nothing. Returns what of the declared check it did not use.
	pub(crate) fn authorize_batch(
		_source: TransactionSource,
		subaccounts: &BatchOf<T>,
		max_positions: &u32,
		proof: &KeeperProofOf<T>,
	) -> Result<(ValidTransaction, Weight), TransactionValidityError> {
		let invalid = TransactionValidityError::Invalid(InvalidTransaction::Call);
		if subaccounts.is_empty() {
			return Err(invalid);
		}
		let statement = Statement::Batch { subaccounts: subaccounts.as_slice(), max_positions: *max_positions };
		let longevity = Self::check_proof(&statement, proof)?;
		let mut spent = T::WeightInfo::authorize_liquidate_batch(0);
		let mut valid = ValidTransaction::with_tag_prefix("Liquidation")
			.priority(T::KeeperPriority::get())
			.longevity(longevity)
			.propagate(true);
		let mut any_liquidatable = false;
		for (index, subaccount) in subaccounts.iter().enumerate() {
			let earlier = subaccounts.get(..index).unwrap_or_default();
			if earlier.contains(subaccount) {
				return Err(invalid);
			}
			let positions = T::Margin::position_count(subaccount);
			// An entry over the witness fails alone at dispatch, on the count it reads.
			if positions > *max_positions {
				continue;
			}
			spent.saturating_accrue(Self::authorize_entry_weight(positions));
			if Self::ensure_liquidatable(subaccount).is_ok() {
				any_liquidatable = true;
				valid = valid.and_provides(subaccount);
			}
		}
		if !any_liquidatable {
			return Err(invalid);
		}
		let declared = Self::authorize_batch_weight(subaccounts.len() as u32, *max_positions);
		Ok((valid.build()?, declared.saturating_sub(spent)))
	}

	/// Liquidates every entry in its own storage layer; returns the weight the batch used.
	pub(crate) fn do_liquidate_batch(subaccounts: &BatchOf<T>, max_positions: u32) -> Weight {
		let mut used = T::WeightInfo::liquidate_batch(0);
		let mut fills_left = T::MaxBatchFills::get();
		let no_counterparties = CounterpartiesOf::<T>::default();
		let mut backstop_loss = crate::resolve::BackstopLoss::default();
		for subaccount in subaccounts.iter() {
			let positions = T::Margin::position_count(subaccount);
			let fills_before = fills_left;
			let outcome = if positions > max_positions {
				// Refused on the count it just read.
				Err(DispatchErrorWithPostInfo {
					post_info: Some(T::DbWeight::get().reads(1)).into(),
					error: Error::<T>::PositionWitnessTooLow.into(),
				})
			} else {
				with_storage_layer(|| {
					Self::do_liquidate(subaccount, None, &no_counterparties, &mut fills_left, &mut backstop_loss)
				})
			};
			match outcome {
				Ok(done) => {
					used.saturating_accrue(if done.paid_out {
						Self::batch_entry_weight(done.positions)
					} else {
						Self::solvent_entry_weight(done.positions)
					});
					used.saturating_accrue(done.book_weight);
				},
				Err(failed) => {
					// A refusal before any work reports its check; anything later is charged
					// the entry's whole work and its fills, each as a close of its own.
					let charged = failed.post_info.actual_weight.unwrap_or_else(|| {
						let fills = fills_before.saturating_sub(fills_left);
						Self::batch_entry_weight(positions).saturating_add(
							T::ClosingBook::close_weight(1).saturating_mul(fills.into()),
						)
					});
					used.saturating_accrue(charged);
					Self::deposit_event(Event::BatchEntryFailed {
						subaccount: subaccount.clone(),
						error: failed.error,
					});
				},
			}
		}
		used
	}
}
