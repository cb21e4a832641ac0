//! The runtime's `AuthorizeCall`: FRAME's extension, except that a signed transaction gets
//! back the authorization weight it never ran.

use clearing_primitives::collateral::Subaccount;
use clearing_runtime::{authorize_call::AuthorizeCall, AccountId, Runtime, RuntimeCall, RuntimeOrigin};
use codec::Encode;
use frame_support::{dispatch::GetDispatchInfo, pallet_prelude::TransactionSource, weights::Weight};
use scale_info::TypeInfo;
use sp_runtime::traits::{AsTransactionAuthorizedOrigin, TransactionExtension, TxBaseImplication};

/// The keeper's liquidation of a subaccount that holds nothing, with a proof nobody signed.
fn liquidate() -> RuntimeCall {
	use sp_consensus_aura::sr25519::{AuthorityId, AuthoritySignature};
	RuntimeCall::Liquidation(pallet_liquidation::Call::keeper_liquidate {
		subaccount: Subaccount::new(AccountId::from([7u8; 32]), 0),
		counterparties: Default::default(),
		proof: pallet_liquidation::KeeperProof {
			keeper: AuthorityId::from(sp_core::sr25519::Public::from_raw([1u8; 32])),
			valid_until: 1,
			signature: AuthoritySignature::from(sp_core::sr25519::Signature::from_raw([0u8; 64])),
		},
	})
}

fn validate_with<E: TransactionExtension<RuntimeCall, Implicit = (), Val = Weight>>(
	extension: E,
	origin: RuntimeOrigin,
	call: &RuntimeCall,
) -> Result<Weight, sp_runtime::transaction_validity::TransactionValidityError> {
	let info = call.get_dispatch_info();
	extension
		.validate(origin, call, &info, 0, (), &TxBaseImplication(()), TransactionSource::External)
		.map(|(_, unspent, _)| unspent)
}

#[test]
fn a_signed_liquidation_gets_back_the_authorization_it_skipped() {
	sp_io::TestExternalities::default().execute_with(|| {
		let call = liquidate();
		let reserved = AuthorizeCall::<Runtime>::new().weight(&call);
		// The keeper's check at `MaxPositions` is reserved for every `keeper_liquidate`...
		assert!(reserved.ref_time() > 0);
		assert_eq!(reserved, frame_system::AuthorizeCall::<Runtime>::new().weight(&call));
		let signer = RuntimeOrigin::signed(AccountId::from([1u8; 32]));
		// ...FRAME's extension keeps all of it from a signer it did not check...
		assert_eq!(
			validate_with(frame_system::AuthorizeCall::<Runtime>::new(), signer.clone(), &call),
			Ok(Weight::zero())
		);
		// ...the runtime's gives all of it back.
		assert_eq!(validate_with(AuthorizeCall::<Runtime>::new(), signer, &call), Ok(reserved));
	});
}

#[test]
fn a_transaction_without_a_signer_is_still_judged_by_the_call() {
	sp_io::TestExternalities::default().execute_with(|| {
		let call = liquidate();
		// Nobody signed the keeper's proof (and nobody is liquidatable on an empty chain): the
		// transaction is invalid, with the same error as FRAME's extension gives.
		let ours = validate_with(AuthorizeCall::<Runtime>::new(), RuntimeOrigin::none(), &call);
		assert!(ours.is_err());
		assert_eq!(ours, validate_with(frame_system::AuthorizeCall::<Runtime>::new(), RuntimeOrigin::none(), &call));
		// A call with no authorization of its own is not made valid by it either.
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		let unsigned = AuthorizeCall::<Runtime>::new()
			.validate(
				RuntimeOrigin::none(),
				&remark,
				&remark.get_dispatch_info(),
				0,
				(),
				&TxBaseImplication(()),
				TransactionSource::External,
			)
			.map(|(_, _, origin)| origin.is_transaction_authorized());
		assert_eq!(unsigned, Ok(false));
	});
}

#[test]
fn wallets_see_the_same_extension_as_frames() {
	let ours = AuthorizeCall::<Runtime>::new();
	assert!(ours.encode().is_empty());
	assert_eq!(
		<AuthorizeCall<Runtime> as TransactionExtension<RuntimeCall>>::IDENTIFIER,
		<frame_system::AuthorizeCall<Runtime> as TransactionExtension<RuntimeCall>>::IDENTIFIER
	);
	assert_eq!(
		AuthorizeCall::<Runtime>::type_info().type_def,
		frame_system::AuthorizeCall::<Runtime>::type_info().type_def
	);
}
