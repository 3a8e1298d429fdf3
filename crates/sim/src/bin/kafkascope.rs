//! The headless runner: `kafkascope run FILE` (or `-` for stdin) prints, for each command, `> ` and
//! the command as written, then its output. Exit status 0 when the script parsed, 2 on a parse
//! error (message on stderr).

use kafkascope_sim::cluster::journal::format_time;
use kafkascope_sim::session::exec::{help, Session, Trace};
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
        ["trace", file] => match read(file).map(|src| Session::run_script_session(&src)) {
            Ok(Ok(session)) => {
                println!("{}", serde_json::to_string_pretty(&session.trace()).expect("traces serialize"));
                ExitCode::SUCCESS
            }
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        ["share", file] => match read(file).map(|src| Session::run_script_session(&src)) {
            Ok(Ok(session)) => {
                println!("{}", kafkascope_sim::session::share::encode(&session.trace()));
                ExitCode::SUCCESS
            }
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        ["replay", file] => {
            let trace: Trace = match read(file)
                .map_err(|e| e.to_string())
                .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
            {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {file} is not a kafkascope trace: {e}");
                    return ExitCode::from(2);
                }
            };
            if trace.format != kafkascope_sim::session::exec::TRACE_FORMAT {
                eprintln!(
                    "error: {file} is a trace of format {} (this kafkascope replays format {}): it would replay differently",
                    trace.format,
                    kafkascope_sim::session::exec::TRACE_FORMAT
                );
                return ExitCode::from(2);
            }
            let session = Session::replay(&trace, None);
            for e in &session.sim.journal {
                println!("[{}] {}", format_time(e.at_ms), session.sim.describe(e));
            }
            if session.sim.journal == trace.journal {
                eprintln!("replay matches the trace's journal ({} events)", trace.journal.len());
                ExitCode::SUCCESS
            } else {
                eprintln!("replay DIFFERS from the trace's journal");
                ExitCode::from(1)
            }
        }
        ["help"] => {
            print!("{}", help());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage: kafkascope run FILE|-        run a scenario script\n       \
                 kafkascope trace FILE|-      run it and print the trace as JSON\n       \
                 kafkascope replay TRACE      replay a trace and check it matches\n       \
                 kafkascope share FILE|-      run it and print its share-link text (the page's ?s=)\n       \
                 kafkascope help              list the commands"
            );
            ExitCode::from(2)
        }
    }
}

fn read(file: &str) -> std::io::Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(file)
    }
}
