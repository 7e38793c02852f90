import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, HubRole, ServerToClientEvents } from '../shared/hubProtocol';

/** What the hub knows about a connected client, set when its handshake is accepted. */
export interface SocketData {
  role: HubRole;
  /** The reporting window's id (handshake `auth.reporter`), else the socket id. */
  reporter: string;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type HubNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

/** The room of one job's watchers. */
export const jobRoom = (jobId: string): string => `job:${jobId}`;

/** The room every authenticated client is in: it hears `job:started` of every job. */
export const ALL_JOBS_ROOM = 'jobs';

/** The message of an error, for an answer to a client. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
