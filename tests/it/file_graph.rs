//! The import graph of a crate's source FILES (not its top modules): file `a.rs` points at file
//! `b.rs` when its code names a path into b, as `crate::b::..`, `super::b::..`, `self::b::..`
//! or a child module's name (`b::..` in the file that declares `mod b;`), `use` groups
//! included. A path that ends at an item a file merely imports (`crate::Sandbox` where
//! `lib.rs` has `pub use sandbox::Sandbox`) is followed to the file that defines it. Comment
//! lines and `#[cfg(test)]` items are not code the crate is built from, so they are left out.
//!
//! Taken as text, not parsed: good enough for the sandbox's and the client's own sources,
//! where paths are written plainly; a test over a made-up crate below pins what it reads.
//! (Over 400 lines with that test: the reading is one job.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// File (relative to the source directory, `/`-separated) to the files it imports.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// A source file, as the graph sees it.
struct File {
    /// Its module path from the crate root (`[]` for `lib.rs`, `["a", "b"]` for `a/b.rs`).
    module: Vec<String>,
    /// Its code: comment lines and `#[cfg(test)]` items removed.
    code: String,
}

/// The file-level import graph of the crate whose sources are in `src` (its `lib.rs` root; a
/// `main.rs` beside it is another crate and is left out).
pub fn file_graph(src: &Path) -> Graph {
    let mut texts = BTreeMap::new();
    read_dir(src, src, &mut texts);
    files_graph(&texts)
}

/// The graph of sources given as (relative path, text): the part of [`file_graph`] that
/// does not touch the disk.
pub fn files_graph(texts: &BTreeMap<String, String>) -> Graph {
    let mut files: BTreeMap<String, File> = BTreeMap::new();
    for (name, text) in texts {
        if name == "main.rs" && texts.contains_key("lib.rs") {
            continue;
        }
        files.insert(
            name.clone(),
            File {
                module: module_of(name),
                code: code_of(text),
            },
        );
    }
    let by_module: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|(name, file)| (file.module.clone(), name.clone()))
        .collect();
    // What each file brings into scope with `use`: name -> absolute path.
    let imports: BTreeMap<&String, BTreeMap<String, Vec<String>>> = files
        .iter()
        .map(|(name, file)| (name, use_names(file, &by_module)))
        .collect();

    let mut graph = Graph::new();
    for (name, file) in &files {
        let edges = graph.entry(name.clone()).or_default();
        for path in paths_in(file, &by_module) {
            if let Some(target) = resolve(&path, &by_module, &imports, 0) {
                if &target != name {
                    edges.insert(target);
                }
            }
        }
    }
    graph
}

fn read_dir(root: &Path, dir: &Path, texts: &mut BTreeMap<String, String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_dir(root, &path, texts);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap();
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            texts.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// `lib.rs` -> `[]`, `a.rs` and `a/mod.rs` -> `[a]`, `a/b.rs` -> `[a, b]`.
fn module_of(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = name.split('/').map(str::to_string).collect();
    let last = parts.pop().unwrap_or_default();
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_string()),
    }
    parts
}

/// The code of a file: without comment lines and without `#[cfg(test)]` items.
fn code_of(text: &str) -> String {
    let lines: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut code = String::new();
    let mut rest = lines.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        code.push_str(&rest[..at]);
        rest = &rest[at + "#[cfg(test)]".len()..];
        // The item ends at its first `;` if that comes before any `{`, else at the brace
        // closing its first `{`.
        let semicolon = rest.find(';');
        let brace = rest.find('{');
        let end = match (semicolon, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (_, Some(b)) => matching_brace(rest, b).map_or(rest.len(), |e| e + 1),
            (Some(s), None) => s + 1,
            (None, None) => rest.len(),
        };
        rest = &rest[end..];
    }
    code.push_str(rest);
    code
}

/// The index of the `}` closing the `{` at `open`.
pub fn matching_brace(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path the file names into its own crate, made absolute (from the crate root), with
/// `use` groups expanded.
fn paths_in(file: &File, modules: &BTreeMap<Vec<String>, String>) -> Vec<Vec<String>> {
    let code = &file.code;
    let mut paths = Vec::new();
    let mut at = 0;
    while at < code.len() {
        let Some(c) = code[at..].chars().next() else {
            break;
        };
        let starts_word = is_ident(c) && !code[..at].ends_with(|p: char| is_ident(p) || p == ':');
        if !starts_word {
            at += c.len_utf8();
            continue;
        }
        let (tree, used) = use_tree(&code[at..]);
        for path in tree {
            if let Some(absolute) = absolute(&file.module, &path, modules) {
                paths.push(absolute);
            }
        }
        at += used.max(c.len_utf8());
    }
    paths
}

/// The paths of the use tree (or plain path) at the start of `text`, each as its segments,
/// and how many bytes it spans. `a::{b, c::{d, self}}` gives `a::b`, `a::c::d`, `a::c`.
fn use_tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut segments = Vec::new();
    let mut at = 0;
    loop {
        let word: String = text[at..].chars().take_while(|c| is_ident(*c)).collect();
        if word.is_empty() {
            break;
        }
        at += word.len();
        segments.push(word);
        if !text[at..].starts_with("::") {
            return (vec![segments], at);
        }
        at += 2;
        if text[at..].starts_with('{') {
            let Some(close) = matching_brace(text, at) else {
                return (vec![segments], at);
            };
            let mut paths = Vec::new();
            let inner = &text[at + 1..close];
            let mut depth = 0usize;
            let mut start = 0;
            for (offset, c) in inner.char_indices().chain([(inner.len(), ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        let branch = inner[start..offset].trim();
                        start = offset + 1;
                        let (subpaths, _) = use_tree(branch);
                        for sub in subpaths {
                            let mut path = segments.clone();
                            if sub != ["self"] {
                                path.extend(sub);
                            }
                            paths.push(path);
                        }
                    }
                    _ => {}
                }
            }
            return (paths, close + 1);
        }
    }
    (vec![segments], at)
}

