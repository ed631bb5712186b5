/** What the page asks the training worker. */
export interface TrainSettings {
  hidden: number;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export type ToWorker =
  | { type: 'load'; base: string }
  | { type: 'start'; settings: TrainSettings }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'predict'; pixels: Float32Array };

/** What the training worker tells the page. */
export type FromWorker =
  | { type: 'loading'; loaded: number; total: number }
  | { type: 'ready'; train: number; test: number }
  | { type: 'iterations'; first: number; losses: number[] }
  | { type: 'epoch'; epoch: number; iteration: number; loss: number; trainAccuracy: number; testAccuracy: number }
  | { type: 'done' }
  | { type: 'prediction'; probabilities: number[] }
  | { type: 'error'; message: string };
