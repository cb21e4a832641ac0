//! Built-in chain specifications: `dev` (one validator, Alice) and `local` (Alice, Bob, Charlie).
//! Genesis state comes from the runtime's presets (`genesis_config_presets.rs`).

use clearing_runtime::{constants, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// A chain spec of this node: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token symbol, decimals and address format, as wallets (polkadot.js) read them.
fn token_properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), constants::CLR_SYMBOL.into());
	properties.insert("tokenDecimals".into(), constants::CLR_DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "the runtime Wasm was not built (SKIP_WASM_BUILD was set?)".into())
}

fn spec(name: &str, id: &str, chain_type: ChainType, preset: &str) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("clearing")
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(token_properties())
		.build())
}

/// One authority, Alice, which authors and finalizes alone; Alice holds sudo.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	spec(
		"Clearing Development",
		"clearing_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Three validators on one machine or a LAN: Alice, Bob and Charlie.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	spec(
		"Clearing Local Testnet",
		"clearing_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sc_service::ChainSpec as _;

	/// Builds the raw genesis of a spec: runs the runtime's preset inside the Wasm runtime.
	fn raw_genesis(spec: &ChainSpec) -> serde_json::Value {
		let json = spec.as_json(true).expect("the genesis builds in the Wasm runtime");
		serde_json::from_str(&json).expect("a chain spec is JSON")
	}

	#[test]
	fn dev_and_local_specs_carry_the_clr_token_and_build_their_genesis() {
		for (spec, id) in [
			(development_chain_spec().expect("dev spec"), "clearing_dev"),
			(local_chain_spec().expect("local spec"), "clearing_local"),
		] {
			assert_eq!(spec.id(), id);
			let properties = spec.properties();
			assert_eq!(properties.get("tokenSymbol"), Some(&"CLR".into()));
			assert_eq!(properties.get("tokenDecimals"), Some(&12.into()));
			let raw = raw_genesis(&spec);
			let top = raw["genesis"]["raw"]["top"].as_object().expect("raw storage");
			// `:code` is the runtime itself, stored at genesis so the chain can upgrade it.
			assert!(top.contains_key("0x3a636f6465"), "{id}: no :code in genesis");
		}
	}

	#[test]
	fn local_spec_is_a_local_chain_and_dev_a_development_chain() {
		assert_eq!(development_chain_spec().unwrap().chain_type(), ChainType::Development);
		assert_eq!(local_chain_spec().unwrap().chain_type(), ChainType::Local);
	}
}