/// A path as written in the file at `module`, from the crate root; `None` for a path that
/// does not start in this crate (`std::..`, a local name, another crate).
fn absolute(
    module: &[String],
    path: &[String],
    modules: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    // A lone word (`crate` in `pub(crate)`, a local name) is no path into a module.
    if path.len() < 2 {
        return None;
    }
    let first = path.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => module.to_vec(),
        // A child module named from the file that declares it.
        child => {
            let mut child_path = module.to_vec();
            child_path.push(child.to_string());
            if !modules.contains_key(&child_path) {
                return None;
            }
            module.to_vec()
        }
    };
    let mut rest = path;
    if first == "crate" || first == "self" {
        rest = &path[1..];
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// What a file's `use` declarations bring into scope: the last name (or `as` alias) of each
/// path into the crate, to its absolute path.
fn use_names(
    file: &File,
    modules: &BTreeMap<Vec<String>, String>,
) -> BTreeMap<String, Vec<String>> {
    let mut names = BTreeMap::new();
    for statement in file.code.split(';') {
        let statement = statement.trim();
        let Some(at) = statement.find("use ") else {
            continue;
        };
        // `use` as a declaration: the first word of its line, after any `pub(..)`; what comes
        // before that line (an attribute, a block that ended) is another item.
        let before = statement[..at]
            .rsplit(['\n', '{', '}', ']'])
            .next()
            .unwrap_or_default()
            .trim();
        let declaration = before.is_empty() || before.starts_with("pub");
        if !declaration {
            continue;
        }
        let tree = &statement[at + "use ".len()..];
        // Aliases (`a::b as c`) are rare here; the last segment stands for the name.
        let (paths, _) = use_tree(tree.trim());
        for path in paths {
            if let (Some(name), Some(absolute)) =
                (path.last(), absolute(&file.module, &path, modules))
            {
                names.insert(name.clone(), absolute);
            }
        }
    }
    names
}

/// The file an absolute path lands in: the deepest module on it, or, where the path goes on
/// to a name that module only imports, the file that name comes from.
fn resolve(
    path: &[String],
    modules: &BTreeMap<Vec<String>, String>,
    imports: &BTreeMap<&String, BTreeMap<String, Vec<String>>>,
    depth: usize,
) -> Option<String> {
    let deepest = (0..=path.len())
        .rev()
        .find(|k| modules.contains_key(&path[..*k]))?;
    let file = modules.get(&path[..deepest])?;
    if deepest == path.len() || depth > 8 {
        return Some(file.clone());
    }
    match imports
        .get(file)
        .and_then(|names| names.get(&path[deepest]))
    {
        Some(imported) if imported.as_slice() != path => {
            let mut onward = imported.clone();
            onward.extend(path[deepest + 1..].iter().cloned());
            resolve(&onward, modules, imports, depth + 1).or(Some(file.clone()))
        }
        _ => Some(file.clone()),
    }
}

/// A cycle through `graph`, as the path that closes it, if there is one.
pub fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_file_graph_reads_paths_groups_super_and_re_exports() {
    let crate_files = [
        (
            "lib.rs",
            // Re-exports after a block and after an attribute are read as such.
            "mod a;\nmod b;\nmod c;\nmod d;\npub mod inline {\n}\npub use b::Thing;\n\
             #[cfg(feature = \"x\")]\npub use d::Other;\nfn f() { a::run(); }\n",
        ),
        // A group through `super`, and a comment naming `crate::c` that is not code.
        (
            "a/mod.rs",
            "mod x;\nuse super::{Thing, b::other};\n// crate::c\n",
        ),
        // `super` from a file under `a/` is `a`; `self::` is the file's own module.
        ("a/x.rs", "fn g() { super::helper(); self::h(); }\n"),
        (
            "b.rs",
            "pub struct Thing;\n#[cfg(test)]\nmod tests { use crate::c::Z; }\n",
        ),
        ("c.rs", "use crate::Thing;\nuse crate::Other;\n"),
        ("d.rs", "pub struct Other;\n"),
    ];
    let texts = crate_files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let graph = files_graph(&texts);
    let edges = |file: &str| graph[file].iter().cloned().collect::<Vec<_>>();
    assert_eq!(edges("lib.rs"), ["a/mod.rs", "b.rs", "d.rs"]);
    // `super::Thing` is lib.rs's re-export, followed to b.rs, where it is defined.
    assert_eq!(edges("a/mod.rs"), ["b.rs"]);
    assert_eq!(edges("a/x.rs"), ["a/mod.rs"]);
    assert!(
        edges("b.rs").is_empty(),
        "unit tests are not code: {graph:?}"
    );
    assert_eq!(edges("c.rs"), ["b.rs", "d.rs"]);
    assert_eq!(find_cycle(&graph), None);
}

/// The groups of files that import each other (directly or through others), each sorted:
/// every cycle of the graph lies inside one of them.
pub fn tangles(graph: &Graph) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.to_string()];
        while let Some(node) = pending.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    pending.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|node| (node, reach(node))).collect();
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (node, reached) in &reaches {
        if !reached.contains(*node) || groups.iter().any(|g| g.contains(node)) {
            continue;
        }
        let group = reaches
            .iter()
            .filter(|(other, back)| reached.contains(**other) && back.contains(*node))
            .map(|(other, _)| (*other).clone())
            .collect();
        groups.push(group);
    }
    groups
}
