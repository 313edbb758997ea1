#!/usr/bin/python3
"""PyTorch peer of FashionLstmBench: LSTM(128) over Fashion-MNIST rows (28 steps x 28 pixels) -> Linear(10),
cross-entropy, Adam 1e-3, batch 64, one epoch of 60,000 (938 batches), and batch-1 latency per sequence.

    OMP_NUM_THREADS=1 /usr/bin/python3 lstm_torch.py 1     # Debian's python3-torch 1.13
    # with OpenBLAS: see run_lstm_peer.sh (LD_LIBRARY_PATH to Debian's libopenblas0-openmp, as shared/peers)

Lines starting with RESULT are the figures.
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

DATA = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
TAG = os.environ.get("BENCH_TAG", "")


def read(split):
    with gzip.open(f"{DATA}/{split}-images-idx3-ubyte.gz") as f:
        buf = f.read()
    n = int.from_bytes(buf[4:8], "big")
    x = np.frombuffer(buf, np.uint8, offset=16).reshape(n, 28, 28).astype(np.float32) / np.float32(255.0)
    with gzip.open(f"{DATA}/{split}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1])


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    xtr, ytr = read("train")
    xte, yte = read("t10k")
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def epoch(n_batches):
        perm = torch.randperm(len(xtr))
        for b in range(n_batches):
            idx = perm[b * 64:(b + 1) * 64]
            opt.zero_grad()
            loss = loss_fn(net(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()

    epoch(100)  # warm-up, as FashionLstmBench
    start = time.perf_counter()
    epoch((len(xtr) + 63) // 64)
    secs = time.perf_counter() - start
    with torch.no_grad():
        acc = (net(xte).argmax(1) == yte).float().mean().item()
    print(f"RESULT lstm_train {TAG} threads={threads} s_per_epoch={secs:.2f} test_acc={acc:.4f}")

    if threads == 1:
        net.eval()
        with torch.no_grad():
            for i in range(300):
                net(xte[i % 200:i % 200 + 1])
            t = []
            for i in range(2000):
                s = time.perf_counter_ns()
                net(xte[i % 200:i % 200 + 1])
                t.append(time.perf_counter_ns() - s)
        t.sort()
        print(f"RESULT lstm_latency {TAG} median_us={t[len(t) // 2] / 1e3:.1f} p99_us={t[len(t) * 99 // 100] / 1e3:.1f}")


if __name__ == "__main__":
    main()
