//! What the CLI build does to the spec before progenitor sees it, and to the code after.

use quote::quote;

/// Takes the `x-enkash-internal` operations (the token endpoint) out of the spec, so that they
/// get no command, and returns the ids of the operations whose answer is `text/plain`.
pub fn drop_internal_and_find_text_answers(spec: &mut serde_json::Value) -> Vec<String> {
    let mut text_answers = Vec::new();
    if let Some(paths) = spec["paths"].as_object_mut() {
        for item in paths.values_mut() {
            if let Some(methods) = item.as_object_mut() {
                methods.retain(|_, operation| operation["x-enkash-internal"] != true);
                for operation in methods.values() {
                    let content = &operation["responses"]["200"]["content"];
                    let text = content.get("text/plain").is_some()
                        && content.get("application/json").is_none();
                    if let (true, Some(id)) = (text, operation["operationId"].as_str()) {
                        text_answers.push(id.to_string());
                    }
                }
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    }
    text_answers
}

/// The operations that change state: all but the reads. A read is a GET (or HEAD, OPTIONS)
/// that the spec does not mark `x-enkash-idempotent: false`, or a POST it marks `true` (a query
/// sent as a body: the searches, the VPA check). A PATCH, PUT or DELETE changes state even when
/// repeating it is harmless (revoking a mandate, cancelling a QR code).
pub fn changes_state(spec: &serde_json::Value) -> Vec<String> {
    let mut ids = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let marked = operation["x-enkash-idempotent"].as_bool();
            let reads = match method.as_str() {
                "get" | "head" | "options" => marked != Some(false),
                "post" => marked == Some(true),
                _ => false,
            };
            if let (false, Some(id)) = (reads, operation["operationId"].as_str()) {
                ids.push(id.to_string());
            }
        }
    }
    ids.sort();
    ids
}

/// Progenitor's generated `execute_<op>` ends in `match result { Ok(r) => config.success_item(&r),
/// Err(r) => config.error(&r) }`, which hands the callbacks borrowed raw results (the envelope
/// unopened, the error not yet a `CallError`), and `todo!()` for a `text/plain` answer. Each such
/// `match` becomes `self.config.payload(result)` (or `.text(result).await`): the `Emit` trait in
/// `src/emit.rs`, made a supertrait of `CliConfig`, whose progenitor callbacks are dropped.
pub fn route_answers(file: &mut syn::File, text_answers: &[String]) -> Result<(), String> {
    let mut routed = 0;
    let mut commands = 0;
    for item in &mut file.items {
        match item {
            syn::Item::Impl(block) if is_cli(&block.self_ty) => {
                for inner in &mut block.items {
                    let syn::ImplItem::Fn(function) = inner else {
                        continue;
                    };
                    let name = function.sig.ident.to_string();
                    let Some(id) = name.strip_prefix("execute_") else {
                        continue;
                    };
                    let Some(syn::Stmt::Expr(last, None)) = function.block.stmts.last_mut() else {
                        continue;
                    };
                    if !matches_on_result(last) {
                        continue;
                    }
                    *last = match text_answers.iter().any(|t| t == id) {
                        true => syn::parse_quote!(self.config.text(result).await),
                        false => syn::parse_quote!(self.config.payload(result)),
                    };
                    routed += 1;
                }
            }
            syn::Item::Trait(config) if config.ident == "CliConfig" => {
                config
                    .supertraits
                    .push(syn::parse_quote!(crate::emit::Emit));
                config.items.retain(|item| {
                    matches!(item, syn::TraitItem::Fn(f) if f.sig.ident.to_string().starts_with("execute_"))
                });
                commands = config.items.len();
            }
            _ => {}
        }
    }
    if routed == 0 || routed != commands {
        return Err(format!(
            "{}: routed {routed} generated commands' answers through Emit, but CliConfig has \
             {commands} per-command hooks (a progenitor upgrade that changed the CLI's shape?)",
            crate::SPEC
        ));
    }
    Ok(())
}

fn is_cli(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Cli"))
}

fn matches_on_result(expr: &syn::Expr) -> bool {
    let syn::Expr::Match(m) = expr else {
        return false;
    };
    let scrutinee = &m.expr;
    quote!(#scrutinee).to_string() == "result"
}

/// Two fixes to progenitor's arguments: `--json-body -` reads the body from stdin (progenitor
/// reads only a file), and its unfinished `--json-body-template` flag (help text "XXX", no
/// effect) is dropped.
pub fn adjust_body_args(file: &mut syn::File) {
    use syn::visit_mut::VisitMut;
    struct Adjust;
    impl VisitMut for Adjust {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            match expr {
                syn::Expr::MethodCall(call)
                    if call.method == "arg"
                        && call.args.first().is_some_and(|a| {
                            quote!(#a).to_string().contains("\"json-body-template\"")
                        }) =>
                {
                    *expr = (*call.receiver).clone();
                }
                syn::Expr::Call(call) => {
                    let func = &call.func;
                    if quote!(#func).to_string().replace(' ', "") == "std::fs::read_to_string" {
                        *call.func = syn::parse_quote!(crate::input::read_body);
                    }
                }
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) if text.value() == "Path to a file that contains the full json body." => {
                    *expr = syn::parse_quote!("A file holding the whole JSON body, or - for stdin");
                }
                _ => {}
            }
        }
    }
    Adjust.visit_file_mut(file);
}
