import { z } from 'zod';

/**
 * The id of one of our rows as our own buttons carry it ('42'). Slack only echoes what we sent, so
 * anything else is a bug: it throws, and the app's error handler logs it once.
 */
export const recordId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
