//! The crate reads top-down: no module of `src/` imports, directly or through others, a module
//! that imports it back. The graph is read from the source itself: every `crate::x` path in a
//! module's code (not its comments, not its unit tests), with the crate root's re-exports
//! (`enkash::Rupees`) followed to the module that defines them, and the generated code split into
//! its data types (`types`) and its client (`generated`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::file_graph::{find_cycle, matching_brace, Graph};

/// `crate::<name>` paths in `code`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // `enkash_sandbox::crate::...` cannot happen; `$crate::` in macros is the same crate.
        if !name.is_empty() {
            found.push(name);
        }
        rest = after;
    }
    found
}

/// The code of a source file without comment lines and without its unit tests.
fn code_of(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Root re-exports: `pub use money::{Rupees, ...};` maps `Rupees` to `money`.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split(';') {
        let statement = statement.trim();
        let Some(path) = statement
            .lines()
            .filter(|line| !line.trim_start().starts_with("#["))
            .collect::<Vec<_>>()
            .join(" ")
            .trim()
            .strip_prefix("pub use ")
            .map(str::to_string)
        else {
            continue;
        };
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let item = item.trim();
            if !item.is_empty() {
                names.insert(item.to_string(), module.to_string());
            }
        }
    }
    names
}

/// The part of the generated code inside `pub mod types { ... }`, and the rest.
fn split_generated(code: &str) -> (String, String) {
    let start = code
        .find("pub mod types {")
        .expect("the generated code has its types");
    let open = start + "pub mod types ".len();
    let end = matching_brace(code, open).expect("the types module is closed") + 1;
    let types = code[start..end].to_string();
    let client = format!("{}{}", &code[..start], &code[end..]);
    (types, client)
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let roots = root_names(&code_of(&lib));
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let top = relative.components().next().unwrap().as_os_str();
            let top = top.to_string_lossy().trim_end_matches(".rs").to_string();
            if top == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            modules.entry(top).or_default().push_str(&code_of(&text));
        }
    }
    // The generated code: its data types are a module of their own (`enkash::types`).
    let codegen = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/codegen.rs")).unwrap();
    let (types, client) = split_generated(&codegen);
    modules
        .entry("generated".into())
        .or_default()
        .push_str(&client);
    modules.insert("types".into(), types);

    let mut graph = Graph::new();
    for (module, code) in &modules {
        let edges = graph.entry(module.clone()).or_default();
        for name in crate_paths(code) {
            let target = if modules.contains_key(&name) {
                name
            } else if let Some(module) = roots.get(&name) {
                module.clone()
            } else {
                continue;
            };
            if &target != module {
                edges.insert(target);
            }
        }
    }
    graph
}

#[test]
fn no_module_of_src_imports_one_that_imports_it_back() {
    let graph = graph();
    assert!(graph.len() > 10, "the graph lost modules: {graph:#?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}\n\n{graph:#?}", cycle.join(" -> "));
    }
}

#[test]
fn the_layers_are_the_documented_ones() {
    let graph = graph();
    let imports = |from: &str, to: &str| graph[from].contains(to);
    // The call loop knows authentication only through its `Authorize` trait.
    assert!(!imports("call", "auth"), "{graph:#?}");
    assert!(imports("auth", "call"), "{graph:#?}");
    // The generated client names `ClientState` as its inner value, which holds the token cache;
    // the data types need no client.
    assert!(
        imports("generated", "state") && imports("state", "auth"),
        "{graph:#?}"
    );
    assert!(!imports("types", "generated") && !imports("types", "auth"));
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    let cycle = find_cycle(&graph).unwrap();
    assert_eq!(cycle.first(), cycle.last());
    graph.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&graph), None);
}

/// The sandbox's source directory.
fn sandbox_src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sandbox/src")
}

/// Panics naming the cycle, and every set of files importing each other, if a file of `dir`
/// imports (directly or through others) a file that imports it back.
fn assert_no_file_cycle(dir: &Path, graph: &crate::file_graph::Graph) {
    assert!(
        graph.len() > 20,
        "the graph of {dir:?} lost files: {graph:#?}"
    );
    if let Some(cycle) = find_cycle(graph) {
        let tangles = crate::file_graph::tangles(graph);
        panic!(
            "file import cycle in {dir:?}: {}\nfiles importing each other: {tangles:#?}\n\n{graph:#?}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn sandbox_files_import_no_cycle() {
    let graph = crate::file_graph::file_graph(&sandbox_src());
    // The graph sees the sandbox's paths: the router mounts the handlers it names.
    assert!(graph["router.rs"].contains("contract/mod.rs"), "{graph:#?}");
    assert_no_file_cycle(&sandbox_src(), &graph);
}

#[test]
fn client_files_import_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = crate::file_graph::file_graph(&src);
    // The graph sees `super::` paths: the call loop's files import their siblings.
    assert!(
        graph["call/exec.rs"].contains("call/answer.rs"),
        "{graph:#?}"
    );
    assert_no_file_cycle(&src, &graph);
}

#[test]
fn a_file_cycle_is_found_when_there_is_one() {
    let texts = [
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::B;\npub struct A;\n"),
        ("b.rs", "pub struct B(crate::a::A);\n"),
    ]
    .iter()
    .map(|(name, text)| (name.to_string(), text.to_string()))
    .collect();
    let graph = crate::file_graph::files_graph(&texts);
    let cycle = find_cycle(&graph).unwrap();
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(crate::file_graph::tangles(&graph), [["a.rs", "b.rs"]]);
}
