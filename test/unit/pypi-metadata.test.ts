import { describe, it, expect } from 'vitest';
import {
  METADATA_VERSIONS,
  checkFileMetadataVersion,
  checkFormMetadataVersion,
  dependenciesFromRequiresDist,
  mergeMetadata,
  metadataFromUploadForm,
  parseCoreMetadata,
  parseCoreMetadataBytes,
  sourceCodeRepository,
  type CoreMetadata,
} from '../../core/formats/pypi/metadata.js';

// setuptools < 57 style PKG-INFO: UNKNOWN placeholders, description folded with 8 spaces.
const META_1_0 = [
  'Metadata-Version: 1.0',
  'Name: legacy-pkg',
  'Version: 0.1',
  'Summary: An old package',
  'Home-page: UNKNOWN',
  'Author: Jane Doe',
  'Author-email: jane@example.com',
  'License: UNKNOWN',
  'Description: First line',
  '        Second line',
  '        ',
  '            indented',
  '        last',
  'Platform: UNKNOWN',
  '',
].join('\n');

// The 1.x spec convention: continuation lines as 7 spaces and `|`; CRLF line ends.
const META_1_2 = [
  'Metadata-Version: 1.2',
  'Name: old.style',
  'Version: 2.0b1',
  'Summary: Old style',
  'Home-page: https://github.com/acme/old-style',
  'Maintainer: Bob',
  'Maintainer-email: bob@example.com',
  'License: MIT License',
  '        ',
  '        Copyright (c) 2020',
  'Description: Title',
  '       |=====',
  '       |',
  '       |  code block',
  'Keywords: a b c',
  'Requires-Python: >=2.7, !=3.0.*',
  'Requires-Dist: six (>=1.10)',
  'Classifier: Programming Language :: Python',
  'Classifier: License :: OSI Approved :: MIT License',
  '',
].join('\r\n');

// What setuptools 66 writes for the demo wheel (Metadata 2.1, description in the body).
const META_2_1 = `Metadata-Version: 2.1
Name: demo-pkg
Version: 1.0.0
Summary: A demo package
Author-email: Demo Author <demo@example.com>
Project-URL: Homepage, https://example.com/demo
Project-URL: Source, https://github.com/acme/demo-pkg
Requires-Python: >=3.8
Description-Content-Type: text/markdown
Requires-Dist: demo-dep>=1.0
Provides-Extra: test
Requires-Dist: pytest (>=7) ; extra == 'test'

# demo-pkg

Body text with a Key: value line that is not a header.
`;

const META_2_4 = `Metadata-Version: 2.4
Name: modern
Version: 3.1.0
Summary: Modern metadata
License-Expression: MIT OR Apache-2.0
License-File: LICENSE
License-File: licenses/NOTICE
Dynamic: license-file
Requires-Dist: requests[socks]<3,>=2.31; python_version >= "3.8"
Requires-Dist: tomli>=1.1.0; python_version < "3.11"
Requires-Dist: sphinx; extra == "docs"
Requires-Dist: coverage[toml]>=7; extra == 'Test_Extra' and python_version >= "3.9"
Provides-Extra: docs
Provides-Extra: test-extra

Modern description.
`;

