//! `CheckFeed`: the transaction pool's check of `feed_prices` and `feed_surfaces`, so that a free call cannot be
//! used to flood blocks. A feed is only valid from a feeder that has not fed in the current
//! block, with one pending feed per feeder at a time, high priority and a short life.

use crate::{pallet::*, weights::WeightInfo, Call};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{pallet_prelude::*, traits::IsSubType};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, TransactionExtension,
		ValidateResult,
	},
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
	Weight,
};

/// The runtime's call type.
type CallOf<T> = <T as frame_system::Config>::RuntimeCall;

/// Blocks a pending feed stays valid in the pool: prices older than this are not worth
/// including.
const FEED_LONGEVITY: u64 = 4;

/// Transaction extension validating `Oracle::feed_prices` before it enters the pool or a
/// block. Other calls pass through untouched.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckFeed<T>(PhantomData<T>);

impl<T> CheckFeed<T> {
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> Default for CheckFeed<T> {
	fn default() -> Self {
		Self::new()
	}
}

impl<T> core::fmt::Debug for CheckFeed<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckFeed")
	}
}

/// Why a feed was refused by the pool (`InvalidTransaction::Custom`).
pub mod refusal {
	/// The signer is not a feeder.
	pub const NOT_FEEDER: u8 = 1;
	/// The feeder already fed in this block.
	pub const ALREADY_FED: u8 = 2;
}

impl<T: Config + Send + Sync> TransactionExtension<CallOf<T>> for CheckFeed<T>
where
	CallOf<T>: Dispatchable + IsSubType<Call<T>>,
	<CallOf<T> as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckFeed";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &CallOf<T>) -> Weight {
		match call.is_sub_type() {
			Some(Call::feed_prices { .. }) => T::WeightInfo::check_feed(),
			// The same check, and the block the feeder last fed smiles in.
			Some(Call::feed_surfaces { .. }) =>
				T::WeightInfo::check_feed().saturating_add(T::DbWeight::get().reads(1)),
			_ => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: <CallOf<T> as Dispatchable>::RuntimeOrigin,
		call: &CallOf<T>,
		_info: &DispatchInfoOf<CallOf<T>>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, CallOf<T>> {
		let prices = match call.is_sub_type() {
			Some(Call::feed_prices { .. }) => true,
			Some(Call::feed_surfaces { .. }) => false,
			_ => return Ok((ValidTransaction::default(), (), origin)),
		};
		let Some(who) = origin.as_system_origin_signer() else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		let state = Feeders::<T>::get(who)
			.ok_or(InvalidTransaction::Custom(refusal::NOT_FEEDER))?;
		let block: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();
		let last_fed = if prices { state.last_fed } else { SurfacesFedIn::<T>::get(who) };
		if last_fed == Some(block) {
			return Err(InvalidTransaction::Custom(refusal::ALREADY_FED).into());
		}
		// One pending feed of each kind per feeder.
		let valid = ValidTransaction::with_tag_prefix(if prices { "OracleFeed" } else { "OracleSurface" })
			.priority(T::FeedPriority::get())
			.and_provides(who)
			.longevity(FEED_LONGEVITY)
			.propagate(true)
			.build()?;
		Ok((valid, (), origin))
	}

	fn prepare(
		self,
		_val: Self::Val,
		_origin: &<CallOf<T> as Dispatchable>::RuntimeOrigin,
		_call: &CallOf<T>,
		_info: &DispatchInfoOf<CallOf<T>>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		Ok(())
	}
}
