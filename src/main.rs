//! The `peerline` binary: parse the command line, set up logging, run. Everything else lives
//! in the library so tests can drive it.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = peerline::cli::Cli::parse();
    peerline::telemetry::init_logging();
    match peerline::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, never a panic or a backtrace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