describe('parseCoreMetadata', () => {
  it('parses Metadata-Version 1.0 with UNKNOWN placeholders and an 8-space folded description', () => {
    const m = parseCoreMetadata(META_1_0);
    expect(m.metadataVersion).toBe('1.0');
    expect(m.name).toBe('legacy-pkg');
    expect(m.version).toBe('0.1');
    expect(m.summary).toBe('An old package');
    expect(m.author).toBe('Jane Doe');
    expect(m.authorEmail).toBe('jane@example.com');
    expect(m.homePage).toBeUndefined();
    expect(m.license).toBeUndefined();
    expect(m.fields['platform']).toBeUndefined();
    expect(m.description).toBe('First line\nSecond line\n\n    indented\nlast');
    expect(m.requiresDist).toEqual([]);
    expect(m.classifiers).toEqual([]);
  });

  it('parses Metadata-Version 1.2 with `|` continuation lines and CRLF', () => {
    const m = parseCoreMetadata(META_1_2);
    expect(m.name).toBe('old.style');
    expect(m.version).toBe('2.0b1');
    expect(m.maintainer).toBe('Bob');
    expect(m.maintainerEmail).toBe('bob@example.com');
    expect(m.license).toBe('MIT License\n\nCopyright (c) 2020');
    expect(m.description).toBe('Title\n=====\n\n  code block');
    expect(m.keywords).toBe('a b c');
    expect(m.requiresPython).toBe('>=2.7, !=3.0.*');
    expect(m.requiresDist).toEqual(['six (>=1.10)']);
    expect(m.classifiers).toEqual(['Programming Language :: Python', 'License :: OSI Approved :: MIT License']);
    expect(sourceCodeRepository(m)).toBe('https://github.com/acme/old-style');
  });

  it('parses Metadata-Version 2.1 with the description in the body', () => {
    const m = parseCoreMetadata(META_2_1);
    expect(m.metadataVersion).toBe('2.1');
    expect(m.name).toBe('demo-pkg');
    expect(m.authorEmail).toBe('Demo Author <demo@example.com>');
    expect(m.descriptionContentType).toBe('text/markdown');
    expect(m.description).toBe('# demo-pkg\n\nBody text with a Key: value line that is not a header.\n');
    expect(m.requiresDist).toEqual(['demo-dep>=1.0', "pytest (>=7) ; extra == 'test'"]);
    expect(m.providesExtra).toEqual(['test']);
    expect(m.projectUrls).toEqual(['Homepage, https://example.com/demo', 'Source, https://github.com/acme/demo-pkg']);
    expect(m.fields['project-url']).toHaveLength(2);
    expect(m.fields['key']).toBeUndefined();
    expect(sourceCodeRepository(m)).toBe('https://github.com/acme/demo-pkg');
  });

  it('parses Metadata-Version 2.4 (License-Expression, License-File)', () => {
    const m = parseCoreMetadata(META_2_4);
    expect(m.metadataVersion).toBe('2.4');
    expect(m.licenseExpression).toBe('MIT OR Apache-2.0');
    expect(m.license).toBeUndefined();
    expect(m.fields['license-file']).toEqual(['LICENSE', 'licenses/NOTICE']);
    expect(m.fields['dynamic']).toEqual(['license-file']);
    expect(m.providesExtra).toEqual(['docs', 'test-extra']);
    expect(m.requiresDist).toHaveLength(4);
    expect(m.description).toBe('Modern description.\n');
    expect(sourceCodeRepository(m)).toBeUndefined();
  });

  it('prefers the body over a Description header, keeping both in fields', () => {
    const m = parseCoreMetadata('Metadata-Version: 2.1\nName: x\nDescription: header text\n\nbody text');
    expect(m.description).toBe('body text');
    expect(m.fields['description']).toEqual(['body text', 'header text']);
  });

  it('unfolds continuation lines of ordinary fields', () => {
    const m = parseCoreMetadata('Name: x\nSummary: a long\n  summary\n\tline\nKeywords:\n  one,two\n');
    expect(m.summary).toBe('a long summary line');
    expect(m.keywords).toBe('one,two');
  });

  it('keeps the first value of a repeated single-use field', () => {
    expect(parseCoreMetadata('Name: first\nName: second\n').name).toBe('first');
  });

  it('is case-insensitive on header names', () => {
    const m = parseCoreMetadata('metadata-version: 2.1\nNAME: x\nhome-PAGE: https://gitlab.com/a/b\n');
    expect(m.metadataVersion).toBe('2.1');
    expect(m.name).toBe('x');
    expect(sourceCodeRepository(m)).toBe('https://gitlab.com/a/b');
  });

  it.each([
    '',
    '\n\n\n',
    'garbage without colon',
    ':::',
    '  leading continuation\nName: x',
    '\uFEFFName: bom',
    'Name x\nVersion: 1',
    '__proto__: polluted\nconstructor: x\nName: safe',
    'Description:',
    '\u0000\u0001\u0002',
  ])('never throws on odd input %j', (text) => {
    const m = parseCoreMetadata(text);
    expect(Array.isArray(m.requiresDist)).toBe(true);
    expect(Object.getPrototypeOf({})).not.toHaveProperty('polluted');
  });

  it('handles a BOM and header names that shadow Object.prototype', () => {
    expect(parseCoreMetadata('\uFEFFName: bom').name).toBe('bom');
    const m = parseCoreMetadata('__proto__: polluted\nconstructor: x\nName: safe');
    expect(m.name).toBe('safe');
    expect(m.fields['__proto__']).toEqual(['polluted']);
    expect(m.fields['constructor']).toEqual(['x']);
  });

  it('treats a non-header line like Python’s email parser: the body starts there', () => {
    const m = parseCoreMetadata('Name: x\nnot a header\nVersion: 1\n');
    expect(m.name).toBe('x');
    expect(m.version).toBeUndefined();
    expect(m.description).toBe('not a header\nVersion: 1\n');
  });

  it('decodes bytes as UTF-8', () => {
    const m = parseCoreMetadataBytes(Buffer.from('Name: x\nAuthor: Zoë Ñandú\n', 'utf8'));
    expect(m.author).toBe('Zoë Ñandú');
  });
});

