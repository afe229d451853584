//! Drops the `api-version` header progenitor adds to every request (`info.version` of the
//! spec). EnKash documents no such header, so the client does not send it; removing it here
//! costs nothing per call, where removing it in the `pre` hook cost a header insert and a
//! removal on every one.

use quote::ToTokens;

use crate::SPEC;

const HEADER: &str = "\"api-version\"";

/// Removes every statement of an operation's `send` that adds the header. Fails if none is
/// found: a progenitor that adds it some other way must not send it unnoticed.
pub fn drop_api_version(file: &mut syn::File) -> Result<(), String> {
    let mut removed = 0;
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "builder" {
            continue;
        }
        for inner in module.content.iter_mut().flat_map(|(_, items)| items) {
            let syn::Item::Impl(block) = inner else {
                continue;
            };
            for function in block.items.iter_mut().filter_map(|f| match f {
                syn::ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
                _ => None,
            }) {
                let before = function.block.stmts.len();
                function
                    .block
                    .stmts
                    .retain(|statement| !statement.to_token_stream().to_string().contains(HEADER));
                removed += before - function.block.stmts.len();
            }
        }
    }
    if removed == 0 {
        return Err(format!(
            "{SPEC}: no `api-version` header was found to remove from the generated operations \
             (a progenitor upgrade that adds it differently?)"
        ));
    }
    Ok(())
}
