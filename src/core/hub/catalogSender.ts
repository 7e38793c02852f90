// Hands the hub what discovery saw. Only the latest snapshot is kept; it is sent when connected and
// again after every connect (the hub may be a new one). It is not spooled: the next discovery
// produces it again.
import type { CatalogSnapshot } from '../../shared/catalog';
import type { Answer } from './hubConnection';

export class CatalogSender {
  private latest: CatalogSnapshot | undefined;
  /** The hub of the current connection has still to acknowledge the latest snapshot. */
  private due = false;
  private sending = false;

  constructor(
    private readonly send: (snapshot: CatalogSnapshot) => Promise<Answer<object>>,
    /** Whether a snapshot can be sent now, and which connection it would go on. */
    private readonly connection: () => { open: boolean; session: number },
    private readonly log: (message: string) => void,
  ) {}

  set(snapshot: CatalogSnapshot): void {
    this.latest = snapshot;
    this.due = true;
    void this.flush();
  }

  /** A new connection: its hub has not seen the catalog. */
  connected(): void {
    this.due ||= this.latest !== undefined;
    void this.flush();
  }

  // Sends the latest catalog until the hub of the current connection has answered it. An answer
  // lost on this connection waits for the next connect; a refusal (the store failed) is logged and
  // left to the next discovery.
  private async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.due && this.latest && this.connection().open) {
        const { session } = this.connection();
        this.due = false;
        const answer = await this.send(this.latest);
        if (answer === 'lost') {
          this.due = true;
          if (session === this.connection().session) return;
        } else if ('later' in answer) {
          // Busy: the next connect or the next discovery sends it again.
          this.due = true;
          return;
        } else if ('refused' in answer) {
          this.log(`The hub refused the catalog: ${answer.refused}`);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
