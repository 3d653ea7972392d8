//! The integration suite: real SQLite files, the real OSM and Kartverket files from
//! `NAERMILJO_SHARED_DATA`, and Debian's `osmium` and `cs2cs` as independent oracles.

mod accounts;
mod activities;
mod api;
mod architecture;
mod basemap;
mod cli;
mod common;
mod coverage;
mod crs;
mod disk_full;
mod districts;
mod faults;
mod feed;
mod fetch;
mod fuzz_corpus;
mod hours;
mod import_addresses;
mod import_csv;
mod import_files;
mod import_osm;
mod load;
mod nature;
mod organisations;
mod participation;
mod population;
mod postgis_ops;
mod proxy;
mod schemathesis;
mod store_contract;
mod tiles;
mod walking;
