//! Compiles this crate to Wasm as well, and embeds the blob for the node (`WASM_BINARY`).

fn main() {
	#[cfg(feature = "std")]
	{
		// The target directory lives outside the clone ($CARGO_TARGET_DIR), so the Wasm
		// builder cannot find this workspace's Cargo.lock by walking up from it: point it
		// here, so the runtime's Wasm build uses the same locked versions. Set for this build
		// script only: other crates' Wasm builds (in benchmark tools) must not see it.
		// Read the manifest dir when the script runs, not when it is compiled: a compiled
		// build script is reused from the shared target dir by clones at other paths.
		if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
			let workspace = std::path::Path::new(&manifest_dir).join("..");
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
