/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/webhooks', '<rootDir>/scripts'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
    // d3 and ofx-js ship ES modules only: jest's CommonJS runtime needs them transformed (Node itself requires them as they are).
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(d3-[^/]+|internmap|ofx-js)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // The console's browser checks first, the Lighthouse test last and alone (test/support/run-order.js, running-files.js).
  testSequencer: '<rootDir>/test/support/run-order.js',
  reporters: ['default', '<rootDir>/test/support/running-files.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
