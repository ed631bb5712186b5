"""NumPy peer in float32: the book's TwoLayerNet (W1, W4), its layers, im2col/col2im and Adam
(common/layers.py, common/util.py, common/optimizer.py style) for W2 and W3, and NumPy's matmul.

Run by bench/run.mjs as `python3 numpy_peer.py WORKLOAD SETTINGS_JSON MNIST_DIR`; prints one JSON line.
OPENBLAS_NUM_THREADS is set by the caller (1: one thread, as the JS peers)."""
import json
import math
import resource
import sys
import time

import numpy as np


def idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(d, prefix):
    x = idx(f'{d}/{prefix}-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / np.float32(255)
    return x, idx(f'{d}/{prefix}-labels-idx1-ubyte')


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def init(s, rng):
    h = s['hidden']
    std = np.float32(s.get('std', 0.01))
    return {
        'W1': (std * rng.standard_normal((784, h))).astype(np.float32),
        'b1': np.zeros(h, np.float32),
        'W2': (std * rng.standard_normal((h, 10))).astype(np.float32),
        'b2': np.zeros(10, np.float32),
    }


def predict(p, x):
    return sigmoid(x @ p['W1'] + p['b1']) @ p['W2'] + p['b2']


# The book's layers, kept in float32 (the scalars they meet are float32 or plain Python numbers).

def im2col(x, fh, fw, stride, pad):
    """N×C×H×W images → (N·OH·OW)×(C·FH·FW) rows, one per window, as the book's util.im2col."""
    n, c, h, w = x.shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.empty((n, c, fh, fw, oh, ow), x.dtype)
    for y in range(fh):
        for xx in range(fw):
            col[:, :, y, xx, :, :] = img[:, :, y:y + stride * oh:stride, xx:xx + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, fh, fw, stride, pad):
    """The adjoint of im2col: sums each window row back onto the pixels it came from."""
    n, c, h, w = shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), col.dtype)
    for y in range(fh):
        for xx in range(fw):
            img[:, :, y:y + stride * oh:stride, xx:xx + stride * ow:stride] += col[:, :, y, xx, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


class Affine:
    def __init__(self, W, b):
        self.params = {'W': W, 'b': b}

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.params['W'] + self.params['b']

    def backward(self, dout, need_dx=True):
        self.grads = {'W': self.x.T @ dout, 'b': dout.sum(axis=0)}
        return (dout @ self.params['W'].T).reshape(self.shape) if need_dx else None


class Relu:
    params = {}

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout, need_dx=True):
        dout[self.mask] = 0
        return dout


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.params = {'W': W, 'b': b}
        self.stride, self.pad = stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.params['W'].shape
        n, _, h, w = x.shape
        oh = (h + 2 * self.pad - fh) // self.stride + 1
        ow = (w + 2 * self.pad - fw) // self.stride + 1
        self.x_shape = x.shape
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.params['W'].reshape(fn, -1).T
        out = self.col @ self.col_W + self.params['b']
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout, need_dx=True):
        W = self.params['W']
        fn, c, fh, fw = W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.grads = {'W': (self.col.T @ dout).T.reshape(fn, c, fh, fw), 'b': dout.sum(axis=0)}
        if not need_dx:
            return None
        return col2im(dout @ self.col_W.T, self.x_shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Max pooling: the largest of each window (im2col per channel), its gradient to that one pixel."""
    params = {}

    def __init__(self, size, stride):
        self.size, self.stride = size, stride

    def forward(self, x):
        n, c, h, w = x.shape
        oh = (h - self.size) // self.stride + 1
        ow = (w - self.size) // self.stride + 1
        col = im2col(x, self.size, self.size, self.stride, 0).reshape(-1, self.size * self.size)
        self.x_shape = x.shape
        self.arg_max = col.argmax(axis=1)
        return col.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout, need_dx=True):
        dout = dout.transpose(0, 2, 3, 1)
        window = self.size * self.size
        dmax = np.zeros((dout.size, window), dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.ravel()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x_shape, self.size, self.size, self.stride, 0)


class Dropout:
    """The book's Dropout: in training a fresh mask each forward (kept where uniform > ratio), in
    inference every unit scaled by 1 − ratio."""
    params = {}

    def __init__(self, ratio, rng):
        self.ratio, self.rng, self.train = ratio, rng, True

    def forward(self, x):
        if not self.train:
            return x * np.float32(1 - self.ratio)
        self.mask = self.rng.random(x.shape, dtype=np.float32) > self.ratio
        return x * self.mask

    def backward(self, dout, need_dx=True):
        return dout * self.mask


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.y = softmax(x)
        self.t = t
        n = len(x)
        return -np.log(self.y[np.arange(n), t] + np.float32(1e-7)).sum() / np.float32(n)

    def backward(self):
        n = len(self.t)
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / np.float32(n)


class Net:
    """Layers, then SoftmaxWithLoss; params named W1, b1, W2, … by position, as the book's nets."""

    def __init__(self, layers):
        self.layers = layers
        self.last = SoftmaxWithLoss()
        self.params = {}
        k = 0
        for layer in layers:
            if layer.params:
                k += 1
                self.params[f'W{k}'] = layer.params['W']
                self.params[f'b{k}'] = layer.params['b']

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def gradient(self, x, t):
        self.last.forward(self.predict(x), t)
        dout = self.last.backward()
        # the first layer's dx (the gradient of the images) is never used: skipped, as scratchnet does
        for i in range(len(self.layers) - 1, -1, -1):
            dout = self.layers[i].backward(dout, need_dx=i > 0)
        grads = {}
        k = 0
        for layer in self.layers:
            if layer.params:
                k += 1
                grads[f'W{k}'] = layer.grads['W']
                grads[f'b{k}'] = layer.grads['b']
        return grads


class Adam:
    """The book's Adam: bias corrections folded into lr_t, 1e-7 added to √v."""

    def __init__(self, lr, beta1, beta2):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(p) for k, p in params.items()}
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self.iter += 1
        # a float32 scalar: np.sqrt of a Python float is float64 and would promote every array
        lr_t = np.float32(self.lr * math.sqrt(1 - self.beta2 ** self.iter) / (1 - self.beta1 ** self.iter))
        one_b1, one_b2 = np.float32(1 - self.beta1), np.float32(1 - self.beta2)
        for k in params:
            self.m[k] += one_b1 * (grads[k] - self.m[k])
            self.v[k] += one_b2 * (grads[k] ** 2 - self.v[k])
            params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + np.float32(1e-7))


