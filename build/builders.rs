//! Keeps only the struct builders the client uses.
//!
//! With progenitor's builder interface, typify writes a builder (`types::builder::X`, with a
//! setter per field and two conversions) for every object schema, and `X::builder()` beside
//! each type. The operations use the builders of their request bodies only (`body_map`, and
//! `send` builds the body through one). The rest is more than half the generated code, which
//! every merchant compiles in release mode and never calls: a response type is read, not built.
//! So the builders no operation refers to are dropped, with their `X::builder()`.

use quote::ToTokens;

use crate::SPEC;

/// Drops every `types::builder::X` that no operation refers to, and the matching
/// `types::X::builder()`.
pub fn keep_used_builders(file: &mut syn::File) -> Result<(), String> {
    let used = used_builders(file);
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
            _ => None,
        })
        .map(|(_, items)| items)
        .ok_or_else(|| format!("{SPEC}: the generated code has no `types` module"))?;

    let mut found_builders = false;
    for item in types.iter_mut() {
        if let syn::Item::Mod(module) = item {
            if let (true, Some((_, items))) = (module.ident == "builder", &mut module.content) {
                found_builders = true;
                items.retain(|item| builder_name(item).is_none_or(|name| used.contains(&name)));
            }
        }
    }
    if !found_builders && !used.is_empty() {
        return Err(format!(
            "{SPEC}: the operations use builders, but the generated code has no \
             `types::builder` module (a progenitor upgrade that moved them?)"
        ));
    }
    // `impl X { pub fn builder() -> builder::X }`: drop it where `builder::X` is gone.
    types.retain_mut(|item| {
        let syn::Item::Impl(block) = item else {
            return true;
        };
        if block.trait_.is_some() {
            return true;
        }
        block.items.retain(|inner| match inner {
            syn::ImplItem::Fn(function) if function.sig.ident == "builder" => {
                last_ident(&block.self_ty).is_some_and(|name| used.contains(&name))
            }
            _ => true,
        });
        !block.items.is_empty()
    });
    Ok(())
}

/// The builders named as `types::builder::X` outside the `types` module.
fn used_builders(file: &syn::File) -> Vec<String> {
    const PREFIX: &str = "types::builder::";
    let mut used = Vec::new();
    for item in &file.items {
        if matches!(item, syn::Item::Mod(module) if module.ident == "types") {
            continue;
        }
        let text: String = item.to_token_stream().to_string().replace(' ', "");
        for (at, _) in text.match_indices(PREFIX) {
            let name: String = text[at + PREFIX.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !used.contains(&name) {
                used.push(name);
            }
        }
    }
    used
}

/// The builder an item of `types::builder` belongs to: its struct's name, or the type its
/// impl is for (`Default for X`, `X`, `TryFrom<X> for super::X`, `From<super::X> for X`).
fn builder_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(structure) => Some(structure.ident.to_string()),
        syn::Item::Impl(block) => last_ident(&block.self_ty),
        _ => None,
    }
}

/// `X` of a type written `X`, `super::X` or `X<'a>`.
pub fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}
