/**
 * Slack's mrkdwn, read into a small tree the page draws: *bold*, _italic_, ~strike~, `code`,
 * ```preformatted```, > quotes, <@U…> mentions, <#C…|name> channels, <!here>, <url|label> links,
 * <!date^…> tokens, :emoji: and the &amp; &lt; &gt; escapes. Pure (no DOM), so it is unit tested.
 */

export type MrkdwnNode =
  | { t: 'text'; v: string }
  | { t: 'b' | 'i' | 's'; c: MrkdwnNode[] }
  | { t: 'code'; v: string }
  | { t: 'pre'; v: string }
  | { t: 'quote'; c: MrkdwnNode[] }
  | { t: 'br' }
  | { t: 'user'; id: string }
  | { t: 'channel'; id: string; name: string | null }
  | { t: 'special'; v: string }
  | { t: 'link'; url: string; label: string }
  | { t: 'date'; seconds: number; format: string; link: string | null; fallback: string };

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  warning: '⚠️',
  x: '❌',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  moneybag: '💰',
  money_with_wings: '💸',
  bell: '🔔',
  rotating_light: '🚨',
  memo: '📝',
  tada: '🎉',
  lock: '🔒',
  unlock: '🔓',
  handshake: '🤝',
  calendar: '📅',
  email: '📧',
  eyes: '👀',
  wave: '👋',
  red_circle: '🔴',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  page_facing_up: '📄',
  receipt: '🧾',
  no_entry: '⛔',
  information_source: 'ℹ️',
  pushpin: '📌',
  zzz: '💤',
  thumbsup: '👍',
  '+1': '👍',
};

export function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** One `<…>` token. */
function angle(inner: string): MrkdwnNode {
  const [target = '', ...rest] = inner.split('|');
  const label = rest.join('|');
  if (target.startsWith('@')) return { t: 'user', id: target.slice(1) };
  if (target.startsWith('#')) return { t: 'channel', id: target.slice(1), name: label || null };
  if (target.startsWith('!date^')) {
    const [, seconds = '0', format = '{date}', link = null] = target.split('^');
    return { t: 'date', seconds: Number(seconds), format, link, fallback: decodeEntities(label) };
  }
  if (target.startsWith('!subteam^')) return { t: 'special', v: label || 'group' };
  if (target.startsWith('!')) return { t: 'special', v: target.slice(1) };
  return { t: 'link', url: decodeEntities(target), label: decodeEntities(label || target) };
}

const STYLE: Record<string, 'b' | 'i' | 's'> = { '*': 'b', _: 'i', '~': 's' };

/** Text with emoji codes replaced. */
function plain(text: string): MrkdwnNode[] {
  const v = decodeEntities(text).replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
  return v === '' ? [] : [{ t: 'text', v }];
}

/** Inline formatting on one line. */
export function inline(text: string): MrkdwnNode[] {
  const out: MrkdwnNode[] = [];
  let buffer = '';
  const flush = () => {
    out.push(...plain(buffer));
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '<') {
      const end = text.indexOf('>', i + 1);
      if (end > i + 1) {
        flush();
        out.push(angle(text.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    }
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'code', v: decodeEntities(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    const style = STYLE[ch];
    const before = i === 0 ? ' ' : (text[i - 1] as string);
    if (style && !/[\p{L}\p{N}]/u.test(before)) {
      const end = closing(text, ch, i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: style, c: inline(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    buffer += ch;
    i += 1;
  }
  flush();
  return out;
}

/** Where a style opened at `from` closes: the same mark, not after a space, not inside a word. */
function closing(text: string, mark: string, from: number): number {
  if (text[from] === ' ' || text[from] === mark) return -1;
  for (let j = from; j < text.length; j += 1) {
    if (text[j] === '<') {
      const end = text.indexOf('>', j);
      if (end > 0) j = end;
      continue;
    }
    if (text[j] !== mark || text[j - 1] === ' ') continue;
    const after = text[j + 1] ?? ' ';
    if (!/[\p{L}\p{N}]/u.test(after)) return j;
  }
  return -1;
}

/** A whole mrkdwn text: code blocks, quotes and lines, then inline formatting. */
export function parseMrkdwn(text: string): MrkdwnNode[] {
  const out: MrkdwnNode[] = [];
  const parts = text.split('```');
  parts.forEach((part, index) => {
    if (index % 2 === 1 && index < parts.length - 1) {
      out.push({ t: 'pre', v: decodeEntities(part.replace(/^\n/, '')) });
      return;
    }
    const chunk = index % 2 === 1 ? `\`\`\`${part}` : part;
    const lines = chunk.split('\n');
    let quote: MrkdwnNode[] | null = null;
    lines.forEach((line, n) => {
      const quoted = /^(&gt;|>)\s?(.*)$/.exec(line);
      if (quoted) {
        if (quote) quote.push({ t: 'br' });
        else {
          quote = [];
          out.push({ t: 'quote', c: quote });
        }
        quote.push(...inline(quoted[2] ?? ''));
        return;
      }
      quote = null;
      if (n > 0 && out.at(-1)?.t !== 'quote') out.push({ t: 'br' });
      out.push(...inline(line));
    });
  });
  return out;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${s}`;
}

function parts(date: Date, timeZone: string) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'long',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    hour12: true,
  });
  const get = (type: string) => f.formatToParts(date).find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    weekday: get('weekday'),
    time: `${get('hour')}:${get('minute')} ${get('dayPeriod')}`,
    timeSecs: `${get('hour')}:${get('minute')}:${get('second')} ${get('dayPeriod')}`,
  };
}

/** "today", "yesterday" or "tomorrow" when the day is one of those for the viewer, else null. */
function pretty(date: Date, now: Date, timeZone: string): string | null {
  const day = (d: Date) => {
    const p = parts(d, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day) / 86_400_000;
  };
  const diff = day(date) - day(now);
  return diff === 0 ? 'today' : diff === -1 ? 'yesterday' : diff === 1 ? 'tomorrow' : null;
}

function ago(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const [n, unit] =
    s < 60
      ? [s, 'second']
      : s < 3600
        ? [Math.round(s / 60), 'minute']
        : s < 86_400
          ? [Math.round(s / 3600), 'hour']
          : s < 2_592_000
            ? [Math.round(s / 86_400), 'day']
            : s < 31_536_000
              ? [Math.round(s / 2_592_000), 'month']
              : [Math.round(s / 31_536_000), 'year'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A `<!date^…>` token's text in the viewer's time zone, as Slack writes it. */
export function formatDate(seconds: number, format: string, timeZone: string, now: Date): string {
  const date = new Date(seconds * 1000);
  const p = parts(date, timeZone);
  const month = MONTHS[p.month - 1] ?? '';
  const long = `${month} ${ordinal(p.day)}, ${p.year}`;
  const short = `${month.slice(0, 3)} ${p.day}, ${p.year}`;
  const rel = pretty(date, now, timeZone);
  const tokens: Record<string, string> = {
    date_num: `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`,
    date: long,
    date_short: short,
    date_long: `${p.weekday}, ${long}`,
    date_pretty: rel ?? long,
    date_short_pretty: rel ?? short,
    date_long_pretty: rel ?? `${p.weekday}, ${long}`,
    time: p.time,
    time_secs: p.timeSecs,
    ago: ago(date, now),
  };
  const text = format.replace(/\{([a-z_]+)\}/g, (m, name: string) => tokens[name] ?? m);
  return /^(today|yesterday|tomorrow)/.test(text) ? text[0]?.toUpperCase() + text.slice(1) : text;
}
