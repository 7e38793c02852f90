import type { Namespace, Socket } from 'socket.io';
import type { SocketCatalog } from './runRequests';
import type { Ack, ClientToServerEvents, HubRole, JobDoneEvent, JobLogEvent, JobStartedEvent, ServerToClientEvents } from '../shared/hubProtocol';

/** What the hub knows about a connected client, set when its handshake is accepted. */
export interface SocketData {
  role: HubRole;
  /** The reporting window's id (handshake `auth.reporter`), else the socket id. */
  reporter: string;
  /** The protocol version the client said in its handshake (1 when it said none). */
  protocol: number;
  /** The SHA-256 of the reporter key of its handshake (jobOwners.ts); absent when it sent none. */
  keyHash?: Buffer;
  /** What an operator's last catalog named, for `jobs:run`. */
  catalog?: SocketCatalog;
}

/**
 * What one hub tells the others about a job reported to it, so that each sends it to its own
 * sockets. `nextSeq` is the first seq it will send live; `lastSeq` the last one it sent.
 */
export type PeerJobEvent =
  | { type: 'started'; job: JobStartedEvent; nextSeq: number; announce: boolean }
  | { type: 'log'; jobId: string; events: JobLogEvent[] }
  | { type: 'done'; event: JobDoneEvent; lastSeq: number };

/** Between hubs that share one PostgreSQL database (Socket.io's server-side events). */
export interface InterHubEvents {
  'hub:job': (event: PeerJobEvent) => void;
  /** Of these running jobs, those reported to the hub that answers in its life. */
  'hub:claims': (jobIds: string[], answer: (claimed: string[]) => void) => void;
  /** Cancel a job whose window is connected to the hub that answers; null: not connected there. */
  'hub:cancel': (jobId: string, answer: (result: Ack | null) => void) => void;
}

/** What a client sends, as it arrives: values of any shape until its event's parser has read them. */
export type WireEvents = { [E in keyof ClientToServerEvents]: (...args: unknown[]) => void };

export type HubNamespace = Namespace<WireEvents, ServerToClientEvents, InterHubEvents, SocketData>;
export type HubSocket = Socket<WireEvents, ServerToClientEvents, InterHubEvents, SocketData>;

/** The room of one job's watchers. */
export const jobRoom = (jobId: string): string => `job:${jobId}`;

/** The room every authenticated client is in: it hears `job:started` of every job. */
export const ALL_JOBS_ROOM = 'jobs';