describe('sourceCodeRepository', () => {
  const meta = (projectUrls: string[], homePage?: string): CoreMetadata => ({
    requiresDist: [],
    classifiers: [],
    projectUrls,
    providesExtra: [],
    fields: {},
    ...(homePage ? { homePage } : {}),
  });

  it.each([
    [['Source Code, https://git.example.com/a'], 'https://git.example.com/a'],
    [['source, https://x.org/src'], 'https://x.org/src'],
    [['Repository, https://codeberg.org/a/b'], 'https://codeberg.org/a/b'],
    [['GitHub, https://github.com/a/b'], 'https://github.com/a/b'],
    [['Homepage, https://github.com/a/b'], 'https://github.com/a/b'],
    [['Documentation, https://docs.x', 'Source-Code, https://github.com/a/c'], 'https://github.com/a/c'],
  ])('%j -> %s', (urls, expected) => {
    expect(sourceCodeRepository(meta(urls))).toBe(expected);
  });

  it('falls back to a forge home page only', () => {
    expect(sourceCodeRepository(meta([], 'https://bitbucket.org/a/b'))).toBe('https://bitbucket.org/a/b');
    expect(sourceCodeRepository(meta([], 'https://example.com'))).toBeUndefined();
    expect(sourceCodeRepository(meta(['Homepage, https://example.com']))).toBeUndefined();
  });

  it('ignores non-http URLs and labels it does not know', () => {
    expect(sourceCodeRepository(meta(['Source, javascript:alert(1)']))).toBeUndefined();
    expect(sourceCodeRepository(meta(['Changelog, https://github.com/a/b/CHANGES']))).toBeUndefined();
    expect(sourceCodeRepository(meta(['no comma here']))).toBeUndefined();
  });
});

