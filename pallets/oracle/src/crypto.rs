//! The oracle key (`orcl`, sr25519) the offchain feeder signs with. Its account is the
//! feeder's account: a node can feed only if that account is in the feeder set.

use sp_core::crypto::KeyTypeId;

/// Key type of oracle feeder keys in a node's keystore (`key insert --key-type orcl`).
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"orcl");

mod app {
	use super::KEY_TYPE;
	use sp_application_crypto::sr25519;
	sp_application_crypto::app_crypto!(sr25519, KEY_TYPE);
}

/// An oracle public key.
pub type OraclePublic = app::Public;
/// An oracle signature.
pub type OracleSignature = app::Signature;

/// Binds the oracle key to the runtime's signature types, for
/// `frame_system::offchain::Signer`, and to session keys (`author_rotateKeys`, `--alice`).
pub struct OracleAuthId;

impl sp_runtime::BoundToRuntimeAppPublic for OracleAuthId {
	type Public = OraclePublic;
}

impl frame_system::offchain::AppCrypto<sp_runtime::MultiSigner, sp_runtime::MultiSignature>
	for OracleAuthId
{
	type RuntimeAppPublic = OraclePublic;
	type GenericPublic = sp_core::sr25519::Public;
	type GenericSignature = sp_core::sr25519::Signature;
}

/// For test runtimes that sign with plain sr25519.
impl
	frame_system::offchain::AppCrypto<
		<sp_core::sr25519::Signature as sp_runtime::traits::Verify>::Signer,
		sp_core::sr25519::Signature,
	> for OracleAuthId
{
	type RuntimeAppPublic = OraclePublic;
	type GenericPublic = sp_core::sr25519::Public;
	type GenericSignature = sp_core::sr25519::Signature;
}
