//! Genesis presets: `development` (one authority, Alice, with sudo) and `local_testnet`
//! (Alice, Bob and Charlie as validators, no sudo key).

use crate::{
	constants::{DAYS, HOURS, MINUTES, UNIT},
	AccountId, AssetsConfig, AuraConfig, Balance, BalancesConfig, BlockNumber, GrandpaConfig,
	GovernanceConfig, InsuranceConfig, MarginConfig, OptionsConfig, OracleConfig, RiskCouncilConfig,
	RuntimeGenesisConfig, SudoConfig, VaultsConfig,
};
use pallet_oracle::{OracleParams, SourceFormat};
use sp_runtime::Permill;
use alloc::{vec, vec::Vec};
use clearing_primitives::{
	AssetId, BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID, CLR_ASSET_ID, DOT_ASSET_ID, ETH_ASSET_ID,
	ETH_VOLATILITY_ASSET_ID, USDC_ASSET_ID, USDC_DECIMALS,
};
use pallet_margin::MarketConfig;
use pallet_vaults::{CollateralConfig, HaircutCurve};
use clearing_primitives::{MarketId, Price};
use sp_runtime::FixedPointNumber;
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// CLR each well-known dev account starts with.
pub const ENDOWMENT_CLR: Balance = 1_000_000 * UNIT;
/// USDC each well-known dev account starts with: one million dollars.
pub const ENDOWMENT_USDC: Balance = 1_000_000 * 1_000_000;