describe('dependenciesFromRequiresDist', () => {
  it('splits name, specifier and marker', () => {
    expect(
      dependenciesFromRequiresDist([
        'demo-dep>=1.0',
        'six (>=1.10)',
        'requests[socks] (<3, >=2.31) ; python_version >= "3.8"',
        'requests[socks]<3,>=2.31; python_version >= "3.8"',
        'tomli >= 1.1.0 ; python_version < "3.11"',
        'zope.interface',
        'Foo_Bar===1.0-weird',
        'pkg~=2.2.post3',
        'pkg==1.*',
      ]),
    ).toEqual([
      { package: 'demo-dep', versionRequirement: '>=1.0', dependencyType: 'install' },
      { package: 'six', versionRequirement: '>=1.10', dependencyType: 'install' },
      {
        package: 'requests',
        versionRequirement: '<3,>=2.31',
        dependencyType: 'install',
        marker: 'python_version >= "3.8"',
      },
      {
        package: 'requests',
        versionRequirement: '<3,>=2.31',
        dependencyType: 'install',
        marker: 'python_version >= "3.8"',
      },
      { package: 'tomli', versionRequirement: '>=1.1.0', dependencyType: 'install', marker: 'python_version < "3.11"' },
      { package: 'zope.interface', dependencyType: 'install' },
      { package: 'Foo_Bar', versionRequirement: '===1.0-weird', dependencyType: 'install' },
      { package: 'pkg', versionRequirement: '~=2.2.post3', dependencyType: 'install' },
      { package: 'pkg', versionRequirement: '==1.*', dependencyType: 'install' },
    ]);
  });

  it('types dependencies behind an extra as extra:<normalized name>', () => {
    const deps = dependenciesFromRequiresDist([
      "pytest (>=7) ; extra == 'test'",
      'sphinx; extra == "docs"',
      'coverage[toml]>=7; extra == \'Test_Extra\' and python_version >= "3.9"',
      'mock; python_version < "3.3" and "dev" == extra',
      'pkg @ https://example.com/pkg-1.0-py3-none-any.whl ; extra == "url"',
      'pkg2 @ https://example.com/pkg2.tar.gz',
    ]);
    expect(deps.map((d) => [d.package, d.versionRequirement, d.dependencyType])).toEqual([
      ['pytest', '>=7', 'extra:test'],
      ['sphinx', undefined, 'extra:docs'],
      ['coverage', '>=7', 'extra:test-extra'],
      ['mock', undefined, 'extra:dev'],
      ['pkg', undefined, 'extra:url'],
      ['pkg2', undefined, 'install'],
    ]);
  });

  it('skips lines that do not parse', () => {
    expect(
      dependenciesFromRequiresDist(['', '>=1.0', 'foo (>=1.0', 'foo >>1', 'foo[bar', 'foo ;', '-foo', 'ok']),
    ).toEqual([{ package: 'ok', dependencyType: 'install' }]);
  });

  it('parses the real requirements of the 2.4 sample', () => {
    const deps = dependenciesFromRequiresDist(parseCoreMetadata(META_2_4).requiresDist);
    expect(deps.map((d) => d.package)).toEqual(['requests', 'tomli', 'sphinx', 'coverage']);
  });
});

