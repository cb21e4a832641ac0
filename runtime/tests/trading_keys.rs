//! Trading keys (`pallet-proxy`, `ProxyType::Trading`): a key that may trade its principal's
//! subaccounts and may not move anything out of them.
//!
//! Attacks tried (../shared/ATTACKS.md):
//! - 1 Walk away / a leaked key: `a_trading_key_can_move_nothing_out`, every transfer,
//!   withdrawal, margin and proxy call through the key is filtered and no balance moves;
//!   `a_trading_key_cannot_make_itself_more`, no escalation by adding, nesting or announcing.
//! - 15 Weights: every call here goes through `send`, which checks the charged weight against
//!   the declared one (pallet-proxy adds the inner call's declared weight).
//! - 16 Storage: `a_key_costs_a_deposit_returned_when_it_goes`; `MaxProxies` bounds the list.

mod common;

use clearing_primitives::{margin::Side, USDC_ASSET_ID};
use clearing_runtime::{configs::ProxyType, Runtime, RuntimeCall, RuntimeEvent};
use common::*;
use frame_support::assert_ok;
use pallet_orderbook::OrderKind;
use sp_runtime::{traits::StaticLookup, DispatchError};

/// 0.001 ETH, the market's step.
const ETH_STEP: u128 = 1_000_000_000_000_000;

fn through(key: &clearing_runtime::AccountId, principal: &clearing_runtime::AccountId, call: RuntimeCall) {
	send(
		key,
		pallet_proxy::Call::proxy {
			real: <Runtime as frame_system::Config>::Lookup::unlookup(principal.clone()),
			force_proxy_type: None,
			call: Box::new(call),
		},
	)
	.expect("the proxy call itself goes through: only its inner call can be refused");
}

/// What the last `proxy` call's inner call returned.
fn last_proxied() -> Result<(), DispatchError> {
	frame_system::Pallet::<Runtime>::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => Some(result),
			_ => None,
		})
		.expect("a proxy call ran")
}

/// A principal with USDC in subaccount 0 and a `Trading` key.
fn principal_with_key() -> (clearing_runtime::AccountId, clearing_runtime::AccountId) {
	let principal = trader("principal", 20_000);
	deposit(&principal, 0, USDC_ASSET_ID, 10_000 * USDC);
	let key = trader("trading bot", 0);
	send(
		&principal,
		pallet_proxy::Call::add_proxy {
			delegate: <Runtime as frame_system::Config>::Lookup::unlookup(key.clone()),
			proxy_type: ProxyType::Trading,
			delay: 0,
		},
	)
	.expect("the principal adds its key");
	(principal, key)
}

fn orders_of(who: &clearing_runtime::AccountId) -> Vec<pallet_orderbook::Order<clearing_runtime::AccountId, u32>> {
	pallet_orderbook::Orders::<Runtime>::iter_prefix_values(who).collect()
}

#[test]
fn a_trading_key_places_amends_and_cancels_the_principals_orders() {
	run(|| {
		let (principal, key) = principal_with_key();
		through(&key, &principal, order(ETH_USD, Side::Buy, usd(2_900), 10 * ETH_STEP, OrderKind::Limit));
		assert_ok!(last_proxied());
		let placed = orders_of(&principal);
		assert_eq!(placed.len(), 1, "the order is the principal's");
		assert!(orders_of(&key).is_empty(), "the key holds nothing itself");
		let id = placed[0].id;

		through(
			&key,
			&principal,
			RuntimeCall::Orderbook(pallet_orderbook::Call::replace_order {
				id,
				price: usd(2_890),
				size: 10 * ETH_STEP,
				kind: OrderKind::Limit,
			}),
		);
		assert_ok!(last_proxied());
		let moved = orders_of(&principal);
		assert_eq!(moved.len(), 1);
		assert_eq!(moved[0].price, usd(2_890));

		through(&key, &principal, RuntimeCall::Orderbook(pallet_orderbook::Call::cancel_all { subaccount: 0, market: None }));
		assert_ok!(last_proxied());
		assert!(orders_of(&principal).is_empty());

		// A key may choose the principal's leverage: its deposit stays the principal's.
		through(&key, &principal, pallet_margin::Call::set_leverage { subaccount: 0, market: ETH_USD, leverage: 5 }.into());
		assert_ok!(last_proxied());
		let settings = pallet_margin::Pallet::<Runtime>::settings_view(principal.clone(), 0);
		assert_eq!(settings.leverage_in(ETH_USD), Some(5));
		assert_eq!(settings.deposit, USDC);
		assert!(pallet_margin::Pallet::<Runtime>::settings_view(key.clone(), 0).is_default());
	});
}

