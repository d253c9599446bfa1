#!/usr/bin/env python3
"""Drives the CodeArtifact control plane of the local emulator with boto3, exactly as a user would: a plain
boto3 client with only ``endpoint_url`` overridden (credentials/region come from the environment).

Usage: control_plane_boto3.py --endpoint http://127.0.0.1:PORT --scenario flow|errors|paginate --prefix NAME

Prints one JSON object on stdout: {"scenario", "ok", "checks", "failures": [...], "results": {...}}.
Exit status: 0 when every check passed, 1 when a check failed or a step raised, 2 on bad usage.
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import re
import sys
import traceback

import boto3
import botocore.exceptions

ACCOUNT = '000000000000'
REGION = 'us-east-1'
TOKEN_RE = re.compile(r'^[A-Za-z0-9._~-]+$')


class Abort(Exception):
    """A step failed in a way that makes the following steps meaningless."""


class Checks:
    def __init__(self):
        self.count = 0
        self.failures = []
        self.results = {}
        self.step_name = '-'

    def fail(self, what):
        self.failures.append('[%s] %s' % (self.step_name, what))

    def true(self, name, cond, detail=''):
        self.count += 1
        if not cond:
            self.fail('%s%s' % (name, (': ' + detail) if detail else ''))
        return bool(cond)

    def eq(self, name, actual, expected):
        self.count += 1
        if actual != expected:
            self.fail('%s: expected %r, got %r' % (name, expected, actual))
            return False
        return True

    def near(self, name, when, expected, tolerance_s=120):
        """`when` is a tz-aware datetime within tolerance of the expected one."""
        self.count += 1
        if not isinstance(when, dt.datetime):
            self.fail('%s: expected a datetime, got %r' % (name, when))
            return False
        if when.tzinfo is None:
            self.fail('%s: datetime is not timezone-aware: %r' % (name, when))
            return False
        delta = abs((when - expected).total_seconds())
        if delta > tolerance_s:
            self.fail('%s: %s is %.0f s away from the expected %s' % (name, when.isoformat(), delta,
                                                                     expected.isoformat()))
            return False
        return True

    def error(self, name, code, fn, status=None):
        """fn() must raise a ClientError with this code (or one of a tuple of codes) and HTTP status; returns
        the error response."""
        self.count += 1
        codes = code if isinstance(code, tuple) else (code,)
        try:
            result = fn()
        except botocore.exceptions.ClientError as e:
            got = e.response.get('Error', {}).get('Code')
            http = e.response.get('ResponseMetadata', {}).get('HTTPStatusCode')
            if got not in codes:
                self.fail('%s: expected %s, got %s (HTTP %s): %s' % (name, code, got, http, e))
            elif status is not None and http != status:
                self.fail('%s: %s came with HTTP %s, expected %s' % (name, code, http, status))
            elif not e.response.get('Error', {}).get('Message'):
                self.fail('%s: %s has no message' % (name, code))
            return e.response
        except Exception as e:  # noqa: BLE001 - any other exception is a failed check
            self.fail('%s: expected %s, got %s: %s' % (name, code, type(e).__name__, e))
            return None
        self.fail('%s: expected %s, but the call succeeded: %r' % (name, code, strip_meta(result)))
        return None


def strip_meta(resp):
    if isinstance(resp, dict):
        return {k: v for k, v in resp.items() if k != 'ResponseMetadata'}
    return resp


def now():
    return dt.datetime.now(dt.timezone.utc)


def hashes_of(data):
    return {
        'MD5': hashlib.md5(data).hexdigest(),
        'SHA-1': hashlib.sha1(data).hexdigest(),
        'SHA-256': hashlib.sha256(data).hexdigest(),
        'SHA-512': hashlib.sha512(data).hexdigest(),
    }


def make_client(endpoint):
    # Region and credentials come from AWS_DEFAULT_REGION / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    return boto3.client('codeartifact', endpoint_url=endpoint)


def run_steps(checks, steps, cleanup):
    """Runs steps in order until one raises; then always the cleanup steps (best effort)."""
    aborted = False
    for name, fn in steps:
        checks.step_name = name
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            checks.fail('step raised %s: %s\n%s' % (type(e).__name__, e, traceback.format_exc(limit=4)))
            aborted = True
            break
    for name, fn in cleanup:
        checks.step_name = 'cleanup: ' + name
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            if not aborted:
                checks.fail('cleanup raised %s: %s' % (type(e).__name__, e))
    return not aborted


# ---------------------------------------------------------------------------------------------------------
# Scenario: the whole life cycle of a domain, two repositories and a generic package.
# ---------------------------------------------------------------------------------------------------------
def scenario_flow(c, endpoint, prefix):
    client = make_client(endpoint)
    domain = prefix + '-flow'
    up, repo = 'upstream-repo', 'main-repo'
    ns, pkg = 'ns', 'p'
    content = b'generic asset \x00\x01\x02\xff\xfe binary\n' + os.urandom(4096)
    asset = 'data-1.0.0.tar.gz'
    sha = hashlib.sha256(content).hexdigest()
    state = {}
    r = c.results
    coords = dict(domain=domain, repository=repo, format='generic', namespace=ns, package=pkg)

    def create_domain():
        t0 = now()
        d = client.create_domain(domain=domain, tags=[{'key': 'team', 'value': 'build'}])['domain']
        c.eq('name', d.get('name'), domain)
        c.eq('owner', d.get('owner'), ACCOUNT)
        c.eq('arn', d.get('arn'), 'arn:aws:codeartifact:%s:%s:domain/%s' % (REGION, ACCOUNT, domain))
        c.eq('status', d.get('status'), 'Active')
        c.near('createdTime', d.get('createdTime'), t0)
        c.eq('repositoryCount', d.get('repositoryCount'), 0)
        c.eq('assetSizeBytes', d.get('assetSizeBytes'), 0)
        r['domainArn'] = d.get('arn')

    def create_repositories():
        u = client.create_repository(domain=domain, repository=up, description='the upstream')['repository']
        c.eq('upstream name', u.get('name'), up)
        t0 = now()
        m = client.create_repository(domain=domain, repository=repo, description='Main repository',
                                     upstreams=[{'repositoryName': up}])['repository']
        c.eq('name', m.get('name'), repo)
        c.eq('domainName', m.get('domainName'), domain)
        c.eq('domainOwner', m.get('domainOwner'), ACCOUNT)
        c.eq('administratorAccount', m.get('administratorAccount'), ACCOUNT)
        c.eq('arn', m.get('arn'), 'arn:aws:codeartifact:%s:%s:repository/%s/%s' % (REGION, ACCOUNT, domain, repo))
        c.eq('description', m.get('description'), 'Main repository')
        c.eq('upstreams', m.get('upstreams'), [{'repositoryName': up}])
        c.eq('externalConnections', m.get('externalConnections', []), [])
        c.near('createdTime', m.get('createdTime'), t0)
        r['repositoryArn'] = m.get('arn')

    def describe():
        d = client.describe_domain(domain=domain)['domain']
        c.eq('describe_domain name', d.get('name'), domain)
        c.eq('describe_domain repositoryCount', d.get('repositoryCount'), 2)
        c.eq('describe_domain assetSizeBytes', d.get('assetSizeBytes'), 0)
        c.eq('describe_domain arn', d.get('arn'), 'arn:aws:codeartifact:%s:%s:domain/%s' % (REGION, ACCOUNT, domain))
        c.near('describe_domain createdTime', d.get('createdTime'), now())
        tags = client.list_tags_for_resource(resourceArn=d.get('arn'))['tags']
        c.eq('tags given to create_domain', tags, [{'key': 'team', 'value': 'build'}])
        d2 = client.describe_domain(domain=domain, domainOwner=ACCOUNT)['domain']
        c.eq('describe_domain with domainOwner', d2.get('name'), domain)
        m = client.describe_repository(domain=domain, repository=repo)['repository']
        c.eq('describe_repository description', m.get('description'), 'Main repository')
        c.eq('describe_repository upstreams', m.get('upstreams'), [{'repositoryName': up}])
        c.eq('describe_repository arn', m.get('arn'), r.get('repositoryArn'))
        names = sorted(x['name'] for x in client.list_repositories_in_domain(domain=domain)['repositories'])
        c.eq('list_repositories_in_domain', names, sorted([up, repo]))
        listed = [x for x in client.list_repositories()['repositories'] if x.get('domainName') == domain]
        c.eq('list_repositories (this domain)', sorted(x['name'] for x in listed), sorted([up, repo]))
        domains = [x for x in client.list_domains()['domains'] if x.get('name') == domain]
        c.eq('list_domains contains the domain', len(domains), 1)

    def token():
        t0 = now()
        t = client.get_authorization_token(domain=domain)
        tok = t.get('authorizationToken')
        c.true('token is a URL-safe string', isinstance(tok, str) and TOKEN_RE.match(tok or ''), repr(tok))
        c.true('token is long enough to be unguessable', isinstance(tok, str) and len(tok) >= 20, repr(tok))
        c.near('expiration = now + 12 h', t.get('expiration'), t0 + dt.timedelta(seconds=43200))
        t15 = client.get_authorization_token(domain=domain, domainOwner=ACCOUNT, durationSeconds=900)
        c.near('durationSeconds=900 → now + 15 min', t15.get('expiration'), t0 + dt.timedelta(seconds=900))
        c.true('a second token is a new token', t15.get('authorizationToken') != tok)
        r['tokenLength'] = len(tok or '')

    def endpoint_():
        e = client.get_repository_endpoint(domain=domain, repository=repo, format='pypi')['repositoryEndpoint']
        c.eq('pypi endpoint', e, '%s/pypi/d/%s-%s/%s/' % (endpoint, domain, ACCOUNT, repo))
        r['pypiEndpoint'] = e

    def publish():
        res = client.publish_package_version(**coords, packageVersion='1.0.0', assetName=asset,
                                             assetContent=content, assetSHA256=sha)
        c.eq('format', res.get('format'), 'generic')
        c.eq('namespace', res.get('namespace'), ns)
        c.eq('package', res.get('package'), pkg)
        c.eq('version', res.get('version'), '1.0.0')
        c.eq('status', res.get('status'), 'Published')
        c.true('versionRevision', isinstance(res.get('versionRevision'), str) and res['versionRevision'])
        a = res.get('asset') or {}
        c.eq('asset name', a.get('name'), asset)
        c.eq('asset size', a.get('size'), len(content))
        c.eq('asset hashes', a.get('hashes'), hashes_of(content))
        state['revision'] = res.get('versionRevision')
        r['revision'] = res.get('versionRevision')

    def after_publish():
        d = client.describe_domain(domain=domain)['domain']
        c.eq('assetSizeBytes after publishing', d.get('assetSizeBytes'), len(content))
        pk = client.list_packages(domain=domain, repository=repo)['packages']
        c.eq('list_packages', [(x.get('format'), x.get('namespace'), x.get('package')) for x in pk],
             [('generic', ns, pkg)])
        if pk:
            c.eq('list_packages originConfiguration', pk[0].get('originConfiguration'),
                 {'restrictions': {'publish': 'ALLOW', 'upstream': 'BLOCK'}})
        c.eq('list_packages format=generic', len(client.list_packages(domain=domain, repository=repo,
                                                                      format='generic')['packages']), 1)
        c.eq('list_packages format=pypi', client.list_packages(domain=domain, repository=repo,
                                                               format='pypi')['packages'], [])
        c.eq('list_packages in the upstream', client.list_packages(domain=domain, repository=up)['packages'], [])
        dp = client.describe_package(**coords)['package']
        c.eq('describe_package', (dp.get('format'), dp.get('namespace'), dp.get('name')), ('generic', ns, pkg))
        v = client.list_package_versions(**coords)
        c.eq('list_package_versions package', (v.get('format'), v.get('namespace'), v.get('package')),
             ('generic', ns, pkg))
        c.eq('list_package_versions defaultDisplayVersion', v.get('defaultDisplayVersion'), '1.0.0')
        c.eq('list_package_versions versions', [(x.get('version'), x.get('status'), x.get('revision'))
                                                for x in v.get('versions', [])],
             [('1.0.0', 'Published', state['revision'])])
        t0 = now()
        pv = client.describe_package_version(**coords, packageVersion='1.0.0')['packageVersion']
        c.eq('describe_package_version status', pv.get('status'), 'Published')
        c.eq('describe_package_version format', pv.get('format'), 'generic')
        c.eq('describe_package_version namespace', pv.get('namespace'), ns)
        c.eq('describe_package_version packageName', pv.get('packageName'), pkg)
        c.eq('describe_package_version version', pv.get('version'), '1.0.0')
        c.eq('describe_package_version revision', pv.get('revision'), state['revision'])
        c.near('describe_package_version publishedTime', pv.get('publishedTime'), t0)
        la = client.list_package_version_assets(**coords, packageVersion='1.0.0')
        c.eq('list_package_version_assets versionRevision', la.get('versionRevision'), state['revision'])
        c.eq('list_package_version_assets version', la.get('version'), '1.0.0')
        assets = la.get('assets', [])
        c.eq('list_package_version_assets names', [x.get('name') for x in assets], [asset])
        if assets:
            c.eq('asset size', assets[0].get('size'), len(content))
            c.eq('asset hashes = hashlib', assets[0].get('hashes'), hashes_of(content))
        r['hashes'] = assets[0].get('hashes') if assets else None

    def download():
        g = client.get_package_version_asset(**coords, packageVersion='1.0.0', asset=asset)
        body = g['asset'].read()
        c.true('downloaded bytes are identical', body == content,
               'got %d bytes, sha256 %s' % (len(body), hashlib.sha256(body).hexdigest()))
        c.eq('assetName', g.get('assetName'), asset)
        c.eq('packageVersion', g.get('packageVersion'), '1.0.0')
        c.eq('packageVersionRevision', g.get('packageVersionRevision'), state['revision'])
        g2 = client.get_package_version_asset(**coords, packageVersion='1.0.0', asset=asset,
                                              packageVersionRevision=state['revision'])
        c.true('download with the revision', g2['asset'].read() == content)

    def second_version():
        # Two assets: the first one with unfinished=True, the second completes the version. The second name
        # needs query-string escaping (space, '+', parentheses).
        a1, a2 = b'first part\n', b'second part \xe2\x9c\x93\n'
        n2 = 'release notes+v2 (final).txt'
        r1 = client.publish_package_version(**coords, packageVersion='2.0.0', assetName='part1.txt',
                                            assetContent=a1, assetSHA256=hashlib.sha256(a1).hexdigest(),
                                            unfinished=True)
        c.eq('unfinished publish status', r1.get('status'), 'Unfinished')
        r2 = client.publish_package_version(**coords, packageVersion='2.0.0', assetName=n2,
                                            assetContent=a2, assetSHA256=hashlib.sha256(a2).hexdigest())
        c.eq('final publish status', r2.get('status'), 'Published')
        names = sorted(x['name'] for x in
                       client.list_package_version_assets(**coords, packageVersion='2.0.0')['assets'])
        c.eq('2.0.0 assets', names, sorted(['part1.txt', n2]))
        g = client.get_package_version_asset(**coords, packageVersion='2.0.0', asset=n2)
        c.true('download of an asset whose name needs escaping', g['asset'].read() == a2)
        c.eq('its assetName header', g.get('assetName'), n2)
        vs = sorted(x['version'] for x in client.list_package_versions(**coords)['versions'])
        c.eq('two versions listed', vs, ['1.0.0', '2.0.0'])
        d = client.describe_domain(domain=domain)['domain']
        c.eq('assetSizeBytes counts all assets', d.get('assetSizeBytes'), len(content) + len(a1) + len(a2))

    def update_status():
        u = client.update_package_versions_status(**coords, versions=['1.0.0'], targetStatus='Unlisted')
        ok = u.get('successfulVersions', {})
        c.eq('successfulVersions keys', sorted(ok), ['1.0.0'])
        c.eq('new status', ok.get('1.0.0', {}).get('status'), 'Unlisted')
        c.eq('failedVersions', u.get('failedVersions', {}), {})
        pv = client.describe_package_version(**coords, packageVersion='1.0.0')['packageVersion']
        c.eq('status after update', pv.get('status'), 'Unlisted')
        m = client.update_package_versions_status(**coords, versions=['1.0.0'], expectedStatus='Published',
                                                  targetStatus='Archived')
        c.eq('mismatched expectedStatus → failedVersions', m.get('failedVersions', {}).get('1.0.0', {})
             .get('errorCode'), 'MISMATCHED_STATUS')
        c.eq('mismatched expectedStatus → no successfulVersions', m.get('successfulVersions', {}), {})
        b = client.update_package_versions_status(**coords, versions=['1.0.0'], expectedStatus='Unlisted',
                                                  targetStatus='Published')
        c.eq('back to Published', b.get('successfulVersions', {}).get('1.0.0', {}).get('status'), 'Published')

    def delete_versions():
        dv = client.delete_package_versions(**coords, versions=['2.0.0'])
        c.eq('delete_package_versions successful', sorted(dv.get('successfulVersions', {})), ['2.0.0'])
        c.eq('deleted status', dv.get('successfulVersions', {}).get('2.0.0', {}).get('status'), 'Deleted')
        c.eq('delete_package_versions failed', dv.get('failedVersions', {}), {})
        vs = [x['version'] for x in client.list_package_versions(**coords)['versions']]
        c.eq('versions after delete', vs, ['1.0.0'])
        c.error('describe deleted version', 'ResourceNotFoundException',
                lambda: client.describe_package_version(**coords, packageVersion='2.0.0'), 404)
        d = client.describe_domain(domain=domain)['domain']
        c.eq('assetSizeBytes after deleting 2.0.0', d.get('assetSizeBytes'), len(content))

    def delete_package():
        dp = client.delete_package(**coords).get('deletedPackage', {})
        c.eq('deletedPackage', (dp.get('format'), dp.get('namespace'), dp.get('package')), ('generic', ns, pkg))
        c.eq('list_packages after delete', client.list_packages(domain=domain, repository=repo)['packages'], [])
        c.error('describe deleted package', 'ResourceNotFoundException',
                lambda: client.describe_package(**coords), 404)

    def delete_repositories():
        dr = client.delete_repository(domain=domain, repository=repo)['repository']
        c.eq('deleted repository name', dr.get('name'), repo)
        c.error('describe deleted repository', 'ResourceNotFoundException',
                lambda: client.describe_repository(domain=domain, repository=repo), 404)
        client.delete_repository(domain=domain, repository=up)
        c.eq('repositoryCount after deletes', client.describe_domain(domain=domain)['domain']
             .get('repositoryCount'), 0)

    def delete_domain():
        dd = client.delete_domain(domain=domain)['domain']
        c.eq('deleted domain name', dd.get('name'), domain)
        c.error('describe deleted domain', 'ResourceNotFoundException',
                lambda: client.describe_domain(domain=domain), 404)
        state['domain_deleted'] = True

    def cleanup():
        if not state.get('domain_deleted'):
            best_effort_delete_domain(client, domain)

    return run_steps(c, [
        ('create_domain', create_domain),
        ('create_repository', create_repositories),
        ('describe', describe),
        ('get_authorization_token', token),
        ('get_repository_endpoint', endpoint_),
        ('publish_package_version', publish),
        ('list/describe after publish', after_publish),
        ('get_package_version_asset', download),
        ('second version, two assets', second_version),
        ('update_package_versions_status', update_status),
        ('delete_package_versions', delete_versions),
        ('delete_package', delete_package),
        ('delete_repository', delete_repositories),
        ('delete_domain', delete_domain),
    ], [('delete leftovers', cleanup)])


def best_effort_delete_domain(client, domain):
    try:
        for repo in client.list_repositories_in_domain(domain=domain).get('repositories', []):
            try:
                client.delete_repository(domain=domain, repository=repo['name'])
            except Exception:  # noqa: BLE001
                pass
        client.delete_domain(domain=domain)
    except Exception:  # noqa: BLE001
        pass


# ---------------------------------------------------------------------------------------------------------
# Scenario: errors map to the modeled exception classes.
# ---------------------------------------------------------------------------------------------------------
def scenario_errors(c, endpoint, prefix):
    client = make_client(endpoint)
    domain = prefix + '-err'
    repo = 'repo'
    r = c.results

    def unknown_domain():
        resp = c.error('describe_domain unknown', 'ResourceNotFoundException',
                       lambda: client.describe_domain(domain=prefix + '-nope'), 404)
        # The modeled exception class is what users catch.
        c.count += 1
        try:
            client.describe_domain(domain=prefix + '-nope')
            c.fail('client.exceptions.ResourceNotFoundException: call succeeded')
        except client.exceptions.ResourceNotFoundException as e:
            r['notFoundMessage'] = e.response['Error'].get('Message')
        except Exception as e:  # noqa: BLE001
            c.fail('client.exceptions.ResourceNotFoundException not raised: %s: %s' % (type(e).__name__, e))
        c.true('RequestId in error metadata', bool(((resp or {}).get('ResponseMetadata') or {}).get('RequestId')))

    def duplicate_domain():
        client.create_domain(domain=domain)
        c.count += 1
        try:
            client.create_domain(domain=domain)
            c.fail('duplicate create_domain succeeded')
        except client.exceptions.ConflictException as e:
            c.eq('ConflictException HTTP status', e.response['ResponseMetadata']['HTTPStatusCode'], 409)
            r['conflictMessage'] = e.response['Error'].get('Message')
        except Exception as e:  # noqa: BLE001
            c.fail('duplicate create_domain: expected client.exceptions.ConflictException, got %s: %s'
                   % (type(e).__name__, e))

    def bad_names():
        c.count += 1
        try:
            client.create_domain(domain='Bad_Name')
            c.fail('create_domain Bad_Name succeeded')
        except client.exceptions.ValidationException as e:
            c.eq('ValidationException HTTP status', e.response['ResponseMetadata']['HTTPStatusCode'], 400)
            r['validationMessage'] = e.response['Error'].get('Message')
        except Exception as e:  # noqa: BLE001
            c.fail('create_domain Bad_Name: expected ValidationException, got %s: %s' % (type(e).__name__, e))
        c.error('create_domain too long', 'ValidationException', lambda: client.create_domain(domain='a' * 51), 400)
        c.error('create_repository with a space', 'ValidationException',
                lambda: client.create_repository(domain=domain, repository='bad repo'), 400)
        c.error('create_repository in an unknown domain', 'ResourceNotFoundException',
                lambda: client.create_repository(domain=prefix + '-nope', repository='repo'), 404)
        client.create_repository(domain=domain, repository=repo)
        c.error('duplicate create_repository', 'ConflictException',
                lambda: client.create_repository(domain=domain, repository=repo), 409)
        c.error('describe_repository unknown', 'ResourceNotFoundException',
                lambda: client.describe_repository(domain=domain, repository='no-such-repo'), 404)
        c.error('upstream that does not exist', ('ResourceNotFoundException', 'ValidationException'),
                lambda: client.create_repository(domain=domain, repository='repo2',
                                                 upstreams=[{'repositoryName': 'no-such-repo'}]))

    def bad_token_duration():
        c.error('durationSeconds=300', 'ValidationException',
                lambda: client.get_authorization_token(domain=domain, durationSeconds=300), 400)
        c.error('durationSeconds=43201', 'ValidationException',
                lambda: client.get_authorization_token(domain=domain, durationSeconds=43201), 400)
        c.error('token for an unknown domain', 'ResourceNotFoundException',
                lambda: client.get_authorization_token(domain=prefix + '-nope'), 404)

    def bad_publish():
        data = b'the real content'
        wrong = hashlib.sha256(b'something else').hexdigest()
        coords = dict(domain=domain, repository=repo, format='generic', namespace='ns', package='p')
        c.error('publish with a wrong sha256', 'ValidationException',
                lambda: client.publish_package_version(**coords, packageVersion='1.0.0', assetName='a.bin',
                                                       assetContent=data, assetSHA256=wrong), 400)
        c.eq('nothing was published', client.list_packages(domain=domain, repository=repo)['packages'], [])
        c.error('publish format=pypi', 'ValidationException',
                lambda: client.publish_package_version(
                    domain=domain, repository=repo, format='pypi', package='p', packageVersion='1.0.0',
                    assetName='a.bin', assetContent=data, assetSHA256=hashlib.sha256(data).hexdigest()), 400)
        c.error('get_package_version_asset unknown', 'ResourceNotFoundException',
                lambda: client.get_package_version_asset(**coords, packageVersion='9.9.9', asset='a.bin'), 404)

    def delete_nonempty_domain():
        c.error('delete_domain with repositories', 'ConflictException',
                lambda: client.delete_domain(domain=domain), 409)

    def cleanup():
        best_effort_delete_domain(client, domain)

    return run_steps(c, [
        ('unknown domain', unknown_domain),
        ('duplicate domain', duplicate_domain),
        ('invalid names', bad_names),
        ('token duration', bad_token_duration),
        ('bad publish', bad_publish),
        ('delete non-empty domain', delete_nonempty_domain),
    ], [('delete leftovers', cleanup)])


# ---------------------------------------------------------------------------------------------------------
# Scenario: boto3 paginators follow nextToken until the last page.
# ---------------------------------------------------------------------------------------------------------
def scenario_paginate(c, endpoint, prefix):
    client = make_client(endpoint)
    domains = ['%s-pg-%d' % (prefix, i) for i in range(5)]
    r = c.results

    def create():
        for d in domains:
            client.create_domain(domain=d)
        for i in range(3):
            client.create_repository(domain=domains[0], repository='repo-%d' % i)
        for v in ['1.0.0', '1.1.0', '2.0.0']:
            data = ('version %s' % v).encode()
            client.publish_package_version(domain=domains[0], repository='repo-0', format='generic',
                                           namespace='ns', package='p', packageVersion=v, assetName='a.txt',
                                           assetContent=data, assetSHA256=hashlib.sha256(data).hexdigest())

    def list_domains():
        pages = list(client.get_paginator('list_domains').paginate(PaginationConfig={'PageSize': 2}))
        names = [d['name'] for p in pages for d in p.get('domains', [])]
        mine = [n for n in names if n.startswith(prefix + '-pg-')]
        c.eq('every domain collected', sorted(mine), sorted(domains))
        c.eq('no duplicates', len(names), len(set(names)))
        c.true('more than one page', len(pages) >= 3, '%d page(s)' % len(pages))
        c.true('pages hold at most 2', all(len(p.get('domains', [])) <= 2 for p in pages),
               repr([len(p.get('domains', [])) for p in pages]))
        c.true('every page but the last has nextToken', all('nextToken' in p for p in pages[:-1]))
        c.true('the last page has no nextToken', 'nextToken' not in pages[-1])
        first = client.list_domains(maxResults=2)
        c.eq('maxResults=2 page size', len(first.get('domains', [])), 2)
        c.true('maxResults=2 nextToken', isinstance(first.get('nextToken'), str) and first['nextToken'])
        full = client.get_paginator('list_domains').paginate(PaginationConfig={'PageSize': 2}).build_full_result()
        c.eq('build_full_result', sorted(d['name'] for d in full['domains'] if d['name'] in domains),
             sorted(domains))
        r['pages'] = len(pages)

    def list_repositories():
        pages = list(client.get_paginator('list_repositories_in_domain').paginate(
            domain=domains[0], PaginationConfig={'PageSize': 2}))
        names = [x['name'] for p in pages for x in p.get('repositories', [])]
        c.eq('list_repositories_in_domain pages', sorted(names), ['repo-0', 'repo-1', 'repo-2'])
        c.eq('list_repositories_in_domain page count', len(pages), 2)

    def list_versions():
        pages = list(client.get_paginator('list_package_versions').paginate(
            domain=domains[0], repository='repo-0', format='generic', namespace='ns', package='p',
            PaginationConfig={'PageSize': 2}))
        vs = [x['version'] for p in pages for x in p.get('versions', [])]
        c.eq('list_package_versions pages', sorted(vs), ['1.0.0', '1.1.0', '2.0.0'])
        c.eq('list_package_versions page count', len(pages), 2)

    def cleanup():
        for d in domains:
            best_effort_delete_domain(client, d)

    return run_steps(c, [
        ('create', create),
        ('list_domains paginator', list_domains),
        ('list_repositories_in_domain paginator', list_repositories),
        ('list_package_versions paginator', list_versions),
    ], [('delete leftovers', cleanup)])


SCENARIOS = {'flow': scenario_flow, 'errors': scenario_errors, 'paginate': scenario_paginate}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--endpoint', required=True)
    ap.add_argument('--scenario', required=True, choices=sorted(SCENARIOS))
    ap.add_argument('--prefix', required=True)
    args = ap.parse_args()
    c = Checks()
    try:
        SCENARIOS[args.scenario](c, args.endpoint.rstrip('/'), args.prefix)
    except Exception as e:  # noqa: BLE001
        c.failures.append('scenario raised %s: %s\n%s' % (type(e).__name__, e, traceback.format_exc()))
    report = {'scenario': args.scenario, 'ok': not c.failures, 'checks': c.count, 'failures': c.failures,
              'results': c.results}
    print(json.dumps(report, default=str))
    return 0 if not c.failures else 1


if __name__ == '__main__':
    sys.exit(main())
