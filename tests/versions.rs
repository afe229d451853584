//! One version story: the spec's `info.version`, the versions of `enkash` and `enkash-sandbox`,
//! the sandbox's requirement on `enkash`, and the CHANGELOG's top section are the same number
//! (the policy: `enkash::guide::spec_and_other_languages`).

use std::path::Path;

/// A file of the repository, read as text.
fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()))
}

/// The value of `key = "value"` in the `[section]` of a Cargo manifest (the manifests here are
/// plain enough that a line reader suffices, and the dev-dependencies hold no TOML parser).
fn manifest_value(manifest: &str, section: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == format!("[{section}]");
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if inside && name.trim() == key {
            return Some(value.trim().to_string());
        }
    }
    None
}

/// The workspace's one version, from `[workspace.package]`.
fn workspace_version() -> String {
    let value = manifest_value(&read("Cargo.toml"), "workspace.package", "version")
        .expect("Cargo.toml: [workspace.package] has a version");
    value.trim_matches('"').to_string()
}

#[test]
fn both_crates_take_the_workspace_version() {
    let version = workspace_version();
    assert_eq!(env!("CARGO_PKG_VERSION"), version, "enkash's version");
    for manifest in ["Cargo.toml", "sandbox/Cargo.toml"] {
        assert_eq!(
            manifest_value(&read(manifest), "package", "version.workspace").as_deref(),
            Some("true"),
            "{manifest}: the version must be `version.workspace = true`, so the crates move together"
        );
    }
}

#[test]
fn the_spec_has_the_crates_version() {
    let spec: serde_json::Value = serde_norway::from_str(&read("openapi/enkash.yaml")).unwrap();
    assert_eq!(
        spec["info"]["version"].as_str(),
        Some(workspace_version().as_str()),
        "openapi/enkash.yaml: info.version must be the crates' version"
    );
    // The copy the crate carries is the same file.
    assert_eq!(enkash::SPEC_YAML, read("openapi/enkash.yaml"));
}

#[test]
fn the_sandbox_requires_exactly_this_enkash() {
    let requirement = manifest_value(&read("sandbox/Cargo.toml"), "dependencies", "enkash")
        .expect("sandbox/Cargo.toml depends on enkash");
    let wanted = format!(r#"version = "={}""#, workspace_version());
    assert!(
        requirement.contains(&wanted) && requirement.contains(r#"path = "..""#),
        "sandbox/Cargo.toml: enkash must be `{{ path = \"..\", {wanted} }}`, not {requirement}"
    );
}

#[test]
fn the_changelog_opens_with_this_version() {
    let changelog = read("CHANGELOG.md");
    let top = changelog
        .lines()
        .find(|line| line.starts_with("## "))
        .expect("CHANGELOG.md has a `## ` section");
    let version = workspace_version();
    let named = top
        .strip_prefix("## ")
        .and_then(|rest| rest.strip_prefix(version.as_str()))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(" ("));
    assert!(
        named,
        "CHANGELOG.md: the top section is `{top}`; it must name the version under way: \
         `## {version} (unreleased)`, or `## {version} (YYYY-MM-DD)` once released"
    );
}
