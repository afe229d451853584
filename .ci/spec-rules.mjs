// The spec gate's own rules: what openapi-diff does not judge. Parameters (removed, newly
// required, retyped), `type` and `format` anywhere (`format: password` marks a secret), the
// `x-enkash-*` extensions, and, as context for openapi-diff's body findings, which schema's
// `required` list, properties or enum values changed. The meaning of each rule: the guide chapter
// src/guide/spec_and_other_languages.md.
//
// A finding is { kind, what }: kind is 'breaking', 'addition', 'wording' or 'context'.

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const SAFE_METHODS = ['get', 'head', 'options'];
/// Subtrees that hold data, not schemas: a key named `type` there is not a schema's type.
const DATA_KEYS = new Set(['example', 'examples', 'default', 'enum', 'links', 'x-enkash-if-outcome-unknown']);
const KNOWN_EXTENSIONS = ['x-enkash-idempotent', 'x-enkash-if-outcome-unknown', 'x-enkash-open-enum', 'x-enkash-internal'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const pointer = (parts) => parts.join('/');

/// A local `$ref` (`#/components/...`) resolved, or the object itself.
function resolve(doc, value) {
  let seen = 0;
  while (isObject(value) && typeof value.$ref === 'string' && value.$ref.startsWith('#/') && seen++ < 20) {
    value = value.$ref.slice(2).split('/').reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return value;
}

/// Every operation: { key: 'METHOD /path', method, operation }.
function operations(doc) {
  const found = new Map();
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      if (isObject(item?.[method])) found.set(`${method.toUpperCase()} ${route}`, { method, item, operation: item[method] });
    }
  }
  return found;
}

/// Parameters of an operation (its own and its path's), resolved, by `in:name`.
function parameters(doc, item, operation) {
  const all = new Map();
  for (const raw of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
    const p = resolve(doc, raw);
    if (isObject(p)) all.set(`${p.in}:${p.name}`, p);
  }
  return all;
}

/// The type and format a schema gives, `$ref` followed.
const shape = (doc, schema) => {
  const s = resolve(doc, schema) ?? {};
  return `${s.type ?? 'any'}${s.format ? ` (format ${s.format})` : ''}`;
};

/// Parameters removed, added as required, made required, retyped or with enum values removed.
function parameterFindings(oldDoc, newDoc, key, oldOp, newOp) {
  const findings = [];
  const name = `${key} (${newOp.operation.operationId})`;
  const before = parameters(oldDoc, oldOp.item, oldOp.operation);
  const after = parameters(newDoc, newOp.item, newOp.operation);
  for (const [id, p] of before) {
    const q = after.get(id);
    if (!q) {
      findings.push({ kind: 'breaking', what: `${name}: parameter ${id} was removed` });
      continue;
    }
    if (!p.required && q.required) findings.push({ kind: 'breaking', what: `${name}: parameter ${id} became required` });
    if (p.required && !q.required) findings.push({ kind: 'addition', what: `${name}: parameter ${id} became optional` });
    const [was, is] = [shape(oldDoc, p.schema), shape(newDoc, q.schema)];
    if (was !== is) findings.push({ kind: 'breaking', what: `${name}: parameter ${id} changed type: ${was} -> ${is}` });
    const [oldEnum, newEnum] = [resolve(oldDoc, p.schema)?.enum, resolve(newDoc, q.schema)?.enum];
    const dropped = (oldEnum ?? []).filter((v) => newEnum && !newEnum.includes(v));
    if (dropped.length || (!oldEnum && newEnum)) findings.push({ kind: 'breaking', what: `${name}: parameter ${id} accepts fewer values (${dropped.length ? `removed ${dropped.join(', ')}` : 'now an enum'})` });
  }
  for (const [id, q] of after) {
    if (!before.has(id)) findings.push({ kind: q.required ? 'breaking' : 'addition', what: `${name}: ${q.required ? 'a new required' : 'a new optional'} parameter ${id}` });
  }
  return findings;
}

/// Whether an operation may be sent again after its outcome became unknown.
const idempotent = (method, operation) => operation['x-enkash-idempotent'] ?? SAFE_METHODS.includes(method);

/// The operation-level extensions of an operation present in both specs.
function operationExtensionFindings(key, oldOp, newOp) {
  const findings = [];
  const name = `${key} (${newOp.operation.operationId})`;
  const [was, is] = [idempotent(oldOp.method, oldOp.operation), idempotent(newOp.method, newOp.operation)];
  if (was && !is) findings.push({ kind: 'breaking', what: `${name}: no longer safe to send again (x-enkash-idempotent): a client that retries it would act twice` });
  if (!was && is) findings.push({ kind: 'addition', what: `${name}: now safe to send again (x-enkash-idempotent)` });

  const [oldAdvice, newAdvice] = [oldOp.operation['x-enkash-if-outcome-unknown'], newOp.operation['x-enkash-if-outcome-unknown']];
  if (oldAdvice?.recovery !== newAdvice?.recovery) {
    findings.push({ kind: 'breaking', what: `${name}: x-enkash-if-outcome-unknown recovery changed: ${oldAdvice?.recovery ?? '(none)'} -> ${newAdvice?.recovery ?? '(none)'}: a client's recovery code must change` });
  } else if (!same(oldAdvice?.advice, newAdvice?.advice)) {
    findings.push({ kind: 'wording', what: `${name}: x-enkash-if-outcome-unknown advice reworded` });
  }

  const [wasInternal, isInternal] = [oldOp.operation['x-enkash-internal'] === true, newOp.operation['x-enkash-internal'] === true];
  if (!wasInternal && isInternal) findings.push({ kind: 'breaking', what: `${name}: marked x-enkash-internal: the Rust crate no longer exposes it as a method` });
  if (wasInternal && !isInternal) findings.push({ kind: 'addition', what: `${name}: no longer x-enkash-internal: the Rust crate exposes it as a method` });
  return findings;
}

