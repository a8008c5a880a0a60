// LineCursor, which the package-lock reader uses for entry ranges, must give the positions
// LineIndex gives for any order of offsets, on every kind of line break.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineCursor, LineIndex } from '../../server/src/core/positions';
import { seededRandom } from '../helpers/random';


const PIECES = ['a', 'bc', ' ', '\n', '\n', '\n\n', '\r\n', '\r', '\u{1F600}', '{"x": 1}'];

function randomText(r: () => number, length: number, breaks: string[]): string {
  let text = '';
  while (text.length < length) {
    const piece = PIECES[Math.floor(r() * PIECES.length)];
    text += piece.includes('\r') || piece.includes('\n')
      ? breaks[Math.floor(r() * breaks.length)] : piece;
  }
  return text;
}

test('LineCursor gives LineIndex positions for increasing, decreasing and random offsets', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = seededRandom(seed);
    const breaks = seed % 3 === 0 ? ['\n', '\r\n', '\r'] : ['\n'];
    const length = seed % 10 === 0 ? 20_000 : Math.floor(r() * 400);
    const text = (seed % 7 === 0 ? '\n' : '') + randomText(r, length, breaks);
    const index = new LineIndex(text);
    const cursor = new LineCursor(text);
    const offsets: number[] = [];
    for (let i = 0; i < 200; i++) {
      const kind = r();
      const last = offsets[offsets.length - 1] ?? 0;
      if (kind < 0.5) offsets.push(last + Math.floor(r() * 50));
      else if (kind < 0.8) offsets.push(Math.max(0, last - Math.floor(r() * 60)));
      else offsets.push(Math.floor(r() * (text.length + 10)) - 5);
    }
    for (const offset of offsets) {
      assert.deepEqual(cursor.positionAt(offset), index.positionAt(offset),
        `seed ${seed}, offset ${offset} of ${text.length}`);
    }
    assert.deepEqual(cursor.rangeOf(3, text.length), index.rangeOf(3, text.length));
  }
});

test('LineCursor on text without line breaks and on empty text', () => {
  assert.deepEqual(new LineCursor('').positionAt(5), { line: 0, character: 0 });
  const cursor = new LineCursor('abc');
  assert.deepEqual(cursor.positionAt(2), { line: 0, character: 2 });
  assert.deepEqual(cursor.positionAt(9), { line: 0, character: 3 });
  assert.deepEqual(cursor.positionAt(1), { line: 0, character: 1 });
});
