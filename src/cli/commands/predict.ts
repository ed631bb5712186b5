import { digitInput } from '../../data/digit-image.js';
import { parseIdx } from '../../data/idx.js';
import { InputError } from '../../errors.js';
import { readBytes } from '../../io/node/files.js';
import { readModel } from '../../io/node/model-files.js';
import { decodePng } from '../../io/node/png.js';
import { classProbabilities } from '../../nets/probabilities.js';
import { Tensor } from '../../tensor/tensor.js';
import { intFlag, parseFlags, positionals, stringFlag, UsageError } from '../args.js';

export const predictHelp = `Usage: scratchnet predict MODEL (--idx IMAGES [--index I] | --image DIGIT.png) [--json]

Prints the class probabilities MODEL (.json or .safetensors) gives one image, and the predicted class.

  --idx FILE     an IDX images file (count × rows × cols bytes), e.g. MNIST's t10k-images-idx3-ubyte
  --index I      which image of it (default 0)
  --image FILE   a PNG (8-bit gray, gray+alpha, RGB or RGBA), resized to 28×28; a dark digit on a
                 light background is inverted to MNIST's white on black, and the output says so
  --json         {"probabilities", "predicted", "inverted"}`;

export function predictCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('predict', argv, {
    idx: { type: 'string' },
    index: { type: 'string' },
    image: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return void console.log(predictHelp);
  const [modelPath] = positionals('predict', rest, ['MODEL']);
  const idxPath = stringFlag('idx', values.idx);
  const imagePath = stringFlag('image', values.image);
  if ((idxPath === undefined) === (imagePath === undefined))
    throw new UsageError('predict: give one of --idx IMAGES or --image DIGIT.png (see scratchnet predict --help)');
  if (values.index !== undefined && idxPath === undefined) throw new UsageError('predict: --index goes with --idx');
  const net = readModel(modelPath);

  let x: Tensor;
  let source: string;
  let inverted = false;
  if (idxPath !== undefined) {
    const index = intFlag('index', values.index, 0, 0);
    const images = parseIdx(readBytes(idxPath), idxPath);
    if (images.dims.length !== 3) throw new InputError(`${idxPath} is ${images.dims.join('×')}, expected an images file count×rows×cols`);
    const [count, rows, cols] = images.dims;
    if (index >= count) throw new InputError(`--index is ${index} but ${idxPath} has ${count} images, expected 0…${count - 1}`);
    const pixels = images.data.subarray(index * rows * cols, (index + 1) * rows * cols);
    x = new Tensor(
      Float64Array.from(pixels, (p) => p / 255),
      [1, 1, rows, cols],
    );
    source = `image ${index} of ${idxPath}`;
  } else {
    const digit = digitInput(decodePng(readBytes(imagePath as string), imagePath));
    x = new Tensor(digit.pixels, [1, 1, 28, 28]);
    inverted = digit.inverted;
    source = imagePath as string;
  }
  const probabilities = classProbabilities(net, x)[0];
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  if (values.json) return void console.log(JSON.stringify({ probabilities, predicted, inverted }));
  const lines = [source];
  if (inverted) lines.push('(dark digit on a light background: inverted to MNIST’s white on black)');
  lines.push('class  probability');
  probabilities.forEach((p, k) => {
    lines.push(`${String(k).padStart(5)}  ${p.toFixed(6)}${k === predicted ? '  ←' : ''}`);
  });
  lines.push(`predicted: ${predicted}`);
  console.log(lines.join('\n'));
}
