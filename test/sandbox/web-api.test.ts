import { describe, expect, it, vi } from 'vitest';
import { blocksProblems, viewProblems } from '../../src/sandbox/block-kit.ts';
import { createWorkspace, MAX_PAGE, TRIGGER_TTL_MS } from '../../src/sandbox/web-api.ts';

const modal = (blocks: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Handoff' },
  submit: { type: 'plain_text', text: 'Save' },
  blocks,
  ...extra,
});
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Block Kit limits', () => {
  it('accepts what the app sends and refuses what Slack refuses, naming where', () => {
    expect(blocksProblems('message', [section('hi'), { type: 'divider' }])).toEqual([]);
    expect(
      blocksProblems(
        'message',
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
      ),
    ).toEqual(['[ERROR] must provide no more than 50 items [json-pointer:/blocks]']);
    expect(
      blocksProblems(
        'modal',
        Array.from({ length: 100 }, () => ({ type: 'divider' })),
      ),
    ).toEqual([]);
    expect(
      blocksProblems('message', [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }]),
    ).toEqual(['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]']);
    expect(blocksProblems('message', [section('x'.repeat(3001))])[0]).toContain('/blocks/0/text/text');
    expect(
      blocksProblems('message', [
        { ...section('a'), block_id: 'same' },
        { ...section('b'), block_id: 'same' },
      ]),
    ).toEqual(['[ERROR] duplicate block_id same [json-pointer:/blocks/1/block_id]']);
    expect(
      blocksProblems('message', [
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, style: 'green' }],
        },
      ]),
    ).toEqual(['[ERROR] must be primary or danger [json-pointer:/blocks/0/elements/0/style]']);
  });

  it('checks a modal title, its submit button and its private metadata', () => {
    expect(viewProblems(modal([section('ok')]))).toEqual([]);
    expect(viewProblems(modal([], { title: { type: 'plain_text', text: 'x'.repeat(25) } }))[0]).toContain(
      '/view/title/text',
    );
    const input = {
      type: 'input',
      label: { type: 'plain_text', text: 'Name' },
      element: { type: 'plain_text_input' },
    };
    expect(viewProblems(modal([input], { submit: undefined }))).toEqual([
      '[ERROR] a view with input blocks must have a submit [json-pointer:/view/submit]',
    ]);
    expect(viewProblems(modal([], { private_metadata: 'x'.repeat(3001) }))[0]).toContain(
      '/view/private_metadata',
    );
  });
});

describe('the workspace model', () => {
  it('lets a trigger id open one modal, within 3 seconds, and only one the workspace issued', () => {
    const strict = createWorkspace({ strictTriggers: true });
    const trigger = strict.issueTrigger('U1');
    expect(strict.call('views.open', { trigger_id: trigger, view: modal() })).toMatchObject({ ok: true });
    expect(strict.call('views.open', { trigger_id: trigger, view: modal() })).toEqual({
      ok: false,
      error: 'exchanged_trigger_id',
    });
    expect(strict.call('views.open', { trigger_id: 'made-up', view: modal() })).toEqual({
      ok: false,
      error: 'invalid_trigger_id',
    });
    vi.useFakeTimers({ now: Date.now() });
    try {
      const late = strict.issueTrigger('U1');
      vi.advanceTimersByTime(TRIGGER_TTL_MS + 1);
      expect(strict.call('views.open', { trigger_id: late, view: modal() })).toEqual({
        ok: false,
        error: 'expired_trigger_id',
      });
    } finally {
      vi.useRealTimers();
    }
    const lenient = createWorkspace();
    expect(lenient.call('views.open', { trigger_id: 'any', view: modal() })).toMatchObject({ ok: true });
    expect(lenient.call('views.open', { trigger_id: 'any', view: modal() })).toMatchObject({ ok: false });
  });

  it('stacks at most three modals, refuses a stale hash and an invalid view', () => {
    const w = createWorkspace({ strictTriggers: true });
    const opened = w.call('views.open', { trigger_id: w.issueTrigger('U1'), view: modal() });
    const view = opened.view as { id: string; hash: string };
    w.call('views.push', { trigger_id: w.issueTrigger('U1', view.id), view: modal() });
    w.call('views.push', { trigger_id: w.issueTrigger('U1', view.id), view: modal() });
    expect(w.call('views.push', { trigger_id: w.issueTrigger('U1', view.id), view: modal() })).toEqual({
      ok: false,
      error: 'push_limit_reached',
    });
    expect(w.stackOf('U1')).toHaveLength(3);
    expect(
      w.call('views.update', { view_id: view.id, hash: view.hash, view: modal([section('v2')]) }),
    ).toMatchObject({
      ok: true,
    });
    expect(w.call('views.update', { view_id: view.id, hash: view.hash, view: modal() })).toEqual({
      ok: false,
      error: 'hash_conflict',
    });
    const bad = w.call('views.update', { view_id: view.id, view: modal([{ type: 'nonsense' }]) });
    expect(bad).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect((bad.response_metadata as { messages: string[] }).messages[0]).toContain('unsupported block type');
  });

  it('follows response_action: errors keep the modal, update replaces it, none closes it, clear closes all', () => {
    const w = createWorkspace();
    w.call('views.open', { trigger_id: w.issueTrigger('U1'), view: modal() });
    w.call('views.push', { trigger_id: w.issueTrigger('U1'), view: modal() });
    w.respondToSubmission('U1', { response_action: 'errors' });
    expect(w.stackOf('U1')).toHaveLength(2);
    w.respondToSubmission('U1', { response_action: 'update', view: modal([section('done')]) });
    expect(w.stackOf('U1').at(-1)?.blocks).toEqual([section('done')]);
    w.respondToSubmission('U1', undefined);
    expect(w.stackOf('U1')).toHaveLength(1);
    w.respondToSubmission('U1', { response_action: 'clear' });
    expect(w.stackOf('U1')).toHaveLength(0);
  });

  it('refuses a message over the block limit and pages history with metadata only when asked', () => {
    const w = createWorkspace();
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(w.call('chat.postMessage', { channel: 'C1', text: 'x', blocks: tooMany })).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
    });
    for (let i = 0; i < 20; i += 1)
      w.call('chat.postMessage', {
        channel: 'C1',
        text: `m${i}`,
        metadata: { event_type: 'k', event_payload: { i } },
      });
    const first = w.call('conversations.history', { channel: 'C1', limit: 100 });
    expect(first.messages).toHaveLength(MAX_PAGE);
    expect((first.messages as Array<Record<string, unknown>>)[0]?.metadata).toBeUndefined();
    const withMeta = w.call('conversations.history', { channel: 'C1', include_all_metadata: 'true' });
    expect((withMeta.messages as Array<Record<string, unknown>>)[0]?.metadata).toEqual({
      event_type: 'k',
      event_payload: { i: 19 },
    });
  });

  it('describes people with their time zone and admin flags, by id or email', () => {
    const w = createWorkspace();
    w.addUser({ id: 'U1', email: 'Sam@Example.com', tz: 'Europe/Berlin', realName: 'Sam', isAdmin: true });
    expect(w.call('users.info', { user: 'U1' }).user).toMatchObject({
      tz: 'Europe/Berlin',
      is_admin: true,
      is_owner: false,
      real_name: 'Sam',
    });
    expect(w.call('users.lookupByEmail', { email: 'sam@example.com' })).toMatchObject({ ok: true });
    expect(w.call('users.info', { user: 'U404' })).toEqual({ ok: false, error: 'user_not_found' });
    expect(() => w.addUser({ id: 'U2', tz: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});
