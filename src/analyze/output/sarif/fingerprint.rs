//! `partialFingerprints`: what makes a result the same alert from one run to the next, so GitHub
//! keeps one alert instead of opening a new one at every upload. The line number is left out (code
//! added above a finding moves it); what stays is the rule, the file and the text of the line,
//! with its indentation and runs of blanks normalised, plus which occurrence of that same text it
//! is in the file. SHA-256, so the value never changes with the toolchain.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::analyze::report::Finding;

/// The fingerprint's name in `partialFingerprints` (versioned: a new scheme gets a new name).
pub const KEY: &str = "loupeFindingHash/v1";

/// One file's lines and how many times each (rule, text) pair was seen so far.
pub struct FileFingerprints {
    file: String,
    lines: Vec<String>,
    seen: HashMap<(String, String), usize>,
}

impl FileFingerprints {
    /// `relative` is the file's URI under the project root (its absolute path when outside).
    pub fn read(path: &Path, relative: Option<&str>) -> FileFingerprints {
        let text = std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default();
        FileFingerprints {
            file: relative.map(str::to_string).unwrap_or_else(|| path.display().to_string()),
            lines: text.lines().map(normalised).collect(),
            seen: HashMap::new(),
        }
    }

    /// The fingerprint of the next finding (findings come in file order).
    pub fn next(&mut self, finding: &Finding) -> String {
        let text = finding.line.checked_sub(1).and_then(|i| self.lines.get(i)).cloned().unwrap_or_default();
        let occurrence = self.seen.entry((finding.test_id.to_string(), text.clone())).or_insert(0);
        *occurrence += 1;
        let mut hash = Sha256::new();
        for part in [finding.test_id, &self.file, &text] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{hex}:{occurrence}")
    }
}

fn normalised(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}
