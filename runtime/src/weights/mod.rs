//! This chain's own base weights, measured on the reference machine: by
//! `scripts/bench/weights.sh overhead` (`clearing-node benchmark overhead --chain dev`), an
//! empty block and a `system.remark` through every transaction extension of this runtime; by
//! `scripts/bench/storage` (`clearing-node benchmark storage`), a read and a write of every key
//! of a ParityDB state of 200,000 accounts.
//! Generated files: regenerate, do not edit.

pub mod block_weights;
pub mod extrinsic_weights;
// The generator documents the weight's fields inside an expression, where rustdoc ignores it.
#[allow(unused_doc_comments)]
pub mod paritydb_weights;
