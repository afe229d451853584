// The spec gate on deliberate changes to a copy of the spec: each change is classified as the
// policy says, and the gate fails CI on it unless the version and the CHANGELOG say so.
// Run: node --test .ci/spec-gate.test.mjs (CI does, after `npm ci`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-gate-'));
const spec = () => yaml.load(fs.readFileSync(path.join(root, 'openapi/enkash.yaml'), 'utf8'));
const released = spec().info.version;
const [major, minor, patch] = released.split('.').map(Number);
const PATCH = `${major}.${minor}.${patch + 1}`;
const MINOR = `${major}.${minor + 1}.0`;

/// Runs the gate on `doc` (a changed copy of the spec) with `version` as its info.version,
/// against the current spec as the release. `breaking` writes a `### Breaking` entry into the
/// CHANGELOG's section for the version.
function gate(name, doc, version, { breaking = false } = {}) {
  const copy = structuredClone(doc);
  copy.info.version = version;
  const specFile = path.join(scratch, `${name}-${version}.yaml`);
  fs.writeFileSync(specFile, yaml.dump(copy, { lineWidth: -1, noRefs: true }));
  const changelog = path.join(scratch, `${name}-${version}.md`);
  const entry = breaking ? '### Breaking\n\n- What broke, and what to use instead.\n\n' : '';
  fs.writeFileSync(changelog, `# Changelog\n\n## ${version} (unreleased)\n\n${entry}### Added\n\n- Something.\n`);
  const run = spawnSync(process.execPath, [path.join(root, '.ci/spec-gate.mjs'),
    '--old', path.join(root, 'openapi/enkash.yaml'), '--released', released,
    '--new', specFile, '--changelog', changelog], { encoding: 'utf8' });
  const output = run.stdout + run.stderr;
  console.log(`--- ${name}, info.version ${version}${breaking ? ', CHANGELOG with a Breaking entry' : ''}: exit ${run.status}\n${output}`);
  return { code: run.status, output };
}

/// The section of the gate's output that lists findings of one kind.
function section(output, heading) {
  const start = output.indexOf(heading);
  if (start < 0) return '';
  const rest = output.slice(start);
  const end = rest.indexOf('\n\n');
  return end < 0 ? rest : rest.slice(0, end);
}

test('an unchanged copy passes without a bump', () => {
  const { code, output } = gate('unchanged', spec(), released);
  assert.equal(code, 0, output);
  assert.match(output, /no change a client can see/);
});

test('adding an optional response field is an addition: a patch bump, no Breaking entry', () => {
  const doc = spec();
  doc.components.schemas.Order.properties.settlementNote = { type: 'string', description: 'A note.' };
  const same = gate('optional-response-field', doc, released);
  assert.equal(same.code, 1, 'an addition without a bump must fail');
  assert.equal(section(same.output, 'BREAKING'), '', 'an optional response field is not breaking');
  assert.match(section(same.output, 'ADDITIONS'), /POST \/api\/v0\/orders \(create_order\)/);
  assert.match(same.output, /need a patch bump/);
  assert.match(same.output, /components\/schemas\/Order\/properties: added settlementNote/);
  assert.equal(gate('optional-response-field', doc, PATCH).code, 0);
});

test('making a request field required is breaking: a minor bump (0.x) and a Breaking entry', () => {
  const doc = spec();
  assert.ok(!doc.components.schemas.CreateOrderRequest.required.includes('description'));
  doc.components.schemas.CreateOrderRequest.required.push('description');
  const same = gate('required-request-field', doc, released);
  assert.equal(same.code, 1);
  assert.match(section(same.output, 'BREAKING'), /POST \/api\/v0\/orders \(create_order\): its request body accepts less/);
  assert.match(same.output, /CreateOrderRequest\/required: added description/);
  assert.match(same.output, /need a minor bump/);
  assert.equal(gate('required-request-field', doc, PATCH, { breaking: true }).code, 1, 'a patch bump is not enough');
  const noEntry = gate('required-request-field', doc, MINOR);
  assert.equal(noEntry.code, 1, 'a break needs a CHANGELOG entry');
  assert.match(noEntry.output, /no `### Breaking` list/);
  assert.equal(gate('required-request-field', doc, MINOR, { breaking: true }).code, 0);
});

test('removing an operation is breaking and names it', () => {
  const doc = spec();
  delete doc.paths['/api/v0/qr-code/search'];
  const same = gate('removed-operation', doc, released);
  assert.equal(same.code, 1);
  assert.match(section(same.output, 'BREAKING'), /POST \/api\/v0\/qr-code\/search \(search_upi_qrs\): the path was removed/);
  assert.match(same.output, /need a minor bump/);
});

test('the x-enkash rules, parameters and secrets', () => {
  const doc = spec();
  const op = (route, method) => doc.paths[route][method];
  delete op('/api/v0/settlement-payout/search', 'post')['x-enkash-idempotent'];
  // Whatever the refund's recovery is now, another one.
  const refund = op('/api/v0/payment/{transactionId}/refund', 'post')['x-enkash-if-outcome-unknown'];
  const was = refund.recovery;
  refund.recovery = was === 'look-up' ? 'resend-unchanged' : 'look-up';
  op('/api/v0/orders', 'post')['x-enkash-if-outcome-unknown'].advice = 'Reworded.';
  op('/api/v0/settlement-payout/search', 'post').parameters[0].required = true;
  delete doc.components.schemas.TokenRequest.properties.secretKey.format;
  doc.components.schemas.Order['x-enkash-cacheable'] = true;
  const { code, output } = gate('extensions', doc, MINOR, { breaking: true });
  const breaking = section(output, 'BREAKING');
  assert.match(breaking, /search_settlement_payouts\): no longer safe to send again/);
  assert.match(breaking, new RegExp(`refund_transaction\\): x-enkash-if-outcome-unknown recovery changed: ${was} -> ${refund.recovery}`));
  assert.match(breaking, /search_settlement_payouts\): parameter query:offset became required/);
  assert.match(breaking, /TokenRequest\/properties\/secretKey: is no longer a secret/);
  assert.match(breaking, /x-enkash-cacheable changed; the gate does not know this extension/);
  assert.match(section(output, 'WORDING'), /create_order\): x-enkash-if-outcome-unknown advice reworded/);
  assert.equal(code, 1, 'an extension the guide does not explain fails the gate');
  assert.match(output, /x-enkash-cacheable is used in the spec but not explained/);
});
