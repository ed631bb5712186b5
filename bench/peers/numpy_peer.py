"""NumPy peer: the book's TwoLayerNet (common/layers.py style) in float32, and NumPy's matmul.

Run by bench/run.mjs as `python3 numpy_peer.py WORKLOAD SETTINGS_JSON MNIST_DIR`; prints one JSON line.
OPENBLAS_NUM_THREADS is set by the caller (1: one thread, as the JS peers)."""
import json
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


def w4(s, d):
    x_test = mnist(d, 't10k')[0][:s['images']]
    p = init(s, np.random.default_rng(s['seed']))
    latency, throughput = [], []
    k = 0
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
    elif workload == 'W4':
        result = w4(settings, d)
    elif workload == 'GEMM':
        result = gemm(settings, settings['shapes'], settings['transposes'])
    else:
        raise SystemExit(f'numpy peer: no {workload}')
    result['peakRssMB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


main()
