import { describe, it, expect } from 'vitest';
import {
  checkUploadFilename,
  distributionTypeOf,
  isSafeFilename,
  parseDistributionFilename,
} from '../../core/formats/pypi/filenames.js';

describe('parseDistributionFilename', () => {
  it('parses a setuptools sdist with an unnormalized (dashed) name', () => {
    expect(parseDistributionFilename('demo-pkg-1.0.0.tar.gz')).toEqual({
      type: 'sdist',
      name: 'demo-pkg',
      version: '1.0.0',
      extension: '.tar.gz',
    });
  });

  it('parses poetry and hatchling sdists', () => {
    expect(parseDistributionFilename('demo_poetry-1.0.0.tar.gz')).toMatchObject({ name: 'demo_poetry', version: '1.0.0' });
    expect(parseDistributionFilename('demo_hatch-1.0.0.tar.gz')).toMatchObject({ name: 'demo_hatch', version: '1.0.0' });
  });

  it('parses zip sdists and names with digits and dashes', () => {
    expect(parseDistributionFilename('Foo-Bar-2-2.0rc1.zip')).toEqual({
      type: 'sdist',
      name: 'Foo-Bar-2',
      version: '2.0rc1',
      extension: '.zip',
    });
  });

  it('takes the version after the last dash when that is a valid version', () => {
    // Ambiguous without the project name; checkUploadFilename resolves it with the name.
    expect(parseDistributionFilename('foo-1.0-1.tar.gz')).toMatchObject({ name: 'foo-1.0', version: '1' });
  });

  it('parses a setuptools wheel', () => {
    expect(parseDistributionFilename('demo_pkg-1.0.0-py3-none-any.whl')).toEqual({
      type: 'bdist_wheel',
      name: 'demo_pkg',
      version: '1.0.0',
      tags: { python: 'py3', abi: 'none', platform: 'any' },
      extension: '.whl',
    });
  });

  it('parses a hatchling wheel with a compressed tag set', () => {
    expect(parseDistributionFilename('demo_hatch-1.0.0-py2.py3-none-any.whl')).toMatchObject({
      name: 'demo_hatch',
      tags: { python: 'py2.py3', abi: 'none', platform: 'any' },
    });
  });

  it('parses wheels with a build tag', () => {
    expect(parseDistributionFilename('demo_pkg-1.0.0-1-py3-none-any.whl')).toMatchObject({
      version: '1.0.0',
      build: '1',
      tags: { python: 'py3', abi: 'none', platform: 'any' },
    });
    expect(parseDistributionFilename('demo_pkg-1.0.0-2beta-py3-none-any.whl')).toMatchObject({ build: '2beta' });
    // A build tag must start with a digit.
    expect(parseDistributionFilename('demo_pkg-1.0.0-beta-py3-none-any.whl')).toBeUndefined();
  });

  it('parses platform wheels with dotted names', () => {
    expect(parseDistributionFilename('zope.interface-5.0-cp311-cp311-manylinux_2_17_x86_64.whl')).toEqual({
      type: 'bdist_wheel',
      name: 'zope.interface',
      version: '5.0',
      tags: { python: 'cp311', abi: 'cp311', platform: 'manylinux_2_17_x86_64' },
      extension: '.whl',
    });
    expect(
      parseDistributionFilename('numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')?.tags?.platform,
    ).toBe('manylinux_2_17_x86_64.manylinux2014_x86_64');
    expect(parseDistributionFilename('torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl')).toMatchObject({
      name: 'torch',
      version: '2.13.0+cpu',
    });
  });

  it.each([
    'demo_pkg-1.0.0-py3-none.whl', // too few parts
    'demo_pkg-1.0.0-1-2-py3-none-any.whl', // too many parts
    'demo_pkg-notaversion-py3-none-any.whl',
    'demo_pkg--1.0.0-py3-none-any.whl',
    'demo_pkg.tar.gz', // no version
    'demo_pkg-.tar.gz',
    '-1.0.tar.gz',
    'demo-pkg-1.0.0.tar.bz2', // legacy extensions are not accepted
    'demo-pkg-1.0.0.tgz',
    'demo-pkg-1.0.0.egg',
    'demo-pkg-1.0.0.TAR.GZ',
    '.whl',
    '.tar.gz',
    '../demo_pkg-1.0.0-py3-none-any.whl',
  ])('rejects %j', (filename) => {
    expect(parseDistributionFilename(filename)).toBeUndefined();
  });

  it('tells the type from the extension', () => {
    expect(distributionTypeOf('x-1.0-py3-none-any.whl')).toBe('bdist_wheel');
    expect(distributionTypeOf('x-1.0.tar.gz')).toBe('sdist');
    expect(distributionTypeOf('x-1.0.zip')).toBe('sdist');
    expect(distributionTypeOf('x-1.0.exe')).toBeUndefined();
  });
});

