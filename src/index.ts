/**
 * scratchnet: neural networks from scratch, after *Deep Learning from Scratch*. The core runs in
 * Node and in browsers alike; file and command-line code lives in `cli/` and `io/node/`.
 *
 * @example
 * import { Rng, SGD, Tensor, TwoLayerNet } from 'scratchnet';
 * const net = new TwoLayerNet(2, 3, 2, 0.5, 'sigmoid', { rng: new Rng(1) });
 * const x = Tensor.from([[1, 2]]);
 * const t = Tensor.from([0]);
 * new SGD(0.1).update(net.params, net.gradient(x, t));
 */

export type { ByteRows, Gemm, Kernels } from './backend/kernels.js';
export { plain } from './backend/plain.js';
export { type BackendName, getBackend, kernelsFor, registerBackend, setBackend } from './backend/registry.js';
export { useWasm, WasmKernels, type WasmOptions } from './backend/wasm/kernels.js';
export { hasRelaxedSimd, loadWasm } from './backend/wasm/load.js';
export { useWebThreads, type WebThreadsOptions } from './backend/wasm/web-threads.js';
export { type DigitInput, digitInput, type GrayPixels } from './data/digit-image.js';
export { parseIdx } from './data/idx.js';
export { MiniBatches } from './data/mini-batches.js';
export { fillBatch, MNIST_CLASSES, type MnistSet, mnistFromIdx, subset } from './data/mnist.js';
export { describe, formatShape, InputError, ScratchnetError, ShapeError } from './errors.js';
export { type Explanation, exampleToJSON, explainPass, explanationToJSON, type UpdateStep } from './explain/explain.js';
export { formatTensor } from './explain/format.js';
export { LABELS, type Lang } from './explain/labels.js';
export { explanationToMarkdown } from './explain/render-markdown.js';
export { explanationToText } from './explain/render-text.js';
export { SEED_DATA, SEED_LR, SEED_MODEL, seedExplanation } from './explain/seed-example.js';
export { type Trace, type TraceStep, trace } from './explain/trace.js';
export { type Batch, dataFromJSON } from './io/data-json.js';
export { JsonFields } from './io/json-fields.js';
export { type ModelOptions, modelFromJSON } from './io/model-json.js';
export {
  MODEL_FORMAT_VERSION,
  MODEL_METADATA_KEY,
  modelFromSafetensors,
  modelJSONFromSafetensors,
  modelToSafetensors,
  type SafetensorsOptions,
} from './io/model-safetensors.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  looksLikeSafetensors,
  type NamedTensor,
  type SafetensorsContents,
  type SafetensorsDType,
} from './io/safetensors.js';
export type { BatchNormOptions } from './layers/batch-normalization.js';
export * from './layers/index.js';
export { ANY, type Layer, type LayerContext, type LayerJSON, type LayerType, type LossLayer, type Shape } from './layers/layer.js';
export { layerType, layerTypes } from './layers/registry.js';
export { checkTargets } from './layers/softmax-with-loss.js';
export type { Diagnosis, LayerSteps, Piece, Step, StepKind } from './layers/steps.js';
export { describeNet, makeNet, type NetConfig, type NetData, type NetName, netDefaults, netNames } from './nets/by-name.js';
export { type ConvSpec, DEEP_CONV_LAYERS, DeepConvNet, type DeepConvNetOptions } from './nets/deep-conv-net.js';
export { MultiLayerNet, MultiLayerNetExtend, type MultiLayerNetExtendOptions, type MultiLayerNetOptions } from './nets/multi-layer-net.js';
export { compareGradients, type GradientDifference, numericalGradient } from './nets/numerical-gradient.js';
export { classProbabilities } from './nets/probabilities.js';
export { type GradientOptions, type ModelJSON, type ParamDict, Sequential, type SequentialOptions } from './nets/sequential.js';
export { checkChain, inputWidth, outputWidth } from './nets/shapes.js';
export { SimpleConvNet, type SimpleConvNetOptions } from './nets/simple-conv-net.js';
export { type Activation, TwoLayerNet } from './nets/two-layer-net.js';
export { gaussian, initStd, parseWeightInit, type WeightInit } from './nets/weight-init.js';
export { AdaGrad } from './optim/adagrad.js';
export { Adam } from './optim/adam.js';
export { Momentum } from './optim/momentum.js';
export { Nesterov } from './optim/nesterov.js';
export { defaultLearningRates, makeOptimizer, type OptimizerName, optimizerNames } from './optim/optimizers.js';
export { RMSprop } from './optim/rmsprop.js';
export { type Optimizer, SGD } from './optim/sgd.js';
export { col2im, im2col, slidingWindow, type Window } from './tensor/im2col.js';
export {
  addRowVector,
  argmaxRows,
  matmul,
  matmulNormalizedBytes,
  normalizeBytes,
  reluBackward,
  reluForward,
  sigmoid,
  sigmoidBackward,
  sumRows,
  tanhBackward,
  tanhForward,
} from './tensor/ops.js';
export { Rng } from './tensor/rng.js';
export { type DType, type FloatArray, type Nested, Tensor } from './tensor/tensor.js';
export { chartGrid } from './train/chart-grid.js';
export { type Checkpoint, checkpointFromBytes, checkpointToBytes, loadWeights } from './train/checkpoint.js';
export { Classifier, classify, evaluate, imageShape } from './train/evaluate.js';
export {
  type BatchNormRun,
  compareBatchNorm,
  compareOptimizers,
  comparisonLearningRates,
  logspace,
  type OptimizerRun,
} from './train/experiments.js';
export { lineChart, trainingPlot } from './train/plot.js';
export { type RunHooks, runTraining, type TrainOptions, type TrainResult, trainNet } from './train/run.js';
export { type RunConfig, runConfigFromJSON, runMultiplyAdds, updatesPerEpoch } from './train/run-config.js';
export { DivergenceError, type EpochRecord, Trainer, type TrainerOptions, type TrainingState } from './train/trainer.js';
