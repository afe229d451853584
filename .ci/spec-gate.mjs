// The spec's breaking-change gate: compares openapi/enkash.yaml with the last release's spec,
// classifies every change as breaking or not for a client generated from the release, and fails
// when the version is not bumped enough for them, or when a break has no `### Breaking` entry in
// the CHANGELOG. The policy it enforces: the guide chapter src/guide/spec_and_other_languages.md.
//
// openapi-diff (Atlassian, pinned in package.json) judges paths, methods, request and response
// bodies, response headers and status codes. It does not look at parameters, at `format`, or at
// extensions: the rules for those are in spec-rules.mjs beside this file.
//
// Usage: node .ci/spec-gate.mjs                 (against .ci/last-release)
//        node .ci/spec-gate.mjs --old A.yaml --released 0.1.0 [--new B.yaml] [--changelog C.md]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import openApiDiff from 'openapi-diff';
import { extensionsNotExplained, ruleFindings } from './spec-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/// The command line, with the defaults of a CI run.
function options(argv) {
  const given = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`usage: spec-gate.mjs [--old FILE --released VERSION] [--new FILE] [--changelog FILE]; got ${argv.join(' ')}`);
    }
    given[argv[i].slice(2)] = argv[i + 1];
  }
  const opts = {
    new: given.new ?? path.join(root, 'openapi/enkash.yaml'),
    changelog: given.changelog ?? path.join(root, 'CHANGELOG.md'),
    guide: given.guide ?? path.join(root, 'src/guide/spec_and_other_languages.md'),
  };
  if (given.old) {
    if (!given.released) throw new Error('--old needs --released VERSION');
    return { ...opts, oldText: fs.readFileSync(given.old, 'utf8'), oldName: given.old, released: given.released };
  }
  const release = Object.fromEntries(
    fs.readFileSync(path.join(root, '.ci/last-release'), 'utf8').split('\n')
      .filter((line) => /^\w+=/.test(line)).map((line) => line.split('=')),
  );
  let oldText;
  try {
    oldText = execFileSync('git', ['-C', root, 'show', `${release.commit}:openapi/enkash.yaml`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`cannot read the released spec at commit ${release.commit} (.ci/last-release): a shallow clone? Run \`git fetch --unshallow\`. ${e.message}`);
  }
  return { ...opts, oldText, oldName: `release ${release.version} (commit ${release.commit.slice(0, 7)})`, released: release.version };
}

/// `METHOD /path (operationId)` for an openapi-diff location such as
/// `paths./api/v0/orders.post.requestBody...`, read from whichever spec has it.
function operationAt(location, ...docs) {
  const match = /^paths\.(\/.*?)(?:\.(get|put|post|delete|patch|head|options)(?:\.|$)|$)/.exec(location ?? '');
  if (!match) return location ?? '(the whole spec)';
  const [, route, method] = match;
  const methods = method ? [method] : METHODS;
  const found = methods.flatMap((m) => docs.map((doc) => doc.paths?.[route]?.[m]).filter(Boolean).map((op) => `${m.toUpperCase()} ${route} (${op.operationId})`));
  return [...new Set(found)].join(', ') || route;
}

/// What openapi-diff's codes mean, for a person reading the gate's output.
const MEANING = {
  'path.remove': 'the path was removed, with its operations',
  'method.remove': 'the operation was removed (or its method changed)',
  'path.add': 'a new path',
  'method.add': 'a new operation',
  'request.body.scope.remove': 'its request body accepts less than before (a field became required or was removed, a value or type was narrowed)',
  'request.body.scope.add': 'its request body accepts more than before',
  'response.body.scope.add': 'its response may now hold what a released client cannot read (a field removed, a type changed or widened, an enum value added)',
  'response.body.scope.remove': 'its response holds less than before (a new field, a narrower type)',
  'response.required.header.remove': 'a required response header was removed',
  'response.optional.header.remove': 'an optional response header was removed',
  'response.status-code.remove': 'a response status code was removed',
};

/// openapi-diff's findings as the gate's: { kind, what }. Unclassified ones count as breaking.
async function diffFindings(oldText, newText, oldDoc, newDoc) {
  const outcome = await openApiDiff.diffSpecs({
    sourceSpec: { content: oldText, location: 'released', format: 'openapi3' },
    destinationSpec: { content: newText, location: 'current', format: 'openapi3' },
  });
  const as = (kind, list) => (list ?? []).map((d) => {
    const location = d.destinationSpecEntityDetails[0]?.location ?? d.sourceSpecEntityDetails[0]?.location;
    const meaning = MEANING[d.code] ?? `${d.entity} ${d.action === 'add' ? 'added' : 'removed'}`;
    const suffix = kind === 'breaking' && d.type === 'unclassified' ? '; openapi-diff cannot classify it, so it counts as breaking' : '';
    return { kind, what: `${operationAt(location, oldDoc, newDoc)}: ${meaning} [openapi-diff ${d.code}${suffix}]` };
  });
  return [
    ...as('breaking', outcome.breakingDifferences),
    ...as('breaking', outcome.unclassifiedDifferences),
    ...as('addition', outcome.nonBreakingDifferences),
  ];
}

