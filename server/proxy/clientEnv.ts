// What a user sets so that tools which hardcode AWS's host names reach this server: shell lines for
// `eval "$(curl -s http://127.0.0.1:8080/_local/env)"` (or `node dist/server/main.js env`), and the CA itself.
// Every variable points at this server's proxy or its bundle; NO_PROXY keeps loopback traffic direct.
import { Router } from 'express';

export interface ClientEnvironment {
  /** This server's own HTTP address, e.g. http://127.0.0.1:8080: the proxy. */
  proxyUrl: string;
  /** Absolute path of DATA_DIR/tls/bundle.pem: the system roots plus the local CA. */
  bundleFile: string;
}

/** POSIX shell single quotes: safe for any path. */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function clientEnvScript({ proxyUrl, bundleFile }: ClientEnvironment): string {
  const vars: Array<[string, string, string?]> = [
    ['HTTPS_PROXY', proxyUrl, 'AWS CodeArtifact hosts are answered by this server (CONNECT, TLS ended locally)'],
    ['https_proxy', proxyUrl],
    ['NO_PROXY', '127.0.0.1,localhost'],
    ['no_proxy', '127.0.0.1,localhost'],
    ['REQUESTS_CA_BUNDLE', bundleFile, 'the system roots plus this server\'s CA, for pip, twine, poetry, boto3 ...'],
    ['AWS_CA_BUNDLE', bundleFile],
    ['PIP_CERT', bundleFile],
    ['NODE_EXTRA_CA_CERTS', bundleFile],
    ['npm_config_cafile', bundleFile, "npm's cafile setting wins over NODE_EXTRA_CA_CERTS"],
  ];
  const lines = ['# codeartifact-local: eval "$(curl -s ' + proxyUrl + '/_local/env)"'];
  for (const [name, value, why] of vars) {
    if (why) lines.push(`# ${why}`);
    lines.push(`export ${name}=${quote(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** GET /_local/env (the script) and GET /_local/ca.pem (the CA certificate). */
export function clientEnvRoutes(env: ClientEnvironment, caPem: string): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router.get('/_local/env', (_req, res) => {
    res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send(clientEnvScript(env));
  });
  router.get('/_local/ca.pem', (_req, res) => {
    res.type('application/x-pem-file').set('Content-Disposition', 'inline; filename="codeartifact-local-ca.pem"').send(caPem);
  });
  return router;
}
