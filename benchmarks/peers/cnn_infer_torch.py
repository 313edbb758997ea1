#!/usr/bin/python3
"""Batch-64 inference of the peers' CNN (shared/peers/pytorch bench.py cnn()) in PyTorch, 1 thread:
200 warm-up batches, then 1,000 timed batches of the Fashion-MNIST test set, no_grad. Weights are
Glorot-initialised (the speed does not depend on them). Prints one RESULT line.
Usage: cnn_infer_torch.py PATH_TO_PEERS_PYTORCH_DIR   (imports its bench.py for the network and data)"""
import sys
import time

import torch

sys.path.insert(0, sys.argv[1])
import bench  # noqa: E402  (the peers' own network and data reader)

torch.set_num_threads(1)
torch.manual_seed(42)
model = bench.cnn()
model.eval()
x = torch.from_numpy(bench.read_images("t10k")).view(-1, 1, 28, 28)
batches = [x[i * 64:(i + 1) * 64] for i in range(len(x) // 64)]
with torch.no_grad():
    for k in range(200):
        model(batches[k % len(batches)])
    t0 = time.perf_counter()
    for k in range(1000):
        model(batches[k % len(batches)])
    total = time.perf_counter() - t0
print(f"torch={torch.__version__} threads={torch.get_num_threads()}")
print(f"RESULT cnn_infer_b64 samples_per_s={1000 * 64 / total:.0f}", flush=True)
