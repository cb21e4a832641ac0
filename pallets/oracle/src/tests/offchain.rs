//! The offchain feeder: exact parsing of each exchange's JSON, every failure skipped (never a
//! zero or a panic), the host override, and a full run that submits a signed feed.

use crate::{
	crypto::KEY_TYPE,
	mock::*,
	offchain::{self, parse::{parse_decimal, parse_price}, read_price, redirect, Fetched, Skip},
	SourceFormat,
};
use codec::Decode;
use sp_core::offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use std::sync::Arc;

// Recorded response bodies, as the exchanges' public endpoints send them.
const BINANCE: &[u8] = br#"{"symbol":"BTCUSDT","price":"60000.12000000"}"#;
const COINBASE: &[u8] = br#"{"data":{"amount":"60010.5","base":"BTC","currency":"USD"}}"#;
const KRAKEN: &[u8] = br#"{"error":[],"result":{"XXBTZUSD":{"a":["60000.2","1","1.000"],"b":["60000.1","2","2.000"],"c":["60020.1","0.01"],"v":["1","2"],"p":["1","2"],"t":[1,2],"l":["1","2"],"h":["1","2"],"o":"59000.0"}}}"#;

#[test]
fn each_exchange_format_parses_exactly() {
	assert_eq!(parse_price(SourceFormat::Binance, BINANCE), Some(usd(60_000, 12)));
	assert_eq!(parse_price(SourceFormat::Coinbase, COINBASE), Some(usd(60_010, 50)));
	assert_eq!(parse_price(SourceFormat::Kraken, KRAKEN), Some(usd(60_020, 10)));
}

const DERIBIT_DVOL: &[u8] = br#"{"jsonrpc":"2.0","result":{"index_price":55.12,"estimated_delivery_price":55.12},"usIn":1733300000000000,"usOut":1733300000000100,"usDiff":100,"testnet":false}"#;

#[test]
fn deribits_volatility_index_reads_as_a_fraction_from_the_numbers_text() {
	// 55.12% → 0.5512, exactly.
	assert_eq!(
		parse_price(SourceFormat::DeribitVolatility, DERIBIT_DVOL).map(|p| p.into_inner()),
		Some(5_512 * 10u128.pow(14))
	);
	let spaced = br#"{"result": {"index_price" :  61 }}"#;
	assert_eq!(parse_price(SourceFormat::DeribitVolatility, spaced), Some(usd(0, 61)));
	for bad in [
		br#"{"result":{"index_price":"55.12"}}"#.as_slice(),
		br#"{"result":{"index_price":-5}}"#,
		br#"{"result":{"index_price":0}}"#,
		br#"{"result":{"index_price":5.5e1}}"#,
		br#"{"result":{},"index_price":55}"#,
		br#"{"result":{"index_price":55},"x":{"index_price":70}}"#,
		br#"{"result":{"index\u005fprice":55},"index_price":70}"#,
		br#"{"error":{"code":10000}}"#,
		BINANCE,
	] {
		assert_eq!(parse_price(SourceFormat::DeribitVolatility, bad), None, "{}", String::from_utf8_lossy(bad));
	}
}

#[test]
fn decimals_parse_without_floats() {
	assert_eq!(parse_decimal("42"), Some(usd(42, 0)));
	assert_eq!(parse_decimal("0.000000000000000001").map(|p| p.into_inner()), Some(1));
	// Digits beyond 18 decimals are dropped, not rounded up.
	assert_eq!(parse_decimal("1.0000000000000000019").map(|p| p.into_inner()), Some(10u128.pow(18) + 1));
	assert_eq!(parse_decimal("60000.12000000"), Some(usd(60_000, 12)));
	for bad in ["", ".", "1.", ".5", "-1", "+1", "1e3", "1,5", " 1", "1 ", "0", "0.000", "abc", "1.2.3", "NaN"] {
		assert_eq!(parse_decimal(bad), None, "{bad:?} must not parse");
	}
	// Beyond what a price can hold.
	assert_eq!(parse_decimal("340282366920938463463374607431768211456"), None);
}

