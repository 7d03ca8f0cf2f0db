#!/usr/bin/env node
/**
 * The CLI entry. It only checks the Node version, tunes the collector for a small heap
 * (starting again once, see small-heap.ts) and then loads the program: static imports run
 * before any code, so on an old Node the first use of a newer API (not this check) would fail.
 * Nothing here may need more than what Node 14 has (ESM, top-level await).
 */
import { enableCompileCache } from './compile-cache.js';
import { nodeTooOld } from './node-version.js';
import { programEntry } from './program-entry.js';
import { tuneSmallHeap } from './small-heap.js';

const problem = nodeTooOld(process.versions.node);
if (problem) {
  process.stderr.write(`error: ${problem}\n`);
  process.exit(2);
}
// Before anything else: a small heap may start the process again.
tuneSmallHeap();
// Before the program loads, so every module it loads is compiled from (or into) the cache.
enableCompileCache();
await import(programEntry(import.meta.url));