/// A validator's consensus keys: the dev keyring's sr25519 key for Aura and its ed25519 key
/// (same name) for GRANDPA, as `key insert --suri //Name` would create them.
fn authority_keys(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// The public exchange endpoints each asset is read from (DESIGN.md, "Exchange API formats").
/// A node operator may point them at another host (`scripts/dev.sh` uses the local feed).
pub fn oracle_sources() -> Vec<(AssetId, Vec<(Vec<u8>, SourceFormat)>)> {
	let asset = |id: AssetId, binance: &str, coinbase: &str, kraken: &str, options: Option<&str>| {
		let mut sources = vec![
				(
					[b"https://api.binance.com/api/v3/ticker/price?symbol=".as_slice(), binance.as_bytes()].concat(),
					SourceFormat::Binance,
				),
				(
					[b"https://api.coinbase.com/v2/prices/".as_slice(), coinbase.as_bytes(), b"/spot"].concat(),
					SourceFormat::Coinbase,
				),
				(
					[b"https://api.kraken.com/0/public/Ticker?pair=".as_slice(), kraken.as_bytes()].concat(),
					SourceFormat::Kraken,
				),
		];
		// An option underlying's smiles: Deribit's book summary of its options.
		if let Some(currency) = options {
			sources.push((
				[
					b"https://www.deribit.com/api/v2/public/get_book_summary_by_currency?currency=".as_slice(),
					currency.as_bytes(),
					b"&kind=option",
				]
				.concat(),
				SourceFormat::DeribitOptions,
			));
		}
		(id, sources)
	};
	vec![
		asset(BTC_ASSET_ID, "BTCUSDT", "BTC-USD", "XBTUSD", Some("BTC")),
		asset(ETH_ASSET_ID, "ETHUSDT", "ETH-USD", "ETHUSD", Some("ETH")),
		asset(DOT_ASSET_ID, "DOTUSDT", "DOT-USD", "DOTUSD", None),
		volatility(BTC_VOLATILITY_ASSET_ID, "btcdvol_usdc"),
		volatility(ETH_VOLATILITY_ASSET_ID, "ethdvol_usdc"),
	]
}

/// An implied volatility read from Deribit's volatility index (DVOL) `index_name`.
fn volatility(id: AssetId, index_name: &str) -> (AssetId, Vec<(Vec<u8>, SourceFormat)>) {
	(
		id,
		vec![(
			[b"https://www.deribit.com/api/v2/public/get_index_price?index_name=".as_slice(), index_name.as_bytes()]
				.concat(),
			SourceFormat::DeribitVolatility,
		)],
	)
}

/// Each option underlying and the oracle asset of its implied volatility.
pub fn volatility_sources() -> Vec<(AssetId, AssetId)> {
	vec![(BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID), (ETH_ASSET_ID, ETH_VOLATILITY_ASSET_ID)]
}

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// A schedule on perpetual `market`: calls and puts at `each_side` strikes `step` dollars apart
/// on each side of the index, premiums in cents, `max_open_interest` contracts (base units).
fn listing_schedule(
	cycles: Vec<pallet_options::ExpiryCycle>,
	step: u128,
	each_side: u32,
	max_open_interest: Balance,
) -> pallet_options::ListingSchedule {
	pallet_options::ListingSchedule {
		cycles: cycles.try_into().unwrap_or_default(),
		strike_step: Price::saturating_from_integer(step),
		strikes_each_side: each_side,
		tick_size: Price::saturating_from_rational(1u32, 100u32),
		max_open_interest,
	}
}

/// What lists by itself on `dev`: BTC options expiring every 10 minutes, at three strikes
/// $1,000 apart, so tests see series list, expire and delist.
pub fn dev_listing_schedules() -> Vec<(MarketId, pallet_options::ListingSchedule)> {
	let every_ten_minutes = pallet_options::ExpiryCycle { period_ms: 600_000, offset_ms: 0 };
	vec![(BTC_USD, listing_schedule(vec![every_ten_minutes], 1_000, 1, TEN_BTC))]
}

/// What lists by itself on `local`, as a production chain would: BTC and ETH daily and Friday
/// weekly expiries at 08:00 UTC, a call and a put at the strike nearest the index (the 24
/// series slots hold two expiries of each cycle at once).
pub fn local_listing_schedules() -> Vec<(MarketId, pallet_options::ListingSchedule)> {
	let daily = pallet_options::ExpiryCycle { period_ms: DAY_MS, offset_ms: 8 * HOUR_MS };
	// 1970-01-01 was a Thursday: Fridays are a day past each week.
	let weekly = pallet_options::ExpiryCycle { period_ms: 7 * DAY_MS, offset_ms: DAY_MS + 8 * HOUR_MS };
	vec![
		(BTC_USD, listing_schedule(vec![daily, weekly], 1_000, 0, TEN_BTC)),
		(ETH_USD, listing_schedule(vec![daily, weekly], 100, 0, HUNDRED_ETH)),
	]
}

/// Open-interest caps in base units (BTC has 8 decimals, ETH 18).
const TEN_BTC: Balance = 1_000_000_000;
const HUNDRED_ETH: Balance = 100_000_000_000_000_000_000;

/// CLR trades on no public exchange: test chains read it from the local price feed
/// (`scripts/price-feed`, Binance format), so it can be valued as collateral.
pub fn clr_local_source() -> (AssetId, Vec<(Vec<u8>, SourceFormat)>) {
	(
		CLR_ASSET_ID,
		vec![(b"http://127.0.0.1:8099/api/v3/ticker/price?symbol=CLRUSDT".to_vec(), SourceFormat::Binance)],
	)
}

/// The collateral registry at genesis: USDC at face value, CLR at its oracle price less a
/// 25% haircut (a native token's price falls hardest exactly when it is needed).
pub fn collateral_assets() -> Vec<(AssetId, CollateralConfig)> {
	const USDC: Balance = 1_000_000;
	vec![
		(
			USDC_ASSET_ID,
			CollateralConfig {
				haircut: Permill::zero(),
				deposit_cap: 1_000_000_000 * USDC,
				min_deposit: USDC,
				decimals: USDC_DECIMALS,
				enabled: true,
			},
		),
		(
			CLR_ASSET_ID,
			CollateralConfig {
				haircut: Permill::from_percent(25),
				deposit_cap: 100_000_000 * UNIT,
				min_deposit: UNIT,
				decimals: 12,
				enabled: true,
			},
		),
	]
}

/// CLR's haircut curve: 25% is the floor; its realized volatility cuts 12% per unit (a
/// one-day 99% move: RV 300% cuts 36%), at most 50%; and a holding counts for less per unit
/// past about 200,000 CLR (1.1 / (1 + 0.5·√(holding / 250,000 CLR)): 1,000,000 CLR at 55%).
pub fn haircut_curves() -> Vec<(AssetId, HaircutCurve)> {
	vec![(
		CLR_ASSET_ID,
		HaircutCurve {
			volatility_factor: Permill::from_percent(12),
			max_volatility_haircut: Permill::from_percent(50),
			liquidity_depth: 250_000 * UNIT,
			size_factor: Permill::from_percent(50),
		},
	)]
}

/// The perpetual markets' ids.
pub const BTC_USD: MarketId = 0;
pub const ETH_USD: MarketId = 1;
pub const DOT_USD: MarketId = 2;

/// Funding every hour on `local` (3,600 blocks of 1 s)…
pub const FUNDING_INTERVAL_BLOCKS: BlockNumber = HOURS;
/// …and every minute on `dev`, so funding can be watched.
pub const DEV_FUNDING_INTERVAL_BLOCKS: BlockNumber = MINUTES;

/// The genesis markets: BTC-USD and ETH-USD at 5% initial / 3% maintenance margin, DOT-USD
/// at 10% / 5%; maker 0.02%, taker 0.05%; orders and fills within 10% of the index; funding
/// capped at 0.5% per interval with 0.0012% interest (≈ 0.01% per 8 h).
pub fn markets(funding_interval: BlockNumber) -> Vec<(MarketId, MarketConfig<BlockNumber>)> {
	let market = |base_asset, base_decimals: u8, imf, mmf, oi_lower_whole: u128, tick: Price, step| {
		let whole = 10u128.pow(u32::from(base_decimals));
		MarketConfig {
			base_asset,
			base_decimals,
			initial_margin: Permill::from_percent(imf),
			maintenance_margin: Permill::from_percent(mmf),
			oi_lower: oi_lower_whole.saturating_mul(whole),
			oi_upper: oi_lower_whole.saturating_mul(whole).saturating_mul(10),
			max_open_interest: oi_lower_whole.saturating_mul(whole).saturating_mul(20),
			tick_size: tick,
			step_size: step,
			maker_fee: Permill::from_parts(200),
			taker_fee: Permill::from_parts(500),
			price_band: Permill::from_percent(10),
			funding_interval,
			funding_cap: Permill::from_parts(5_000),
			interest_per_interval: Permill::from_parts(12),
			isolated_only: false,
		}
	};
	vec![
		// $1 ticks, 0.0001 BTC steps; the initial fraction rises from 100 BTC of open interest.
		(BTC_USD, market(BTC_ASSET_ID, 8, 5, 3, 100, Price::from_u32(1), 10_000)),
		// $0.01 ticks, 0.001 ETH steps.
		(ETH_USD, market(ETH_ASSET_ID, 18, 5, 3, 2_000, Price::saturating_from_rational(1, 100), 10u128.pow(15))),
		// $0.001 ticks, 0.1 DOT steps.
		(DOT_USD, market(DOT_ASSET_ID, 10, 10, 5, 1_000_000, Price::saturating_from_rational(1, 1_000), 10u128.pow(9))),
	]
}

/// Insurance unstake cooldown on `local` (and the default): seven days.
pub const INSURANCE_COOLDOWN_BLOCKS: BlockNumber = 7 * DAYS;
/// On `dev`: 100 blocks, so the whole cycle can be tried in two minutes.
pub const DEV_INSURANCE_COOLDOWN_BLOCKS: BlockNumber = 100;

/// Aggregation parameters: a quorum of `min_feeders`, feeds valid 10 s (ten blocks), and at
/// most a 10% move per aggregate.
fn oracle_params(min_feeders: u32) -> OracleParams {
	OracleParams { min_feeders, max_age_ms: 10_000, max_jump: Permill::from_percent(10) }
}

/// The oracle feeder accounts of the dev validators: sr25519 keys of `//Alice//oracle`,
/// `//Bob//oracle` and `//Charlie//oracle`, which `clearing-node --alice` (`--bob`,
/// `--charlie`, `--dev`) puts in its keystore. A feeder is its own account, apart from the
/// validator's trading account, so feeds never race a trader's nonces. (Public keys, because
/// the Wasm runtime cannot derive keys; a test checks them against the derivation.)
pub fn dev_oracle_feeder(who: Sr25519Keyring) -> Option<AccountId> {
	let public: [u8; 32] = match who {
		Sr25519Keyring::Alice =>
			sp_core::hex2array!("8ef5a06b56835e3d797d40e610583635a097ba8f4aa624a221ba276e1aea023b"),
		Sr25519Keyring::Bob =>
			sp_core::hex2array!("4aaefa723f94ad04274e8938af9ba7753edcbaf9befcc9343e2d62131f77f12d"),
		Sr25519Keyring::Charlie =>
			sp_core::hex2array!("880a69b513023d2a1eeb3e46ceb79b831ec7cafb95a2313b304fd0944095b25b"),
		_ => return None,
	};
	Some(AccountId::from(public))
}

/// CLR each feeder account holds: it must exist for its (free) feeds to be valid.
pub const FEEDER_ENDOWMENT_CLR: Balance = UNIT;

/// The accounts funded on every test chain: the well-known dev keyring.
fn endowed_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

fn clearing_genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	usdc_owner: AccountId,
	sudo: Option<AccountId>,
	feeders: Vec<AccountId>,
	min_feeders: u32,
	insurance_cooldown: BlockNumber,
	funding_interval: BlockNumber,
	council: Vec<AccountId>,
	timelock: BlockNumber,
	settlement_window_ms: u64,
	listing_schedules: Vec<(MarketId, pallet_options::ListingSchedule)>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.iter()
				.cloned()
				.map(|a| (a, ENDOWMENT_CLR))
				.chain(feeders.iter().cloned().map(|f| (f, FEEDER_ENDOWMENT_CLR)))
				.collect::<Vec<_>>(),
		},
		aura: AuraConfig {
			authorities: authorities.iter().map(|(aura, _)| aura.clone()).collect::<Vec<_>>(),
		},
		grandpa: GrandpaConfig {
			authorities: authorities.iter().map(|(_, gp)| (gp.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		assets: AssetsConfig {
			// USDC is sufficient: an account may hold it without any CLR.
			assets: vec![(USDC_ASSET_ID, usdc_owner, true, crate::configs::USDC_MIN_BALANCE)],
			metadata: vec![(
				USDC_ASSET_ID,
				b"USD Coin".to_vec(),
				b"USDC".to_vec(),
				USDC_DECIMALS
			)],
			accounts: endowed
				.iter()
				.cloned()
				.map(|a| (USDC_ASSET_ID, a, ENDOWMENT_USDC))
				// The backstop passes the fund's cover into the vaults: it keeps a minimum.
				.chain([(
					USDC_ASSET_ID,
					crate::configs::liquidation::backstop_account(),
					crate::configs::USDC_MIN_BALANCE
				)])
				.collect::<Vec<_>>(),
		},
		oracle: OracleConfig {
			feeders,
			assets: oracle_sources().into_iter().chain([clr_local_source()]).collect::<Vec<_>>(),
			params: Some(oracle_params(min_feeders)),
		},
		vaults: VaultsConfig { collateral_assets: collateral_assets(), haircut_curves: haircut_curves() },
		insurance: InsuranceConfig { cooldown_blocks: Some(insurance_cooldown) },
		margin: MarginConfig { markets: markets(funding_interval) },
		options: OptionsConfig {
			volatility_sources: volatility_sources(),
			params: Some(pallet_options::OptionParams { settlement_window_ms, ..Default::default() }),
			listing_schedules,
		},
		risk_council: RiskCouncilConfig { members: council },
		governance: GovernanceConfig { timelock },
	})
}

