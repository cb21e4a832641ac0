mod listing;
mod params;
mod pricing;
