import type * as SshConfigModule from 'ssh-config' with { 'resolution-mode': 'import' };

// The ssh-config package declares ESM-only types but ships a CommonJS build, which is what this
// CommonJS code (and the esbuild bundle) loads; a dynamic import() would break under test loaders.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const sshConfigPackage: typeof SshConfigModule = require('ssh-config');

export type SshConfigDirective = SshConfigModule.Directive;
