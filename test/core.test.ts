import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/fixtures.js';

/** Every TypeScript file below a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('the library core imports nothing from Node (it runs in a browser)', () => {
  const src = join(repoRoot, 'src');
  // Node-only: the command line, every folder named node, and the scratchnet/node entry
  const core = sources(src).filter((f) => !/[/\\](cli|node)[/\\]|[/\\]node\.ts$/.test(f));
  assert.ok(core.length > 10);
  for (const file of core) {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    for (const spec of imports) {
      assert.ok(spec.startsWith('.'), `${relative(repoRoot, file)} imports ${spec}: the core may import only its own modules`);
      assert.ok(!/[/\\](cli|node)[/\\]/.test(spec), `${relative(repoRoot, file)} imports Node-only ${spec}`);
    }
    assert.doesNotMatch(text, /\b(process|Buffer|require)\s*[.(]/, `${relative(repoRoot, file)} uses a Node global`);
  }
});
