//! The keeper's proof: who may submit the fee-free, authorized liquidations, and what they
//! vouch for. A proof is a current keeper key's signature over the call's arguments, this
//! chain's genesis hash and a last valid block a few blocks ahead; the pool and the block both
//! check it, so an authorized liquidation nobody's keeper signed is invalid before it can take
//! a pool slot or pick whom to deleverage.

use crate::pallet::*;
use clearing_primitives::collateral::Subaccount;
use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::{
	pallet_prelude::{InvalidTransaction, TransactionValidityError},
	traits::Contains,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{Saturating, Zero},
	RuntimeAppPublic,
};

/// Separates the keeper's statements from anything else its key signs (blocks).
const CONTEXT: &[u8] = b"clearing/liquidation/keeper";

/// How many blocks a keeper's statement is valid for: a liquidation is urgent or pointless.
pub const KEEPER_LONGEVITY: u32 = 3;

/// A keeper's signature over an authorized liquidation, and the last block it is valid in.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct KeeperProof<KeeperId, Signature, BlockNumber> {
	/// The keeper key that signed (one of `T::Keepers`).
	pub keeper: KeeperId,
	/// The last block the statement is valid in (at most `KEEPER_LONGEVITY` ahead).
	pub valid_until: BlockNumber,
	pub signature: Signature,
}

/// What a keeper vouches for: the arguments of one of the keeper's calls.
#[derive(Encode)]
pub enum Statement<'a, AccountId> {
	/// `keeper_liquidate`.
	Liquidate { subaccount: &'a Subaccount<AccountId>, counterparties: &'a [Subaccount<AccountId>] },
	/// `liquidate_batch`.
	Batch { subaccounts: &'a [Subaccount<AccountId>], max_positions: u32 },
}

impl<T: Config> Pallet<T> {
	/// The bytes a keeper signs for `statement`, valid until `valid_until`.
	fn keeper_message(statement: &Statement<T::AccountId>, valid_until: BlockNumberFor<T>) -> alloc::vec::Vec<u8> {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		(CONTEXT, genesis, statement, valid_until).encode()
	}

	/// Checks `proof` of `statement`: a current keeper's valid signature, not expired nor
	/// dated further ahead than `KEEPER_LONGEVITY`. Returns how many more blocks it is valid
	/// for (the transaction's longevity).
	pub(crate) fn check_proof(
		statement: &Statement<T::AccountId>,
		proof: &KeeperProofOf<T>,
	) -> Result<u64, TransactionValidityError> {
		let now = frame_system::Pallet::<T>::block_number();
		if proof.valid_until < now {
			return Err(InvalidTransaction::Stale.into());
		}
		if proof.valid_until > now.saturating_add(KEEPER_LONGEVITY.into()) {
			return Err(InvalidTransaction::Future.into());
		}
		if !T::Keepers::contains(&proof.keeper) {
			return Err(InvalidTransaction::BadSigner.into());
		}
		let message = Self::keeper_message(statement, proof.valid_until);
		if !proof.keeper.verify(&message, &proof.signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		let left: u64 = proof.valid_until.saturating_sub(now).try_into().unwrap_or(u64::MAX);
		Ok(left.saturating_add(1))
	}

	/// A keeper key this node holds (offchain: its keystore), if any is a current keeper.
	pub(crate) fn local_keeper() -> Option<T::KeeperId> {
		T::KeeperId::all().into_iter().find(|key| T::Keepers::contains(key))
	}

	/// `keeper`'s proof of `statement`, valid from block `now` for `KEEPER_LONGEVITY` blocks.
	pub(crate) fn prove(
		keeper: &T::KeeperId,
		statement: &Statement<T::AccountId>,
		now: BlockNumberFor<T>,
	) -> Option<KeeperProofOf<T>> {
		let valid_until = now.saturating_add(KEEPER_LONGEVITY.into());
		let signature = keeper.sign(&Self::keeper_message(statement, valid_until))?;
		Some(KeeperProof { keeper: keeper.clone(), valid_until, signature })
	}
}
