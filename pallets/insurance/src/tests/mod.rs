mod fund;
mod properties;
mod staking;
