import { describe, InputError } from '../errors.js';
import { crc32 } from '../io/crc32.js';
import { modelFromJSON } from '../io/model-json.js';
import { MODEL_METADATA_KEY, modelJSONFromSafetensors, modelToSafetensors } from '../io/model-safetensors.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../io/safetensors.js';
import type { ModelJSON, Sequential } from '../nets/sequential.js';
import type { Tensor } from '../tensor/tensor.js';
import { type RunConfig, runConfigFromJSON } from './run-config.js';
import type { EpochRecord, TrainingState } from './trainer.js';

/** The metadata key of a checkpoint's training state. */
export const CHECKPOINT_KEY = 'scratchnet.checkpoint';
/** The metadata key of the checksum over everything else a checkpoint holds (`crc32:` and 8 hex digits). */
export const CHECKSUM_KEY = 'scratchnet.checksum';
/**
 * The layout of that state: 2 stores the run's configuration (a {@link RunConfig}); 1, of
 * scratchnet 0.1, stored the command line's flags instead, which the command line still reads.
 */
const VERSION = 2;
const FLAGS_VERSION = 1;

/** What a checkpoint holds: the model JSON, the training state and the run it belongs to. */
export interface Checkpoint {
  model: ModelJSON;
  state: TrainingState;
  /** The run's configuration (version 2), when it was saved with one. */
  config?: RunConfig;
  /** The flags of the command line that started the run, in a checkpoint of version 1. */
  flags?: Record<string, string | boolean>;
}

const f64 = (data: ArrayLike<number>): NamedTensor => ({ dtype: 'F64', shape: [data.length], data: Float64Array.from(data) });

/**
 * The whole training state as one safetensors file: the model (as a model file holds it), the
 * optimizer's arrays (`optimizer.v.W1`, …), this epoch's batch order and every loss so far as
 * tensors, and the rest — iteration, Rng state, history, the run's configuration — as JSON metadata.
 *
 * @example
 * writeFileAtomic('ckpt/checkpoint.safetensors', checkpointToBytes(net, trainer.state(), config));
 */
export function checkpointToBytes(net: Sequential, state: TrainingState, config?: RunConfig): Uint8Array {
  const model = decodeSafetensors(modelToSafetensors(net));
  const tensors = new Map(model.tensors);
  tensors.set('state.order', f64(state.batches.order));
  tensors.set('state.losses', f64(state.losses));
  for (const [name, a] of state.optimizer?.arrays ?? []) tensors.set(`optimizer.${name}`, f64(a));
  const meta = {
    version: VERSION,
    iteration: state.iteration,
    rng: state.rng,
    position: state.batches.position,
    optimizer: state.optimizer ? state.optimizer.scalars : null,
    history: state.history,
    epochLoss: state.epochLoss,
    epochIters: state.epochIters,
    seconds: state.seconds,
    ...(config ? { config } : {}),
  };
  const metadata = { ...model.metadata, [CHECKPOINT_KEY]: JSON.stringify(meta) };
  return encodeSafetensors(tensors, { ...metadata, [CHECKSUM_KEY]: checksumOf(tensors, metadata) });
}

/**
 * The CRC-32 of a checkpoint's contents: each tensor's name, shape and values (as float64, little
 * endian) and each metadata entry, in a fixed order. A bit flipped anywhere in the file changes it.
 */
function checksumOf(tensors: ReadonlyMap<string, NamedTensor>, metadata: Record<string, string>): string {
  const text = new TextEncoder();
  let crc = 0;
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name) as NamedTensor;
    crc = crc32(text.encode(`${name}:${t.dtype}:${t.shape.join(',')};`), crc);
    crc = crc32(littleEndianBytes(t.data), crc);
  }
  for (const key of Object.keys(metadata).sort()) if (key !== CHECKSUM_KEY) crc = crc32(text.encode(`${key}=${metadata[key]};`), crc);
  return `crc32:${crc.toString(16).padStart(8, '0')}`;
}

const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

// float64 values as the 8 little-endian bytes each that a checksum reads (a view where the host is little-endian)
function littleEndianBytes(data: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
  return bytes;
}