describe('metadataFromUploadForm and mergeMetadata', () => {
  // What twine 4.0.2 sends for the setuptools sdist (its PKG-INFO has no Requires-Dist).
  const twineSdistForm: Record<string, string[]> = {
    ':action': ['file_upload'],
    protocol_version: ['1'],
    name: ['demo-pkg'],
    version: ['1.0.0'],
    filetype: ['sdist'],
    pyversion: ['source'],
    metadata_version: ['2.1'],
    summary: ['A demo package'],
    home_page: [''],
    author: [''],
    author_email: ['Demo Author <demo@example.com>'],
    maintainer: [''],
    maintainer_email: [''],
    license: ['UNKNOWN'],
    description: ['# demo-pkg\n\nBody\n'],
    keywords: [''],
    classifiers: ['Programming Language :: Python :: 3', ' '],
    download_url: [''],
    comment: [''],
    sha256_digest: ['ab'.repeat(32)],
    requires_python: ['>=3.8'],
    description_content_type: ['text/markdown'],
    md5_digest: ['00'.repeat(16)],
    blake2_256_digest: ['cd'.repeat(32)],
    project_urls: ['Source, https://github.com/acme/demo-pkg'],
    provides_extras: ['test'],
    license_file: ['LICENSE'],
  };

  it('maps form fields, dropping empty and UNKNOWN values and upload-only keys', () => {
    const m = metadataFromUploadForm(twineSdistForm);
    expect(m).toMatchObject({
      metadataVersion: '2.1',
      name: 'demo-pkg',
      version: '1.0.0',
      summary: 'A demo package',
      authorEmail: 'Demo Author <demo@example.com>',
      description: '# demo-pkg\n\nBody\n',
      descriptionContentType: 'text/markdown',
      requiresPython: '>=3.8',
      classifiers: ['Programming Language :: Python :: 3'],
      projectUrls: ['Source, https://github.com/acme/demo-pkg'],
      providesExtra: ['test'],
      requiresDist: [],
    });
    for (const absent of ['homePage', 'author', 'maintainer', 'license', 'keywords', 'downloadUrl'] as const) {
      expect(m[absent]).toBeUndefined();
    }
    expect(Object.keys(m.fields).sort()).toEqual(
      [
        'author-email',
        'classifier',
        'description',
        'description-content-type',
        'license-file',
        'metadata-version',
        'name',
        'project-url',
        'provides-extra',
        'requires-python',
        'summary',
        'version',
      ].sort(),
    );
    expect(sourceCodeRepository(m)).toBe('https://github.com/acme/demo-pkg');
  });

  it('accepts provides_extra as well as provides_extras', () => {
    expect(metadataFromUploadForm({ provides_extra: ['a', 'b'] }).providesExtra).toEqual(['a', 'b']);
  });

  it('lets the file win where it has a value and the form fill the gaps', () => {
    const fromFile = parseCoreMetadata(
      'Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0.0\nSummary: From the file\nRequires-Python: >=3.9\n\nFile body\n',
    );
    const fromForm = metadataFromUploadForm({
      name: ['demo-pkg'],
      version: ['1.0.0'],
      summary: ['From the form'],
      requires_dist: ['demo-dep>=1.0'],
      author: ['Form Author'],
      description: ['Form description'],
    });
    const merged = mergeMetadata(fromFile, fromForm);
    expect(merged.summary).toBe('From the file');
    expect(merged.requiresPython).toBe('>=3.9');
    expect(merged.description).toBe('File body\n');
    expect(merged.author).toBe('Form Author');
    expect(merged.requiresDist).toEqual(['demo-dep>=1.0']);
    expect(merged.fields['requires-dist']).toEqual(['demo-dep>=1.0']);
    expect(merged.fields['summary']).toEqual(['From the file']);
  });

  it('returns the form metadata when there is no file metadata', () => {
    const fromForm = metadataFromUploadForm({ name: ['x'] });
    expect(mergeMetadata(undefined, fromForm)).toBe(fromForm);
  });

  it('merges hand-built objects by their typed fields', () => {
    const merged = mergeMetadata(
      { requiresDist: [], classifiers: ['A'], projectUrls: [], providesExtra: [], fields: {}, name: 'file' },
      { requiresDist: ['x'], classifiers: ['B'], projectUrls: [], providesExtra: [], fields: {}, name: 'form', version: '1' },
    );
    expect(merged).toMatchObject({ name: 'file', version: '1', classifiers: ['A'], requiresDist: ['x'] });
  });
});

// What idna 3.20 and urllib3 2.8.0 (on PyPI) carry: Metadata-Version 2.5 with PEP 794's Import-Name.
const META_2_5 = `Metadata-Version: 2.5
Name: modern-pkg
Version: 2.5.0
Summary: Metadata 2.5
License-Expression: BSD-3-Clause
Import-Name: modern_pkg
Requires-Python: >=3.9

Body.
`;

