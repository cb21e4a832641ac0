//! The v0 → v1 migration: series stored as bare terms gain their market's decimals.

use crate::{migrations::v1::MigrateToV1, mock::*, ListedSeries, Series};
use clearing_primitives::black76::OptionKind;
use codec::Encode;
use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

#[test]
fn series_stored_as_terms_gain_their_markets_decimals_once() {
	ExtBuilder::default().build_and_execute(|| {
		let btc = list(OptionKind::Put, 57_000, 7).unwrap();
		let listed = Series::<Test>::get(btc).unwrap();
		// As a chain from before the decimals: the bare terms, version 0.
		let key = Series::<Test>::hashed_key_for(btc);
		frame_support::storage::unhashed::put_raw(&key, &listed.terms.encode());
		StorageVersion::new(0).put::<Options>();
		assert!(Series::<Test>::get(btc).is_none(), "the old value does not decode as the new");

		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Series::<Test>::get(btc), Some(ListedSeries { terms: listed.terms, base_decimals: 8 }));
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(1));
		assert_eq!(Series::<Test>::count(), 1);

		// At v1 it does nothing: bare terms written now stay unread.
		frame_support::storage::unhashed::put_raw(&key, &listed.terms.encode());
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert!(Series::<Test>::get(btc).is_none());
		Series::<Test>::insert(btc, listed);
	});
}

#[test]
fn a_new_chain_starts_at_v1() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(1));
	});
}
