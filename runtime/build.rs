//! Compiles this crate to Wasm as well, and embeds the blob for the node (`WASM_BINARY`).

fn main() {
	#[cfg(feature = "std")]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
