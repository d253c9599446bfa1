import { describe, it, expect } from 'vitest';
import { escapedProjectName, isValidProjectName, normalizeProjectName, sameProject } from '../../core/formats/pypi/names.js';

describe('normalizeProjectName (PEP 503)', () => {
  it.each([
    ['demo-pkg', 'demo-pkg'],
    ['demo_pkg', 'demo-pkg'],
    ['Demo.Pkg', 'demo-pkg'],
    ['Demo__-._Pkg', 'demo-pkg'],
    ['zope.interface', 'zope-interface'],
    ['Django', 'django'],
    ['a', 'a'],
    ['friendly-bard', 'friendly-bard'],
    ['FRIENDLY-BARD', 'friendly-bard'],
    ['friendly.bard', 'friendly-bard'],
    ['friendly_bard', 'friendly-bard'],
    ['friendly--bard', 'friendly-bard'],
    ['FrIeNdLy-._.-bArD', 'friendly-bard'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeProjectName(input)).toBe(expected);
  });

  it('gives the escaped (underscore) form used in file names', () => {
    expect(escapedProjectName('Demo.Pkg')).toBe('demo_pkg');
    expect(escapedProjectName('zope.interface')).toBe('zope_interface');
  });

  it('compares projects by normalized name', () => {
    expect(sameProject('demo_pkg', 'Demo-Pkg')).toBe(true);
    expect(sameProject('demo_pkg', 'demo-pkg2')).toBe(false);
  });
});

describe('isValidProjectName', () => {
  it.each(['a', 'Z', '9', 'demo-pkg', 'demo_pkg', 'zope.interface', 'A1', 'x-._-y'])('accepts %j', (name) => {
    expect(isValidProjectName(name)).toBe(true);
  });

  it.each(['', '-a', 'a-', '.a', 'a.', '_a', 'a_', 'a b', 'a/b', 'ä', 'a\n', '\na', 'a\r\n', 'a+b', 'a@b'])(
    'rejects %j',
    (name) => {
      expect(isValidProjectName(name)).toBe(false);
    },
  );
});