/// [major, minor, patch] of `x.y.z`.
function semver(text, where) {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(String(text));
  if (!match) throw new Error(`${where}: "${text}" is not a version x.y.z`);
  return match.slice(1).map(Number);
}

const RANK = { none: 0, patch: 1, minor: 2, major: 3 };

/// The bump from `from` to `to`, or null when `to` is lower.
function bumpOf(from, to) {
  for (const [i, name] of ['major', 'minor', 'patch'].entries()) {
    if (to[i] > from[i]) return name;
    if (to[i] < from[i]) return null;
  }
  return 'none';
}

/// The bump a kind of change needs: Cargo's reading of semver, where 0.x moves one place down.
function needed(kind, released) {
  const zero = released[0] === 0;
  if (kind === 'breaking') return zero ? 'minor' : 'major';
  if (kind === 'addition') return zero ? 'patch' : 'minor';
  return 'none';
}

/// The lines of CHANGELOG's `### Breaking` list in the section of `version`, or null when the
/// section or the list is missing.
function breakingEntries(changelog, version) {
  const sections = changelog.split(/^## /m).slice(1);
  const section = sections.find((s) => s.startsWith(`${version}\n`) || s.startsWith(`${version} `));
  if (!section) return null;
  const list = section.split(/^### /m).find((s) => /^Breaking\s*\n/.test(s));
  if (!list) return null;
  return list.split('\n').filter((line) => /^\s*- \S/.test(line));
}

async function main() {
  const opts = options(process.argv.slice(2));
  const newText = fs.readFileSync(opts.new, 'utf8');
  const oldDoc = yaml.load(opts.oldText);
  const newDoc = yaml.load(newText);
  const version = newDoc.info?.version;
  console.log(`spec gate: ${path.relative(process.cwd(), opts.new) || opts.new} (info.version ${version}) against ${opts.oldName}`);

  const findings = [...await diffFindings(opts.oldText, newText, oldDoc, newDoc), ...ruleFindings(oldDoc, newDoc)];
  const released = semver(opts.released, 'released version');
  const current = semver(version, `${opts.new}: info.version`);
  const failures = [];

  for (const kind of ['breaking', 'addition', 'wording']) {
    const list = findings.filter((f) => f.kind === kind);
    if (list.length === 0) continue;
    const bump = needed(kind, released);
    const label = { breaking: 'BREAKING for a generated client', addition: 'ADDITIONS', wording: 'WORDING (no bump needed)' }[kind];
    console.log(`\n${label} (${list.length})${bump === 'none' ? '' : `: each needs a ${bump} bump from ${opts.released}`}`);
    for (const f of list) console.log(`  - ${f.what}`);
  }
  const contexts = findings.filter((f) => f.kind === 'context');
  if (contexts.length) {
    console.log('\nwhere the schemas changed (what the findings above come from):');
    for (const f of contexts) console.log(`  - ${f.what}`);
  }
  if (findings.every((f) => f.kind === 'context')) console.log('\nno change a client can see');

  // The version: at least the largest bump any change needs.
  const need = findings.map((f) => needed(f.kind, released)).reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'none');
  const have = bumpOf(released, current);
  if (have === null) {
    failures.push(`info.version ${version} is lower than the released ${opts.released}`);
  } else if (RANK[have] < RANK[need]) {
    const causes = findings.filter((f) => needed(f.kind, released) === need).map((f) => `    ${f.what}`);
    failures.push(`info.version ${version} is ${have === 'none' ? 'not bumped' : `a ${have} bump`} from ${opts.released}, but these changes need a ${need} bump (and the crates' version and the CHANGELOG with it):\n${causes.join('\n')}`);
  } else {
    console.log(`\nversion: ${opts.released} -> ${version} is ${have === 'none' ? 'no bump' : `a ${have} bump`}; the changes need ${need === 'none' ? 'none' : `a ${need} bump`}: enough`);
  }

  // A break is written down for the teams that generate from the spec.
  if (findings.some((f) => f.kind === 'breaking')) {
    const entries = breakingEntries(fs.readFileSync(opts.changelog, 'utf8'), version);
    if (!entries?.length) {
      failures.push(`${path.basename(opts.changelog)} has no \`### Breaking\` list with entries under \`## ${version}\`: say what broke and what to use instead`);
    } else {
      console.log(`${path.basename(opts.changelog)}: \`## ${version}\` lists ${entries.length} breaking change(s)`);
    }
  }

  // Every extension the spec uses is explained to the teams that must honour it.
  const guideText = fs.readFileSync(opts.guide, 'utf8');
  for (const name of extensionsNotExplained(newDoc, guideText)) {
    failures.push(`${name} is used in the spec but not explained in ${path.relative(root, opts.guide)} (a \`### \\\`${name}\\\`\` section: what it means, what a client must do, what change of it is breaking); teach spec-rules.mjs its rule too`);
  }

  if (failures.length) {
    console.log(`\nspec gate FAILED:\n${failures.map((f) => `- ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('spec gate passed');
  }
}

main().catch((e) => {
  console.error(`spec gate error: ${e.message}`);
  process.exitCode = 2;
});
