import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createIdentity } from '../../server/src/identity/identity';
import {
  POLICY_FIELDS,
  failsCheck,
  findPolicy,
  loadPolicy,
  parsePolicy,
  type PolicyLoad,
} from '../../server/src/trust/policy';
import { tempDir } from '../ledger/helpers/ledgers';

const KEY_A = 'ed25519:' + Buffer.alloc(32, 1).toString('base64');
const KEY_B = 'ed25519:' + Buffer.alloc(32, 2).toString('base64');
const FILE = '/repo/.deptrust/policy.json';

function errorsOf(load: PolicyLoad): Array<[string, number, number]> {
  assert.equal(load.ok, false, 'the policy was accepted');
  if (load.ok) return [];
  return load.errors.map((e) => [e.code, e.range.start.line, e.range.start.character]);
}

describe('policy files', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('reads a full policy', () => {
    const load = parsePolicy(
      JSON.stringify({
        $schema: '../schemas/policy.schema.json',
        version: 1,
        actors: [
          { name: 'security-team', key: KEY_A, roles: ['security'] },
          { name: 'alice', key: KEY_B, roles: ['release'] },
        ],
        rules: {
          veto: ['security'],
          trust: [{ roles: ['release'], count: 1 }],
          unknownFails: true,
          unsupportedFails: true,
        },
      }),
      FILE,
    );
    assert.ok(load.ok);
    const p = load.policy;
    assert.deepEqual(
      p.actors.map((a) => [a.name, a.roles]),
      [
        ['security-team', ['security']],
        ['alice', ['release']],
      ],
    );
    assert.deepEqual(p.veto, ['security']);
    assert.deepEqual(p.trust, [{ roles: ['release'], count: 1 }]);
    assert.equal(p.unknownFails, true);
    assert.deepEqual(p.source, { kind: 'file', path: FILE });
  });

  it('fills in the documented defaults for the rules', () => {
    const load = parsePolicy(`{"version": 1, "actors": [{"name": "a", "key": "${KEY_A}"}]}`, FILE);
    assert.ok(load.ok);
    assert.deepEqual([load.policy.veto, load.policy.trust], [['*'], [{ roles: ['*'], count: 1 }]]);
    assert.deepEqual([load.policy.unknownFails, load.policy.unsupportedFails], [false, false]);
  });

  it('reports a syntax error at its position, and counts no one', () => {
    const text = '{\n  "version": 1,\n  "actors": [\n    {"name": "a" "key": "x"}\n  ]\n}\n';
    const load = parsePolicy(text, FILE);
    assert.deepEqual(errorsOf(load)[0], ['POLICY_SYNTAX', 3, text.split('\n')[3].indexOf('"key"')]);
    assert.equal(load.policy.actors.length, 0);
    assert.equal(load.policy.source.kind, 'broken');
    assert.equal(load.policy.unknownFails, true);
    if (!load.ok)
      assert.match(load.errors[0].message, /policy\.json line 4: JSON syntax: CommaExpected/);
  });

  it('reports wrong types, unknown fields, bad keys, unknown roles and versions where they are', () => {
    const text = [
      '{',
      '  "version": 2,',
      '  "actors": [',
      `    {"name": "a", "key": "ed25519:short", "roles": ["release"]},`,
      `    {"name": "b", "key": "${KEY_B}", "rolez": []}`,
      '  ],',
      '  "rules": {"veto": ["security"], "trust": [{"count": 0}], "unknownFails": "yes"}',
      '}',
    ];
    const col = (line: number, token: string): number => text[line].indexOf(token);
    assert.deepEqual(errorsOf(parsePolicy(text.join('\n'), FILE)), [
      ['POLICY_VERSION', 1, col(1, '2')],
      ['POLICY_KEY', 3, col(3, '"ed25519:short"')],
      ['POLICY_UNKNOWN_FIELD', 4, col(4, '"rolez"')],
      ['POLICY_TYPE', 6, col(6, '0}')],
      ['POLICY_TYPE', 6, col(6, '"yes"')],
      ['POLICY_ROLE', 6, col(6, '"security"')],
    ]);
  });

  it('reports duplicate keys and missing fields', () => {
    const text = `{"version": 1, "actors": [{"name": "a", "key": "${KEY_A}"}, {"name": "b", "key": "${KEY_A}"}, {"name": "c"}]}`;
    const codes = errorsOf(parsePolicy(text, FILE)).map(([c]) => c);
    assert.deepEqual(codes, ['POLICY_DUPLICATE', 'POLICY_MISSING']);
    assert.deepEqual(
      errorsOf(parsePolicy('[]', FILE)).map(([c]) => c),
      ['POLICY_TYPE'],
    );
    assert.deepEqual(
      errorsOf(parsePolicy('', FILE)).map(([c]) => c),
      ['POLICY_SYNTAX'],
    );
  });

  it("loads .deptrust/policy.json of a workspace, or the default with this user's key", () => {
    const { dir, remove } = tempDir('deptrust-policy-');
    cleanup = remove;
    const identityFile = path.join(dir, 'id.json');
    const me = createIdentity('me', { path: identityFile });
    const fallback = loadPolicy(dir, { path: identityFile });
    assert.ok(fallback.ok);
    assert.deepEqual(fallback.policy.actors, [{ name: 'me', key: me.publicKey, roles: ['local'] }]);
    assert.equal(fallback.policy.source.kind, 'default');

    fs.mkdirSync(path.join(dir, '.deptrust'));
    fs.writeFileSync(path.join(dir, '.deptrust', 'policy.json'), '{"version": 1, "actors": []');
    const broken = loadPolicy(dir, { path: identityFile });
    assert.equal(broken.ok, false);
    assert.equal(broken.policy.actors.length, 0);
  });

  it('finds the policy above a lockfile, stopping at the repository root', () => {
    const { dir, remove } = tempDir('deptrust-policy-');
    cleanup = remove;
    const repo = path.join(dir, 'repo');
    const lockfile = path.join(repo, 'services', 'api', 'package-lock.json');
    fs.mkdirSync(path.dirname(lockfile), { recursive: true });
    fs.mkdirSync(path.join(repo, '.git'));
    fs.writeFileSync(lockfile, '{}');
    assert.equal(findPolicy(lockfile), undefined);

    // A policy above the repository root belongs to someone else: it is not used.
    fs.mkdirSync(path.join(dir, '.deptrust'));
    fs.writeFileSync(path.join(dir, '.deptrust', 'policy.json'), '{}');
    assert.equal(findPolicy(lockfile), undefined);

    fs.mkdirSync(path.join(repo, '.deptrust'));
    fs.writeFileSync(path.join(repo, '.deptrust', 'policy.json'), '{}');
    assert.equal(findPolicy(lockfile), path.join(repo, '.deptrust', 'policy.json'));
    fs.mkdirSync(path.join(repo, 'services', '.deptrust'));
    fs.writeFileSync(path.join(repo, 'services', '.deptrust', 'policy.json'), '{}');
    assert.equal(findPolicy(lockfile), path.join(repo, 'services', '.deptrust', 'policy.json'));
  });

  it('says which verdicts fail a check', () => {
    const load = parsePolicy(`{"version": 1, "actors": [], "rules": {"unknownFails": true}}`, FILE);
    assert.ok(load.ok);
    const failing = [
      'trusted',
      'untrusted',
      'unsupported',
      'unknown',
      'mismatch',
      'local',
      'unavailable',
      'compromised',
    ].filter((v) => failsCheck(v, load.policy));
    assert.deepEqual(failing, ['untrusted', 'unknown', 'mismatch', 'unavailable', 'compromised']);
  });

  it('names the same fields as schemas/policy.schema.json', () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'policy.schema.json'), 'utf8'),
    );
    const keys = (o: { properties: object }): string[] => Object.keys(o.properties).sort();
    assert.deepEqual(keys(schema), [...POLICY_FIELDS.policy].sort());
    assert.deepEqual(keys(schema.properties.actors.items), [...POLICY_FIELDS.actor].sort());
    assert.deepEqual(keys(schema.properties.rules), [...POLICY_FIELDS.rules].sort());
    assert.deepEqual(
      keys(schema.properties.rules.properties.trust.items),
      [...POLICY_FIELDS.requirement].sort(),
    );
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  });
});
