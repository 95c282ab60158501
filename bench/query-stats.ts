/**
 * Where a benchmark's time goes in SQL, shared by bench/past-due-sweep.ts and bench/ar-status.ts: a Kysely plugin
 * that times every statement sent through the handle it is added to, grouped by SQL text, and EXPLAIN of a
 * recorded statement. Not part of the app.
 */
import { performance } from 'node:perf_hooks';
import {
  CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

export interface StatementStats {
  sql: string;
  count: number;
  ms: number;
  /** The slowest executions (at most `slowestKept`), slowest first, to EXPLAIN. */
  slowest: { ms: number; query: CompiledQuery }[];
}

/** SQL text on one line, runs of white space folded: the key statements are grouped by. */
export function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface QueryStatsOptions {
  /** How many of each statement's slowest executions to keep. */
  slowestKept: number;
  /** Statements (by normalised SQL text) left out of take(), e.g. the outbox worker's polls. */
  leaveOut?: (sql: string) => boolean;
}

/**
 * Records every statement's node and wall time (pool wait included) while a benchmark runs; compiles and groups
 * them only when asked (take()), so that what is timed pays for little more than two clock readings per
 * statement.
 */
export class QueryStats implements KyselyPlugin {
  readonly #started = new Map<string, { node: RootOperationNode; at: number }>();
  #done: { node: RootOperationNode; queryId: PluginTransformQueryArgs['queryId']; ms: number }[] = [];
  readonly #slowestKept: number;
  readonly #leaveOut: (sql: string) => boolean;

  constructor({ slowestKept, leaveOut = () => false }: QueryStatsOptions) {
    this.#slowestKept = slowestKept;
    this.#leaveOut = leaveOut;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId.queryId, { node: args.node, at: performance.now() });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(args.queryId.queryId);
    if (started) {
      this.#started.delete(args.queryId.queryId);
      this.#done.push({ node: started.node, queryId: args.queryId, ms: performance.now() - started.at });
    }
    return args.result;
  }

  reset(): void {
    this.#done = [];
    this.#started.clear();
  }

  /** The statements run since reset(), grouped by SQL text, the costliest in total first. */
  take(): StatementStats[] {
    const compiler = new PostgresQueryCompiler();
    const grouped = new Map<string, StatementStats>();
    for (const { node, queryId, ms } of this.#done) {
      const query = compiler.compileQuery(node, queryId);
      const text = normalise(query.sql);
      if (this.#leaveOut(text)) continue;
      const entry = grouped.get(text) ?? { sql: text, count: 0, ms: 0, slowest: [] };
      entry.count += 1;
      entry.ms += ms;
      const last = entry.slowest.at(-1);
      if (entry.slowest.length < this.#slowestKept || (last && ms > last.ms)) {
        entry.slowest = [...entry.slowest, { ms, query }]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, this.#slowestKept);
      }
      grouped.set(text, entry);
    }
    this.reset();
    return [...grouped.values()].sort((a, b) => b.ms - a.ms);
  }
}

/** `text` cut to `max` characters, "..." at the end when it was longer. */
export function shortSql(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** EXPLAIN (ANALYZE, BUFFERS) of a compiled statement, with its parameters: the plan's lines. It runs it. */
export async function explain(
  db: Pick<Kysely<unknown>, 'executeQuery'>,
  query: CompiledQuery,
): Promise<string[]> {
  const result = await db.executeQuery<Record<string, string>>(
    CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]),
  );
  return result.rows.map((row) => Object.values(row)[0] ?? '');
}

/** Every line of `text` indented by four spaces. */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
