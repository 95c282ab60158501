import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, csvRecords, lineBreaks, parseCsv } from '../../src/domain/csv.ts';

/** A record as a careful exporter writes it: cells quoted when they must be, quotes doubled. */
function written(record: readonly string[]): string {
  return record.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');
}

const cell = fc.oneof(
  fc.constantFrom(
    '',
    'Acme, Inc.',
    'say "hi"',
    'two\nlines',
    'crlf\r\nin it',
    'Zoë Müller',
    '"',
    ',',
    '1,234.50',
  ),
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', 'é', '€', '😀'), maxLength: 8 }),
);
const records = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 });
const newline = fc.constantFrom('\n', '\r\n');

async function streamed(pieces: readonly (string | Uint8Array)[]): Promise<string[][]> {
  async function* source() {
    yield* pieces;
  }
  const out: string[][] = [];
  for await (const record of csvRecords(source())) out.push(record);
  return out;
}

/** `bytes` cut at the given points (so that pieces may split a character's UTF-8 bytes). */
function cut<T extends string | Uint8Array>(whole: T, at: readonly number[]): T[] {
  const points = [...new Set(at.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: T[] = [];
  let from = 0;
  for (const p of [...points, whole.length]) {
    pieces.push(whole.slice(from, p) as T);
    from = p;
  }
  return pieces;
}

describe('parseCsv and csvRecords', () => {
  it('read back every record as written, whole or in pieces cut anywhere (bytes or text)', async () => {
    await fc.assert(
      fc.asyncProperty(records, newline, fc.array(fc.nat(), { maxLength: 6 }), async (rows, nl, at) => {
        const text = rows.map((r) => written(r) + nl).join('');
        expect(parseCsv(text)).toEqual(rows);
        expect(await streamed(cut(text, at))).toEqual(rows);
        expect(await streamed(cut(new TextEncoder().encode(text), at))).toEqual(rows);
      }),
      { numRuns: 200 },
    );
  });

  it('drops a byte order mark, keeps blank lines as one empty cell and allows ragged rows', async () => {
    const text = '\uFEFFInvoice,Customer\n\nA-1,Acme,extra\nA-2\n';
    const expected = [['Invoice', 'Customer'], [''], ['A-1', 'Acme', 'extra'], ['A-2']];
    expect(parseCsv(text)).toEqual(expected);
    expect(await streamed([new TextEncoder().encode(text)])).toEqual(expected);
    expect(parseCsv('a,b')).toEqual([['a', 'b']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('keeps the line ending the file uses, even when the first quoted value holds another', () => {
    expect(parseCsv('a,"x\r\ny"\nb,c\n')).toEqual([
      ['a', 'x\r\ny'],
      ['b', 'c'],
    ]);
    expect(parseCsv('a,b\r\nc,d\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('refuses a quoted value never closed, or with text after its quote, naming the line', async () => {
    const unclosed = 'Invoice,Customer\n"A-1\nstill",Acme\nA-2,"Acme\nA-3,Beta\n';
    expect(() => parseCsv(unclosed)).toThrow(
      new CsvError('line 4: a quoted value is not closed (its closing " is missing)'),
    );
    await expect(streamed(cut(unclosed, [5, 20, 31]))).rejects.toThrow(
      /^line 4: a quoted value is not closed/,
    );
    const trailing = 'Invoice,Customer\nA-1,"Acme" Inc\n';
    expect(() => parseCsv(trailing)).toThrow(/^line 2: a quoted value has text after its closing quote/);
    await expect(streamed(cut(trailing, [22]))).rejects.toThrow(/^line 2: a quoted value has text after/);
  });

  it('counts the lines a record spans', () => {
    expect(lineBreaks(['a', 'b\nc', 'd\r\ne\rf'])).toBe(3);
  });
});
