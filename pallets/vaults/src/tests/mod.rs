mod deposit;
mod ledger;
mod properties;
mod registry;
mod transfer;
mod withdraw;
mod haircuts;
