//! `esafety render --interactive`: the rendered page with an "Ask the
//! policy" panel, answered in the browser by esafety compiled to
//! WebAssembly (`crates/esafety-wasm`).
//!
//! The page is one self-contained file: the WebAssembly module (base64),
//! the policy's text (and the texts of the policies it extends) and the
//! script are inside it, so it works from `file://` with no network. The
//! module is not part of this binary: `scripts/build-wasm` builds it (it
//! needs the `wasm32-unknown-unknown` target and Binaryen's `wasm-opt`), and the page is refused,
//! saying so, when it cannot be found.

use std::path::{Path, PathBuf};

/// Where the module is built (`scripts/build-wasm`), in this workspace.
const BUILT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/esafety-wasm/esafety.wasm"
);

/// The WebAssembly module: `--wasm FILE`, else `$ESAFETY_WASM`, else the
/// one `scripts/build-wasm` builds in this workspace. `Err` says how to get
/// it.
pub(crate) fn module(given: Option<&Path>) -> Result<Vec<u8>, String> {
    let path = given
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("ESAFETY_WASM").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(BUILT));
    let bytes = esafety::read_source(&path).map_err(|e| {
        format!(
            "the interactive page needs esafety's WebAssembly module, and `{}` cannot be read ({e}). Build it with `scripts/build-wasm` (it installs the wasm32-unknown-unknown target with rustup, and Binaryen), or name a built module with `--wasm FILE`",
            crate::files::shown(&path)
        )
    })?;
    if !bytes.starts_with(b"\0asm") {
        return Err(format!(
            "`{}` is not a WebAssembly module",
            crate::files::shown(&path)
        ));
    }
    Ok(bytes)
}

/// The interactive page: `html` (the rendered document) with the panel
/// after its header and the module, the policy and the script before the
/// end of its body.
pub(crate) fn page(
    html: &str,
    wasm: &[u8],
    path: &str,
    text: &str,
    bases: &[esafety::family::SourceFile],
) -> String {
    let policy = serde_json::json!({
        "path": path,
        "text": text,
        "bases": bases
            .iter()
            .map(|b| (b.path.clone(), serde_json::Value::String(b.text.clone())))
            .collect::<serde_json::Map<_, _>>(),
    });
    // Inside a <script> element only `</` could end it early.
    let policy = policy.to_string().replace("</", "<\\/");
    let tail = format!(
        "<script type=\"application/json\" id=\"esafety-policy\">{policy}</script>\n<script type=\"application/octet-stream\" id=\"esafety-wasm\">{}</script>\n<script>\n{}</script>\n",
        base64(wasm),
        include_str!("interactive.js")
    );
    let with_panel = match html.find("</header>") {
        Some(at) => {
            let (head, rest) = html.split_at(at + "</header>".len());
            format!("{head}\n{PANEL}{rest}")
        }
        None => format!("{PANEL}{html}"),
    };
    match with_panel.rfind("</body>") {
        Some(at) => {
            let (body, end) = with_panel.split_at(at);
            format!("{body}{tail}{end}")
        }
        None => format!("{with_panel}{tail}"),
    }
}

