// Mutation fuzzing of all four parsers, seeded with the real lockfiles of ../shared/corpus.
// Each input is a chain of byte-level mutations of one corpus file, decoded as the app decodes
// lockfiles (decodeLockfile), then parsed; harness.ts holds the checks.
// Long run: DEPTRUST_FUZZ_RUNS=200000 node scripts/test.mjs test/fuzz
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { LockfileFormat } from '../../server/src/core/types';
import { FORMATS, fuzzRuns, fuzzSeed, newStats, parseBytesChecked, report, seeds } from './harness';
import { applyAll, mutationChain } from './mutations';

/** Inputs per format in a default (CI) run. */
const CI_RUNS = 4000;

/** Picks a corpus file; files over 32 KB a quarter as often, so CI time goes to variety. */
function seedIndex(corpus: Array<{ bytes: Uint8Array }>): fc.Arbitrary<number> {
  return fc.oneof(
    ...corpus.map((s, i) => ({
      arbitrary: fc.constant(i),
      weight: s.bytes.length > 32_768 ? 1 : 4,
    })),
  );
}

describe('mutation fuzzing of the parsers, seeded with ../shared/corpus', () => {
  for (const format of Object.keys(FORMATS) as LockfileFormat[]) {
    test(`${format}: mutated corpus files give entries or positioned errors, never a throw or hang`, () => {
      const corpus = seeds(format);
      const stats = newStats(format);

      // The unmutated seeds first: they must parse with entries, or the fuzzing below would
      // only ever exercise the error paths.
      for (const s of corpus) {
        const r = parseBytesChecked(format, s.bytes, stats);
        if (s.name !== 'scalibr__invalid.lock')
          assert.ok(r.dependencies.length > 0, `${s.name}: no entries`);
      }

      fc.assert(
        fc.property(seedIndex(corpus), mutationChain(format), (i, chain) => {
          const bytes = applyAll(corpus[i].bytes, chain);
          parseBytesChecked(format, bytes, stats);
        }),
        { numRuns: fuzzRuns(CI_RUNS), seed: fuzzSeed() + format.length },
      );
      report(`mutate ${format}`, stats);
      assert.equal(stats.crashes + stats.hangs, 0);
      // Some mutated inputs must still parse to entries and some must fail: a parser that
      // returns nothing for everything would otherwise pass.
      assert.ok(
        stats.withEntries > stats.inputs / 20,
        `only ${stats.withEntries} inputs gave entries`,
      );
      assert.ok(stats.withProblems > stats.inputs / 20, `only ${stats.withProblems} gave problems`);
    });
  }
});
