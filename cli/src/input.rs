//! `--json-body FILE`, where `-` is stdin.

use std::io::Read;
use std::path::Path;

/// The body's text: the file's, or stdin's for `-`.
pub fn read_body(path: &Path) -> std::io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
}
