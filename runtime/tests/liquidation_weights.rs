//! The keeper's transactions fit the block the way the runtime declares them: its largest
//! batch within one operational transaction, and a batch of one-position entries small
//! enough that a block admits several (declared weight is what the block builder counts).

use clearing_runtime::{configs::RuntimeBlockWeights, Runtime};
use frame_support::{dispatch::DispatchClass, traits::Get};
use pallet_liquidation::WeightInfo;

type Liquidation = pallet_liquidation::Pallet<Runtime>;

fn most_positions() -> u32 {
	<Runtime as pallet_margin::Config>::MaxPositions::get()
}

fn max_batch() -> u32 {
	<Runtime as pallet_liquidation::Config>::MaxBatch::get()
}

#[test]
fn the_largest_batch_and_its_check_fit_one_operational_transaction() {
	let weights = RuntimeBlockWeights::get();
	let operational = weights.get(DispatchClass::Operational);
	let most = most_positions();
	let declared = Liquidation::batch_weight(max_batch(), most)
		.saturating_add(Liquidation::authorize_batch_weight(max_batch(), most))
		.saturating_add(operational.base_extrinsic);
	let limit = operational.max_extrinsic.expect("operational transactions are bounded");
	assert!(declared.all_lte(limit), "{declared:?} over {limit:?}");
}

#[test]
fn a_full_batch_of_one_position_entries_leaves_room_for_three_more_in_a_block() {
	let max_block = RuntimeBlockWeights::get().max_block;
	let declared = Liquidation::batch_weight(max_batch(), 1)
		.saturating_add(Liquidation::authorize_batch_weight(max_batch(), 1));
	assert!(declared.ref_time().saturating_mul(4) <= max_block.ref_time(), "{declared:?} of {max_block:?}");
}

#[test]
fn an_entry_of_a_batch_costs_less_than_a_liquidation_of_its_own() {
	let single = pallet_liquidation::weights::SubstrateWeight::<Runtime>::liquidate(1);
	assert!(Liquidation::batch_entry_weight(1).ref_time() < single.ref_time());
}

