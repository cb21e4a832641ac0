//! Typed reads and writes of the stand-ins' state, under keys of their own.

use codec::{Decode, Encode};
use frame_support::storage::unhashed;

/// The value under `key`, or its default.
pub fn get<V: Decode + Default>(key: impl Encode) -> V {
	unhashed::get(&key.encode()).unwrap_or_default()
}

/// Stores `value` under `key`.
pub fn put<V: Encode>(key: impl Encode, value: V) {
	unhashed::put(&key.encode(), &value);
}