describe('Metadata-Version: the known list, the form field, the file and the two together', () => {
  const KNOWN = ['1.0', '1.1', '1.2', '2.1', '2.2', '2.3', '2.4', '2.5'];
  const WHEEL = 'modern_pkg-2.5.0-py3-none-any.whl';

  it('knows PyPI’s list, 1.0 to 2.5 without 2.0, in order', () => {
    expect(METADATA_VERSIONS).toEqual(KNOWN);
  });

  it.each(KNOWN)('accepts %s in the form field and in the file', (v) => {
    expect(checkFormMetadataVersion(v)).toBeUndefined();
    expect(checkFileMetadataVersion(v, v, WHEEL, 'METADATA')).toBeUndefined();
    expect(checkFileMetadataVersion(v, undefined, WHEEL, 'METADATA')).toBeUndefined();
  });

  it('accepts no form field (the file alone decides)', () => {
    expect(checkFormMetadataVersion(undefined)).toBeUndefined();
  });

  it.each(['9.9', '2.6', '3.0', '1.3', '2', '2.0', '2.5.0', 'v2.5', 'UNKNOWN'])('refuses %j in the form field, listing the known versions', (v) => {
    expect(checkFormMetadataVersion(v)).toBe(
      `'${v}' is an invalid value for Metadata-Version. Error: Use a known metadata version: ` +
        '1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4 or 2.5. ' +
        'See https://packaging.python.org/specifications/core-metadata for more information.',
    );
  });

  it('shortens a very long value as Warehouse does (30 characters, "...", 30 characters)', () => {
    const long = `${'a'.repeat(40)}${'b'.repeat(40)}`;
    expect(checkFormMetadataVersion(long)).toMatch(new RegExp(`^'${'a'.repeat(30)}\\.\\.\\.${'b'.repeat(30)}' is an invalid value`));
  });

  it('reads 2.5 from a real-looking METADATA and accepts it with or without the matching form field', () => {
    const file = parseCoreMetadata(META_2_5);
    expect(file.metadataVersion).toBe('2.5');
    expect(file.fields['import-name']).toEqual(['modern_pkg']);
    expect(checkFileMetadataVersion(file.metadataVersion, '2.5', WHEEL, 'METADATA')).toBeUndefined();
    expect(checkFileMetadataVersion(file.metadataVersion, undefined, WHEEL, 'METADATA')).toBeUndefined();
  });

  it('refuses an unknown Metadata-Version in the file, naming the file and its member', () => {
    const file = parseCoreMetadata(META_2_5.replace('2.5', '9.9'));
    expect(checkFileMetadataVersion(file.metadataVersion, undefined, WHEEL, 'METADATA')).toBe(
      `'9.9' is not a valid metadata version in the METADATA of ${WHEEL}. Error: Use a known metadata version: ` +
        '1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4 or 2.5. ' +
        'See https://packaging.python.org/specifications/core-metadata for more information.',
    );
    // The file's own value is judged first, even when the form agrees with it or sends a known one.
    expect(checkFileMetadataVersion('9.9', '9.9', WHEEL, 'METADATA')).toMatch(/^'9\.9' is not a valid metadata version/);
    expect(checkFileMetadataVersion('9.9', '2.1', 'x-1.0.tar.gz', 'PKG-INFO')).toMatch(
      /^'9\.9' is not a valid metadata version in the PKG-INFO of x-1\.0\.tar\.gz\./,
    );
  });

  it('refuses a file without Metadata-Version (also UNKNOWN or empty, which the parser drops)', () => {
    const message =
      `'Metadata-Version' is a required field in the PKG-INFO of x-1.0.tar.gz. ` +
      'See https://packaging.python.org/specifications/core-metadata for more information.';
    for (const text of ['Name: x\nVersion: 1.0\n', 'Metadata-Version: UNKNOWN\nName: x\n', 'Metadata-Version:\nName: x\n']) {
      const file = parseCoreMetadata(text);
      expect(checkFileMetadataVersion(file.metadataVersion, '2.1', 'x-1.0.tar.gz', 'PKG-INFO'), text).toBe(message);
      expect(checkFileMetadataVersion(file.metadataVersion, undefined, 'x-1.0.tar.gz', 'PKG-INFO'), text).toBe(message);
    }
  });

  it('refuses a form field that differs from the file, naming both values', () => {
    expect(checkFileMetadataVersion('2.5', '2.4', WHEEL, 'METADATA')).toBe(
      `Metadata-Version '2.4' of the upload form does not match Metadata-Version '2.5' in the METADATA of ${WHEEL}. ` +
        'The form must describe the uploaded file.',
    );
    expect(checkFileMetadataVersion('2.1', '2.2', 'x-1.0.tar.gz', 'PKG-INFO')).toMatch(
      /^Metadata-Version '2\.2' of the upload form does not match Metadata-Version '2\.1' in the PKG-INFO of x-1\.0\.tar\.gz\./,
    );
  });
});
