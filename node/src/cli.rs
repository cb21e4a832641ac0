//! Command-line interface: the standard Substrate node flags plus Clearing's finality tuning.

use clap::Parser;

/// Subcommands besides running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert (`key insert --suri //Alice --key-type aura`).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (JSON) from a built-in chain (`dev`, `local`).
	#[deprecated(note = "use `export-chain-spec` instead")]
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification (JSON) from a built-in chain (`dev`, `local`).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Runtime and machine benchmarks (`benchmark pallet`, `benchmark machine`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Runtime and machine benchmarks. This binary was built without them: rebuild with
	/// `cargo build --release --features runtime-benchmarks` (they add ~120 crates).
	#[cfg(not(feature = "runtime-benchmarks"))]
	Benchmark(BenchmarksNotBuilt),

	/// Database metadata of the chain.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// Stands in for `benchmark` in a build without the `runtime-benchmarks` feature, so the
/// command exists and says how to get it instead of "unrecognized subcommand".
#[derive(Debug, clap::Args)]
pub struct BenchmarksNotBuilt {
	/// Anything that would have been passed to the benchmark command.
	#[arg(trailing_var_arg = true, allow_hyphen_values = true)]
	pub args: Vec<String>,
}

/// GRANDPA settings tuned for 1 s blocks (see README, "Finality").
#[derive(Debug, Clone, clap::Args)]
pub struct FinalityParams {
	/// How often GRANDPA gossips votes, in milliseconds. Substrate's stock 333 ms costs a
	/// 1 s-block chain about three blocks of finality lag; 100 ms keeps it under one.
	#[arg(long, value_name = "MS", default_value_t = 100)]
	pub grandpa_gossip_ms: u64,

	/// Vote for a block this many blocks behind the best block (Substrate's stock rule is 2).
	/// Aura gives every slot one author, so short forks are rare and 0 is safe: GRANDPA's
	/// safety never depends on this rule, only how soon a block is final.
	#[arg(long, value_name = "BLOCKS", default_value_t = 0)]
	pub grandpa_vote_delay: u32,
}

#[derive(Debug, Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	#[clap(flatten)]
	pub finality: FinalityParams,
}
