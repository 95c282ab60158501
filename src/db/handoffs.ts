import type { Transaction } from 'kysely';
import type { Database, Handoff } from './schema.ts';

export interface HandoffWrite {
  teamId: string;
  dealId: number;
  fields: unknown;
  complete: boolean;
  submittedBy: string;
  at: Date;
}

/** Writes a new version of the handoff; the caller holds the deal's lock. */
export async function writeHandoff(
  db: Transaction<Database>,
  w: HandoffWrite,
  previous: Handoff | undefined,
): Promise<Handoff> {
  const completedAt = w.complete ? (previous?.completed_at ?? w.at) : null;
  if (!previous) {
    return db
      .insertInto('handoffs')
      .values({
        deal_id: w.dealId,
        team_id: w.teamId,
        fields: JSON.stringify(w.fields),
        complete: w.complete,
        submitted_by: w.submittedBy,
        submitted_at: w.at,
        completed_at: completedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return db
    .updateTable('handoffs')
    .set({
      fields: JSON.stringify(w.fields),
      complete: w.complete,
      version: previous.version + 1,
      submitted_by: w.submittedBy,
      submitted_at: w.at,
      completed_at: completedAt,
    })
    .where('deal_id', '=', w.dealId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
