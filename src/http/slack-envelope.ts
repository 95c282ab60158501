import { z } from 'zod';
import { describeIssues } from '../validation.ts';

/**
 * What Bolt itself reads of a Slack payload before any listener runs: which kind it is (the same
 * tests, in the same order, as Bolt's App), then the fields it dereferences for that kind (who sent
 * it, from which workspace and channel, the first action, the view, the response URLs). A payload
 * that breaks these would make Bolt throw outside any listener (a 500, or with a `null` body a
 * crash of the process), so it is refused before Bolt sees it. What listeners read is theirs to
 * check: a listener that fails tells the user.
 */

const object = z.record(z.string(), z.unknown());
const withId = z.looseObject({ id: z.string() });
/** Org-wide installs send `team: null`; Bolt then reads `user.team_id`. */
const interaction = {
  user: z.looseObject({ id: z.string(), team_id: z.string().optional() }),
  team: withId.nullable().optional(),
  enterprise: withId.nullable().optional(),
  /** Read as `channel.id` whenever present: an object, never null. */
  channel: withId.optional(),
  response_url: z.string().optional(),
  trigger_id: z.string().optional(),
};

const event = z.looseObject({
  event: z.looseObject({
    type: z.string(),
    user: z.union([z.string(), object]).optional(),
    channel: z.union([z.string(), object]).optional(),
    item: object.optional(),
    subteam: object.optional(),
  }),
  authorizations: z.array(object).optional(),
});

const command = z.looseObject({
  command: z.string(),
  user_id: z.string(),
  team_id: z.string().optional(),
  channel_id: z.string().optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});

const options = z.looseObject({
  ...interaction,
  value: z.string().optional(),
  action_id: z.string().optional(),
});

/** Bolt takes `actions[0]` as the action and matches its ids against patterns: objects with string ids. */
const action = z.looseObject({
  ...interaction,
  actions: z
    .array(z.looseObject({ action_id: z.string().optional(), block_id: z.string().optional() }))
    .optional(),
});

const shortcut = z.looseObject({ ...interaction, callback_id: z.string().optional() });

const view = z.looseObject({
  ...interaction,
  view: z.looseObject({
    app_installed_team_id: z.string().nullable().optional(),
    callback_id: z.string().optional(),
  }),
  response_urls: z.array(z.looseObject({ response_url: z.string() })).optional(),
});

type Kind = 'event' | 'command' | 'options' | 'action' | 'shortcut' | 'view';

const SCHEMAS: Record<Kind, z.ZodType> = { event, command, options, action, shortcut, view };

/** Bolt's own order of tests (App.processEvent → getTypeAndConversation). */
function kindOf(body: Record<string, unknown>): Kind | undefined {
  if (body.event !== undefined) return 'event';
  if (body.command !== undefined) return 'command';
  if (body.name !== undefined || body.type === 'block_suggestion') return 'options';
  if (body.actions !== undefined || body.type === 'dialog_submission') return 'action';
  if (body.type === 'shortcut' || body.type === 'message_action') return 'shortcut';
  if (body.type === 'view_submission' || body.type === 'view_closed') return 'view';
  return undefined;
}

/** Why Bolt could not handle this parsed payload safely; empty when it can. */
export function slackEnvelopeProblems(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return ['the payload must be a JSON object'];
  const record = body as Record<string, unknown>;
  if (record.type === 'url_verification') return [];
  const kind = kindOf(record);
  if (!kind) return ['the payload is not a Slack event, command or interaction'];
  const parsed = SCHEMAS[kind].safeParse(record);
  return parsed.success ? [] : describeIssues(parsed.error);
}
