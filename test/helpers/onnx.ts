import ort from 'onnxruntime-node';

/** Runs an ONNX model in onnxruntime on one float32 input; its one output's values. */
export async function runOnnx(bytes: Uint8Array, x: ArrayLike<number>, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x), dims) });
  return result[session.outputNames[0]].data as Float32Array;
}
