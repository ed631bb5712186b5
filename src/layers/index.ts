// Every layer type of scratchnet, one line each: these exports are the registry (registry.ts, which
// knows them in the alphabetical order of a module's exports) and what the package exports. Adding a
// layer is its file, its test, and its line here.
export { Affine } from './affine.js';
export { BatchNormalization } from './batch-normalization.js';
export { Convolution } from './convolution.js';
export { Dropout } from './dropout.js';
export { LeakyRelu } from './leaky-relu.js';
export { Pooling } from './pooling.js';
export { Relu } from './relu.js';
export { Sigmoid } from './sigmoid.js';
export { SoftmaxWithLoss } from './softmax-with-loss.js';
export { Tanh } from './tanh.js';
