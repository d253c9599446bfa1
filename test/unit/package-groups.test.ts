// Package group definitions and the group tree, against the examples of AWS's "Package group definition syntax
// and matching behavior" and "Package group origin controls" pages.
import { describe, expect, it } from 'vitest';
import { matches, parsePattern, type PackageCoordinates } from '../../core/packageGroups/pattern.js';
import { GroupTree } from '../../core/packageGroups/hierarchy.js';
import type { GroupRestrictionMode, GroupRestrictionType, PackageGroupRecord } from '../../storage/ports.js';

const pkg = (format: string, namespace: string, normalizedName: string): PackageCoordinates => ({ format, namespace, normalizedName });

describe('package group definitions', () => {
  it.each([
    ['/*', 'all'],
    ['/npm/*', 'format'],
    ['/maven/com.anycompany~', 'namespace-prefix'],
    ['/npm/space/*', 'namespace'],
    ['/npm/space/anycompany-ui~', 'name-prefix'],
    ['/maven/org.apache.logging.log4j/log4j-core$', 'name'],
    ['/pypi//requests$', 'name'],
    ['/pypi//internal-~', 'name-prefix'],
    ['/pypi//*', 'format'],
  ])('%s is a %s definition', (pattern, level) => {
    expect(parsePattern(pattern).level).toBe(level);
  });

  it.each([
    ['pypi/*', 'must start with /'],
    ['/pypi/requests', 'must end with *, ~ or $'],
    ['/pypi/internal-*', 'write /pypi//internal-~'],
    ['/npm/space/ui-*', 'write /npm/space/ui-~'],
    ['/pypi/ns/requests$', 'PyPI packages have no namespace'],
    ['/pypi//Requests$', "write 'requests'"],
    ['/pypi//My_Pkg~', "write 'my-pkg'"],
    ['/nosuchformat/*', 'nosuchformat'],
    ['/npm/a/b/c$', 'use /*, /FORMAT/*'],
  ])('%s is refused, saying %j', (pattern, reason) => {
    expect(() => parsePattern(pattern)).toThrow(reason);
  });

  it('matches normalized names, within the namespace it names', () => {
    expect(matches(parsePattern('/pypi//internal-~'), pkg('pypi', '', 'internal-lib'))).toBe(true);
    expect(matches(parsePattern('/pypi//internal-~'), pkg('pypi', '', 'other'))).toBe(false);
    expect(matches(parsePattern('/pypi//internal-~'), pkg('npm', '', 'internal-lib'))).toBe(false);
    expect(matches(parsePattern('/npm/space/*'), pkg('npm', 'space', 'x'))).toBe(true);
    expect(matches(parsePattern('/npm/space/*'), pkg('npm', 'spaces', 'x'))).toBe(false);
    expect(matches(parsePattern('/maven/com.anycompany~'), pkg('maven', 'com.anycompany.tools', 'x'))).toBe(true);
    expect(matches(parsePattern('/maven/org.apache.logging.log4j/log4j-core$'), pkg('maven', 'org.apache.logging.log4j', 'log4j-core'))).toBe(true);
    expect(matches(parsePattern('/maven/org.apache.logging.log4j/log4j-core$'), pkg('maven', 'org.apache.logging.log4j', 'log4j-core2'))).toBe(false);
  });
});

type Modes = Partial<Record<GroupRestrictionType, GroupRestrictionMode>>;
let nextId = 1;
function group(pattern: string, modes: Modes = {}, allowed: Partial<Record<GroupRestrictionType, string[]>> = {}): PackageGroupRecord {
  const inherit: GroupRestrictionMode = pattern === '/*' ? 'ALLOW' : 'INHERIT';
  return {
    id: nextId++,
    domainId: 1,
    pattern,
    description: null,
    contactInfo: null,
    createdAt: 0,
    modes: { PUBLISH: inherit, EXTERNAL_UPSTREAM: inherit, INTERNAL_UPSTREAM: inherit, ...modes },
    allowedRepositories: { PUBLISH: [], EXTERNAL_UPSTREAM: [], INTERNAL_UPSTREAM: [], ...allowed },
  };
}

