import { describe, it, expect } from 'vitest';
import { comparePypiVersions, isValidVersion, normalizeVersion, sameVersion } from '../../core/formats/pypi/versions.js';

describe('isValidVersion', () => {
  it.each(['1', '1.0', '1.0.0', '1.0.0rc1', '1.0.0-RC1', 'v1.0', '1!2.0', '1.0.post1', '1.0-1', '1.0.dev0', '1.0+local.7', '2024.01.02'])(
    'accepts %j',
    (v) => expect(isValidVersion(v)).toBe(true),
  );

  it.each(['', 'abc', '1.0 ', ' 1.0', '1.0\n', '1..0', '1.0+', '1.0+a..b', 'latest', '1.0-beta-2-x'])('rejects %j', (v) =>
    expect(isValidVersion(v)).toBe(false),
  );
});

describe('normalizeVersion', () => {
  it.each([
    ['1.0.0-RC1', '1.0.0rc1'],
    ['1.0.0', '1.0.0'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['1.0a', '1.0a0'],
    ['1.0-alpha.2', '1.0a2'],
    ['1.0.beta3', '1.0b3'],
    ['1.0c1', '1.0rc1'],
    ['1.0-pre1', '1.0rc1'],
    ['1.0preview1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0.post', '1.0.post0'],
    ['1.0-r4', '1.0.post4'],
    ['1.0rev4', '1.0.post4'],
    ['1.0_dev', '1.0.dev0'],
    ['1.0-DEV-7', '1.0.dev7'],
    ['0!1.0', '1.0'],
    ['01!01.002', '1!1.2'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['1.0+ABC_01.x', '1.0+abc.1.x'],
    ['1.0rc1.post2.dev3+Local', '1.0rc1.post2.dev3+local'],
    ['1.123456789012345678901234567890', '1.123456789012345678901234567890'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeVersion(input)).toBe(expected);
  });

  it('is undefined for invalid versions', () => {
    expect(normalizeVersion('not a version')).toBeUndefined();
    expect(normalizeVersion('')).toBeUndefined();
  });
});

describe('comparePypiVersions', () => {
  it('orders by PEP 440', () => {
    const sorted = ['1.0', '1.0.post1', '1.0rc1', '1.0a1', '1.0.dev1', '0.9', '1!0.1', '1.0+local', '1.1', '1.0b2'].sort(
      comparePypiVersions,
    );
    expect(sorted).toEqual(['0.9', '1.0.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0+local', '1.0.post1', '1.1', '1!0.1']);
  });

  it('treats equivalent spellings as equal', () => {
    expect(comparePypiVersions('1.0', '1.0.0')).toBe(0);
    expect(comparePypiVersions('1.0.0-RC1', '1.0.0rc1')).toBe(0);
    expect(sameVersion('1.0', '1.0.0')).toBe(true);
    expect(sameVersion('1.0', 'x')).toBe(false);
  });

  it('puts invalid versions first, ordered as strings', () => {
    expect(['2.0', 'zzz', '1.0', 'abc'].sort(comparePypiVersions)).toEqual(['abc', 'zzz', '1.0', '2.0']);
    expect(comparePypiVersions('abc', '0.0.1')).toBe(-1);
    expect(comparePypiVersions('0.0.1', 'abc')).toBe(1);
    expect(comparePypiVersions('abc', 'abc')).toBe(0);
  });

  it('returns only -1, 0 or 1', () => {
    expect(comparePypiVersions('1.0', '3.0')).toBe(-1);
    expect(comparePypiVersions('3.0', '1.0')).toBe(1);
  });
});