def gaussian(rng, shape, std):
    return (np.float32(std) * rng.standard_normal(shape, dtype=np.float32))


def mlp(s, rng):
    sizes = [784, *s['hidden'], 10]
    layers = []
    for k in range(1, len(sizes)):
        # He: std √(2 / fan-in)
        layers.append(Affine(gaussian(rng, (sizes[k - 1], sizes[k]), math.sqrt(2 / sizes[k - 1])), np.zeros(sizes[k], np.float32)))
        if k < len(sizes) - 1:
            layers.append(Relu())
    return Net(layers)


def conv_net(s, rng):
    fn, fs, std = s['filters'], s['filterSize'], s['std']
    side = (28 - fs + 1) // 2
    return Net([
        Convolution(gaussian(rng, (fn, 1, fs, fs), std), np.zeros(fn, np.float32)),
        Relu(),
        Pooling(2, 2),
        Affine(gaussian(rng, (fn * side * side, s['hidden']), std), np.zeros(s['hidden'], np.float32)),
        Relu(),
        Affine(gaussian(rng, (s['hidden'], 10), std), np.zeros(10, np.float32)),
    ])


def deep_conv_net(s, rng):
    """The book's ch08 DeepConvNet: pairs of 3×3 convolutions (He init), a 2×2 pooling after each pair."""
    layers, c, side = [], 1, 28
    for i, (fn, pad) in enumerate(s['convs']):
        layers += [Convolution(gaussian(rng, (fn, c, 3, 3), np.sqrt(2 / (c * 9))), np.zeros(fn, np.float32), 1, pad), Relu()]
        c, side = fn, side + 2 * pad - 2
        if i % 2 == 1:
            layers.append(Pooling(2, 2))
            side //= 2
    flat, h = c * side * side, s['hidden']
    return Net(layers + [
        Affine(gaussian(rng, (flat, h), np.sqrt(2 / flat)), np.zeros(h, np.float32)),
        Relu(),
        Dropout(s['dropout'], rng),
        Affine(gaussian(rng, (h, 10), np.sqrt(2 / h)), np.zeros(10, np.float32)),
        Dropout(s['dropout'], rng),
    ])


def train_with_adam(s, d, make_net, image_shape):
    """W2, W3 and W5: s['steps'] Adam steps of a fresh net per run, then the test accuracy of the last."""
    x_train, t_train = mnist(d, 'train')
    x_test, t_test = (v[:s['evalImages']] for v in mnist(d, 't10k'))
    x_train = x_train.reshape(-1, *image_shape)
    x_test = x_test.reshape(-1, *image_shape)
    order = np.random.default_rng(s['seed']).permutation(len(x_train))
    times = []
    for _ in range(s['runs']):
        net = make_net(s, np.random.default_rng(s['seed']))
        adam = Adam(s['lr'], s['beta1'], s['beta2'])
        start = time.perf_counter()
        for i in range(s['steps']):
            mask = order[i * s['batch']:(i + 1) * s['batch']]
            adam.update(net.params, net.gradient(x_train[mask], t_train[mask]))
        times.append(time.perf_counter() - start)
    for layer in net.layers:
        layer.train = False  # inference: Dropout scales instead of masking
    correct = 0
    for i in range(0, len(x_test), 100):
        correct += int((net.predict(x_test[i:i + 100]).argmax(axis=1) == t_test[i:i + 100]).sum())
    for p in net.params.values():
        assert p.dtype == np.float32, p.dtype
    return {'times': times, 'accuracy': correct / len(x_test)}


