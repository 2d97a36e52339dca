//! The citizen's view in the demo: the verify page built for the demo's
//! genesis and served by every validator at `/verify/`, and, once the samples
//! are in, links to open in a browser with their QR codes in the terminal.

use std::path::{Path, PathBuf};
use std::process::Command;

use yinzheng_node::config::NodeConfig;

/// Build the page for `dir/genesis.json` into `dir/web` and have every node
/// serve it (`verify_page` in its config). `None`, with the reason printed,
/// when the page's tools (`wasm-bindgen`, `web/build.sh` in a checkout) are
/// missing: the demo then runs without the page.
pub fn prepare(dir: &Path, configs: &[PathBuf]) -> eyre::Result<Option<PathBuf>> {
    let script = Path::new("web/build.sh");
    let tools = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !script.exists() || !tools {
        println!(
            "  (the citizen's verify page is not served: it needs wasm-bindgen-cli 0.2.130 and the \
             wasm32-unknown-unknown target, see web/build.sh)"
        );
        return Ok(None);
    }
    let out = dir.join("web");
    println!("building the citizen's verify page for this consortium …");
    let built = Command::new("bash")
        .arg(script)
        .arg(dir.join("genesis.json"))
        .arg(&out)
        .status()?;
    if !built.success() {
        println!("  (the verify page did not build; the demo runs without it)");
        return Ok(None);
    }
    let page = std::fs::canonicalize(&out)?;
    for path in configs {
        let mut c = NodeConfig::load(path).map_err(|e| eyre::eyre!("{e}"))?;
        c.verify_page = Some(page.clone());
        std::fs::write(path, c.to_toml())?;
    }
    Ok(Some(page))
}

/// Print a link to the page for a compact bundle, and its QR code.
pub fn show(what: &str, http_port: u16, compact: &[u8]) -> eyre::Result<()> {
    let link = yinzheng_client::qr::encode_link(
        &format!("http://127.0.0.1:{http_port}/verify/"),
        &yinzheng_client::qr::Payload::Bundle(compact.to_vec()),
    );
    let code = yinzheng_client::qr::qr_code(&link).map_err(|e| eyre::eyre!("{e}"))?;
    println!("\n{what} — open in a browser, or scan:\n{link}");
    println!("{}", yinzheng_client::qr::to_terminal(&code));
    Ok(())
}
