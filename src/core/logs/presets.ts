// The log sources every VM offers: what a user would otherwise type after `ssh vm`.
// Each is an argument list; the SSH layer quotes it for the remote shell.

export interface LogPreset {
  id: 'docker' | 'journal' | 'syslog';
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
