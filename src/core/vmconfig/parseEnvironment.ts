import path from 'node:path';
import yaml from 'js-yaml';
import type { Problem } from '../problem';
import { sshFieldProblem } from '../ssh/destination';
import { formatBytes } from '../util/formatBytes';
import { READ_LIMITS } from '../util/readBounded';
import type { Environment, Vm } from './types';
import { YamlPositions, type YamlPosition } from './yamlPositions';

/** Environment files larger than this are reported, not parsed. */
export const MAX_ENVIRONMENT_BYTES = READ_LIMITS.environment;

/** A document whose aliases expand to more values than this is refused (a "billion laughs" file). */
export const MAX_EXPANDED_VALUES = 1_000_000;

/** The user Ansible connects as when a VM sets no ansible_user. */
export const DEFAULT_ANSIBLE_USER = 'ubuntu';

export interface ParsedEnvironment {
  environment?: Environment;
  problems: Problem[];
}

// YAML 1.2 core types (strings stay strings: no dates, no binary) plus `<<` merge keys, which
// config files use to share vars. js-yaml 4 has no unsafe types in any schema.
const mergeType = (yaml as unknown as { types?: { merge?: yaml.Type } }).types?.merge;
const SCHEMA = mergeType ? yaml.CORE_SCHEMA.extend({ implicit: [mergeType] }) : yaml.CORE_SCHEMA;

/** The environment name: the `<env>` folder that holds the file. */
export function environmentNameOf(file: string): string {
  return path.basename(path.dirname(file));
}

