// The X.509 toolkit (@peculiar/x509 over Node's WebCrypto), loaded on first use: it costs about 0.3 s to import,
// which only the first start (creating the CA) and the first TLS connection of a region (minting its
// certificate) should pay.
import { KeyObject, createPrivateKey, webcrypto } from 'node:crypto';

type X509Module = typeof import('@peculiar/x509');

export interface X509Toolkit {
  x509: X509Module;
  /** The name-constraints extension (RFC 5280 4.2.1.10), critical, permitting only these DNS subtrees. */
  permittedDnsNames(names: string[]): InstanceType<X509Module['Extension']>;
}

let loading: Promise<X509Toolkit> | undefined;

export function loadX509(): Promise<X509Toolkit> {
  loading ??= (async () => {
    await import('reflect-metadata'); // tsyringe, which @peculiar/x509 uses, needs it loaded first
    const [x509, asn1, { AsnConvert }] = await Promise.all([
      import('@peculiar/x509'),
      import('@peculiar/asn1-x509'),
      import('@peculiar/asn1-schema'),
    ]);
    x509.cryptoProvider.set(webcrypto as Crypto);
    const permittedDnsNames = (names: string[]) => {
      const subtrees = names.map((dNSName) => new asn1.GeneralSubtree({ base: new asn1.GeneralName({ dNSName }) }));
      const value = new asn1.NameConstraints({ permittedSubtrees: new asn1.GeneralSubtrees(subtrees) });
      return new x509.Extension(asn1.id_ce_nameConstraints, true, AsnConvert.serialize(value));
    };
    return { x509, permittedDnsNames };
  })();
  return loading;
}

/** ECDSA P-256 with SHA-256: small, fast to make, accepted by every TLS client we serve. */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export type SigningAlgorithm = RsaHashedImportParams | EcKeyImportParams & { hash: string };

const CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

/** The WebCrypto algorithm that signs with this key (an EC or RSA key of a CA), or a reason it cannot. */
export function signingAlgorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve) return { name: 'ECDSA', ...curve };
  }
  throw new Error(
    `unsupported CA key type ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}: use RSA or ECDSA P-256/P-384/P-521`,
  );
}

/** A PEM private key as a WebCrypto signing key. */
export function importSigningKey(pem: string): Promise<{ key: CryptoKey; algorithm: SigningAlgorithm }> {
  const keyObject = createPrivateKey(pem);
  const algorithm = signingAlgorithmOf(keyObject);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']).then((key) => ({ key, algorithm }));
}

/** An extractable WebCrypto private key as PKCS#8 PEM. */
export const privateKeyPem = (key: CryptoKey): string =>
  KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;

/** A positive serial of 16 random bytes (RFC 5280: positive, at most 20 octets). */
export function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
