//! Operations the crate calls for the user: the spec marks them `x-enkash-internal: true`, and
//! their generated method and builder are made `pub(crate)`. The token endpoint is one: the
//! token cache calls it, and a public `generate_token` would hand out a raw error whose `Display`
//! prints an undecodable reply's body (the token).

use crate::SPEC;

/// The `operationId`s marked `x-enkash-internal: true`.
pub fn internal_operations(spec: &serde_json::Value) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            match operation.get("x-enkash-internal") {
                None | Some(serde_json::Value::Bool(false)) => {}
                Some(serde_json::Value::Bool(true)) => {
                    let id = operation["operationId"]
                        .as_str()
                        .ok_or_else(|| format!("{SPEC}: {method} {path} has no operationId"))?;
                    ids.push(id.to_string());
                }
                Some(other) => {
                    return Err(format!(
                    "{SPEC}: {method} {path}: x-enkash-internal must be true or false, not {other}"
                ))
                }
            }
        }
    }
    Ok(ids)
}

/// Makes `Client::<id>` and `builder::<Id>` `pub(crate)` for every id, and fails if one is
/// not found (a progenitor upgrade that names them differently must not expose them quietly).
pub fn hide(file: &mut syn::File, ids: &[String]) -> Result<(), String> {
    let crate_only: syn::Visibility = syn::parse_quote!(pub(crate));
    for id in ids {
        let builder = pascal_case(id);
        let (mut method, mut builder_type) = (false, false);
        for item in &mut file.items {
            match item {
                syn::Item::Impl(block) if block.trait_.is_none() && is_client(&block.self_ty) => {
                    for inner in &mut block.items {
                        if let syn::ImplItem::Fn(function) = inner {
                            if function.sig.ident == id {
                                function.vis = crate_only.clone();
                                method = true;
                            }
                        }
                    }
                }
                syn::Item::Mod(module) if module.ident == "builder" => {
                    for inner in module.content.iter_mut().flat_map(|(_, items)| items) {
                        if let syn::Item::Struct(structure) = inner {
                            if structure.ident == builder {
                                structure.vis = crate_only.clone();
                                builder_type = true;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !(method && builder_type) {
            return Err(format!(
                "{SPEC}: {id} is marked x-enkash-internal, but the generated `Client::{id}` and \
                 `builder::{builder}` were not both found to hide"
            ));
        }
    }
    Ok(())
}

/// Makes progenitor's `Client::new` and `Client::new_with_client` `pub(crate)`: a client is made
/// only by `Client::builder()`, which checks the base URL (no plain http but to loopback) and
/// the credentials. Public, they would let anyone pair a client's state (its token, through
/// `ClientInfo::inner`) with any base URL. Fails unless both are found.
pub fn hide_constructors(file: &mut syn::File) -> Result<(), String> {
    let crate_only: syn::Visibility = syn::parse_quote!(pub(crate));
    let mut hidden = Vec::new();
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || !is_client(&block.self_ty) {
            continue;
        }
        for inner in &mut block.items {
            if let syn::ImplItem::Fn(function) = inner {
                if function.sig.ident == "new" || function.sig.ident == "new_with_client" {
                    function.vis = crate_only.clone();
                    hidden.push(function.sig.ident.to_string());
                }
            }
        }
    }
    hidden.sort();
    if hidden != ["new", "new_with_client"] {
        return Err(format!(
            "the generated Client's constructors were not found to hide (found {hidden:?}): \
             a progenitor that names them differently must not expose them quietly"
        ));
    }
    Ok(())
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.path.is_ident("Client"))
}

/// `generate_token` -> `GenerateToken`, as progenitor names an operation's builder.
fn pascal_case(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
