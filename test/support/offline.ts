// Environment for a child that must not leave the machine (pip, twine, poetry in the tests and the pip bench):
// an HTTP proxy that refuses connections (127.0.0.1:9), bypassed only for 127.0.0.1, so a client that tries to
// reach anything but the emulator (pypi.org, files.pythonhosted.org) fails at once instead of hanging.
export const OFFLINE_TRAP = {
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  no_proxy: '127.0.0.1',
  NO_PROXY: '127.0.0.1',
};