describe('the group tree', () => {
  const tree = new GroupTree([
    group('/*'),
    group('/npm/*', { PUBLISH: 'BLOCK' }),
    group('/npm/space/*'),
    group('/npm/space/anycompany-ui~', { PUBLISH: 'ALLOW_SPECIFIC_REPOSITORIES' }, { PUBLISH: ['ci'] }),
    group('/npm/space/anycompany-ui-core$', { PUBLISH: 'ALLOW' }),
    group('/pypi//internal-~', { EXTERNAL_UPSTREAM: 'BLOCK' }),
  ]);
  const parentOf = (pattern: string) => tree.find(pattern)!.parent?.record.pattern;

  it('makes the most specific containing group the parent', () => {
    expect(parentOf('/*')).toBeUndefined();
    expect(parentOf('/npm/*')).toBe('/*');
    expect(parentOf('/npm/space/*')).toBe('/npm/*');
    expect(parentOf('/npm/space/anycompany-ui~')).toBe('/npm/space/*');
    expect(parentOf('/npm/space/anycompany-ui-core$')).toBe('/npm/space/anycompany-ui~');
    expect(parentOf('/pypi//internal-~')).toBe('/*');
    expect(tree.children(tree.find('/npm/*')!).map((n) => n.record.pattern)).toEqual(['/npm/space/*']);
  });

  it('puts a package in the most specific group that matches it', () => {
    expect(tree.groupOf(pkg('npm', '', 'react'))!.record.pattern).toBe('/npm/*');
    expect(tree.groupOf(pkg('npm', 'space', 'amplify-ui-core'))!.record.pattern).toBe('/npm/space/*');
    expect(tree.groupOf(pkg('npm', 'space', 'anycompany-ui-components'))!.record.pattern).toBe('/npm/space/anycompany-ui~');
    expect(tree.groupOf(pkg('npm', 'space', 'anycompany-ui-core'))!.record.pattern).toBe('/npm/space/anycompany-ui-core$');
    expect(tree.groupOf(pkg('pypi', '', 'requests'))!.record.pattern).toBe('/*');
  });

  it('takes an INHERIT restriction from the nearest ancestor that sets it', () => {
    const space = tree.find('/npm/space/*')!;
    expect(tree.effective(space, 'PUBLISH')).toMatchObject({ mode: 'BLOCK', from: tree.find('/npm/*') });
    expect(tree.effective(space, 'EXTERNAL_UPSTREAM')).toMatchObject({ mode: 'ALLOW', from: tree.find('/*') });
  });

  it('allows an origin by the effective mode, and ALLOW_SPECIFIC_REPOSITORIES by the list of the group that sets it', () => {
    expect(tree.allows(pkg('npm', '', 'react'), 'PUBLISH', 'ci')).toBe(false);
    expect(tree.allows(pkg('npm', 'space', 'anycompany-ui-x'), 'PUBLISH', 'ci')).toBe(true);
    expect(tree.allows(pkg('npm', 'space', 'anycompany-ui-x'), 'PUBLISH', 'laptop')).toBe(false);
    expect(tree.allows(pkg('npm', 'space', 'anycompany-ui-core'), 'PUBLISH', 'laptop')).toBe(true);
    expect(tree.allows(pkg('pypi', '', 'internal-lib'), 'EXTERNAL_UPSTREAM', 'team')).toBe(false);
    expect(tree.allows(pkg('pypi', '', 'internal-lib'), 'INTERNAL_UPSTREAM', 'team')).toBe(true);
    expect(tree.allows(pkg('pypi', '', 'requests'), 'EXTERNAL_UPSTREAM', 'team')).toBe(true);
  });

  it('gives a group that does not exist yet the parent it would have', () => {
    expect(tree.parentFor(parsePattern('/npm/space/anycompany-ui-kit~'))!.record.pattern).toBe('/npm/space/anycompany-ui~');
    expect(tree.parentFor(parsePattern('/maven/*'))!.record.pattern).toBe('/*');
  });
});
