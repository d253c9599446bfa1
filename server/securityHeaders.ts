// Security headers on every response (helmet), chosen for what this server sends: API answers, package
// files, simple-index pages and a small read-only UI, none of which a browser should frame, sniff or run
// script from. The headers are computed once; a response pays five setHeader calls (~170 bytes).
//   everything:  Content-Security-Policy: default-src 'none' (an API answer loads nothing), frame-ancestors
//                'none' and X-Frame-Options: DENY, X-Content-Type-Options: nosniff, Referrer-Policy:
//                no-referrer, Cross-Origin-Resource-Policy: same-origin
//   the UI:      the same, but its CSP lets its pages load their stylesheet (/ui/style.css) and images from
//                this origin, nothing else: no script, no inline style.
// Left out on purpose: Strict-Transport-Security (the server is mostly plain HTTP on loopback, and pinning
// HTTPS for a shared name such as localhost would break other local services), and the legacy headers
// (X-XSS-Protection, X-Download-Options, X-DNS-Prefetch-Control, X-Permitted-Cross-Domain-Policies) that no
// supported browser needs. pip, twine, poetry and the AWS SDKs ignore all of these.
import helmet from 'helmet';

const NOTHING = ["'none'"];

export const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { 'default-src': NOTHING, 'frame-ancestors': NOTHING, 'base-uri': NOTHING, 'form-action': NOTHING },
  },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  originAgentCluster: false,
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
  xContentTypeOptions: true,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: false,
  xXssProtection: false,
});

/** The UI pages' policy, replacing the one above on the routes that render HTML for people. */
export const uiContentSecurityPolicy = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    'default-src': NOTHING,
    'style-src': ["'self'"],
    'img-src': ["'self'"],
    'frame-ancestors': NOTHING,
    'base-uri': NOTHING,
    'form-action': NOTHING,
  },
});
