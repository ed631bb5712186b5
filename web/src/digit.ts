/**
 * Turns a drawing into an MNIST-like 28×28 image, as MNIST's digits were made: the stroke's
 * bounding box scaled to fit 20×20, then shifted so that its centre of mass sits at the centre.
 * Returns 784 values in [0, 1], or undefined for an empty drawing.
 */
export function toMnist(canvas: HTMLCanvasElement): Float32Array | undefined {
  const { width, height } = canvas;
  const source = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, width, height).data;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (source[(y * width + x) * 4] > 20) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  const small = document.createElement('canvas');
  small.width = 28;
  small.height = 28;
  const ctx = small.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const draw = (dx: number, dy: number): Float32Array => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 28, 28);
    ctx.drawImage(canvas, x0, y0, w, h, dx, dy, w * scale, h * scale);
    const data = ctx.getImageData(0, 0, 28, 28).data;
    return Float32Array.from({ length: 784 }, (_, i) => data[i * 4] / 255);
  };
  const first = draw((28 - w * scale) / 2, (28 - h * scale) / 2);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  first.forEach((v, i) => {
    mass += v;
    cx += v * (i % 28);
    cy += v * Math.floor(i / 28);
  });
  const shiftX = 13.5 - cx / mass;
  const shiftY = 13.5 - cy / mass;
  return draw((28 - w * scale) / 2 + shiftX, (28 - h * scale) / 2 + shiftY);
}

/** Lets the user draw white strokes on a black canvas with a mouse, pen or finger. */
export function drawable(canvas: HTMLCanvasElement, onStroke: () => void): () => void {
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  const clear = (): void => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  let last: [number, number] | undefined;
  const point = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = point(e);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = point(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
    onStroke();
  });
  const end = (): void => {
    if (last) onStroke();
    last = undefined;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  return clear;
}