#[test]
fn a_trading_key_can_move_nothing_out() {
	run(|| {
		let (principal, key) = principal_with_key();
		let attacker = trader("attacker", 0);
		let to_attacker = <Runtime as frame_system::Config>::Lookup::unlookup(attacker.clone());
		let forbidden: Vec<RuntimeCall> = vec![
			pallet_vaults::Call::withdraw { subaccount: 0, asset: USDC_ASSET_ID, amount: USDC }.into(),
			pallet_vaults::Call::transfer { from: 0, to: 1, asset: USDC_ASSET_ID, amount: USDC }.into(),
			pallet_balances::Call::transfer_keep_alive { dest: to_attacker.clone(), value: CLR }.into(),
			pallet_balances::Call::transfer_all { dest: to_attacker.clone(), keep_alive: false }.into(),
			pallet_assets::Call::transfer { id: USDC_ASSET_ID.into(), target: to_attacker.clone(), amount: USDC }.into(),
			pallet_assets::Call::approve_transfer { id: USDC_ASSET_ID.into(), delegate: to_attacker, amount: USDC }.into(),
			frame_system::Call::remark { remark: vec![1] }.into(),
			pallet_margin::Call::set_isolated { subaccount: 0, market: Some(ETH_USD) }.into(),
		];
		let usdc_before = usdc_in(&principal, 0);
		let clr_before = pallet_balances::Pallet::<Runtime>::free_balance(&principal);
		for call in forbidden {
			through(&key, &principal, call.clone());
			assert_eq!(
				last_proxied(),
				Err(frame_system::Error::<Runtime>::CallFiltered.into()),
				"{call:?} went through a trading key"
			);
		}
		assert_eq!(usdc_in(&principal, 0), usdc_before);
		assert_eq!(usdc_in(&principal, 1), 0);
		// The key pays its own fees (not charged here): the principal's CLR did not move.
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&principal), clr_before);
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&attacker), 10_000 * CLR);
	});
}

#[test]
fn a_trading_key_cannot_make_itself_more() {
	run(|| {
		let (principal, key) = principal_with_key();
		let accomplice = trader("accomplice", 0);
		let escalations: Vec<RuntimeCall> = vec![
			// Make itself (or another key) an `Any` proxy.
			pallet_proxy::Call::add_proxy {
				delegate: <Runtime as frame_system::Config>::Lookup::unlookup(accomplice.clone()),
				proxy_type: ProxyType::Any,
				delay: 0,
			}
			.into(),
			// Remove the principal's other keys.
			pallet_proxy::Call::remove_proxies {}.into(),
			// Proxy through a proxy.
			pallet_proxy::Call::proxy {
				real: <Runtime as frame_system::Config>::Lookup::unlookup(principal.clone()),
				force_proxy_type: None,
				call: Box::new(pallet_vaults::Call::withdraw { subaccount: 0, asset: USDC_ASSET_ID, amount: USDC }.into()),
			}
			.into(),
			// Create a pure proxy account funded by the principal.
			pallet_proxy::Call::create_pure { proxy_type: ProxyType::Any, delay: 0, index: 0 }.into(),
		];
		for call in escalations {
			through(&key, &principal, call.clone());
			assert_eq!(
				last_proxied(),
				Err(frame_system::Error::<Runtime>::CallFiltered.into()),
				"{call:?} went through a trading key"
			);
		}
		let (keys, _) = pallet_proxy::Proxies::<Runtime>::get(&principal);
		assert_eq!(keys.len(), 1, "still the one trading key");
		assert_eq!(keys[0].proxy_type, ProxyType::Trading);
		// Forcing a type the key does not have finds no proxy.
		let forced = send(
			&key,
			pallet_proxy::Call::proxy {
				real: <Runtime as frame_system::Config>::Lookup::unlookup(principal.clone()),
				force_proxy_type: Some(ProxyType::Any),
				call: Box::new(pallet_vaults::Call::withdraw { subaccount: 0, asset: USDC_ASSET_ID, amount: USDC }.into()),
			},
		);
		assert_eq!(error_of(forced), pallet_proxy::Error::<Runtime>::NotProxy.into());
		// The key's announcements are of no use either: `proxy_announced` checks the same filter.
		assert!(!clearing_runtime::configs::is_trading_call(&pallet_proxy::Call::announce {
			real: <Runtime as frame_system::Config>::Lookup::unlookup(principal),
			call_hash: Default::default(),
		}
		.into()));
	});
}

#[test]
fn a_key_costs_a_deposit_returned_when_it_goes() {
	run(|| {
		let principal = trader("principal", 0);
		let held_before = pallet_balances::Pallet::<Runtime>::reserved_balance(&principal);
		let key = trader("trading bot", 0);
		send(
			&principal,
			pallet_proxy::Call::add_proxy {
				delegate: <Runtime as frame_system::Config>::Lookup::unlookup(key.clone()),
				proxy_type: ProxyType::Trading,
				delay: 0,
			},
		)
		.expect("the key is added");
		let held = pallet_balances::Pallet::<Runtime>::reserved_balance(&principal) - held_before;
		assert_eq!(held, pallet_proxy::Pallet::<Runtime>::deposit(1));
		assert!(held > 0, "a key is not free to store");
		send(
			&principal,
			pallet_proxy::Call::remove_proxy {
				delegate: <Runtime as frame_system::Config>::Lookup::unlookup(key),
				proxy_type: ProxyType::Trading,
				delay: 0,
			},
		)
		.expect("the key is removed");
		assert_eq!(pallet_balances::Pallet::<Runtime>::reserved_balance(&principal), held_before);
	});
}

#[test]
fn trading_is_no_superset_of_any() {
	use frame_support::traits::InstanceFilter;
	assert!(ProxyType::Any.is_superset(&ProxyType::Trading));
	assert!(!ProxyType::Trading.is_superset(&ProxyType::Any));
	assert!(ProxyType::Trading.is_superset(&ProxyType::Trading));
}
