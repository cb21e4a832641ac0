//! The genesis presets build a chain with the authorities, tokens and keys the README promises.

mod common;

use common::externalities_for;
use clearing_runtime::{
	configs::{RuntimeBlockWeights, USDC_MIN_BALANCE},
	constants::{SLOT_DURATION, UNIT},
	genesis_config_presets::{
		dev_oracle_feeder, get_preset, preset_names, ENDOWMENT_CLR, ENDOWMENT_USDC,
	},
	Runtime,
};
use clearing_primitives::{USDC_ASSET_ID, USDC_DECIMALS};
use frame_support::traits::fungibles::{metadata::Inspect as MetadataInspect, Inspect};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

fn aura_authorities() -> Vec<sp_consensus_aura::sr25519::AuthorityId> {
	pallet_aura::Authorities::<Runtime>::get().into_inner()
}

#[test]
fn development_has_alice_as_sole_authority_and_sudo() {
	externalities_for(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(aura_authorities(), vec![Sr25519Keyring::Alice.public().into()]);
		let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
		assert_eq!(grandpa, vec![(Ed25519Keyring::Alice.public().into(), 1)]);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
	});
}

#[test]
fn local_testnet_has_three_validators_and_no_sudo() {
	externalities_for(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected: Vec<_> = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.into_iter()
			.map(|k| k.public().into())
			.collect();
		assert_eq!(aura_authorities(), expected);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 3);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn usdc_is_created_with_six_decimals_and_dev_accounts_hold_clr_and_usdc() {
	for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
		externalities_for(preset).execute_with(|| {
			type Assets = pallet_assets::Pallet<Runtime>;
			assert_eq!(<Assets as MetadataInspect<_>>::decimals(USDC_ASSET_ID), USDC_DECIMALS);
			assert_eq!(<Assets as MetadataInspect<_>>::symbol(USDC_ASSET_ID), b"USDC".to_vec());
			assert_eq!(<Assets as Inspect<_>>::minimum_balance(USDC_ASSET_ID), USDC_MIN_BALANCE);
			for who in Sr25519Keyring::well_known() {
				let account = who.to_account_id();
				assert_eq!(Assets::balance(USDC_ASSET_ID, &account), ENDOWMENT_USDC, "{who:?}");
				assert_eq!(
					pallet_balances::Pallet::<Runtime>::free_balance(&account),
					ENDOWMENT_CLR,
					"{who:?}"
				);
			}
			// A one-million-dollar endowment in 6-decimal units.
			assert_eq!(ENDOWMENT_USDC, 1_000_000 * 10u128.pow(6));
			assert_eq!(ENDOWMENT_CLR, 1_000_000 * UNIT);
		});
	}
}

#[test]
fn presets_are_listed_and_unknown_names_are_refused() {
	let names = preset_names();
	assert!(names.contains(&PresetId::from(DEV_RUNTIME_PRESET)));
	assert!(names.contains(&PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)));
	assert!(get_preset(&PresetId::from("mainnet")).is_none());
}

#[test]
fn blocks_are_one_second_and_compute_fits_well_inside_the_slot() {
	externalities_for(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(SLOT_DURATION, 1_000);
		assert_eq!(pallet_aura::Pallet::<Runtime>::slot_duration(), 1_000);
	});
	let max_block = RuntimeBlockWeights::get().max_block;
	// At most half the slot of execution, so other validators can import and vote in time.
	let slot = SLOT_DURATION * frame_support::weights::constants::WEIGHT_REF_TIME_PER_MILLIS;
	assert!(max_block.ref_time() <= slot / 2);
	assert!(max_block.ref_time() >= slot / 4);
}

