mod listing;
mod params;
mod pricing;
mod expiry;
mod sweep;
mod retire;
mod schedule;
mod smile;
