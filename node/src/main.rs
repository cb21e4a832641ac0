//! `clearing-node`: Aura + GRANDPA node for the Clearing derivatives runtime.

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
