// Adds or updates the `bench` script in package.json and touches no other key: other people
// edit that file too, so it is read right before it is written.
import * as fs from 'node:fs';
import * as path from 'node:path';

const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'package.json');
const text = fs.readFileSync(file, 'utf8');
const pkg = JSON.parse(text);
pkg.scripts = { ...pkg.scripts, bench: 'node --expose-gc --import tsx bench/run.ts' };
const indent = /^\{\n( +)"/.exec(text)?.[1] ?? '  ';
fs.writeFileSync(file, `${JSON.stringify(pkg, null, indent)}\n`);
