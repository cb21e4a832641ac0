//! `frame_system::AuthorizeCall`, giving back its weight when it did not run.
//!
//! FRAME's extension reserves a call's `weight_of_authorize` for every transaction of that
//! call, but runs the authorization only for one without a signer: a signed transaction skips
//! it and was still charged it, in block weight and in fee. For the keeper's
//! `liquidation.keeper_liquidate` that is its check at `MaxPositions` (≈ 1.7 G), charged to
//! anyone who sends it signed (refused: a signer is not the keeper). This wrapper behaves
//! exactly like FRAME's (same identifier, same empty encoding, so wallets see no change) and
//! refunds the whole reservation when the origin was already authorized.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::{DispatchInfo, DispatchResult},
	pallet_prelude::TransactionSource,
	weights::Weight,
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsTransactionAuthorizedOrigin, Dispatchable, Implication, PostDispatchInfoOf, TransactionExtension,
		ValidateResult,
	},
	transaction_validity::TransactionValidityError,
};

/// `frame_system::AuthorizeCall` that charges the authorization only when it ran.
#[derive(
	Encode, Decode, CloneNoBound, EqNoBound, PartialEqNoBound, TypeInfo, DebugNoBound, DecodeWithMemTracking,
)]
#[scale_info(skip_type_params(T))]
pub struct AuthorizeCall<T>(PhantomData<T>);

impl<T> AuthorizeCall<T> {
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> Default for AuthorizeCall<T> {
	fn default() -> Self {
		Self::new()
	}
}

impl<T: frame_system::Config + Send + Sync> TransactionExtension<T::RuntimeCall> for AuthorizeCall<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo>,
{
	const IDENTIFIER: &'static str = "AuthorizeCall";
	type Implicit = ();
	/// The reserved weight the transaction did not use.
	type Val = Weight;
	type Pre = Weight;

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		frame_system::AuthorizeCall::<T>::new().weight(call)
	}

	fn validate(
		&self,
		origin: T::RuntimeOrigin,
		call: &T::RuntimeCall,
		info: &DispatchInfo,
		len: usize,
		implicit: Self::Implicit,
		inherited_implication: &impl Implication,
		source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		// A signer already authorizes the origin: FRAME's extension skips the call's check.
		let skipped = origin.is_transaction_authorized();
		let (validity, unspent, origin) = frame_system::AuthorizeCall::<T>::new().validate(
			origin,
			call,
			info,
			len,
			implicit,
			inherited_implication,
			source,
		)?;
		let unspent = if skipped { self.weight(call) } else { unspent };
		Ok((validity, unspent, origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &T::RuntimeOrigin,
		_call: &T::RuntimeCall,
		_info: &DispatchInfo,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		Ok(val)
	}

	fn post_dispatch_details(
		unspent: Self::Pre,
		_info: &DispatchInfo,
		_post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		Ok(unspent)
	}
}
