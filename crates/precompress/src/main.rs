//! `kafkascope-precompress DIR`: writes `NAME.gz` (gzip, best) and `NAME.br` (brotli, quality 11)
//! beside every `.wasm`, `.js`, `.css`, `.html`, `.svg` and `.json` file under DIR, so a host that
//! serves precompressed files (nginx `gzip_static`/`brotli_static`, Caddy `precompressed`, most CDNs)
//! sends them without compressing on the fly. Prints each file's size raw, gzip and brotli, and the
//! totals of the first load (wasm + js + css).
use std::io::Write;
use std::path::{Path, PathBuf};

const EXTS: [&str; 6] = ["wasm", "js", "css", "html", "svg", "json"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            files(&p, out)?;
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| EXTS.contains(&x)) {
            out.push(p);
        }
    }
    Ok(())
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    enc.finish()
}

fn brotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: kafkascope-precompress DIR");
        std::process::exit(2);
    };
    let mut list = Vec::new();
    files(Path::new(&dir), &mut list)?;
    list.sort();
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for p in &list {
        let data = std::fs::read(p)?;
        let (g, b) = (gzip(&data)?, brotli(&data)?);
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        std::fs::write(p.with_file_name(format!("{name}.gz")), &g)?;
        std::fs::write(p.with_file_name(format!("{name}.br")), &b)?;
        println!("{:>9} B raw {:>9} B gzip {:>9} B brotli  {}", data.len(), g.len(), b.len(), p.display());
        if ["wasm", "js", "css"].iter().any(|x| name.ends_with(&format!(".{x}"))) {
            raw += data.len();
            gz += g.len();
            br += b.len();
        }
    }
    println!("first load (wasm + js + css): {raw} B raw, {gz} B gzip, {br} B brotli");
    Ok(())
}