// Parses one environments/<env>/config.yml; never throws. Bad VMs are left out with a problem each.
export function parseEnvironment(text: string, file: string): ParsedEnvironment {
  const problems: Problem[] = [];
  const report = (severity: Problem['severity'], message: string, at?: YamlPosition) => {
    problems.push(at ? { severity, message, file, line: at.line, column: at.column } : { severity, message, file });
  };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    report('error', `The file is ${formatBytes(bytes)}; environment files over ${formatBytes(MAX_ENVIRONMENT_BYTES)} are not read.`);
    return { problems };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    report('error', 'The file contains NUL bytes: it is binary, not YAML.', positionOfOffset(text, nul));
    return { problems };
  }

  const positions = new YamlPositions();
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: SCHEMA, filename: file, json: false, listener: positions.listener });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const mark = err.mark as yaml.Mark | undefined;
      const at = mark ? { line: mark.line + 1, column: mark.column + 1 } : secondDocumentStart(text);
      report('error', `Invalid YAML: ${err.reason}${duplicateKeyName(err.reason, text, at)}.`, at);
    } else {
      report('error', `The file cannot be parsed: ${err instanceof Error ? err.message : String(err)}.`);
    }
    return { problems };
  }

  if (countValues(doc, MAX_EXPANDED_VALUES) > MAX_EXPANDED_VALUES) {
    report('error', `The file's aliases expand to more than ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values; it is not read.`);
    return { problems };
  }

  const name = environmentNameOf(file);
  const environment: Environment = { name, file, vms: [] };
  if (doc === undefined || doc === null) {
    report('warning', 'The file is empty: the environment has no VMs.');
    return { environment, problems };
  }
  if (!isMapping(doc)) {
    report('error', `The top level must be a mapping with template, metadata and vms; found ${describe(doc)}.`, { line: 1, column: 1 });
    return { problems };
  }

  const template = optionalString(doc.template, 'template', ['template']);
  if (template !== undefined) environment.template = template;

  if (doc.metadata !== undefined && doc.metadata !== null) {
    if (!isMapping(doc.metadata)) {
      report('warning', `metadata must be a mapping with description, owner and environment; found ${describe(doc.metadata)}. It is ignored.`, positions.keyAt(['metadata']));
    } else {
      const description = optionalString(doc.metadata.description, 'metadata.description', ['metadata', 'description']);
      if (description !== undefined) environment.description = description;
      const owner = optionalString(doc.metadata.owner, 'metadata.owner', ['metadata', 'owner']);
      if (owner !== undefined) environment.owner = owner;
      const declared = optionalString(doc.metadata.environment, 'metadata.environment', ['metadata', 'environment']);
      if (declared !== undefined && declared !== name) {
        environment.declaredName = declared;
        report('warning', `metadata.environment is "${declared}" but the folder is "${name}"; the folder name is used.`, positions.keyAt(['metadata', 'environment']));
      }
    }
  }

  const vms = doc.vms;
  if (vms === undefined) {
    report('warning', 'The file has no vms mapping: the environment has no VMs.');
    return { environment, problems };
  }
  if (vms === null) {
    report('warning', 'vms is empty: the environment has no VMs.', positions.keyAt(['vms']));
    return { environment, problems };
  }
  if (!isMapping(vms)) {
    const hint = Array.isArray(vms) ? ' Write each VM as `<name>:` with host, ansible_user and vars under it.' : '';
    report('error', `vms must be a mapping of VM names to settings; found ${describe(vms)}.${hint}`, positions.keyAt(['vms']));
    return { environment, problems };
  }

  for (const [vmName, settings] of Object.entries(vms)) {
    const vm = parseVm(vmName, settings);
    if (vm) environment.vms.push(vm);
  }
  return { environment, problems };

  function optionalString(value: unknown, label: string, at: string[]): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    report('warning', `${label} must be a string; found ${describe(value)}. It is ignored.`, positions.keyAt(at));
    return undefined;
  }

  function parseVm(vmName: string, settings: unknown): Vm | undefined {
    const keyPath = ['vms', vmName];
    const vmAt = positions.keyAt(keyPath);
    const where = (field: string) => positions.keyAt([...keyPath, field]) ?? vmAt;
    if (settings === null || settings === undefined) {
      report('error', `VM "${vmName}" has no settings; it needs at least a host.`, vmAt);
      return undefined;
    }
    if (!isMapping(settings)) {
      report('error', `VM "${vmName}" must be a mapping with host, ansible_user and vars; found ${describe(settings)}.`, vmAt);
      return undefined;
    }

    const rawHost = settings.host;
    let host: string;
    if (rawHost === undefined || rawHost === null || rawHost === '') {
      report('error', `VM "${vmName}" has no host.`, rawHost === undefined ? vmAt : where('host'));
      return undefined;
    } else if (typeof rawHost === 'string' || typeof rawHost === 'number') {
      host = String(rawHost).trim();
    } else {
      report('error', `VM "${vmName}": host must be an IP address or a host name; found ${describe(rawHost)}.`, where('host'));
      return undefined;
    }
    // The one check of ssh destinations: a VM that fails it is a problem here, never a VM.
    const badHost = sshFieldProblem('host', host);
    if (badHost !== undefined) {
      const hint = host.includes('@') ? ' Put the user in ansible_user.' : '';
      report('error', `VM "${vmName}": host ${JSON.stringify(host)} ${badHost}.${hint}`, where('host'));
      return undefined;
    }

    const rawUser = settings.ansible_user;
    let user = DEFAULT_ANSIBLE_USER;
    if (typeof rawUser === 'string' && rawUser !== '') {
      user = rawUser;
    } else if (typeof rawUser === 'number') {
      user = String(rawUser);
      report('warning', `VM "${vmName}": ansible_user is the number ${user}; quote it ("${user}") to make it a user name.`, where('ansible_user'));
    } else if (rawUser !== undefined && rawUser !== null) {
      report('error', `VM "${vmName}": ansible_user must be a user name; found ${describe(rawUser)}.`, where('ansible_user'));
      return undefined;
    }
    const badUser = sshFieldProblem('user', user);
    if (badUser !== undefined) {
      report('error', `VM "${vmName}": ansible_user ${JSON.stringify(user)} ${badUser}.`, where('ansible_user'));
      return undefined;
    }

    let vars: Record<string, unknown> = {};
    if (isMapping(settings.vars)) {
      vars = { ...settings.vars };
    } else if (settings.vars !== undefined && settings.vars !== null) {
      report('warning', `VM "${vmName}": vars must be a mapping; found ${describe(settings.vars)}. It is ignored.`, where('vars'));
    }

    return { name: vmName, environment: name, host, user, vars, file, line: vmAt?.line ?? 1 };
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short description of a YAML value for messages: "a list", "the number 5". */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'string') return `the string "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return typeof value;
}

/** Values in `value` with aliases expanded, counting stops once past `limit`. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const next = stack.pop();
    count += 1;
    if (typeof next === 'object' && next !== null) {
      for (const child of Array.isArray(next) ? next : Object.values(next)) stack.push(child);
    }
  }
  return count;
}

/** For "duplicated mapping key": the key, read from the text where js-yaml stopped. */
function duplicateKeyName(reason: string, text: string, at: YamlPosition | undefined): string {
  if (reason !== 'duplicated mapping key' || !at) return '';
  const line = text.split(/\r?\n/)[at.line - 1] ?? '';
  const key = /^\s*("[^"]*"|'[^']*'|[^:#]+?)\s*:/.exec(line.slice(at.column - 1))?.[1];
  return key ? ` ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}` : '';
}

/** Where a second document starts (`---`), for js-yaml's "expected a single document" error, which has no mark. */
function secondDocumentStart(text: string): YamlPosition | undefined {
  const lines = text.split(/\r?\n/);
  let content = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^(---|\.\.\.)(\s|$)/.test(lines[i])) {
      if (content) return { line: i + 1, column: 1 };
      content = true;
    } else if (!/^\s*(#.*)?$/.test(lines[i])) content = true;
  }
  return undefined;
}

function positionOfOffset(text: string, offset: number): YamlPosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
