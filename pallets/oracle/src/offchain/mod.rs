//! The offchain feeder. On a node whose keystore holds the `orcl` key of a feeder, every
//! `FeedInterval` blocks it fetches each priced asset from its HTTP sources, takes the median
//! across the sources that answered, and submits one signed `feed_prices`. An underlying with
//! a Deribit option book summary source also gets a smile for each of its listed option
//! expiries ([`surface`]), submitted in one signed `feed_surfaces`.
//!
//! An operator can point every source at another host (a local simulator, a proxy) by
//! writing the base URL into the node's persistent offchain storage under
//! [`HOST_OVERRIDE_KEY`], e.g. over RPC:
//! `offchain_localStorageSet("PERSISTENT", "0x<hex of clearing::oracle::host>", "0x<hex of http://127.0.0.1:8099>")`.
//! The scheme and host of each on-chain URL are then replaced, its path and query kept.

pub mod parse;
pub mod surface;

use crate::{
	median::median,
	pallet::{Call, Config, FeedValuesOf, Feeders, OracleAssets, Prices, SurfaceValuesOf, SurfacesFedIn, UrlOf},
	types::{PriceSource, SourceFormat},
};
use alloc::{vec, vec::Vec};
use clearing_primitives::{
	oracle::{ListedExpiries, Moment, Smile},
	AssetId, Price,
};
use frame_support::traits::Get;
use frame_system::{
	offchain::{AppCrypto, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sp_arithmetic::traits::{CheckedRem, Saturating};
use sp_runtime::{
	offchain::{
		http,
		storage_lock::{StorageLock, Time},
		Duration,
	},
	traits::{IdentifyAccount, Zero},
	RuntimeAppPublic,
};

/// Persistent offchain-storage key of the host override (see the module docs).
pub const HOST_OVERRIDE_KEY: &[u8] = b"clearing::oracle::host";
/// Lock that keeps two feeder runs (of consecutive blocks) from overlapping.
const LOCK_KEY: &[u8] = b"clearing::oracle::lock";
/// Time all of one run's HTTP requests get, together.
const FETCH_DEADLINE_MS: u64 = 2_000;
/// Responses larger than this are refused (an exchange ticker is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A feeder submits smiles once this many feed intervals have passed since its last smiles
/// were included (3 s on the runtime's 1 s blocks: well within the oracle's freshness age),
/// whichever runs a slow source made it skip.
pub const SMILE_EVERY: u32 = 3;
/// Expiries closer than this are fed no smile: the feed would reach a block after them.
const SMILE_LEAD_MS: Moment = 10_000;
/// A book summary is larger: Deribit's BTC options run to a few hundred kilobytes.
pub const MAX_SUMMARY_BYTES: usize = 4 * 1024 * 1024;

const LOG_TARGET: &str = "runtime::oracle";

/// Runs the feeder for block `block`, if it is a feed block and this node holds a feeder key.
pub fn run<T: Config>(block: BlockNumberFor<T>) {
	let interval = T::FeedInterval::get();
	if block.checked_rem(&interval).is_none_or(|rest| !rest.is_zero()) {
		return;
	}
	let keys = feeder_keys::<T>();
	if keys.is_empty() {
		return;
	}
	let mut lock = StorageLock::<Time>::with_deadline(
		LOCK_KEY,
		// Prices, then smiles, each within the fetch deadline.
		Duration::from_millis(FETCH_DEADLINE_MS.saturating_mul(2).saturating_add(1_000)),
	);
	let Ok(_guard) = lock.try_lock() else {
		log::debug!(target: LOG_TARGET, "previous feeder run still going; skipping block {block:?}");
		return;
	};
	let values = fetch_prices::<T>();
	match FeedValuesOf::<T>::try_from(values) {
		Ok(values) if !values.is_empty() => {
			let signer = Signer::<T, T::AuthorityId>::all_accounts().with_filter(keys.clone());
			for (account, result) in
				signer.send_signed_transaction(|_| Call::feed_prices { values: values.clone() })
			{
				match result {
					Ok(()) => log::debug!(target: LOG_TARGET, "fed {} prices as {:?}", values.len(), account.id),
					Err(()) => log::warn!(target: LOG_TARGET, "the pool refused the feed of {:?}", account.id),
				}
			}
		},
		_ => log::warn!(target: LOG_TARGET, "no source answered with a price; no prices to feed"),
	}
	// Smiles move slower than prices and cost more to feed: once `SMILE_EVERY` intervals
	// have passed since the chain last included this node's smiles (counted from the chain,
	// so runs skipped behind a slow source never starve them).
	let smile_gap = interval.saturating_mul(SMILE_EVERY.into());
	let due = keys.iter().any(|key| {
		let account = key.clone().into_account();
		SurfacesFedIn::<T>::get(account).is_none_or(|last| block >= last.saturating_add(smile_gap))
	});
	if !due {
		return;
	}
	let mut smiles = fetch_surfaces::<T>();
	smiles.truncate(T::MaxSurfaces::get() as usize);
	let Ok(smiles) = SurfaceValuesOf::<T>::try_from(smiles) else { return };
	if smiles.is_empty() {
		return;
	}
	let signer = Signer::<T, T::AuthorityId>::all_accounts().with_filter(keys);
	for (account, result) in
		signer.send_signed_transaction(|_| Call::feed_surfaces { values: smiles.clone() })
	{
		match result {
			Ok(()) => log::debug!(target: LOG_TARGET, "fed {} smiles as {:?}", smiles.len(), account.id),
			Err(()) => log::warn!(target: LOG_TARGET, "the pool refused the smiles of {:?}", account.id),
		}
	}
}

/// The operator's host override, if set (see the module docs).
fn host_override() -> Option<Vec<u8>> {
	// Raw bytes, as the RPC `offchain_localStorageSet` writes them (not SCALE-encoded).
	sp_io::offchain::local_storage_get(sp_core::offchain::StorageKind::PERSISTENT, HOST_OVERRIDE_KEY)
		.filter(|host| !host.is_empty())
}

/// What [`request_sources`] returns: each request's asset and source, and its response (if
/// any came before the deadline).
type Answered<T> = (
	Vec<(AssetId, PriceSource<UrlOf<T>>)>,
	Vec<Result<http::HttpResult, http::PendingRequest>>,
);

/// Requests, all at once, every source `wanted` picks (by asset and source), redirected to the
/// operator's host if one is set, and waits for them until the fetch deadline.
fn request_sources<T: Config>(wanted: impl Fn(AssetId, &PriceSource<UrlOf<T>>) -> bool) -> Answered<T> {
	let host = host_override();
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(FETCH_DEADLINE_MS));
	let mut requests: Vec<(AssetId, PriceSource<UrlOf<T>>, http::PendingRequest)> = vec![];
	for (asset, sources) in OracleAssets::<T>::iter() {
		for source in sources.into_iter().filter(|source| wanted(asset, source)) {
			let url = match &host {
				Some(host) => redirect(&source.url, host),
				None => source.url.to_vec(),
			};
			let Ok(url) = core::str::from_utf8(&url) else { continue };
			match http::Request::get(url).deadline(deadline).send() {
				Ok(pending) => requests.push((asset, source.clone(), pending)),
				Err(e) => log::warn!(target: LOG_TARGET, "cannot request {url}: {e:?}"),
			}
		}
	}
	let (meta, pending): (Vec<_>, Vec<_>) =
		requests.into_iter().map(|(asset, source, p)| ((asset, source), p)).unzip();
	(meta, http::PendingRequest::try_wait_all(pending, deadline))
}

/// Fetches the option book summary of every underlying that has one and has listed option
/// expiries, and returns a smile per listed expiry it could read.
pub fn fetch_surfaces<T: Config>() -> Vec<(AssetId, Moment, Smile)> {
	let listed = T::ListedExpiries::listed();
	if listed.is_empty() {
		return vec![];
	}
	let (meta, responses) = request_sources::<T>(|asset, source| {
		source.format == SourceFormat::DeribitOptions &&
			listed.iter().any(|(underlying, _)| *underlying == asset)
	});
	let now = sp_io::offchain::timestamp().unix_millis();
	let mut smiles: Vec<(AssetId, Moment, Smile)> = vec![];
	for ((asset, source), response) in meta.into_iter().zip(responses) {
		// One summary per underlying: a second source of the same one is not read.
		if smiles.iter().any(|(a, _, _)| *a == asset) {
			continue;
		}
		let Some(currency) = surface::currency_of(&source.url) else { continue };
		let body: Vec<u8> = match response {
			Ok(Ok(response)) if response.code == 200 =>
				response.body().take(MAX_SUMMARY_BYTES.saturating_add(1)).collect(),
			_ => {
				log::warn!(target: LOG_TARGET, "no option book summary for asset {asset}");
				continue;
			},
		};
		if body.len() > MAX_SUMMARY_BYTES {
			continue;
		}
		// Moneyness against the chain's own index, as the chain reads it.
		let Some(index) = Prices::<T>::get(asset).and_then(|record| i128::try_from(record.price.into_inner()).ok())
		else {
			continue;
		};
		let Some(quotes) = surface::parse_book_summary(&body, currency, index) else {
			log::warn!(target: LOG_TARGET, "an unreadable option book summary for asset {asset}");
			continue;
		};
		// An expiry about to pass would fail the whole feed once included: left out.
		let targets: Vec<Moment> = listed
			.iter()
			.filter(|(u, expiry)| *u == asset && *expiry > now.saturating_add(SMILE_LEAD_MS))
			.map(|(_, expiry)| *expiry)
			.collect();
		smiles.extend(
			surface::smiles_for(&quotes, &targets, now).into_iter().map(|(expiry, smile)| (asset, expiry, smile)),
		);
	}
	smiles
}

/// The oracle keys in this node's keystore whose accounts are feeders.
fn feeder_keys<T: Config>() -> Vec<T::Public> {
	<T::AuthorityId as AppCrypto<T::Public, T::Signature>>::RuntimeAppPublic::all()
		.into_iter()
		.map(|key| {
			let generic: <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::GenericPublic =
				key.into();
			let public: T::Public = generic.into();
			public
		})
		.filter(|public| Feeders::<T>::contains_key(public.clone().into_account()))
		.collect()
}

/// Fetches every asset's sources at once and returns the median price per asset that at
/// least one source answered for.
pub fn fetch_prices<T: Config>() -> Vec<(AssetId, Price)> {
	// A book summary is a smile source (`fetch_surfaces`), not a price.
	let (meta, responses) =
		request_sources::<T>(|_, source| source.format != SourceFormat::DeribitOptions);

	let mut by_asset: Vec<(AssetId, Vec<Price>)> = vec![];
	for ((asset, source), response) in meta.into_iter().zip(responses) {
		let fetched = match response {
			Err(_) => Fetched::NoAnswer,
			Ok(Err(_)) => Fetched::Failed,
			Ok(Ok(response)) if response.code != 200 => Fetched::Status(response.code),
			Ok(Ok(response)) => Fetched::Body(
				response.body().take(MAX_BODY_BYTES.saturating_add(1)).collect(),
			),
		};
		let price = match read_price(source.format, &fetched) {
			Ok(price) => Some(price),
			Err(skip) => {
				let url = core::str::from_utf8(&source.url).unwrap_or("<non-utf8 url>");
				log::warn!(target: LOG_TARGET, "{url}: skipped, {skip:?}");
				None
			},
		};
		if let Some(price) = price {
			match by_asset.iter_mut().find(|(a, _)| *a == asset) {
				Some((_, prices)) => prices.push(price),
				None => by_asset.push((asset, vec![price])),
			}
		}
	}
	by_asset
		.into_iter()
		.filter_map(|(asset, mut prices)| median(&mut prices).map(|p| (asset, p)))
		.collect()
}

/// What one source's request came back with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
	/// No response before the deadline.
	NoAnswer,
	/// The request failed (connection refused, I/O error).
	Failed,
	/// A response other than 200 OK.
	Status(u16),
	/// A 200 OK body (read up to one byte past the size limit).
	Body(Vec<u8>),
}

