//! The headless runner: `kafkascope run FILE` (or `-` for stdin) prints, for each command, `> ` and
//! the command as written, then its output. Exit status 0 when the script parsed, 2 on a parse
//! error (message on stderr).

use kafkascope_sim::cluster::journal::format_time;
use kafkascope_sim::session::exec::{help, RecordedTrace, Session, Trace};
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
        ["link", rest @ ..] => link(rest),
        ["import", file] => match read(file).map(|text| kafkascope_sim::session::import::import(&text)) {
            Ok(Ok(imported)) => {
                print!("{}", imported.script);
                for note in &imported.notes {
                    eprintln!("not reproduced: {note}");
                }
                ExitCode::SUCCESS
            }
            Ok(Err(e)) => {
                eprintln!("error: {file}: {e}");
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("error: cannot read {file}: {e}");
                ExitCode::from(2)
            }
        },
        ["replay", file] => {
            let trace: Trace = match read(file)
                .map_err(|e| e.to_string())
                .and_then(|s| serde_json::from_str::<RecordedTrace>(&s).map_err(|e| e.to_string()))
            {
                Ok(t) => t.into_trace(),
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
                 kafkascope link FILE|- [--embed] [--base URL]\n                              \
                 run it and print the page's URL that replays it (--embed: the iframe's URL;\n                              \
                 --base: where the page is served, default http://127.0.0.1:8080/)\n       \
                 kafkascope import FILE|-     a real cluster's `kafka-topics --describe` output as a\n                              \
                 script that builds the same topics (what it cannot reproduce is named)\n       \
                 kafkascope help              list the commands"
            );
            ExitCode::from(2)
        }
    }
}

/// Where `scripts/serve.sh` serves the page (README): the base a link gets without `--base`.
const DEFAULT_BASE: &str = "http://127.0.0.1:8080/";

/// `kafkascope link FILE [--embed] [--base URL]`: the URL that opens the page replaying the
/// script, paused at its end (the same moment, journal and ledger as `kafkascope run` prints).
/// With `--embed`, the iframe's URL (`embed=1`: the embed chrome; docs/embedding.md).
fn link(args: &[&str]) -> ExitCode {
    let (mut file, mut embed, mut base) = (None, false, DEFAULT_BASE.to_string());
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "--embed" => embed = true,
            "--base" => match args.get(i + 1) {
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    base = url.to_string();
                    i += 1;
                }
                Some(url) => {
                    eprintln!("error: --base needs an http:// or https:// URL, not {url:?}");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!("error: --base needs a URL");
                    return ExitCode::from(2);
                }
            },
            flag if flag.starts_with("--") && flag != "-" => {
                eprintln!("error: unknown option {flag} (link takes --embed and --base URL)");
                return ExitCode::from(2);
            }
            f if file.is_none() => file = Some(f),
            extra => {
                eprintln!("error: link takes one script, not also {extra:?}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let Some(file) = file else {
        eprintln!("error: link needs a script: kafkascope link FILE [--embed] [--base URL]");
        return ExitCode::from(2);
    };
    match read(file).map(|src| Session::run_script_session(&src)) {
        Ok(Ok(session)) => {
            println!("{}", kafkascope_sim::session::share::page_url(&base, &session.trace(), embed));
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: cannot read {file}: {e}");
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
