// The log sources every VM offers: what a user would otherwise type after `ssh vm`.
// Each is an argument list; the SSH layer quotes it for the remote shell.
import { formatCommand } from '../../shared/format';

export interface LogPreset {
  /** `docker`, `journal`, `syslog`, or `custom:<name>` for the user's own. */
  id: string;
  label: string;
  /** Shown beside the label. */
  detail: string;
  argv: readonly string[];
}

export const LOG_PRESETS: readonly LogPreset[] = [
  { id: 'docker', label: 'docker logs', detail: 'a container, chosen from docker ps', argv: ['docker', 'logs', '-f', '--tail', '200', '${container}'] },
  { id: 'journal', label: 'journalctl', detail: 'the systemd journal', argv: ['journalctl', '-f', '-n', '200'] },
  { id: 'syslog', label: 'syslog', detail: '/var/log/syslog', argv: ['tail', '-n', '200', '-F', '/var/log/syslog'] },
];

/** A preset of the user's, from the `vmOrchestrator.logs.presets` setting. */
export interface CustomPreset {
  name: string;
  argv: string[];
}

// The user's presets after the built-in ones; an entry without a name or an argv of strings
// is skipped (settings are hand-written JSON) and reported by the caller.
export function allPresets(custom: readonly unknown[]): { presets: LogPreset[]; invalid: number } {
  const valid = custom.filter(
    (c): c is CustomPreset =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as CustomPreset).name === 'string' &&
      (c as CustomPreset).name !== '' &&
      Array.isArray((c as CustomPreset).argv) &&
      (c as CustomPreset).argv.length > 0 &&
      (c as CustomPreset).argv.every((a) => typeof a === 'string'),
  );
  const mine = valid.map((c) => ({ id: `custom:${c.name}`, label: c.name, detail: formatCommand(c.argv), argv: c.argv }));
  return { presets: [...LOG_PRESETS, ...mine], invalid: custom.length - valid.length };
}