#[test]
fn malformed_bodies_and_missing_fields_yield_no_price() {
	let cases: &[(SourceFormat, &[u8])] = &[
		(SourceFormat::Binance, b"not json"),
		(SourceFormat::Binance, br#"{"symbol":"BTCUSDT"}"#),
		(SourceFormat::Binance, br#"{"price":60000.12}"#), // a number, not the documented string
		(SourceFormat::Binance, br#"{"price":"0.00"}"#),
		(SourceFormat::Coinbase, br#"{"data":{}}"#),
		(SourceFormat::Coinbase, br#"{"errors":[{"id":"not_found"}]}"#),
		(SourceFormat::Kraken, br#"{"error":["EQuery:Unknown asset pair"]}"#),
		(SourceFormat::Kraken, br#"{"error":[],"result":{}}"#),
		(SourceFormat::Kraken, br#"{"error":[],"result":{"A":{"c":["1"]},"B":{"c":["2"]}}}"#),
		(SourceFormat::Kraken, br#"{"error":[],"result":{"XXBTZUSD":{"c":[]}}}"#),
		(SourceFormat::Kraken, BINANCE),
	];
	for (format, body) in cases {
		assert_eq!(parse_price(*format, body), None, "{format:?} {}", String::from_utf8_lossy(body));
	}
}

#[test]
fn transport_failures_are_skipped_with_a_reason() {
	let f = SourceFormat::Binance;
	assert_eq!(read_price(f, &Fetched::NoAnswer), Err(Skip::Timeout));
	assert_eq!(read_price(f, &Fetched::Failed), Err(Skip::HttpError));
	assert_eq!(read_price(f, &Fetched::Status(503)), Err(Skip::Status(503)));
	assert_eq!(read_price(f, &Fetched::Body(b"{}".to_vec())), Err(Skip::NoPriceInBody));
	let huge = vec![b' '; offchain::MAX_BODY_BYTES + 1];
	assert_eq!(read_price(f, &Fetched::Body(huge)), Err(Skip::BodyTooLarge));
	assert_eq!(read_price(f, &Fetched::Body(BINANCE.to_vec())), Ok(usd(60_000, 12)));
}

#[test]
fn the_host_override_keeps_path_and_query() {
	let url = b"https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT";
	assert_eq!(
		redirect(url, b"http://127.0.0.1:8099"),
		b"http://127.0.0.1:8099/api/v3/ticker/price?symbol=BTCUSDT".to_vec()
	);
	assert_eq!(redirect(url, b"http://127.0.0.1:8099/"), redirect(url, b"http://127.0.0.1:8099"));
	assert_eq!(redirect(b"https://example.com", b"http://h"), b"http://h".to_vec());
}

/// Offchain externalities with a keystore holding `keys` (oracle keys by seed) and the
/// expected HTTP exchanges.
pub(super) struct OffchainHarness {
	pub(super) ext: sp_io::TestExternalities,
	pub(super) pool: Arc<parking_lot::RwLock<testing::PoolState>>,
	pub(super) http: Arc<parking_lot::RwLock<testing::OffchainState>>,
}

pub(super) fn harness(builder: ExtBuilder, key_seeds: &[&str]) -> (OffchainHarness, Vec<AccountId>) {
	let (offchain, http) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	let accounts = key_seeds
		.iter()
		.map(|seed| keystore.sr25519_generate_new(KEY_TYPE, Some(seed)).expect("key"))
		.collect();
	let mut ext = builder.build();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.register_extension(KeystoreExt::new(keystore));
	(OffchainHarness { ext, pool: pool_state, http }, accounts)
}

pub(super) fn expect_get(http: &parking_lot::RwLock<testing::OffchainState>, uri: &str, body: &[u8]) {
	http.write().expect_request(testing::PendingRequest {
		method: "GET".into(),
		uri: uri.into(),
		response: Some(body.to_vec()),
		sent: true,
		..Default::default()
	});
}

#[test]
fn a_feeder_node_fetches_every_source_and_submits_the_median() {
	let (mut h, accounts) = harness(ExtBuilder::default(), &["//OracleOne"]);
	let feeder = accounts[0];
	// Route the sources to a local host, as `scripts/dev.sh` does with the price feed.
	sp_io::TestExternalities::execute_with(&mut h.ext, || {
		sp_io::offchain::local_storage_set(
			sp_core::offchain::StorageKind::PERSISTENT,
			offchain::HOST_OVERRIDE_KEY,
			b"http://127.0.0.1:8099",
		);
	});
	expect_get(&h.http, "http://127.0.0.1:8099/api/v3/ticker/price?symbol=BTCUSDT", BINANCE);
	expect_get(&h.http, "http://127.0.0.1:8099/v2/prices/BTC-USD/spot", COINBASE);
	expect_get(&h.http, "http://127.0.0.1:8099/0/public/Ticker?pair=XBTUSD", br#"{"error":["EService:Unavailable"]}"#);
	h.ext.execute_with(|| {
		frame_support::assert_ok!(Oracle::add_feeder(RuntimeOrigin::root(), feeder));
		offchain::run::<Test>(1);
	});
	let txs = &h.pool.read().transactions;
	assert_eq!(txs.len(), 1, "one feed submitted");
	let tx = Extrinsic::decode(&mut &txs[0][..]).expect("an extrinsic");
	match tx.preamble {
		sp_runtime::generic::Preamble::Signed(signer, _, _) => assert_eq!(signer, feeder),
		other => panic!("not signed: {other:?}"),
	}
	h.ext.execute_with(|| Oracle::do_try_state().expect("try_state holds"));
	// Kraken failed; of Binance and Coinbase the median is the lower: one source's value.
	let expected = usd(60_000, 12).into_inner();
	match tx.function {
		RuntimeCall::Oracle(crate::Call::feed_prices { values }) =>
			assert_eq!(values.into_inner(), vec![(BTC, clearing_primitives::Price::from_inner(expected))]),
		other => panic!("unexpected call {other:?}"),
	}
}

#[test]
fn a_node_without_a_feeder_key_submits_nothing() {
	// The keystore holds an oracle key, but its account is not a feeder.
	let (mut h, _) = harness(ExtBuilder::default(), &["//NotAFeeder"]);
	h.ext.execute_with(|| offchain::run::<Test>(1));
	assert!(h.pool.read().transactions.is_empty());
	// No key at all: nothing either (and no HTTP request is made, or the harness would
	// complain about an unexpected one).
	let (mut h, _) = harness(ExtBuilder::default(), &[]);
	h.ext.execute_with(|| offchain::run::<Test>(1));
	assert!(h.pool.read().transactions.is_empty());
}

#[test]
fn when_no_source_answers_with_a_price_nothing_is_submitted() {
	let (mut h, accounts) = harness(ExtBuilder::default(), &["//OracleTwo"]);
	for (uri, body) in [
		("https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT", &b"<html>rate limited</html>"[..]),
		("https://api.coinbase.com/v2/prices/BTC-USD/spot", br#"{"data":{"amount":"0"}}"#),
		("https://api.kraken.com/0/public/Ticker?pair=XBTUSD", b""),
	] {
		expect_get(&h.http, uri, body);
	}
	h.ext.execute_with(|| {
		frame_support::assert_ok!(Oracle::add_feeder(RuntimeOrigin::root(), accounts[0]));
		offchain::run::<Test>(1);
		Oracle::do_try_state().expect("try_state holds");
	});
	assert!(h.pool.read().transactions.is_empty());
}
