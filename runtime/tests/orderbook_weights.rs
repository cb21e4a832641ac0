//! The order book's batches fit the block as the runtime declares them (declared weight is
//! what the block builder counts).

use clearing_runtime::{configs::RuntimeBlockWeights, Runtime};
use frame_support::{dispatch::DispatchClass, traits::Get};
use pallet_orderbook::{NewOrder, OrderKind, WeightInfo};

type Orderbook = pallet_orderbook::Pallet<Runtime>;
type Weights = <Runtime as pallet_orderbook::Config>::WeightInfo;

fn normal_max_extrinsic() -> frame_support::weights::Weight {
	RuntimeBlockWeights::get()
		.get(DispatchClass::Normal)
		.max_extrinsic
		.expect("normal transactions are bounded")
}

/// A full batch of orders, each in a market of its own (the dearest case the runtime's
/// markets allow).
fn full_batch() -> Vec<NewOrder> {
	let most = <Runtime as pallet_orderbook::Config>::MaxBatchOrders::get();
	(0..most)
		.map(|i| NewOrder {
			market: i % 3,
			side: clearing_primitives::margin::Side::Buy,
			price: clearing_primitives::Price::from_u32(1),
			size: 1,
			kind: OrderKind::Limit,
			reduce_only: false,
			client_id: Some(u64::from(i)),
		})
		.collect()
}

#[test]
fn a_full_batch_of_orders_fits_one_transaction() {
	// Declared: every entry evicting a full level and the whole fill budget at the margin
	// engine's worst case. The block builder admits it while that fits, and refunds the rest.
	let declared = Orderbook::place_orders_weight(&full_batch());
	let limit = normal_max_extrinsic();
	assert!(declared.all_lte(limit), "{declared:?} over {limit:?}");
}

#[test]
fn a_full_batch_of_cancels_fits_one_transaction() {
	let most = <Runtime as pallet_orderbook::Config>::MaxBatchCancels::get();
	let declared = Weights::cancel_orders(most);
	assert!(declared.all_lte(normal_max_extrinsic()), "{declared:?}");
}


#[test]
fn the_block_start_cleanup_fits_its_tenth_and_does_useful_work() {
	// Expired orders and due dead-man's switches are taken off within `CleanupBlockWeight`
	// (mandatory weight, before any transaction): a tenth of the block, enough for an
	// expired order and a switch over a full account at their worst.
	let cleanup = <Runtime as pallet_orderbook::Config>::CleanupBlockWeight::get();
	let block = RuntimeBlockWeights::get().max_block;
	assert!(cleanup.ref_time().saturating_mul(10) <= block.ref_time(), "{cleanup:?} of {block:?}");
	assert!(cleanup.all_gte(Orderbook::cleanup_floor()), "{cleanup:?}");
	// How many expired orders one block takes off at most.
	let per_order = Weights::expire_orders(1).saturating_sub(Weights::expire_orders(0));
	assert!(cleanup.ref_time() / per_order.ref_time() >= 100, "{per_order:?}");
}
