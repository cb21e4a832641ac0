//! Trading keys: FRAME's pallet-proxy, with a `Trading` proxy type that may place, amend and
//! cancel its principal's orders and choose its leverage, nothing else (the API wallet of
//! other venues). A bot's
//! key that leaks can trade the principal's subaccounts (badly, within the price band) but
//! call nothing that withdraws or transfers.

use crate::{constants::MILLI_UNIT, Balance, Balances, Runtime, RuntimeCall, RuntimeEvent, System};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::traits::{ConstU128, ConstU32, InstanceFilter};
use scale_info::TypeInfo;
use sp_runtime::traits::BlakeTwo256;

/// What a proxy may do for its principal.
#[derive(
	Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Encode, Decode, DecodeWithMemTracking, Debug,
	MaxEncodedLen, TypeInfo, Default,
)]
pub enum ProxyType {
	/// Anything the principal may do (pallet-proxy needs its most permissive type as the
	/// default).
	#[default]
	Any,
	/// The order book's order calls only (place, batch, amend, cancel, triggers, the
	/// dead-man's switch) and choosing a leverage, which moves nothing out of a subaccount.
	/// No transfer, withdrawal, isolation, other margin or proxy call.
	Trading,
}

/// The calls a `Trading` key may make. Listed one by one, so that a call added to the order
/// book later is refused to trading keys until it is judged here.
pub fn is_trading_call(call: &RuntimeCall) -> bool {
	use pallet_orderbook::Call as Book;
	matches!(
		call,
		RuntimeCall::Orderbook(
			Book::place_order { .. } |
				Book::place_orders { .. } |
				Book::cancel_order { .. } |
				Book::cancel_orders { .. } |
				Book::cancel_all { .. } |
				Book::replace_order { .. } |
				Book::place_trigger { .. } |
				Book::place_tp_sl { .. } |
				Book::cancel_trigger { .. } |
				Book::schedule_cancel { .. } |
				Book::cancel_by_client_id { .. }
		) | RuntimeCall::Margin(pallet_margin::Call::set_leverage { .. })
	)
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::Trading => is_trading_call(call),
		}
	}

	fn is_superset(&self, other: &Self) -> bool {
		self == other || *self == ProxyType::Any
	}
}

/// Held per storage item a user creates (native CLR).
const DEPOSIT_PER_ITEM: Balance = MILLI_UNIT;
/// Held per byte a user stores.
const DEPOSIT_PER_BYTE: Balance = MILLI_UNIT / 100;

const fn deposit(items: u32, bytes: u32) -> Balance {
	(items as Balance)
		.saturating_mul(DEPOSIT_PER_ITEM)
		.saturating_add((bytes as Balance).saturating_mul(DEPOSIT_PER_BYTE))
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	// The principal's `Proxies` entry (its key and deposit)...
	type ProxyDepositBase = ConstU128<{ deposit(1, 8) }>;
	// ...and per proxy: an account, its type and its delay.
	type ProxyDepositFactor = ConstU128<{ deposit(0, 37) }>;
	type MaxProxies = ConstU32<16>;
	type MaxPending = ConstU32<16>;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = ConstU128<{ deposit(1, 8) }>;
	// An account, a call hash and a block number per announcement.
	type AnnouncementDepositFactor = ConstU128<{ deposit(0, 68) }>;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
}
