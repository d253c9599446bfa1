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
    expect(check('TagList', [{ key: 'k', value: 'v\u0000' }])).toThrow(/TagValue|pattern/);
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
