//! A minimal runtime for the fund's tests: USDC (asset 1) from pallet-assets, the native token
//! from pallet-balances, joined as in the real runtime.

use crate as pallet_insurance;
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, Valuation},
	AssetId, Balance, NativeOrAsset, SignedBalance,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::UnionOf,
		fungibles::{Inspect, Mutate},
		ConstU128, ConstU64,
	},
	PalletId,
};
use frame_support::traits::tokens::Preservation;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Assets: pallet_assets,
		Insurance: pallet_insurance,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1_000>;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type Currency = Balances;
	type CreateOrigin =
		frame_support::traits::AsEnsureOriginWithArg<frame_system::EnsureSigned<AccountId>>;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type Freezer = ();
}

pub type Tokens = UnionOf<Balances, Assets, NativeOrAsset, AssetId, AccountId>;

parameter_types! {
	pub const InsurancePalletId: PalletId = PalletId(*b"clr/insr");
	pub const Settlement: AssetId = USDC;
}

frame_support::parameter_types! {
	/// The backstop's equity, as a test sets it.
	pub storage BackstopEquityNow: i128 = 0;
}

/// A backstop whose equity the test sets.
pub struct MockBackstop;
impl clearing_primitives::insurance::BackstopEquity for MockBackstop {
	fn backstop_equity() -> Result<i128, sp_runtime::DispatchError> {
		Ok(BackstopEquityNow::get())
	}
	fn backstop_equity_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

/// The vaults' ledger, as far as the fund uses it: a subaccount's settlement is its owner's
/// USDC tokens, so a revenue payment moves tokens (and fails if the owner cannot pay).
pub struct MockLedger;
impl CollateralLedger<AccountId> for MockLedger {
	fn collateral_value(_: &Subaccount<AccountId>, _: Valuation) -> Result<SignedBalance, DispatchError> {
		Err(DispatchError::Other("unused by the fund"))
	}
	fn settlement_balance(subaccount: &Subaccount<AccountId>) -> SignedBalance {
		balance(subaccount.owner) as SignedBalance
	}
	fn move_settlement(_: &Subaccount<AccountId>, _: &Subaccount<AccountId>, _: Balance) -> DispatchResult {
		Err(DispatchError::Other("unused by the fund"))
	}
	fn pay_out(from: &Subaccount<AccountId>, to: &AccountId, amount: Balance) -> DispatchResult {
		Tokens::transfer(USDC, &from.owner, to, amount, Preservation::Preserve).map(|_| ())
	}
	fn pay_in(_: &AccountId, _: &Subaccount<AccountId>, _: Balance) -> DispatchResult {
		Err(DispatchError::Other("unused by the fund"))
	}
	fn collateral_assets(_: &Subaccount<AccountId>) -> Vec<AssetId> {
		Vec::new()
	}
	fn seize_collateral(_: &Subaccount<AccountId>, _: &Subaccount<AccountId>, _: Valuation) -> Result<Balance, DispatchError> {
		Err(DispatchError::Other("unused by the fund"))
	}
	fn debtors(_: Option<Vec<u8>>, _: u32) -> (Vec<Subaccount<AccountId>>, Option<Vec<u8>>) {
		(Vec::new(), None)
	}
}

/// `owner`'s subaccount 0.
pub fn sub(owner: AccountId) -> Subaccount<AccountId> {
	Subaccount::new(owner, 0)
}

impl pallet_insurance::Config for Test {
	type Ledger = MockLedger;
	type Backstop = MockBackstop;
	type Assets = Tokens;
	type SettlementAsset = Settlement;
	type PalletId = InsurancePalletId;
	type MinStake = ConstU128<USDC_UNIT>;
	type MaxCooldown = ConstU64<1_000>;
	type ClaimWindow = ConstU64<CLAIM_WINDOW>;
	type WeightInfo = ();
}

pub const USDC: AssetId = 1;
pub const USDC_MIN: Balance = 10_000;
pub const USDC_UNIT: Balance = 1_000_000;
pub const COOLDOWN: u64 = 100;
pub const CLAIM_WINDOW: u64 = 20;

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// Stands for the trading pallets: pays revenue in, receives cover.
pub const MARKET: AccountId = 3;
pub const ISSUER: AccountId = 99;

pub fn balance(who: AccountId) -> Balance {
	<Tokens as Inspect<AccountId>>::balance(USDC, &who)
}

pub fn fund() -> AccountId {
	Insurance::fund_account()
}

pub fn mint(who: AccountId, amount: Balance) {
	<Tokens as Mutate<AccountId>>::mint_into(USDC, &who, amount).expect("mint in tests");
}

/// Alice, Bob and the market hold 1,000,000 USDC each; cooldown 100 blocks.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let endowed = [ALICE, BOB, MARKET, ISSUER];
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig {
				balances: endowed.iter().map(|who| (*who, 1_000_000)).collect(),
				..Default::default()
			},
			assets: pallet_assets::GenesisConfig {
				assets: vec![(USDC, ISSUER, true, USDC_MIN)],
				metadata: vec![],
				accounts: [ALICE, BOB, MARKET]
					.iter()
					.map(|who| (USDC, *who, 1_000_000 * USDC_UNIT))
					.collect(),
				next_asset_id: None,
				reserves: vec![],
			},
			insurance: pallet_insurance::GenesisConfig { cooldown_blocks: Some(COOLDOWN) },
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the fund's invariants (`try_state`) and, since tests send
	/// nothing to the fund account directly, that it holds exactly the fund plus its reserve.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			Insurance::do_try_state().expect("try_state holds after the test");
			assert_eq!(
				balance(fund()),
				crate::FundBalance::<Test>::get() + USDC_MIN,
				"fund account = fund balance + reserve"
			);
		});
	}
}

pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

pub fn insurance_events() -> Vec<pallet_insurance::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Insurance(e) => Some(e),
			_ => None,
		})
		.collect()
}
