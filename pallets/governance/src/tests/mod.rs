mod paths;
mod properties;
mod refusals;