def w1(s, d):
    x_train, t_train = mnist(d, 'train')
    x_test, t_test = (v[:s['evalImages']] for v in mnist(d, 't10k'))
    eye = np.eye(10, dtype=np.float32)
    order = np.random.default_rng(s['seed']).permutation(len(x_train))
    lr = np.float32(s['lr'])
    times = []
    for _ in range(s['runs']):
        p = init(s, np.random.default_rng(s['seed']))
        start = time.perf_counter()
        for i in range(s['steps']):
            mask = order[i * s['batch']:(i + 1) * s['batch']]
            x = x_train[mask]
            t = eye[t_train[mask]]
            # forward: Affine → Sigmoid → Affine → SoftmaxWithLoss
            a1 = x @ p['W1'] + p['b1']
            z1 = sigmoid(a1)
            y = softmax(z1 @ p['W2'] + p['b2'])
            # backward
            dy = (y - t) / np.float32(len(x))
            grads = {'W2': z1.T @ dy, 'b2': dy.sum(axis=0)}
            dz1 = (dy @ p['W2'].T) * (1 - z1) * z1
            grads['W1'] = x.T @ dz1
            grads['b1'] = dz1.sum(axis=0)
            for k in p:
                p[k] -= lr * grads[k]
        times.append(time.perf_counter() - start)
    accuracy = float((predict(p, x_test).argmax(axis=1) == t_test).mean())
    return {'times': times, 'accuracy': accuracy}


def warm(fn):
    """Three untimed calls of fn, or fewer once they have taken a second (timeWarm in common.mjs)."""
    start = time.perf_counter()
    for call in range(3):
        if call > 0 and time.perf_counter() - start >= 1:
            break
        fn()


def w4(s, d):
    x_test = mnist(d, 't10k')[0][:s['images']]
    p = init(s, np.random.default_rng(s['seed']))
    latency, throughput = [], []
    k = 0

    def single():
        for i in range(s['single']):
            predict(p, x_test[i % len(x_test):i % len(x_test) + 1])

    # untimed first, as every peer's loops are (timeWarm in bench/common.mjs)
    warm(single)
    warm(lambda: predict(p, x_test))
    for _ in range(s['runs']):
        start = time.perf_counter()
        for _ in range(s['single']):
            predict(p, x_test[k:k + 1])
            k = (k + 1) % len(x_test)
        latency.append((time.perf_counter() - start) / s['single'])
        start = time.perf_counter()
        predict(p, x_test)
        throughput.append(time.perf_counter() - start)
    return {'latency': latency, 'throughput': throughput}


def gemm(s, shapes, transposes):
    rng = np.random.default_rng(s['seed'])
    out = []
    for label, m, n, k in shapes:
        for ta, tb in transposes:
            a = (rng.random((k, m) if ta else (m, k), dtype=np.float32) * 2 - 1)
            b = (rng.random((n, k) if tb else (k, n), dtype=np.float32) * 2 - 1)
            A = a.T if ta else a
            B = b.T if tb else b
            c = np.empty((m, n), np.float32)
            np.matmul(A, B, out=c)
            rates = []
            for _ in range(s['runs']):
                reps = 0
                start = time.perf_counter()
                while time.perf_counter() - start < s['minSeconds']:
                    np.matmul(A, B, out=c)
                    reps += 1
                rates.append(2 * m * n * k * reps / (time.perf_counter() - start) / 1e9)
            out.append({'label': label, 'tA': ta, 'tB': tb, 'rates': rates})
    return {'gemm': out}


def main():
    workload, settings, d = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    if workload == 'W1':
        result = w1(settings, d)
    elif workload == 'W2':
        result = train_with_adam(settings, d, mlp, (784,))
    elif workload == 'W3':
        result = train_with_adam(settings, d, conv_net, (1, 28, 28))
    elif workload == 'W5':
        result = train_with_adam(settings, d, deep_conv_net, (1, 28, 28))
    elif workload == 'W4':
        result = w4(settings, d)
    elif workload == 'GEMM':
        result = gemm(settings, settings['shapes'], settings['transposes'])
    else:
        raise SystemExit(f'numpy peer: no {workload}')
    result['peakRssMB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


main()
