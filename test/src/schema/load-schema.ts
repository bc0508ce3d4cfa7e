import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** docs/schema.sql split into its DDL and its named queries (`-- query: <name>` … `;`). */
export interface SchemaFile {
  readonly ddl: string;
  readonly queries: ReadonlyMap<string, string>;
}

export const SCHEMA_PATH = fileURLToPath(new URL('../../../docs/schema.sql', import.meta.url));

const QUERY_MARK = /^-- query: ([a-z_]+)$/gm;

export function parseSchemaFile(text: string): SchemaFile {
  const marks = [...text.matchAll(QUERY_MARK)];
  const first = marks[0];
  if (first === undefined) throw new Error('schema.sql has no named queries');
  const queries = new Map<string, string>();
  marks.forEach((mark, i) => {
    const name = mark[1]!;
    if (queries.has(name)) throw new Error(`query ${name} is named twice`);
    const end = marks[i + 1]?.index ?? text.length;
    const body = text
      .slice(mark.index, end)
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n')
      .trim();
    if (!body.endsWith(';')) throw new Error(`query ${name} must end with a semicolon`);
    queries.set(name, body.slice(0, -1));
  });
  return { ddl: text.slice(0, first.index), queries };
}

export function loadSchemaFile(path: string = SCHEMA_PATH): SchemaFile {
  return parseSchemaFile(readFileSync(path, 'utf8'));
}
