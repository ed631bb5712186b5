import { checkWork, parseWorked } from '../../explain/check.js';
import { LANGS } from '../../explain/labels.js';
import { checkToJSON, checkToText } from '../../explain/render-check.js';
import { readJsonFile } from '../../io/node/files.js';
import { choiceFlag, parseFlags, positionals } from '../args.js';

export const checkHelp = `Usage: scratchnet check WORKED.json [--json] [--lang en|ko]

Checks a hand computation step by step against the true values:
  ✓ ok       matches (or follows from your own earlier values, all ok: rounding carried forward)
  ↪ carried  wrong, but exactly what your earlier wrong values give: the method is right
  ✗ wrong    a new mistake, with its likely cause: missing-transpose, wrong-sign,
             no-batch-average, sigmoid-derivative-of-z, or arithmetic
Tolerance: one unit in the last decimal place (from "decimals" when given, else as each number is written).
Exit status: 0 when every step is ok, 1 when any is wrong or carried, 2 for a bad file.

  WORKED.json  {"model": {"layers": […]}, "x": [[…]], "t": [[…]], "decimals": 3,
                "claimed": {"z1": [["0.9", "0.4"]], "loss": "0.671", …}}
               (see examples/seed-note.json, the values of an example learner's note)
  --json       print {"steps": [{"name", "status", "claimed", "expected", "diagnosis", "message"}], "summary"}
  --lang L     en (default) or ko`;

export function checkCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('check', argv, { json: { type: 'boolean' }, lang: { type: 'string' } });
  if (values.help) return void console.log(checkHelp);
  const [path] = positionals('check', rest, ['WORKED.json']);
  const lang = choiceFlag('lang', values.lang, LANGS, 'en');
  const result = checkWork(parseWorked(readJsonFile(path)));
  if (values.json) console.log(JSON.stringify(checkToJSON(result, lang), null, 2));
  else process.stdout.write(checkToText(result, { lang, color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
  if (result.summary.wrong + result.summary.carried > 0) process.exitCode = 1;
}
