import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Dependency } from '../../server/src/core/types';
import { createIdentity, signDecision, type Identity } from '../../server/src/identity/identity';
import type { EmbeddedLedger } from '../../server/src/ledger/embedded';
import type { TrustRecord } from '../../server/src/ledger/record';
import {
  defaultPolicy,
  parsePolicy,
  unusablePolicy,
  type Policy,
} from '../../server/src/trust/policy';
import { evaluate } from '../../server/src/trust/verdict';
import { sandbox, type Sandbox } from '../ledger/helpers/ledgers';

const PURL = 'pkg:npm/left-pad@1.3.0';
const SHA = 'sha512-' + Buffer.alloc(64, 7).toString('base64');
const OTHER_SHA = 'sha512-' + Buffer.alloc(64, 8).toString('base64');

function dep(overrides: Partial<Dependency> = {}): Dependency {
  return {
    ecosystem: 'npm',
    name: 'left-pad',
    version: '1.3.0',
    purl: PURL,
    checksum: SHA,
    checksums: [SHA],
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } },
    source: 'registry',
    ...overrides,
  };
}

interface World {
  s: Sandbox;
  ledger: EmbeddedLedger;
  actors: Record<string, Identity>;
  decide(
    who: string,
    status: TrustRecord['status'],
    opts?: { reason?: string; checksum?: string; day?: number },
  ): Promise<void>;
  verdict(policy: Policy, d?: Dependency): Promise<ReturnType<typeof evaluate>>;
}

async function world(names: string[]): Promise<World> {
  const s = sandbox(names[0]);
  const actors: Record<string, Identity> = { [names[0]]: s.identity };
  for (const n of names.slice(1))
    actors[n] = createIdentity(n, { path: path.join(s.root, `${n}.json`) });
  const out: World = {
    s,
    ledger: await s.open(),
    actors,
    async decide(who, status, opts = {}) {
      const record = signDecision(actors[who], {
        subject: { purl: PURL, checksum: opts.checksum ?? SHA },
        status,
        reason: opts.reason,
        time: new Date(Date.UTC(2026, 11, opts.day ?? 1)),
      });
      await out.ledger.append(record);
    },
    async verdict(policy, d = dep()) {
      const records = (await out.ledger.lookup([PURL])).get(PURL);
      return evaluate(d, records, out.ledger.state(), policy);
    },
  };
  return out;
}

function policyOf(w: World, json: object): Policy {
  const loaded = parsePolicy(JSON.stringify(json), '/repo/.deptrust/policy.json');
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return loaded.policy;
}

function teamPolicy(w: World): Policy {
  return policyOf(w, {
    version: 1,
    actors: [
      { name: 'security-team', key: w.actors.sec.publicKey, roles: ['security'] },
      { name: 'alice', key: w.actors.alice.publicKey, roles: ['release'] },
      { name: 'bob', key: w.actors.bob.publicKey, roles: ['release'] },
      { name: 'carol', key: w.actors.carol.publicKey, roles: ['release'] },
    ],
    rules: { veto: ['security'], trust: [{ roles: ['release'], count: 2 }], unknownFails: true },
  });
}

describe('verdicts under the default policy', () => {
  let w: World;
  afterEach(() => w?.s.remove());

  it("counts the local actor's signed records, latest wins", async () => {
    w = await world(['alice', 'mallory']);
    const mine = defaultPolicy(w.actors.alice.publicKey, 'alice');
    await w.decide('alice', 'trusted', { reason: 'reviewed', day: 1 });
    let e = await w.verdict(mine);
    assert.equal(e.verdict, 'trusted');
    assert.equal(e.summary, 'trusted by alice on 2026-12-01 (reviewed)');
    assert.equal(e.decisive?.index, 0);

    await w.decide('alice', 'untrusted', { reason: 'CVE-2026-1234', day: 3 });
    e = await w.verdict(mine);
    assert.equal(e.verdict, 'untrusted');
    assert.equal(e.summary, 'vetoed by alice on 2026-12-03 (CVE-2026-1234)');

    await w.decide('alice', 'trusted', { reason: 'fixed upstream', day: 5 });
    assert.equal((await w.verdict(mine)).verdict, 'trusted');
  });

  it('does not count foreign or unsigned records', async () => {
    w = await world(['alice', 'mallory']);
    const mine = defaultPolicy(w.actors.alice.publicKey, 'alice');
    await w.decide('mallory', 'trusted');
    const unsigned = {
      ...signDecision(w.actors.alice, {
        subject: { purl: PURL, checksum: SHA },
        status: 'trusted',
      }),
      sig: undefined,
    };
    await w.ledger.append(unsigned);
    const e = await w.verdict(mine);
    assert.equal(e.verdict, 'unknown');
    assert.equal(
      e.summary,
      'no trust record (2 records not counted: 1 key not in the policy, 1 unsigned)',
    );
    assert.equal(e.records.length, 2);
  });

  it('counts no one without an identity, and says why', async () => {
    w = await world(['alice']);
    await w.decide('alice', 'trusted');
    const e = await w.verdict(defaultPolicy(undefined));
    assert.equal(e.verdict, 'unknown');
    assert.match(e.summary, /no identity on this machine/);
  });

  it('never counts a record whose signature fails', async () => {
    w = await world(['alice']);
    await w.ledger.close();
    const forged = {
      ...signDecision(w.actors.alice, {
        subject: { purl: PURL, checksum: SHA },
        status: 'untrusted',
      }),
    };
    forged.status = 'trusted';
    fs.appendFileSync(path.join(w.s.ledgerDir, 'records.jsonl'), JSON.stringify(forged) + '\n');
    w.ledger = await w.s.open();
    const e = await w.verdict(defaultPolicy(w.actors.alice.publicKey, 'alice'));
    assert.equal(e.verdict, 'unknown');
    assert.match(e.summary, /1 bad signature/);
  });
});