/// Why a source's answer was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
	Timeout,
	HttpError,
	Status(u16),
	BodyTooLarge,
	NoPriceInBody,
}

/// The price in a source's answer, or why there is none. Never a zero price.
pub fn read_price(format: SourceFormat, fetched: &Fetched) -> Result<Price, Skip> {
	match fetched {
		Fetched::NoAnswer => Err(Skip::Timeout),
		Fetched::Failed => Err(Skip::HttpError),
		Fetched::Status(code) => Err(Skip::Status(*code)),
		Fetched::Body(body) if body.len() > MAX_BODY_BYTES => Err(Skip::BodyTooLarge),
		Fetched::Body(body) => parse::parse_price(format, body).ok_or(Skip::NoPriceInBody),
	}
}

/// Replaces the scheme and host of `url` with `host` (e.g. `http://127.0.0.1:8099`), keeping
/// the path and query. A URL without a path gets `host` alone.
pub fn redirect(url: &[u8], host: &[u8]) -> Vec<u8> {
	let host = host.strip_suffix(b"/").unwrap_or(host);
	let after_scheme = url
		.windows(3)
		.position(|w| w == b"://")
		.and_then(|at| at.checked_add(3))
		.unwrap_or(0);
	let rest = url.get(after_scheme..).unwrap_or_default();
	let path = rest.iter().position(|b| *b == b'/').and_then(|at| rest.get(at..)).unwrap_or_default();
	[host, path].concat()
}
