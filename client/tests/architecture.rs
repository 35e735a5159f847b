//! The house rules `docs/architecture.md` states, checked on the source itself: the client's
//! modules import one another without a cycle (each from modules below it and the sync core),
//! and no source file of the workspace has more than 800 lines outside its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The top-level modules a file names through `crate::` paths (`crate::a::b`, and each of
/// `crate::{a, b::c}`).
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    for (i, _) in text.match_indices("crate::") {
        // Not `parktwin_crate::` and the like.
        if text[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's items at its own depth (a nested group belongs to its item).
            let mut depth = 0;
            let mut item_starts = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_starts = true,
                    c if item_starts && !c.is_whitespace() => {
                        item_starts = false;
                        let m = ident(&group[k..]);
                        if !m.is_empty() {
                            out.insert(m);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let m = ident(rest);
            if !m.is_empty() {
                out.insert(m);
            }
        }
    }
    out
}

/// The client's top-level module a source file belongs to (`sync` for `src/sync/fold.rs`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let m = first.trim_end_matches(".rs").to_string();
    // The crate root and the binary are above every module.
    (m != "lib" && m != "main").then_some(m)
}

#[test]
fn the_clients_modules_import_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in rust_files(&src) {
        let Some(m) = module_of(&src, &f) else { continue };
        let text = std::fs::read_to_string(&f).expect("a source file");
        let to = edges.entry(m.clone()).or_default();
        to.extend(crate_paths(&text).into_iter().filter(|t| *t != m));
    }
    assert!(
        edges.contains_key("sync") && edges.contains_key("panel"),
        "the modules were read: {edges:?}"
    );
    let mut graph = DiGraph::<&str, ()>::new();
    let mut nodes = BTreeMap::new();
    for m in edges.keys() {
        nodes.insert(m.as_str(), graph.add_node(m.as_str()));
    }
    for (from, tos) in &edges {
        for to in tos {
            // Names that are no module (an item of the crate root) have no node.
            if let Some(&t) = nodes.get(to.as_str()) {
                graph.add_edge(nodes[from.as_str()], t, ());
            }
        }
    }
    let cycles: Vec<Vec<&str>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| scc.into_iter().map(|n| graph[n]).collect())
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that import each other in a circle: {cycles:?}"
    );
    // The sync core is the bottom of the screen: it imports no plugin of the screen.
    for screen in ["panel", "timeline", "wall", "pick", "incident", "search", "signin"] {
        assert!(
            !edges["sync"].contains(screen),
            "the sync core imports the {screen} module"
        );
    }
}

#[test]
fn a_module_that_imports_another_is_seen_to() {
    // The reader of the test above, on known text: a plain path, a group, a nested path, and
    // a name that only ends in "crate".
    let text = "use crate::sync::FeedStatus;\nuse crate::{theme::{self, UiSet}, net};\nlet x = my_crate::a;";
    let seen: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(seen, ["net", "sync", "theme"]);
}

/// Lines of a file before its `#[cfg(test)]` module, or all of them.
fn lines_outside_tests(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .position(|l| l.trim_start() == "#[cfg(test)]" && !l.starts_with(' '))
        .unwrap_or(lines.len())
}

#[test]
fn no_source_file_is_over_800_lines_outside_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let members = [
        "client/src",
        "layers/src",
        "scene/src",
        "dispersion/src",
        "server-api/src",
        "server/src",
        "assets/parkgen/src",
        "examples/hydrant-layer/src",
        "tests/src",
        "wasm/src",
    ];
    let mut long = Vec::new();
    let mut read = 0;
    for m in members {
        for f in rust_files(&root.join(m)) {
            let text = std::fs::read_to_string(&f).expect("a source file");
            read += 1;
            let n = lines_outside_tests(&text);
            if n > 800 {
                long.push(format!("{} ({n} lines)", f.strip_prefix(&root).unwrap_or(&f).display()));
            }
        }
    }
    assert!(read > 50, "the sources were read ({read} files)");
    assert!(long.is_empty(), "over 800 lines: {long:?}");
}
