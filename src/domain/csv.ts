/**
 * CSV as the importers read it: records of untrimmed cells, rows of any length, blank lines kept
 * (as one empty cell, so that line numbers stay true), a UTF-8 byte order mark dropped. Parsed by
 * papaparse's parser, fed a piece at a time so that a file of any size streams through in bounded
 * memory. A quoted value that is never closed, or that has text after its closing quote, makes the
 * file unreadable: CsvError, naming the line where the record starts.
 */
import Papa from 'papaparse';

export class CsvError extends Error {}

const LINE_BREAK = /\r\n|\r|\n/g;

/** The line breaks inside a record's quoted cells (a record spans 1 + this many lines). */
export function lineBreaks(record: readonly string[]): number {
  let count = 0;
  for (const cell of record) {
    if (cell.includes('\n') || cell.includes('\r')) count += cell.match(LINE_BREAK)?.length ?? 0;
  }
  return count;
}

/**
 * The line ending of a CSV text: its first line break outside quoted values, or undefined when it
 * has none yet (or its first is a carriage return at the very end, which a line feed may follow).
 */
function lineEnding(text: string): string | undefined {
  const closed = text.replace(/"[^"]*"/g, '');
  // What follows a quote not yet closed may be inside it.
  const open = closed.indexOf('"');
  const unquoted = open === -1 ? closed : closed.slice(0, open);
  const at = unquoted.search(/[\r\n]/);
  if (at === -1) return undefined;
  if (unquoted[at] === '\n') return '\n';
  if (at + 1 === unquoted.length) return undefined;
  return unquoted[at + 1] === '\n' ? '\r\n' : '\r';
}

const QUOTE_PROBLEMS: Record<string, string> = {
  MissingQuotes: 'a quoted value is not closed (its closing " is missing)',
  InvalidQuotes: 'a quoted value has text after its closing quote (a " inside a quoted value is written "")',
};

/**
 * Cuts text given piece by piece into records: each piece's complete records at once, the
 * incomplete last one kept for the next piece (or `end`).
 */
class RecordCutter {
  #partial = '';
  #newline: string | undefined;
  #line = 1;
  #started = false;

  /** The records complete once `text` is added. */
  feed(text: string): string[][] {
    let input = this.#partial + text;
    if (!this.#started && input !== '') {
      this.#started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    return this.#parse(input, true);
  }

  /** The last records, once all the text was fed. */
  end(): string[][] {
    const rest = this.#partial;
    this.#partial = '';
    return rest === '' ? [] : this.#parse(rest, false);
  }

  #parse(input: string, more: boolean): string[][] {
    // The line ending is the first one found, then kept; the records wait until it is known.
    this.#newline ??= lineEnding(input);
    if (this.#newline === undefined && more) {
      this.#partial = input;
      return [];
    }
    const parser = new Papa.Parser({
      delimiter: ',',
      quoteChar: '"',
      escapeChar: '"',
      newline: (this.#newline ?? '\n') as '\n',
    });
    const result = parser.parse(input, 0, more) as Papa.ParseResult<string[]>;
    const records = result.data;
    // With more to come, the last record is left out (and any problem papaparse saw in it).
    const problem = (result.errors as Papa.ParseError[]).find(
      (e) => QUOTE_PROBLEMS[e.code] !== undefined && (!more || (e.row ?? 0) < records.length),
    );
    if (problem) {
      const at = Math.min(problem.row ?? 0, records.length);
      for (let i = 0; i < at; i++) this.#line += 1 + lineBreaks(records[i] as string[]);
      throw new CsvError(`line ${this.#line}: ${QUOTE_PROBLEMS[problem.code]}`);
    }
    this.#partial = more ? input.slice(result.meta.cursor) : '';
    for (const record of records) this.#line += 1 + lineBreaks(record);
    return records;
  }
}

/** Every record of a whole CSV text (tests, small files); throws CsvError. */
export function parseCsv(text: string): string[][] {
  const cutter = new RecordCutter();
  return [...cutter.feed(text), ...cutter.end()];
}

/**
 * The records of a CSV as its pieces stream in (a file's chunks, as bytes of UTF-8 or text), one by
 * one; throws CsvError where the file stops being readable.
 */
export async function* csvRecords(pieces: AsyncIterable<string | Uint8Array>): AsyncGenerator<string[]> {
  const cutter = new RecordCutter();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const piece of pieces) {
    const text = typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    yield* cutter.feed(text);
  }
  yield* cutter.feed(decoder.decode());
  yield* cutter.end();
}
