import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../../src/adapters/fs/atomic-file';

describe('writeFileAtomic', () => {
  it('creates the directory, writes the whole content with the given mode and leaves no temp file', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'atomic-')), 'a', 'b');
    const file = path.join(dir, 'key.pem');
    const old = process.umask(0o077);
    try {
      writeFileAtomic(file, 'secret\n', 0o644);
    } finally {
      process.umask(old);
    }
    expect(readFileSync(file, 'utf8')).toBe('secret\n');
    // The mode holds whatever the umask says.
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });

  it('replaces an existing file and narrows its mode', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, 'old content that is longer', { mode: 0o644 });
    writeFileAtomic(file, Buffer.from('{"v":2}'), 0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"v":2}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('fails without touching the target or leaving a temp file when the target cannot be replaced', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'keep');
    expect(() => writeFileAtomic(target, 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('keep');
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
