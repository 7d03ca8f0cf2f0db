export * from './adaptive.js';
export * from './engine-host.js';
export * from './errors.js';
export * from './json-schema.js';
export * from './load.js';
export * from './mcp.js';
export * from './pricing.js';
export * from './schema.js';
