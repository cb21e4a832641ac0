mod paths;
mod properties;
mod refusals;
mod migrations;
mod options;
mod grids;
mod curves;
