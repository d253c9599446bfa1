import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { validateMembers, validateValue } from '../../core/validation.js';

const check = (shape: string, value: unknown) => () => validateValue(shape, value, 'member');

describe('validateValue against model shapes', () => {
  it('accepts values inside every constraint', () => {
    expect(check('DomainName', 'my-domain')).not.toThrow();
    expect(check('RepositoryName', 'My.Repo_1')).not.toThrow();
    expect(check('ListDomainsMaxResults', 1000)).not.toThrow();
    expect(check('TagList', [{ key: 'k', value: '' }])).not.toThrow();
  });

  it('enforces patterns as full matches', () => {
    expect(check('DomainName', 'Bad_Name')).toThrow(/regular expression pattern/);
    expect(check('DomainName', 'ends-with-dash-')).toThrow(ValidationError);
    expect(check('PackageName', 'a/b')).toThrow(/pattern/);
    expect(check('PackageVersion', '1.0 beta')).toThrow(/pattern/);
    expect(check('SHA256', 'A'.repeat(64))).toThrow(/pattern/);
  });

  it('enforces max lengths and numeric ranges that botocore leaves to the server', () => {
    expect(check('DomainName', `a${'b'.repeat(50)}`)).toThrow(/length less than or equal to 50/);
    expect(check('Description', 'x'.repeat(1001))).toThrow(/1000/);
    expect(check('ListDomainsMaxResults', 1001)).toThrow(/less than or equal to 1000/);
    expect(check('ListDomainsMaxResults', 0)).toThrow(/greater than or equal to 1/);
  });

  it('enforces enums, list sizes and nested structures', () => {
    expect(check('PackageFormat', 'rubygems')).toThrow(/enum value set/);
    expect(check('PackageVersionList', Array.from({ length: 101 }, (_, i) => `${i}`))).toThrow(/100/);
    expect(check('TagList', [{ key: 'k' }])).toThrow(/'value' must not be null/);
    expect(check('TagList', [{ key: 'k', value: 'v\u0000' }])).toThrow(/control or format characters, found U\+0000/);
  });

  it.each([
    ['PackageName', 'p\u0000x', 'U+0000 at character 2'],
    ['PackageName', 'p\u001bx', 'U+001B at character 2'],
    ['PackageNamespace', 'ns\u0085', 'U+0085 at character 3'],
    ['PackageVersion', '1.0\u202e', 'U+202E at character 4'],
    ['PackageVersion', '\u{1F600}\u200b', 'U+200B at character 2'],
    ['AssetName', 'a\ud800.txt', 'U+D800 at character 2'],
  ])('a %s with an invisible character names it and where it is (%j)', (shape, value, found) => {
    expect(check(shape, value)).toThrow(`found ${found}`);
    // The value is quoted with the character escaped, and the pattern is not reported a second time.
    expect(check(shape, value)).toThrow(/^1 validation error detected: Value '[^\u0000-\u001f\u007f-\u009f\u202e\u200b]*'/);
  });

  it('quotes an integer beyond 2^53 as sent and refuses it as out of range', () => {
    expect(check('ListDomainsMaxResults', 99999999999999999999999n)).toThrow(
      "Value '99999999999999999999999' at 'member' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(check('ListDomainsMaxResults', -99999999999999999999999n)).toThrow(/greater than or equal to 1/);
  });

  it('reports every violation in one message, in the AWS wording, with the reason', () => {
    try {
      validateMembers({
        domain: { shape: 'DomainName', value: 'X' },
        repository: { shape: 'RepositoryName', value: '-bad' },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const e = err as ValidationError;
      expect(e.message).toMatch(/^3 validation errors detected: Value 'X' at 'domain' failed to satisfy constraint/);
      expect(e.reason).toBe('FIELD_VALIDATION_FAILED');
    }
  });
});
