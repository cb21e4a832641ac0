mod aggregation;
mod check_feed;
mod feeds;
mod governance;
mod offchain;
mod properties;
mod volatility;
mod time_weighted;
