//! Builds GOV.UK Frontend (pinned in `assets/package.json`, locked in `assets/package-lock.json`) into
//! the binary: installs it with `npm ci` when `assets/node_modules` is missing, compiles
//! `assets/waymark.scss` with Sass into `$OUT_DIR`, copies the images and scripts the pages use, and
//! writes `assets.rs`, a table of every file included with `include_bytes!`. See ADR 0007.

use std::path::{Path, PathBuf};
use std::process::Command;

fn npm(dir: &Path, args: &[&str], out: &Path) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .env("WAYMARK_ASSETS_OUT", out)
        .status()
        .unwrap_or_else(|e| panic!("waymark-web needs Node.js and npm to build GOV.UK Frontend ({e}); install them and build again"));
    assert!(status.success(), "`npm {}` failed in {}", args.join(" "), dir.display());
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let assets = manifest.join("assets");
    for f in ["package.json", "package-lock.json", "waymark.scss", "app.js"] {
        println!("cargo:rerun-if-changed=assets/{f}");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets");
    std::fs::create_dir_all(out.join("images")).expect("create the assets folder");
    let govuk = assets.join("node_modules/govuk-frontend/dist/govuk");
    if !govuk.join("govuk-frontend.min.js").exists() || !assets.join("node_modules/.bin/sass").exists() {
        npm(&assets, &["ci", "--no-audit", "--no-fund"], &out);
    }
    npm(&assets, &["run", "--silent", "build"], &out);
    let copies = [
        (govuk.join("govuk-frontend.min.js"), "govuk-frontend.min.js"),
        (assets.join("app.js"), "app.js"),
        (govuk.join("assets/manifest.json"), "manifest.json"),
        (govuk.join("assets/images/favicon.ico"), "images/favicon.ico"),
        (govuk.join("assets/images/favicon.svg"), "images/favicon.svg"),
        (govuk.join("assets/images/govuk-icon-mask.svg"), "images/govuk-icon-mask.svg"),
        (govuk.join("assets/images/govuk-icon-180.png"), "images/govuk-icon-180.png"),
        (govuk.join("assets/images/govuk-icon-192.png"), "images/govuk-icon-192.png"),
        (govuk.join("assets/images/govuk-icon-512.png"), "images/govuk-icon-512.png"),
    ];
    for (from, to) in &copies {
        std::fs::copy(from, out.join(to)).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
    let mut table =
        String::from("/// Every built asset: (URL path, content type, bytes).\npub static ASSETS: &[(&str, &str, &[u8])] = &[\n");
    let mut files: Vec<&str> = copies.iter().map(|(_, to)| *to).collect();
    files.push("waymark.css");
    for f in files {
        let mime = match f.rsplit('.').next() {
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            Some("json") => "application/manifest+json",
            Some("ico") => "image/x-icon",
            Some("svg") => "image/svg+xml",
            Some("png") => "image/png",
            _ => "application/octet-stream",
        };
        table.push_str(&format!("    (\"/assets/{f}\", \"{mime}\", include_bytes!({:?})),\n", out.join(f)));
    }
    table.push_str("];\n");
    std::fs::write(out.join("assets.rs"), table).expect("write assets.rs");
}