#[test]
fn the_oracle_prices_btc_eth_dot_and_clr_fed_by_the_validators() {
	use clearing_primitives::{
		BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID, CLR_ASSET_ID, DOT_ASSET_ID, ETH_ASSET_ID,
		ETH_VOLATILITY_ASSET_ID,
	};
	for (preset, feeders, quorum) in [
		(DEV_RUNTIME_PRESET, vec![Sr25519Keyring::Alice], 1),
		(
			LOCAL_TESTNET_RUNTIME_PRESET,
			vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
			2,
		),
	] {
		externalities_for(preset).execute_with(|| {
			let mut assets: Vec<_> = pallet_oracle::OracleAssets::<Runtime>::iter_keys().collect();
			assets.sort();
			assert_eq!(
				assets,
				vec![
					CLR_ASSET_ID,
					BTC_ASSET_ID,
					ETH_ASSET_ID,
					DOT_ASSET_ID,
					BTC_VOLATILITY_ASSET_ID,
					ETH_VOLATILITY_ASSET_ID
				]
			);
			// Implied volatilities: Deribit's volatility index, one source each.
			for (underlying, source) in [(BTC_ASSET_ID, BTC_VOLATILITY_ASSET_ID), (ETH_ASSET_ID, ETH_VOLATILITY_ASSET_ID)] {
				let sources = pallet_oracle::OracleAssets::<Runtime>::get(source).expect("sources");
				assert_eq!(sources.len(), 1);
				assert_eq!(sources[0].format, pallet_oracle::SourceFormat::DeribitVolatility);
				assert_eq!(pallet_options::VolatilitySources::<Runtime>::get(underlying), Some(source));
			}
			for asset in [BTC_ASSET_ID, ETH_ASSET_ID, DOT_ASSET_ID] {
				let sources = pallet_oracle::OracleAssets::<Runtime>::get(asset).expect("sources");
				let prices = sources.iter().filter(|s| s.format != pallet_oracle::SourceFormat::DeribitOptions).count();
				assert_eq!(prices, 3, "Binance, Coinbase and Kraken for asset {asset}");
				// The option underlyings' smiles: Deribit's book summary of their options.
				let smiles: Vec<_> =
					sources.iter().filter(|s| s.format == pallet_oracle::SourceFormat::DeribitOptions).collect();
				let currency = match asset {
					BTC_ASSET_ID => Some("BTC"),
					ETH_ASSET_ID => Some("ETH"),
					_ => None,
				};
				assert_eq!(smiles.len(), usize::from(currency.is_some()), "asset {asset}");
				if let (Some(source), Some(currency)) = (smiles.first(), currency) {
					assert_eq!(pallet_oracle::offchain::surface::currency_of(&source.url), Some(currency));
				}
			}
			// CLR trades nowhere: one source, the local price feed.
			let clr = pallet_oracle::OracleAssets::<Runtime>::get(CLR_ASSET_ID).expect("sources");
			assert_eq!(clr.len(), 1);
			for who in &feeders {
				let feeder = dev_oracle_feeder(*who).expect("a dev feeder");
				assert!(pallet_oracle::Feeders::<Runtime>::contains_key(&feeder));
				// It exists (its feeds need an account) and is not the trading account.
				assert!(pallet_balances::Pallet::<Runtime>::free_balance(&feeder) > 0);
				assert_ne!(feeder, who.to_account_id());
			}
			assert_eq!(pallet_oracle::Feeders::<Runtime>::count() as usize, feeders.len());
			assert_eq!(pallet_oracle::Params::<Runtime>::get().min_feeders, quorum);
			pallet_oracle::Pallet::<Runtime>::do_try_state().expect("a consistent oracle");
		});
	}
}

#[test]
fn dev_feeder_accounts_are_the_oracle_keys_the_node_derives() {
	use sp_core::{sr25519, Pair};
	for (who, name) in [
		(Sr25519Keyring::Alice, "Alice"),
		(Sr25519Keyring::Bob, "Bob"),
		(Sr25519Keyring::Charlie, "Charlie"),
	] {
		let pair = sr25519::Pair::from_string(&format!("//{name}//oracle"), None).expect("a path");
		let derived = clearing_runtime::AccountId::from(pair.public());
		assert_eq!(dev_oracle_feeder(who), Some(derived), "{name}");
	}
	assert_eq!(dev_oracle_feeder(Sr25519Keyring::Dave), None);
}

