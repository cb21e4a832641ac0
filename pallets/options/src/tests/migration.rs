//! The migrations: v0 → v1, series stored as bare terms gain their market's decimals; v1 → v2,
//! the per-series scenario vectors and their cursor go (the books are filled by the refresh).

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
fn a_new_chain_starts_at_v2() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(2));
	});
}

#[test]
fn the_per_series_vectors_go_once_and_the_refresh_fills_the_book() {
	ExtBuilder::default().build_and_execute(|| {
		let btc = list(OptionKind::Put, 57_000, 7).unwrap();
		// As a v1 chain kept them: a vector under the series' key, a cursor.
		let prefix = frame_support::storage::storage_prefix(b"Options", b"ScenarioVectors");
		let vector_key = [prefix.as_slice(), &btc.using_encoded(sp_io::hashing::twox_64), &btc.encode()].concat();
		frame_support::storage::unhashed::put_raw(&vector_key, &[7u8; 424]);
		let cursor_key = frame_support::storage::storage_prefix(b"Options", b"ScenarioCursor");
		frame_support::storage::unhashed::put(&cursor_key, &btc);
		StorageVersion::new(1).put::<Options>();

		crate::migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
		assert!(frame_support::storage::unhashed::get_raw(&vector_key).is_none());
		assert!(frame_support::storage::unhashed::get_raw(&cursor_key).is_none());
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(2));
		Options::refresh_scenarios(frame_support::weights::Weight::MAX);
		assert!(crate::ScenarioBooks::<Test>::get(BTC).is_some_and(|book| book.entry(btc).is_some()));

		// At v2 it does nothing.
		frame_support::storage::unhashed::put_raw(&vector_key, &[7u8; 424]);
		crate::migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
		assert!(frame_support::storage::unhashed::get_raw(&vector_key).is_some());
		frame_support::storage::unhashed::kill(&vector_key);
	});
}
