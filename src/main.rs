//! The `tagwatch` command line. Thin: the work is done in the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
