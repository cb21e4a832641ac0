//! The offchain feeder's smiles: reading Deribit's option book summary, a smile per Deribit
//! expiry at the oracle's points, interpolation in time to the listed expiries, and the
//! `feed_surfaces` a feeder node submits.

use super::offchain::{expect_get, harness};
use crate::{
	mock::*,
	offchain::{
		self,
		surface::{currency_of, parse_book_summary, parse_expiry, smiles_for, Quote},
	},
	SourceFormat,
};
use clearing_primitives::oracle::{Moment, SMILE_LOG_MONEYNESS, SMILE_POINTS};
use codec::Decode;
use proptest::prelude::*;

/// 08:00 UTC on 15, 16 and 17 November 2023 (the mock's genesis is 14 November, 22:13).
const NOV_15: Moment = 1_700_035_200_000;
const NOV_16: Moment = 1_700_121_600_000;
const NOV_17: Moment = 1_700_208_000_000;

/// The chain's BTC index in these tests: Deribit's underlying price, no basis.
const INDEX: i128 = 36_000 * 10i128.pow(18);

const SUMMARY_URL: &str = "https://www.deribit.com/api/v2/public/get_book_summary_by_currency?currency=BTC&kind=option";

fn entry(name: &str, iv: &str, forward: &str) -> String {
	format!(r#"{{"instrument_name":"{name}","mark_iv":{iv},"underlying_price":{forward},"mark_price":0.01}}"#)
}

/// Two expiries on a forward of 36,000: the nearer at 55% at the money with a skew, the
/// farther 5 points higher; in-the-money legs, another currency and junk mixed in.
fn summary() -> String {
	let entries = [
		entry("BTC-15NOV23-30000-P", "70", "36000"),
		entry("BTC-15NOV23-34000-P", "62", "36000"),
		entry("BTC-15NOV23-36000-C", "55", "36000"),
		entry("BTC-15NOV23-36000-P", "99", "36000"), // at the money: the call is read
		entry("BTC-15NOV23-38000-C", "56.5", "36000"),
		entry("BTC-15NOV23-44000-C", "65", "36000"),
		entry("BTC-15NOV23-30000-C", "150", "36000"), // in the money: skipped
		entry("BTC-17NOV23-30000-P", "75", "36000"),
		entry("BTC-17NOV23-36000-C", "60", "36000"),
		entry("BTC-17NOV23-44000-C", "70", "36000"),
		entry("ETH-17NOV23-2000-C", "80", "2000"),
		entry("BTC-17NOV23-50000", "80", "36000"),
		entry("BTC-99NOV23-50000-C", "80", "36000"),
		r#"{"instrument_name":"BTC-17NOV23-52000-C","mark_iv":null,"underlying_price":36000}"#.into(),
	];
	format!(r#"{{"jsonrpc":"2.0","result":[{}]}}"#, entries.join(","))
}

fn real(value: i128) -> f64 {
	value as f64 / 1e18
}

#[test]
fn deribit_dates_are_their_08_00_utc_expiries() {
	assert_eq!(parse_expiry("27DEC26"), Some(1_798_358_400_000));
	assert_eq!(parse_expiry("5JAN27"), Some(1_799_136_000_000));
	assert_eq!(parse_expiry("29FEB24"), Some(1_709_193_600_000));
	assert_eq!(parse_expiry("15NOV23"), Some(NOV_15));
	for bad in ["32DEC26", "0DEC26", "27XYZ26", "DEC26", "127DEC26", "27DEC2026", "27DEC", "27dec26", ""] {
		assert_eq!(parse_expiry(bad), None, "{bad}");
	}
	assert_eq!(currency_of(SUMMARY_URL.as_bytes()), Some("BTC"));
	assert_eq!(currency_of(b"https://h/x?kind=option&currency=ETH"), Some("ETH"));
	assert_eq!(currency_of(b"https://h/x?kind=option"), None);
	assert_eq!(currency_of(b"https://h/x?currency=&kind=option"), None);
}

#[test]
fn the_summary_yields_the_out_of_the_money_quotes_of_its_currency() {
	let quotes = parse_book_summary(summary().as_bytes(), "BTC", INDEX).expect("a summary");
	assert_eq!(quotes.len(), 8, "{quotes:?}");
	let atm = quotes.iter().find(|q| q.expiry == NOV_15 && q.log_moneyness == 0).expect("the call at the money");
	assert_eq!(atm.iv, 55 * 10i128.pow(16));
	let wing = quotes.iter().find(|q| q.expiry == NOV_15 && q.iv == 565 * 10i128.pow(15)).expect("the 38,000 call");
	assert!((real(wing.log_moneyness) - (38_000f64 / 36_000.0).ln()).abs() < 1e-15);
	assert!(quotes.iter().all(|q| q.iv < 10i128.pow(18)), "the in-the-money call at 150% is skipped");
	assert_eq!(parse_book_summary(b"<html>busy</html>", "BTC", INDEX), None);
	assert_eq!(parse_book_summary(br#"{"result":{}}"#, "BTC", INDEX), None);
	assert_eq!(parse_book_summary(br#"{"result":[]}"#, "BTC", INDEX), Some(vec![]));
	assert_eq!(parse_book_summary(summary().as_bytes(), "BTC", 0), None);
	// Moneyness is against the chain's index, not Deribit's underlying (its futures basis):
	// with the index at 35,000 the 36,000 call sits at ln(36/35).
	let basis = parse_book_summary(summary().as_bytes(), "BTC", 35_000 * 10i128.pow(18)).unwrap();
	let call = basis.iter().find(|q| q.expiry == NOV_15 && q.iv == 55 * 10i128.pow(16)).unwrap();
	assert!((real(call.log_moneyness) - (36.0f64 / 35.0).ln()).abs() < 1e-15);
}

#[test]
fn a_listed_expiry_reads_each_point_between_deribit_expiries_in_total_variance() {
	let quotes = parse_book_summary(summary().as_bytes(), "BTC", INDEX).expect("a summary");
	let now = GENESIS_MS;
	let smiles = smiles_for(&quotes, &[NOV_15, NOV_16, NOV_17, NOV_17 + 86_400_000, now - 1], now);
	let at = |expiry: Moment| smiles.iter().find(|(e, _)| *e == expiry).map(|(_, s)| s.map(|p| p.into_inner() as f64 / 1e18)).expect("a smile");
	assert_eq!(smiles.len(), 4, "an expired target gets none");
	let atm = SMILE_POINTS / 2;
	assert_eq!(SMILE_LOG_MONEYNESS[atm], 0);
	// At Deribit's own expiries the smile is theirs, read at the points.
	assert!((at(NOV_15)[atm] - 0.55).abs() < 1e-15);
	assert!((at(NOV_17)[atm] - 0.60).abs() < 1e-15);
	// Beyond the last expiry it is flat.
	assert_eq!(at(NOV_17 + 86_400_000), at(NOV_17));
	// Between, total variance is linear in time.
	let (t1, t2, t) = ((NOV_15 - now) as f64, (NOV_17 - now) as f64, (NOV_16 - now) as f64);
	let w = 0.55f64.powi(2) * t1 + (0.60f64.powi(2) * t2 - 0.55f64.powi(2) * t1) * (t - t1) / (t2 - t1);
	assert!((at(NOV_16)[atm] - (w / t).sqrt()).abs() < 1e-12, "{}", at(NOV_16)[atm]);
	// The skew shows: the −30% point (strike ≈ 26,670, below the last put) is the 30,000
	// put's 70%, flat beyond it; −15% lies between the puts.
	assert!((at(NOV_15)[0] - 0.70).abs() < 1e-15);
	let k = |strike: f64| (strike / 36_000.0).ln();
	let along = (-0.15 - k(30_000.0)) / (k(34_000.0) - k(30_000.0));
	let expected = (0.70f64.powi(2) * (1.0 - along) + 0.62f64.powi(2) * along).sqrt();
	assert!((at(NOV_15)[1] - expected).abs() < 1e-12, "{} vs {expected}", at(NOV_15)[1]);
	// Before the first Deribit expiry: its smile, flat in time.
	let early = smiles_for(&quotes, &[now + 60_000], now);
	assert_eq!(early[0].1, smiles.iter().find(|(e, _)| *e == NOV_15).unwrap().1);
	// Nothing to read from: nothing.
	assert!(smiles_for(&[], &[NOV_16], now).is_empty());
}

#[test]
fn a_feeder_node_submits_a_smile_for_each_listed_expiry() {
	let builder = ExtBuilder::default().asset(
		BTC,
		vec![btc_sources()[0].clone(), (SUMMARY_URL.as_bytes().to_vec(), SourceFormat::DeribitOptions)],
	);
	let (mut h, accounts) = harness(builder, &["//OracleSmile"]);
	let feeder = accounts[0];
	h.http.write().timestamp = sp_core::offchain::Timestamp::from_unix_millis(GENESIS_MS);
	expect_get(&h.http, "https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT", br#"{"symbol":"BTCUSDT","price":"36000.00"}"#);
	expect_get(&h.http, SUMMARY_URL, summary().as_bytes());
	h.ext.execute_with(|| {
		frame_support::assert_ok!(Oracle::add_feeder(RuntimeOrigin::root(), feeder));
		MockExpiries::list(BTC, NOV_16);
		// The chain's index, which the smile's moneyness is read against.
		crate::Prices::<Test>::insert(
			BTC,
			crate::PriceRecord { price: usd(36_000, 0), updated_at: GENESIS_MS, stale: false, flagged: false, fresh_streak: 1 },
		);
		// The chain has no smiles of this feeder yet: they go with the first feed.
		offchain::run::<Test>(1);
	});
	assert_eq!(h.pool.read().transactions.len(), 2, "prices, then smiles");
	// Its smiles included in block 1, the next go once `SMILE_EVERY` blocks have passed,
	// whichever runs were skipped in between.
	h.ext.execute_with(|| crate::SurfacesFedIn::<Test>::insert(feeder, 1));
	expect_get(&h.http, "https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT", br#"{"symbol":"BTCUSDT","price":"36000.00"}"#);
	h.ext.execute_with(|| offchain::run::<Test>(u64::from(offchain::SMILE_EVERY)));
	assert_eq!(h.pool.read().transactions.len(), 3, "prices only: two blocks since the smiles");
	expect_get(&h.http, "https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT", br#"{"symbol":"BTCUSDT","price":"36000.00"}"#);
	expect_get(&h.http, SUMMARY_URL, summary().as_bytes());
	h.ext.execute_with(|| offchain::run::<Test>(1 + u64::from(offchain::SMILE_EVERY)));
	let txs = &h.pool.read().transactions;
	assert_eq!(txs.len(), 5, "prices and smiles again");
	let tx = Extrinsic::decode(&mut &txs[4][..]).expect("an extrinsic");
	let quotes = parse_book_summary(summary().as_bytes(), "BTC", INDEX).unwrap();
	let expected = smiles_for(&quotes, &[NOV_16], GENESIS_MS);
	match tx.function {
		RuntimeCall::Oracle(crate::Call::feed_surfaces { values }) =>
			assert_eq!(values.into_inner(), vec![(BTC, NOV_16, expected[0].1)]),
		other => panic!("unexpected call {other:?}"),
	}
	// The fed smile is a valid call.
	h.ext.execute_with(|| {
		System::set_block_number(5);
		let values = vec![(BTC, NOV_16, expected[0].1)].try_into().unwrap();
		frame_support::assert_ok!(Oracle::feed_surfaces(RuntimeOrigin::signed(feeder), values));
		Oracle::do_try_state().expect("try_state holds");
	});
}

proptest! {
	/// A summary quoting one flat volatility everywhere yields that volatility at every
	/// point of every listed expiry, wherever it falls in time.
	#[test]
	fn a_flat_surface_reads_flat_everywhere(
		percent in 5u32..300,
		offset_hours in 1u64..400,
		strikes in proptest::collection::vec(10_000u32..100_000, 1..12),
	) {
		let now = GENESIS_MS;
		let quotes: Vec<Quote> = [NOV_15, NOV_17]
			.iter()
			.flat_map(|expiry| strikes.iter().map(move |k| (*expiry, *k)))
			.map(|(expiry, strike)| Quote {
				expiry,
				log_moneyness: clearing_primitives::volatility::log_moneyness(
					i128::from(strike) * 10i128.pow(18),
					36_000 * 10i128.pow(18),
				).unwrap(),
				iv: i128::from(percent) * 10i128.pow(16),
			})
			.collect();
		let target = now + offset_hours * 3_600_000;
		let smiles = smiles_for(&quotes, &[target], now);
		prop_assert_eq!(smiles.len(), 1);
		for point in smiles[0].1 {
			let diff = (point.into_inner() as i128 - i128::from(percent) * 10i128.pow(16)).abs();
			prop_assert!(diff <= 2, "{} vs {percent}%", point);
		}
	}
}
