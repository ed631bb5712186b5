/** What the page asks the training worker. */
export interface TrainSettings {
  hidden: number;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export type ToWorker =
  | { type: 'load'; base: string; engine: EngineRequest }
  | { type: 'start'; settings: TrainSettings }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'predict'; pixels: Float32Array };

/** What the training worker trains on: WebAssembly SIMD (float32) on some threads, or plain JavaScript (float64). */
export interface Engine {
  kernels: 'wasm' | 'js';
  threads: number;
}

/** What the page's address asks for (?kernels=js, ?threads=n); unset: the fastest the browser allows. */
export interface EngineRequest {
  kernels?: 'wasm' | 'js';
  threads?: number;
}

/** What the training worker tells the page. */
export type FromWorker =
  | { type: 'loading'; loaded: number; total: number }
  | { type: 'ready'; train: number; test: number; engine: Engine }
  | { type: 'iterations'; first: number; losses: number[] }
  | { type: 'epoch'; epoch: number; iteration: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number }
  | { type: 'done' }
  | { type: 'prediction'; probabilities: number[] }
  | { type: 'error'; message: string };