/// The panel: a form with a label on every control, and the answer, which
/// screen readers announce when it changes.
const PANEL: &str = r#"<style>
details.ask { margin: 1rem 0 2rem; padding: .75rem 1rem; border: 2px solid var(--accent); border-radius: 4px; background: #fff; }
details.ask > summary { font-size: 1.25rem; font-weight: 700; cursor: pointer; }
.ask form { display: grid; gap: .6rem; margin-top: .75rem; }
.ask label { display: block; font-weight: 600; }
.ask select, .ask input[type=datetime-local] { display: block; width: 100%; max-width: 40rem; font: inherit; padding: .3rem; margin-top: .2rem; }
.ask fieldset { border: 1px solid var(--rule); padding: .5rem .75rem; }
.ask fieldset label { display: inline-block; font-weight: 400; margin-right: 1rem; }
.ask #ask-facts label { display: block; font-weight: 400; margin-top: .3rem; }
.ask #ask-known > summary { font-weight: 600; cursor: pointer; }
.ask button { justify-self: start; font: inherit; font-weight: 700; padding: .4rem 1.2rem; background: var(--accent); color: #fff; border: 0; border-radius: 3px; }
.ask button:focus, .ask select:focus, .ask input:focus { outline: 3px solid #fd0; outline-offset: 1px; }
#answer { margin-top: 1rem; overflow-wrap: anywhere; }
#answer .verdict { font-size: 1.3rem; font-weight: 700; margin: 0 0 .5rem; }
#answer .verdict-allowed { color: #00703c; } #answer .verdict-denied, #answer .verdict-illegal, #answer .ask-error { color: #b10e1e; } #answer .verdict-conditional { color: #8a5a00; }
#answer dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
#answer dl.facts dt { font-weight: 600; } #answer dl.facts dd { margin: 0; }
@media (max-width: 30rem) { #answer dl.facts { grid-template-columns: 1fr; } }
#edit { margin: 1rem 0 2rem; }
#edit .panes { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 60rem) { #edit .panes { grid-template-columns: 1fr; } }
#edit .editor { display: grid; grid-template-columns: max-content 1fr; height: 70vh; border: 1px solid var(--rule); }
#edit-gutter, #edit textarea { font: .9rem/1.4 ui-monospace, monospace; padding: .5rem; margin: 0; }
#edit-gutter { overflow: hidden; text-align: right; color: var(--muted); background: #f4f4f4; border-right: 1px solid var(--rule); user-select: none; }
#edit-gutter span { display: inline-block; min-width: 100%; font-weight: 700; color: #fff; background: #b10e1e; }
#edit-gutter span.warning { background: #8a5a00; }
#edit textarea { width: 100%; height: 100%; box-sizing: border-box; border: 0; resize: none; white-space: pre; overflow: auto; }
#edit iframe { width: 100%; height: 70vh; border: 1px solid var(--rule); }
#edit-diagnostics { list-style: none; padding: 0; }
#edit-diagnostics li { border-left: 4px solid #b10e1e; padding: .25rem .5rem; margin: .4rem 0; background: #fdf3f4; }
#edit-diagnostics li.warning { border-color: #8a5a00; background: #fdf8ec; }
#edit-diagnostics .help { margin: .2rem 0 0; color: var(--muted); }
#edit-diagnostics .goto { font: inherit; font-weight: 700; background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; cursor: pointer; }
@media print { details.ask, #edit { display: none; } }
</style>
<section id="edit" hidden aria-labelledby="edit-title">
<h2 id="edit-title">Edit the policy</h2>
<p>Edit the text; each change is checked as <code>esafety check</code> checks it. Nothing leaves this page: <button type="button" id="edit-download">Download the .policy file</button> to keep your changes.</p>
<p id="edit-status" role="status"></p>
<ul id="edit-diagnostics" aria-label="Problems in the policy"></ul>
<div class="panes">
<div><label for="edit-text">The policy file</label><div class="editor"><pre id="edit-gutter" aria-hidden="true"></pre><textarea id="edit-text" spellcheck="false" wrap="off"></textarea></div></div>
<div><iframe id="edit-page" title="The policy as it reads"></iframe></div>
</div>
</section>
<details class="ask" id="ask">
<summary>Ask the policy</summary>
<form id="ask-form">
<label for="ask-role">Who is asking about</label>
<select id="ask-role"></select>
<label for="ask-role-also">…who also holds the role</label>
<select id="ask-role-also"></select>
<fieldset><legend>About</legend>
<label><input type="radio" name="ask-kind" value="action" checked> something they do</label>
<label><input type="radio" name="ask-kind" value="incident"> an incident</label>
<label><input type="radio" name="ask-kind" value="device"> a device</label>
</fieldset>
<div id="ask-action-field"><label for="ask-action">What they do</label><select id="ask-action"></select></div>
<div id="ask-incident-field" hidden><label for="ask-incident">The incident</label><select id="ask-incident"></select></div>
<div id="ask-device-field" hidden><label for="ask-device">The device</label><select id="ask-device"></select>
<label for="ask-capability">Whether it may be</label><select id="ask-capability"></select></div>
<label for="ask-at">When (the school's time)</label>
<input type="datetime-local" id="ask-at">
<label for="ask-place">Where</label>
<select id="ask-place"></select>
<details id="ask-known"><summary>What is known (facts the answer may depend on)</summary><div id="ask-facts"></div></details>
<button type="submit">Ask</button>
</form>
<div id="answer" aria-live="polite"></div>
</details>
"#;

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let index = ((n >> shift) & 63) as usize;
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'=')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_the_rfc_examples() {
        // RFC 4648, section 10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