/** Reads a checkpoint back: the model JSON, the training state and the run's configuration (or, from version 1, its flags). */
export function checkpointFromBytes(bytes: Uint8Array, name = 'checkpoint'): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (!Object.hasOwn(metadata, CHECKPOINT_KEY)) throw new InputError(`${name}: no training state in it (a model file, not a checkpoint?)`);

  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(metadata[CHECKPOINT_KEY]);
  } catch {
    throw new InputError(`${name}: the training state is not valid JSON`);
  }
  const field = <T>(key: string, ok: (v: unknown) => boolean, expected: string): T => {
    const v = meta?.[key];
    if (!ok(v)) throw new InputError(`${name}: ${key} is ${describe(v)}, expected ${expected}`);
    return v as T;
  };
  const whole = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (meta?.version !== VERSION && meta?.version !== FLAGS_VERSION)
    throw new InputError(
      `${name}: version ${describe(meta?.version)}, expected ${FLAGS_VERSION} or ${VERSION} (a checkpoint of another scratchnet?)`,
    );
  // every checkpoint of version 2 carries its checksum (those of version 1 did not)
  if (meta.version === VERSION || Object.hasOwn(metadata, CHECKSUM_KEY)) {
    const stored = metadata[CHECKSUM_KEY];
    const computed = checksumOf(tensors, metadata);
    if (stored !== computed)
      throw new InputError(`${name}: its checksum is ${describe(stored)} but its contents give ${computed}: the file is damaged`);
  }
  const tensor = (key: string): Float64Array => {
    const t = tensors.get(key);
    if (!t) throw new InputError(`${name}: the tensor ${key} is missing`);
    return t.data;
  };
  // The model alone, as a model file would hold it.
  const modelTensors = new Map([...tensors].filter(([k]) => k.startsWith('layers.')));
  const model = modelJSONFromSafetensors(
    encodeSafetensors(modelTensors, { [MODEL_METADATA_KEY]: metadata[MODEL_METADATA_KEY] ?? '' }),
    name,
  );
  const iteration = field<number>('iteration', whole, 'a whole number');
  const losses = tensor('state.losses');
  if (losses.length !== iteration)
    throw new InputError(`${name}: ${losses.length} losses for iteration ${iteration}, expected one per update`);
  const bad = losses.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(`${name}: the loss of update ${bad + 1} is ${losses[bad]}, expected a finite number`);
  const order = tensor('state.order');
  if (!order.every(Number.isInteger)) throw new InputError(`${name}: the batch order holds a number that is not a whole index`);
  const history = field<EpochRecord[]>('history', Array.isArray, 'a list of epochs');
  history.forEach((r, i) => {
    const numbers = [r?.epoch, r?.iteration, r?.loss, r?.trainAccuracy, r?.testAccuracy, r?.seconds];
    if (!numbers.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new InputError(`${name}: history[${i}] is not an epoch's record, expected epoch, iteration, loss, accuracies and seconds`);
  });
  const scalars = meta.optimizer as Record<string, number> | null;
  const arrays = new Map<string, Float64Array>();
  for (const [k, t] of tensors) if (k.startsWith('optimizer.')) arrays.set(k.slice('optimizer.'.length), t.data);
  const state: TrainingState = {
    iteration,
    rng: field<number[]>('rng', (v) => Array.isArray(v) && v.length === 4 && v.every(whole), 'four 32-bit words'),
    batches: { order: Int32Array.from(order), position: field<number>('position', whole, 'a whole number') },
    optimizer:
      scalars === null ? undefined : { arrays, scalars: field('optimizer', (v) => typeof v === 'object' && v !== null, 'an object') },
    losses,
    history,
    epochLoss: field<number>('epochLoss', Number.isFinite, 'a number'),
    epochIters: field<number>('epochIters', whole, 'a whole number'),
    seconds: field<number>('seconds', Number.isFinite, 'a number'),
  };
  if (meta.version === FLAGS_VERSION) {
    const settings = field<{ flags?: unknown }>('settings', (v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object');
    const flags = settings.flags;
    const ok = typeof flags === 'object' && flags !== null && Object.values(flags).every((v) => typeof v === 'string' || v === true);
    return ok ? { model, state, flags: flags as Record<string, string | boolean> } : { model, state };
  }
  return { model, state, ...(meta.config !== undefined ? { config: runConfigFromJSON(meta.config, `${name}: config`) } : {}) };
}

/**
 * Puts a model JSON's weights (and batch-norm running statistics) into a network of the same
 * architecture, layer by layer: how a resumed run gets its checkpoint's weights into the network
 * its settings build.
 */
export function loadWeights(net: Sequential, model: ModelJSON): void {
  const loaded = modelFromJSON(model, net.dtype);
  if (loaded.layers.length !== net.layers.length) {
    throw new InputError(
      `the checkpoint has ${loaded.layers.length} layers but the run's network ${net.layers.length}, expected the same network`,
    );
  }
  net.layers.forEach((layer, i) => {
    const from = loaded.layers[i];
    if (from.type !== layer.type) throw new InputError(`layer ${i + 1} of the checkpoint is ${from.type} but the run's is ${layer.type}`);
    const pairs: [Tensor, Tensor | undefined][] = [
      ...Object.entries(layer.params).map(([k, t]): [Tensor, Tensor | undefined] => [t, from.params[k]]),
      ...Object.entries(layer.buffers ?? {}).map(([k, t]): [Tensor, Tensor | undefined] => [t, from.buffers?.[k]]),
    ];
    for (const [to, source] of pairs) {
      if (!source || source.size !== to.size)
        throw new InputError(`layer ${i + 1} (${layer.type}) of the checkpoint does not fit the run's network`);
      to.data.set(source.data);
    }
  });
}
