import { describe, expect, it } from 'vitest';
import { formatDate, parseMrkdwn } from '../../src/sandbox/page/mrkdwn.ts';

describe("the page's mrkdwn", () => {
  it('reads bold, italic, strike, code, mentions, links and escapes', () => {
    expect(parseMrkdwn('*Paid* _late_ ~no~ `INV-1` <@U1> <#C1|finance> <!here> &lt;b&gt; &amp;')).toEqual([
      { t: 'b', c: [{ t: 'text', v: 'Paid' }] },
      { t: 'text', v: ' ' },
      { t: 'i', c: [{ t: 'text', v: 'late' }] },
      { t: 'text', v: ' ' },
      { t: 's', c: [{ t: 'text', v: 'no' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'INV-1' },
      { t: 'text', v: ' ' },
      { t: 'user', id: 'U1' },
      { t: 'text', v: ' ' },
      { t: 'channel', id: 'C1', name: 'finance' },
      { t: 'text', v: ' ' },
      { t: 'special', v: 'here' },
      { t: 'text', v: ' <b> &' },
    ]);
    expect(parseMrkdwn('<https://x.example/a?b=1&amp;c=2|the thread>')).toEqual([
      { t: 'link', url: 'https://x.example/a?b=1&c=2', label: 'the thread' },
    ]);
  });

  it('keeps marks inside words and lone asterisks as text', () => {
    expect(parseMrkdwn('net_30 and 2*3*4')).toEqual([{ t: 'text', v: 'net_30 and 2*3*4' }]);
    expect(parseMrkdwn('a * b')).toEqual([{ t: 'text', v: 'a * b' }]);
  });

  it('reads quotes, line breaks, code blocks and emoji', () => {
    expect(parseMrkdwn('&gt; said\nok :white_check_mark:\n```a\n*b*```')).toEqual([
      { t: 'quote', c: [{ t: 'text', v: 'said' }] },
      { t: 'text', v: 'ok ✅' },
      { t: 'br' },
      { t: 'pre', v: 'a\n*b*' },
    ]);
  });

  it("writes <!date^…> tokens in the viewer's time zone, relative to now", () => {
    const [node] = parseMrkdwn('<!date^1764590400^{date_short_pretty} at {time}|Dec 1>');
    expect(node).toEqual({
      t: 'date',
      seconds: 1764590400,
      format: '{date_short_pretty} at {time}',
      link: null,
      fallback: 'Dec 1',
    });
    const now = new Date('2025-12-01T15:00:00Z');
    expect(formatDate(1764590400, '{date_short_pretty} at {time}', 'America/New_York', now)).toBe(
      'Today at 7:00 AM',
    );
    expect(formatDate(1764590400, '{date_long}', 'Asia/Tokyo', now)).toBe('Monday, December 1st, 2025');
    expect(formatDate(1764590400, '{date_num} {date_short}', 'UTC', new Date('2026-01-01T00:00:00Z'))).toBe(
      '2025-12-01 Dec 1, 2025',
    );
    expect(formatDate(1764590400, '{ago}', 'UTC', new Date('2025-12-03T12:00:00Z'))).toBe('2 days ago');
  });
});
