//! Drops the `api-version` header progenitor adds to every request (`info.version` of the
//! spec). EnKash documents no such header, so the client does not send it; removing it here
//! costs nothing per call, where removing it in the `pre` hook cost a header insert and a
//! removal on every one.

use quote::ToTokens;

use crate::SPEC;

/// Removes from every operation's `send` the one statement that adds the header with the
/// spec's version (`header_map.append("api-version", Client::api_version())`), and nothing
/// else: a header parameter of that name, were the spec to declare one, would be kept. Fails
/// unless each `send` had exactly one: a progenitor that adds the header some other way must
/// not send it unnoticed.
pub fn drop_api_version(file: &mut syn::File) -> Result<(), String> {
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
            let operation = crate::builders::last_ident(&block.self_ty).unwrap_or_default();
            for function in block.items.iter_mut().filter_map(|f| match f {
                syn::ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
                _ => None,
            }) {
                let before = function.block.stmts.len();
                function
                    .block
                    .stmts
                    .retain(|statement| !adds_api_version(statement));
                if before - function.block.stmts.len() != 1 {
                    return Err(format!(
                        "{SPEC}: the generated `{operation}::send` does not add the \
                         `api-version` header in the one statement expected (a progenitor \
                         upgrade that adds it differently?)"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(
/// super::Client::api_version()))`, as progenitor writes it.
fn adds_api_version(statement: &syn::Stmt) -> bool {
    let text = statement.to_token_stream().to_string();
    text.contains("from_static (\"api-version\")") && text.contains("api_version ()")
}