describe('verdicts under a team policy', () => {
  let w: World;
  afterEach(() => w?.s.remove());

  it('needs two release actors to trust', async () => {
    w = await world(['sec', 'alice', 'bob', 'carol']);
    const policy = teamPolicy(w);
    await w.decide('alice', 'trusted');
    let e = await w.verdict(policy);
    assert.equal(e.verdict, 'unknown');
    assert.equal(e.summary, 'needs 2 trusting actors of role release, has 1 (alice)');
    await w.decide('bob', 'trusted');
    e = await w.verdict(policy);
    assert.equal(e.verdict, 'trusted');
    assert.equal(e.summary, 'trusted by alice, bob');
  });

  it('lets the security role veto whatever the others say', async () => {
    w = await world(['sec', 'alice', 'bob', 'carol']);
    const policy = teamPolicy(w);
    await w.decide('alice', 'trusted');
    await w.decide('bob', 'trusted');
    await w.decide('sec', 'untrusted', { reason: 'CVE-2026-9999', day: 2 });
    const e = await w.verdict(policy);
    assert.equal(e.verdict, 'untrusted');
    assert.equal(e.summary, 'vetoed by security-team on 2026-12-02 (CVE-2026-9999)');
    assert.equal(e.decisive?.index, 2);
  });

  it('does not let an actor without a veto role veto', async () => {
    w = await world(['sec', 'alice', 'bob', 'carol']);
    const policy = teamPolicy(w);
    await w.decide('alice', 'trusted');
    await w.decide('carol', 'untrusted', { reason: 'dislike' });
    const e = await w.verdict(policy);
    assert.equal(e.verdict, 'unknown');
    assert.equal(
      e.summary,
      'needs 2 trusting actors of role release, has 1 (alice); distrusted by carol on 2026-12-01 (dislike) (no veto)',
    );
  });

  it("uses the policy's name for an actor, not the name a record claims", async () => {
    w = await world(['sec', 'alice', 'bob', 'carol']);
    await w.decide('sec', 'unsupported', { reason: 'abandoned' });
    const e = await w.verdict(teamPolicy(w));
    assert.equal(e.verdict, 'unsupported');
    assert.equal(e.summary, 'marked unsupported by security-team on 2026-12-01 (abandoned)');
  });

  it('reports same version, different content as a mismatch, until someone decides on it', async () => {
    w = await world(['sec', 'alice', 'bob', 'carol']);
    const policy = teamPolicy(w);
    await w.decide('alice', 'trusted', { checksum: OTHER_SHA });
    let e = await w.verdict(policy);
    assert.equal(e.verdict, 'mismatch');
    assert.match(
      e.summary,
      /^same version, different content: trusted by alice on 2026-12-01 with checksum sha512-/,
    );
    await w.decide('bob', 'trusted');
    e = await w.verdict(policy);
    assert.equal(e.verdict, 'unknown', 'alice trusted other content, so only bob trusts this one');
    assert.equal(e.summary, 'needs 2 trusting actors of role release, has 1 (bob)');
  });

  it('counts nothing under a broken policy', async () => {
    w = await world(['alice']);
    await w.decide('alice', 'trusted');
    const e = await w.verdict(unusablePolicy('/repo/.deptrust/policy.json', 'line 3: JSON syntax'));
    assert.equal(e.verdict, 'unknown');
    assert.match(e.summary, /policy .* is broken/);
  });
});

describe('verdicts that do not depend on records', () => {
  let w: World;
  afterEach(() => w?.s.remove());

  it('turns every verdict into compromised when the ledger is', async () => {
    w = await world(['alice']);
    const mine = defaultPolicy(w.actors.alice.publicKey, 'alice');
    await w.decide('alice', 'trusted');
    const records = (await w.ledger.lookup([PURL])).get(PURL);
    await w.ledger.close();
    fs.writeFileSync(path.join(w.s.ledgerDir, 'records.jsonl'), '');
    const reopened = await w.s.open();
    const e = evaluate(dep(), records, reopened.state(), mine);
    assert.equal(e.verdict, 'compromised');
    assert.match(e.summary, /^ledger compromised: the log holds 0 records but 1 were verified/);
    assert.equal(
      evaluate(dep({ source: 'local', purl: null }), undefined, reopened.state(), mine).verdict,
      'compromised',
    );
  });

  it('keeps local packages and entries without a purl apart', async () => {
    w = await world(['alice']);
    const mine = defaultPolicy(w.actors.alice.publicKey, 'alice');
    assert.equal(
      evaluate(dep({ source: 'local', purl: null }), undefined, w.ledger.state(), mine).verdict,
      'local',
    );
    const e = evaluate(
      dep({ purl: null, hint: 'version range' }),
      undefined,
      w.ledger.state(),
      mine,
    );
    assert.deepEqual([e.verdict, e.summary], ['unknown', 'version range']);
  });
});
