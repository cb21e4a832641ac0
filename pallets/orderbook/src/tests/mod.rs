mod amend;
mod band;
mod batch;
mod cancel;
mod client_ids;
mod crowding;
mod deadline;
mod fee_tiers;
mod liquidation;
mod matching;
mod placing;
mod properties;
mod status;
mod time_in_force;
mod triggers;
mod expired;

use crate::{mock::*, OrderKind};
use clearing_primitives::margin::Side;

/// What an order that made `fills` fills, each applied by the mock margin engine, is charged.
pub fn charged_for(fills: u32) -> frame_support::weights::Weight {
	<<Test as crate::Config>::WeightInfo as crate::WeightInfo>::place_order(fills)
		.saturating_add(frame_support::weights::Weight::from_parts(MOCK_FILL_WEIGHT * u64::from(fills), 0))
}

/// The open order `id`, whoever owns it.
pub fn open_order(id: crate::OrderId) -> Option<crate::OrderOf<Test>> {
	crate::Orders::<Test>::iter_values().find(|order| order.id == id)
}

/// `who`'s subaccount 0 places a `kind` order of `steps` × 0.001 BTC at `$price`.
pub fn place(who: AccountId, side: Side, price: u128, steps: u128, kind: OrderKind) -> sp_runtime::DispatchResult {
	Orderbook::place_order(RuntimeOrigin::signed(who), 0, BTC_USD, side, usd(price), steps * STEP, kind, false)
		.map(|_| ())
		.map_err(|e| e.error)
}

/// Runs the book's block-start hook (`on_poll`, after the inherents) for block `n` with the
/// whole block to spend; returns what it used.
pub fn poll(n: u64) -> frame_support::weights::Weight {
	use frame_support::traits::Hooks;
	let mut meter = frame_support::weights::WeightMeter::new();
	Orderbook::on_poll(n, &mut meter);
	meter.consumed()
}

/// Moves to block `n`, running the book's block-start hook for each block on the way.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		poll(next);
	}
}
