import type { LogRowInput } from "./forge.js";

/** What one UpdateLog answer did to the buffer. */
export interface AckOutcome {
  /** The forge now holds every row that was sent. */
  complete: boolean;
  /** The forge moved forward (or told us it lost rows, which we refill); false means it took nothing. */
  progressed: boolean;
  /** Rows the forge had acknowledged before and no longer holds; refilled with placeholders. */
  lost: number;
  /** The forge acknowledged rows we never sent; the ack was clamped. */
  overAcked: boolean;
}

/**
 * Task-wide log rows not yet acknowledged by the forge. Row `acked + i` is `rows[i]`; everything below
 * `acked` is held by the forge and dropped here.
 */
export class LogBuffer {
  private rows: LogRowInput[] = [];
  private ackedCount = 0;

  /** Rows the forge holds. */
  get acked(): number {
    return this.ackedCount;
  }

  /** Rows waiting for an ack. */
  get pending(): number {
    return this.rows.length;
  }

  /** Index the next appended row will get. */
  get total(): number {
    return this.ackedCount + this.rows.length;
  }

  push(row: LogRowInput): void {
    this.rows.push(row);
  }

  /** The next rows to send, starting at `acked`, within both limits (at least one row if any). */
  chunk(maxRows: number, maxBytes: number): LogRowInput[] {
    let bytes = 0;
    let n = 0;
    for (const row of this.rows) {
      if (n >= maxRows) break;
      // Two bytes per UTF-16 unit bounds the UTF-8 size closely enough for a request budget.
      bytes += row.content.length * 2 + 16;
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    return this.rows.slice(0, n);
  }

  /** Applies the forge's ack for `sent` rows sent at `index` (gap → the unaccepted rows stay for a resend). */
  applyAck(index: number, sent: number, ack: number): AckOutcome {
    const end = index + sent;
    const overAcked = ack > end;
    const clamped = Math.min(ack, end);
    if (clamped < this.ackedCount) {
      // The forge lost rows it had confirmed. They are gone here too, so keep later indexes (step ranges)
      // right by refilling the hole with placeholders.
      const lost = this.ackedCount - clamped;
      const fill: LogRowInput[] = Array.from({ length: lost }, (_, i) => ({
        time: new Date(),
        content: i === 0 ? `runnerpool: the forge lost ${lost} log row(s) it had acknowledged` : "",
      }));
      this.rows.unshift(...fill);
      this.ackedCount = clamped;
      return { complete: false, progressed: true, lost, overAcked };
    }
    const accepted = clamped - this.ackedCount;
    this.rows.splice(0, accepted);
    this.ackedCount = clamped;
    return { complete: clamped >= end, progressed: accepted > 0, lost: 0, overAcked };
  }

  /** The forge archived everything (a repeated final upload): nothing is left to send. */
  markAllAcked(): void {
    this.ackedCount += this.rows.length;
    this.rows = [];
  }
}
