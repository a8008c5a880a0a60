import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REVIEW_REQUEST,
  type ReviewParams,
  type ReviewResult,
} from '../../server/src/lsp/protocol';
import { fileUri, LspSession } from '../helpers/lspClient';
import { packageLock, Sandbox } from './helpers';

describe('deptrust/review through the language server', () => {
  const s = new Sandbox('editor-user');
  let lsp: LspSession;

  /** The review, once the server has opened its ledger (it answers without one at first). */
  async function review(
    params: Omit<ReviewParams, 'folder'> & { folder?: string },
  ): Promise<ReviewResult> {
    const deadline = Date.now() + 15000;
    for (;;) {
      const r = await lsp.connection.sendRequest<ReviewResult>(REVIEW_REQUEST, {
        folder: fileUri(s.repo),
        ...params,
      });
      if (
        r.error?.message !== 'the ledger is not open; see the deptrust output' ||
        Date.now() > deadline
      )
        return r;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    s.write('package-lock.json', packageLock([{ name: 'alpha', version: '1.0.0' }]));
    s.trustAll('package-lock.json');
    s.commit('baseline', 'package-lock.json');
    s.write(
      'package-lock.json',
      packageLock([
        { name: 'alpha', version: '1.0.0' },
        { name: 'bravo', version: '2.0.0' },
      ]),
    );
    s.git('add', 'package-lock.json');
    const env = Object.fromEntries(
      Object.entries(s.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    lsp = await LspSession.start(env, {}, [s.repo]);
  });
  after(async () => {
    await lsp.stop();
    s.remove();
  });

  test('the staged review, then Trust on the blocking entry, in one round trip', async () => {
    const first = await review({ staged: true });
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal(first.review!.blocked, true);
    const bravo = first.review!.lockfiles[0].changes.find((c) => c.name === 'bravo')!;
    assert.deepEqual([bravo.kind, bravo.verdict, bravo.blocks], ['added', 'unknown', true]);

    const second = await review({
      staged: true,
      decide: [{ entry: bravo.after!, status: 'trusted', reason: 'reviewed in the editor' }],
    });
    assert.equal(second.error, undefined, JSON.stringify(second.error));
    const after = second.review!.lockfiles[0].changes.find((c) => c.name === 'bravo')!;
    assert.equal(after.verdict, 'trusted');
    assert.equal(second.review!.blocked, false);

    // The decision is in the ledger the CLI reads, filed with the entry's checksum.
    const cli = s.deptrust('review', '--staged');
    assert.equal(cli.status, 0, cli.stdout + cli.stderr);
  });

  test('errors come back with their code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-nogit-'));
    try {
      const r = await review({ folder: fileUri(dir), staged: true });
      assert.equal(r.review, undefined);
      assert.equal(r.error?.code, 'GIT_NOT_A_REPOSITORY');
      const bad = await review({ staged: false, base: 'no-such-rev' });
      assert.equal(bad.error?.code, 'GIT_BAD_REVISION');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