/// The risk council on test chains: Alice, Bob and Charlie (two of them enact a
/// risk-reducing change, one cancels a scheduled one).
fn risk_council() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.into_iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// One authority (Alice) that authors and finalizes alone; Alice holds sudo and is the
/// one oracle feeder (quorum 1).
pub fn development_config_genesis() -> Value {
	clearing_genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		// Alice's node feeds prices with the oracle key `--dev` inserts.
		[Sr25519Keyring::Alice].into_iter().filter_map(dev_oracle_feeder).collect(),
		1,
		DEV_INSURANCE_COOLDOWN_BLOCKS,
		DEV_FUNDING_INTERVAL_BLOCKS,
		risk_council(),
		crate::configs::DEV_TIMELOCK,
		// Options settle on a minute's average, so tests see expiries settle.
		60_000,
		dev_listing_schedules(),
	)
}

/// Three validators (Alice, Bob, Charlie), also the oracle feeders (quorum 2). No sudo:
/// root exists on `dev` only.
pub fn local_testnet_genesis() -> Value {
	clearing_genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		None,
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.into_iter()
			.filter_map(dev_oracle_feeder)
			.collect(),
		2,
		INSURANCE_COOLDOWN_BLOCKS,
		FUNDING_INTERVAL_BLOCKS,
		risk_council(),
		crate::configs::DEFAULT_TIMELOCK,
		// Thirty minutes, as on a production chain.
		1_800_000,
		local_listing_schedules(),
	)
}

/// The JSON patch of a named preset, if the runtime has one by that name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of every preset this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
