import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docPages } from '../fixtures/markdown-code.js';

// The README and docs/ send a reader to each other and to the code: every relative link reaches a
// file (and a heading, for a #fragment), and every repository path a page names in backticks
// exists, so a page moved or a file renamed fails here rather than in a reader's hands.

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A page's prose: its lines outside fenced code blocks, with their numbers. */
function prose(page: string): { line: number; text: string }[] {
  let fenced = false;
  return readFileSync(join(root, page), 'utf8')
    .split('\n')
    .map((text, index) => ({ line: index + 1, text }))
    .filter(({ text }) => {
      if (/^ *```/.test(text)) {
        fenced = !fenced;
        return false;
      }
      return !fenced;
    });
}

/** The anchors GitHub gives a page's headings: lower case, punctuation gone, spaces as hyphens. */
function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const { text } of prose(page)) {
    const heading = /^#{1,6} (.*)$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replaceAll(' ', '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

const LINK = /\]\(([^)\s]+)\)/g;
// A path into the repository, in backticks: `test/server/trpc/redis.test.ts`, `docs/examples/`.
const REPO_PATH =
  /`((?:\.ci|bench|client|demo|docs|examples|next|server|shared|test)\/[^`\s<>*]*)`/g;

/** What is wrong with the links and repository paths of `page`, as `page:line: problem`. */
function problems(page: string): string[] {
  const found: string[] = [];
  for (const { line, text } of prose(page)) {
    for (const [, target = ''] of text.matchAll(LINK)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path = '', fragment] = target.split('#');
      const file = path === '' ? page : join(dirname(page), path);
      if (!existsSync(join(root, file))) {
        found.push(`${page}:${line}: ${target}: no ${file}`);
      } else if (fragment !== undefined && !anchors(file).has(fragment)) {
        found.push(`${page}:${line}: ${target}: no heading #${fragment} in ${file}`);
      }
    }
    for (const [, path = ''] of text.matchAll(REPO_PATH)) {
      // A module such as `next/headers` is no path: a path names a file or ends with a slash.
      const named = path.endsWith('/') || /\.\w+$/.test(path);
      if (named && !existsSync(join(root, path))) {
        found.push(`${page}:${line}: \`${path}\` does not exist`);
      }
    }
  }
  return found;
}

describe('the links of the README and docs/', () => {
  it.each(docPages(root))('every link and repository path of %s leads somewhere', (page) => {
    expect(problems(page)).toEqual([]);
  });

  it('finds the pages, their links and their headings', () => {
    expect(docPages(root)).toContain('docs/security.md');
    const readme = prose('README.md').flatMap(({ text }) => [...text.matchAll(LINK)]);
    expect(readme.length).toBeGreaterThan(10);
    expect(anchors('docs/redis.md')).toContain('when-redis-is-down-fail-fast');
  });
});
