//! The headless runner: `kafkascope run FILE` (or `-` for stdin) prints, for each command, `> ` and
//! the command as written, then its output. Exit status 0 when the script parsed, 2 on a parse
//! error (message on stderr).

use kafkascope_sim::exec::{Session, HELP};
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["run", file] => {
            let src = if *file == "-" {
                let mut s = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                    eprintln!("error: cannot read stdin: {e}");
                    return ExitCode::from(2);
                }
                s
            } else {
                match std::fs::read_to_string(file) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("error: cannot read {file}: {e}");
                        return ExitCode::from(2);
                    }
                }
            };
            match Session::run_script(&src) {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        ["help"] => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: kafkascope run FILE|-    (run a scenario script; `kafkascope help` lists commands)");
            ExitCode::from(2)
        }
    }
}
