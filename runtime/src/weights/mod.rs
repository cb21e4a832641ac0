//! This chain's own base weights, measured on the reference machine by
//! `scripts/bench/weights.sh overhead` (`clearing-node benchmark overhead --chain dev`):
//! an empty block, and a `system.remark` through every transaction extension of this runtime.
//! Generated files: regenerate, do not edit.

pub mod block_weights;
pub mod extrinsic_weights;
