//! Compiles this crate to Wasm as well, and embeds the blob for the node (`WASM_BINARY`).

fn main() {
	#[cfg(feature = "std")]
	{
		// The target directory lives outside the clone ($CARGO_TARGET_DIR), so the Wasm
		// builder cannot find this workspace's Cargo.lock by walking up from it: point it
		// here, so the runtime's Wasm build uses the same locked versions. Set for this build
		// script only: other crates' Wasm builds (in benchmark tools) must not see it.
		let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
		std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
