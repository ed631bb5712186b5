import { type Explanation, explainPass, explanationToJSON } from '../../explain/explain.js';
import { LANGS } from '../../explain/labels.js';
import { explanationToMarkdown } from '../../explain/render-markdown.js';
import { explanationToText } from '../../explain/render-text.js';
import { dataFromJSON } from '../../io/data-json.js';
import { readJsonFile } from '../../io/node/files.js';
import { readModel } from '../../io/node/model-files.js';
import {
  choiceFlag,
  type FlagSpec,
  intFlag,
  type ParsedFlags,
  parseFlags,
  positionals,
  positiveFlag,
  stringFlag,
  UsageError,
} from '../args.js';

export const explainHelp = `Usage: scratchnet explain MODEL.json --data DATA.json [--lr 0.1] [--precision 4] [--lang en|ko] [--format text|markdown|json]

Shows every number of one forward and backward pass of the model on the data: each step's
formula, the formula with the numbers put in, and its value; the loss; every gradient; and with
--lr one SGD step and the loss after it. Steps are named z1, a1, …, y, loss, dz2, dW2, …, dx
(a Convolution's output zk like an Affine's, a Pooling's pj, a BatchNormalization's nj, a Dropout's mj).

  --lr X          apply one SGD step with learning rate X and show the loss after it
  --precision N   decimals shown (default 4)
  --lang L        en (default) or ko (a Korean learner's words: 순전파, 역전파, …)
  --format F      text (default; colour on a terminal), markdown ($$…$$ math for KaTeX), json`;

const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The flags explain and example share. */
export const RENDER_FLAGS: FlagSpec = {
  precision: { type: 'string' },
  lang: { type: 'string' },
  format: { type: 'string' },
};

export interface RenderOptions {
  precision: number;
  lang: (typeof LANGS)[number];
  format: Format;
}

export function renderOptions(values: ParsedFlags['values']): RenderOptions {
  return {
    precision: intFlag('precision', values.precision, 4, 0, 12),
    lang: choiceFlag('lang', values.lang, LANGS, 'en'),
    format: choiceFlag('format', values.format, FORMATS, 'text'),
  };
}

/** The explanation in the format asked for; JSON through `json` when the caller has its own form. */
export function render(
  e: Explanation,
  { precision, lang, format }: RenderOptions,
  json: (e: Explanation) => unknown = explanationToJSON,
): string {
  if (format === 'json') return `${JSON.stringify(json(e), null, 2)}\n`;
  if (format === 'markdown') return explanationToMarkdown(e, { precision, lang });
  return explanationToText(e, { precision, lang, color: process.stdout.isTTY === true && !process.env.NO_COLOR });
}

export function explainCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('explain', argv, { ...RENDER_FLAGS, data: { type: 'string' }, lr: { type: 'string' } });
  if (values.help) return void console.log(explainHelp);
  const [modelPath] = positionals('explain', rest, ['MODEL.json']);
  const dataPath = stringFlag('data', values.data);
  if (dataPath === undefined) throw new UsageError('explain: --data DATA.json is required (see scratchnet explain --help)');
  const options = renderOptions(values);
  const lr = values.lr === undefined ? undefined : positiveFlag('lr', values.lr, 0.1);
  const net = readModel(modelPath);
  const { x, t } = dataFromJSON(readJsonFile(dataPath), net);
  process.stdout.write(render(explainPass(net, x, t, lr), options));
}
