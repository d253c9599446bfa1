// The configuration in-process HTTP suites build their app with: the defaults, with the fast lane on or off
// as the vitest project says (test/http runs twice, see vitest.config.ts), so every suite checks both lanes.
import { loadConfig, type ServerConfig } from '../../server/config.js';

export const testConfig = (overrides: Partial<ServerConfig> = {}): ServerConfig => ({
  ...loadConfig([], {}),
  fastLane: process.env.TEST_FAST_LANE !== 'off',
  ...overrides,
});
