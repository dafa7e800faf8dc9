//! The Argo CD REST client: URLs, auth (login, token cache, one retry on 401), and errors that say
//! what to do. Facts it relies on are in `../shared/argocd/api-notes.md`.

pub mod auth;
pub mod client;
pub mod error;
pub mod json_budget;
pub mod model;
pub mod objects;
pub mod transport;
pub mod watch_stream;

pub use client::{ArgoClient, Query};
pub use error::ArgoError;