/// Walks both specs in step (object keys; arrays by index; parameters are judged by name
/// elsewhere; example data is skipped) and judges what sits at the same place in both: `type`
/// and `format`, `x-enkash-open-enum`, unknown `x-enkash-*` keys, and (as context) `required`,
/// `properties` and `enum`.
function walk(a, b, at, findings) {
  if (!isObject(a) || !isObject(b)) {
    if (Array.isArray(a) && Array.isArray(b)) a.forEach((item, i) => walk(item, b[i], [...at, i], findings));
    return;
  }
  const where = pointer(at);
  // A `$ref` on either side: the schema it names is compared where it is defined.
  const typed = a.$ref === undefined && b.$ref === undefined;
  for (const key of typed ? ['type', 'format'] : []) {
    const stringy = (v) => v === undefined || typeof v === 'string' || Array.isArray(v);
    if (stringy(a[key]) && stringy(b[key]) && !same(a[key], b[key]) && (a.type !== undefined || b.type !== undefined)) {
      const secret = key === 'format' && (a.format === 'password' || b.format === 'password');
      findings.push({
        kind: 'breaking',
        what: secret
          ? `${where}: ${b.format === 'password' ? 'became a secret (format: password)' : 'is no longer a secret (format: password removed)'}: the Rust type changes, and other clients ${b.format === 'password' ? 'must start' : 'may stop'} keeping it out of logs`
          : `${where}: ${key} changed: ${a[key] ?? '(none)'} -> ${b[key] ?? '(none)'}`,
      });
    }
  }
  const [wasOpen, isOpen] = [a['x-enkash-open-enum'] === true, b['x-enkash-open-enum'] === true];
  if (!wasOpen && isOpen) findings.push({ kind: 'breaking', what: `${where}: an existing enum became open (x-enkash-open-enum): clients built for the closed one fail on the values it announces` });
  if (wasOpen && !isOpen) findings.push({ kind: 'breaking', what: `${where}: no longer x-enkash-open-enum: the Rust enum loses its Unknown variant` });
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key.startsWith('x-enkash-') && !KNOWN_EXTENSIONS.includes(key) && !same(a[key], b[key])) {
      findings.push({ kind: 'breaking', what: `${where}: ${key} changed; the gate does not know this extension, so the change counts as breaking until spec-rules.mjs has its rule` });
    }
  }
  // A schema's `required` is a list of names (a request body's is a boolean).
  const names = (v) => (Array.isArray(v) ? v : v === undefined ? [] : null);
  const [was, is] = [names(a.required), names(b.required)];
  if (was && is) {
    const added = is.filter((n) => !was.includes(n));
    const removed = was.filter((n) => !is.includes(n));
    if (added.length) findings.push({ kind: 'context', what: `${where}/required: added ${added.join(', ')}` });
    if (removed.length) findings.push({ kind: 'context', what: `${where}/required: removed ${removed.join(', ')}` });
  }
  if (isObject(a.properties) && isObject(b.properties)) {
    const added = Object.keys(b.properties).filter((n) => !(n in a.properties));
    const removed = Object.keys(a.properties).filter((n) => !(n in b.properties));
    if (added.length) findings.push({ kind: 'context', what: `${where}/properties: added ${added.join(', ')}` });
    if (removed.length) findings.push({ kind: 'context', what: `${where}/properties: removed ${removed.join(', ')}` });
  }
  if (Array.isArray(a.enum) && Array.isArray(b.enum)) {
    const added = b.enum.filter((v) => !a.enum.includes(v));
    const removed = a.enum.filter((v) => !b.enum.includes(v));
    if (added.length) findings.push({ kind: 'context', what: `${where}/enum: added ${added.join(', ')}` });
    if (removed.length) findings.push({ kind: 'context', what: `${where}/enum: removed ${removed.join(', ')}` });
  }
  for (const key of Object.keys(a)) {
    if (key in b && !DATA_KEYS.has(key) && key !== 'parameters' && !key.startsWith('x-enkash-')) walk(a[key], b[key], [...at, key], findings);
  }
}

/// Every finding of the rules above, for the release `oldDoc` and the current `newDoc`.
export function ruleFindings(oldDoc, newDoc) {
  const findings = [];
  const before = operations(oldDoc);
  const after = operations(newDoc);
  for (const [key, oldOp] of before) {
    const newOp = after.get(key);
    if (!newOp) continue; // openapi-diff reports the removal
    if (oldOp.operation.operationId !== newOp.operation.operationId) {
      findings.push({ kind: 'breaking', what: `${key}: operationId renamed ${oldOp.operation.operationId} -> ${newOp.operation.operationId} (a method name in most generators)` });
    }
    findings.push(...parameterFindings(oldDoc, newDoc, key, oldOp, newOp));
    findings.push(...operationExtensionFindings(key, oldOp, newOp));
  }
  walk(oldDoc, newDoc, ['#'], findings);
  return findings;
}

/// The `x-enkash-*` names the spec uses that the guide has no section for.
export function extensionsNotExplained(doc, guideText) {
  const names = new Set(JSON.stringify(doc).match(/"x-enkash-[a-z0-9-]+"(?=:)/g)?.map((n) => n.slice(1, -1)) ?? []);
  return [...names].sort().filter((name) => !guideText.includes(`### \`${name}\``));
}