#[test]
fn usdc_and_clr_are_collateral_and_the_vault_and_fund_hold_their_reserves() {
	use clearing_primitives::CLR_ASSET_ID;
	use clearing_runtime::{
		configs::Tokens,
		genesis_config_presets::{DEV_INSURANCE_COOLDOWN_BLOCKS, INSURANCE_COOLDOWN_BLOCKS},
		Insurance, Vaults,
	};
	for (preset, cooldown) in [
		(DEV_RUNTIME_PRESET, DEV_INSURANCE_COOLDOWN_BLOCKS),
		(LOCAL_TESTNET_RUNTIME_PRESET, INSURANCE_COOLDOWN_BLOCKS),
	] {
		externalities_for(preset).execute_with(|| {
			let usdc = pallet_vaults::CollateralAssets::<Runtime>::get(USDC_ASSET_ID).expect("USDC");
			assert!(usdc.haircut.is_zero() && usdc.enabled && usdc.decimals == USDC_DECIMALS);
			let clr = pallet_vaults::CollateralAssets::<Runtime>::get(CLR_ASSET_ID).expect("CLR");
			assert!(!clr.haircut.is_zero() && clr.enabled && clr.decimals == 12);
			let vault = Vaults::vault_account();
			assert_eq!(<Tokens as Inspect<_>>::balance(USDC_ASSET_ID, &vault), USDC_MIN_BALANCE);
			assert_eq!(
				<Tokens as Inspect<_>>::balance(CLR_ASSET_ID, &vault),
				clearing_runtime::constants::EXISTENTIAL_DEPOSIT
			);
			let fund = Insurance::fund_account();
			assert_eq!(<Tokens as Inspect<_>>::balance(USDC_ASSET_ID, &fund), USDC_MIN_BALANCE);
			assert_eq!(pallet_insurance::CooldownBlocks::<Runtime>::get(), cooldown);
			Vaults::do_try_state().expect("consistent vaults");
			Insurance::do_try_state().expect("a consistent fund");
		});
	}
	assert_eq!(INSURANCE_COOLDOWN_BLOCKS, 7 * 24 * 60 * 60, "seven days of 1 s blocks");
}

#[test]
fn btc_eth_and_dot_perpetuals_open_at_genesis() {
	use clearing_runtime::genesis_config_presets::{
		BTC_USD, DEV_FUNDING_INTERVAL_BLOCKS, DOT_USD, ETH_USD, FUNDING_INTERVAL_BLOCKS,
	};
	use sp_runtime::Permill;
	for (preset, interval) in [
		(DEV_RUNTIME_PRESET, DEV_FUNDING_INTERVAL_BLOCKS),
		(LOCAL_TESTNET_RUNTIME_PRESET, FUNDING_INTERVAL_BLOCKS),
	] {
		externalities_for(preset).execute_with(|| {
			for (market, imf, mmf) in [(BTC_USD, 5, 3), (ETH_USD, 5, 3), (DOT_USD, 10, 5)] {
				let config = clearing_runtime::Margin::market_config(market).expect("the market");
				assert_eq!(config.initial_margin, Permill::from_percent(imf));
				assert_eq!(config.maintenance_margin, Permill::from_percent(mmf));
				assert_eq!(config.funding_interval, interval);
			}
			assert_eq!(pallet_margin::Markets::<Runtime>::count(), 3);
			pallet_margin::Pallet::<Runtime>::do_try_state().expect("a consistent margin engine");
		});
	}
}

#[test]
fn every_listed_expiry_can_hold_a_smile() {
	use frame_support::traits::Get;
	// Listing refuses an expiry beyond `MaxExpiries`: as many smiles never refuse one.
	let smiles: u32 = <Runtime as pallet_oracle::Config>::MaxSurfaces::get();
	let expiries: u32 = <Runtime as pallet_options::Config>::MaxExpiries::get();
	assert!(smiles >= expiries, "MaxSurfaces {smiles} < MaxExpiries {expiries}");
}

#[test]
fn no_governed_feed_age_lets_a_smile_go_stale_between_its_feeds() {
	use clearing_runtime::constants::MILLI_SECS_PER_BLOCK;
	// Feeders send smiles every `SMILE_EVERY` blocks: the shortest age either pallet accepts
	// covers two of those intervals, and the two pallets agree on it.
	let smile_interval = u64::from(pallet_oracle::offchain::SMILE_EVERY) * MILLI_SECS_PER_BLOCK;
	assert!(pallet_oracle::bounds::MAX_AGE_FLOOR_MS >= 2 * smile_interval);
	assert_eq!(pallet_governance::classify::bounds::MIN_MAX_AGE_MS, pallet_oracle::bounds::MAX_AGE_FLOOR_MS);
}