describe('isSafeFilename', () => {
  it.each(['demo_pkg-1.0.0-py3-none-any.whl', 'demo-pkg-1.0.0.tar.gz', 'x.zip', 'naïve-1.0.tar.gz', 'a'.repeat(255)])(
    'accepts %j',
    (filename) => expect(isSafeFilename(filename)).toBe(true),
  );

  it.each([
    '',
    '.',
    '..',
    '../x.whl',
    '/abs.whl',
    'a/b.whl',
    'a\\b.whl',
    '\\\\server\\share\\x.whl',
    'x\u0000.whl',
    'x\n.whl',
    'x\r.whl',
    'x\t.whl',
    'x\u007f.whl',
    'x\u0085.whl',
    'C:x.whl',
    'c:\\x.whl',
    '.hidden.whl',
    'a'.repeat(256),
    'é'.repeat(128), // 256 bytes in UTF-8
    'x\ud800.whl',
  ])('rejects %j', (filename) => expect(isSafeFilename(filename)).toBe(false));
});

describe('checkUploadFilename', () => {
  it.each([
    ['demo-pkg-1.0.0.tar.gz', 'demo-pkg', '1.0.0', 'sdist'],
    ['demo_pkg-1.0.0-py3-none-any.whl', 'demo-pkg', '1.0.0', 'bdist_wheel'],
    ['demo_pkg-1.0.0-py3-none-any.whl', 'Demo.Pkg', '1.0.0', undefined],
    ['demo_poetry-1.0.0.tar.gz', 'demo-poetry', '1.0.0', 'sdist'],
    ['demo_hatch-1.0.0-py2.py3-none-any.whl', 'demo-hatch', '1.0.0', 'bdist_wheel'],
    ['demo_hatch-1.0.0-py2.py3-none-any.whl', 'demo_hatch', '1.0.0', ''],
    ['demo_pkg-1.0.0-7-py3-none-any.whl', 'demo-pkg', '1.0.0', 'bdist_wheel'],
    ['zope.interface-5.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'zope.interface', '5.0', 'bdist_wheel'],
    ['zope_interface-5.0.tar.gz', 'zope.interface', '5.0', 'sdist'],
    ['demo_pkg-1.0.0rc1.tar.gz', 'demo-pkg', '1.0.0-RC1', 'sdist'], // PEP 440-equal versions
    ['demo_pkg-1.0.0.tar.gz', 'demo-pkg', '1.0', 'sdist'], // 1.0.0 == 1.0 (as Warehouse)
    ['foo-1.0-1.tar.gz', 'foo', '1.0.post1', 'sdist'], // split with the project name
    ['foo-bar-1.0.zip', 'foo-bar', '1.0', 'sdist'],
  ])('accepts %s for %s %s (%s)', (filename, project, version, filetype) => {
    expect(checkUploadFilename(filename, project, version, filetype)).toBeUndefined();
  });

  it('rejects unsafe names without echoing them', () => {
    for (const bad of ['../x.whl', '/abs.whl', 'a\\b.whl', 'x\u0000.whl', '.x.whl', '']) {
      const msg = checkUploadFilename(bad, 'x', '1.0', 'bdist_wheel');
      expect(msg).toMatch(/^Invalid filename/);
      expect(msg).not.toContain('\u0000');
    }
  });

  it('rejects unknown extensions with the Warehouse message', () => {
    for (const bad of ['demo-pkg-1.0.0.tar.bz2', 'demo-pkg-1.0.0.egg', 'demo-pkg-1.0.0.exe', 'demo-pkg-1.0.0']) {
      expect(checkUploadFilename(bad, 'demo-pkg', '1.0.0', 'sdist')).toBe(
        'Invalid file extension: Use .tar.gz, .whl or .zip extension.',
      );
    }
  });

  it('requires the filetype to agree with the extension', () => {
    expect(checkUploadFilename('demo_pkg-1.0.0-py3-none-any.whl', 'demo-pkg', '1.0.0', 'sdist')).toMatch(
      /filetype 'sdist'.*\.tar\.gz or \.zip/,
    );
    expect(checkUploadFilename('demo-pkg-1.0.0.tar.gz', 'demo-pkg', '1.0.0', 'bdist_wheel')).toMatch(
      /filetype 'bdist_wheel'.*\.whl/,
    );
    expect(checkUploadFilename('demo-pkg-1.0.0.tar.gz', 'demo-pkg', '1.0.0', 'bdist_egg')).toBe('Unknown type of file.');
  });

  it('requires the file name to start with the project name', () => {
    expect(checkUploadFilename('other_pkg-1.0.0-py3-none-any.whl', 'demo-pkg', '1.0.0', 'bdist_wheel')).toBe(
      "Start filename for 'demo-pkg' with 'demo_pkg'.",
    );
    expect(checkUploadFilename('other-1.0.0.tar.gz', 'Demo.Pkg', '1.0.0', 'sdist')).toBe(
      "Start filename for 'Demo.Pkg' with 'demo_pkg'.",
    );
    expect(checkUploadFilename('demo_pkg2-1.0.0.tar.gz', 'demo-pkg', '1.0.0', 'sdist')).toBe(
      "Start filename for 'demo-pkg' with 'demo_pkg'.",
    );
    // The project's name is a prefix of another project's name.
    expect(checkUploadFilename('foo-bar-1.0.tar.gz', 'foo', '1.0', 'sdist')).toBe("Start filename for 'foo' with 'foo'.");
  });

  it('requires the file name version to match', () => {
    expect(checkUploadFilename('demo_pkg-1.0.1-py3-none-any.whl', 'demo-pkg', '1.0.0', 'bdist_wheel')).toBe(
      "Version in filename should be '1.0.0' not '1.0.1'.",
    );
    expect(checkUploadFilename('demo-pkg-1.0.1.tar.gz', 'demo-pkg', '1.0.0', 'sdist')).toBe(
      "Version in filename should be '1.0.0' not '1.0.1'.",
    );
    expect(checkUploadFilename('demo-pkg-1.0.0+local.tar.gz', 'demo-pkg', '1.0.0', 'sdist')).toBe(
      "Version in filename should be '1.0.0' not '1.0.0+local'.",
    );
    expect(checkUploadFilename('demo_pkg-1.0.0_x-py3-none-any.whl', 'demo-pkg', '1.0.0', 'bdist_wheel')).toMatch(
      /^Invalid wheel filename/,
    );
  });

  it('reports malformed wheel and sdist names', () => {
    expect(checkUploadFilename('demo_pkg-1.0.0.whl', 'demo-pkg', '1.0.0', 'bdist_wheel')).toMatch(/^Invalid wheel filename/);
    expect(checkUploadFilename('demo.tar.gz', 'demo-pkg', '1.0.0', 'sdist')).toBe(
      "Filename 'demo.tar.gz' is invalid, should be 'demo_pkg-1.0.0.tar.gz'.",
    );
    expect(checkUploadFilename('demo-pkg-garbage.tar.gz', 'demo-pkg', '1.0.0', 'sdist')).toBe(
      "Filename 'demo-pkg-garbage.tar.gz' is invalid, should be 'demo_pkg-1.0.0.tar.gz'.",
    );
  });
});
