//! User configuration: `.vscode/launch.json` debug configurations and `.env` files.

pub mod env_file;
pub mod launch_json;
