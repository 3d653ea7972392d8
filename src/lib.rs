//! naermiljo: neighbourhood facilities, activities and what a resident can reach on foot.
//!
//! See ARCHITECTURE.md for the map of the code.

pub mod accounts;
pub mod app;
pub mod basemap;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod demo;
pub mod domain;
pub mod edit;
pub mod fetch;
pub mod fuzz;
pub mod hours;
pub mod http;
pub mod import;
pub mod index;
pub mod mail;
pub mod participation;
pub mod reload;
pub mod routing;
pub mod store;
pub mod tiles;
