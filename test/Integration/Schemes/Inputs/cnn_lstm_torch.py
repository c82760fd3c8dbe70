"""PyTorch re-implementation of examples/cnn_lstm.mlir (the oracle).

cnn_lstm_torch.py WEIGHTS.dlw INPUT.npy OUTPUT.npy

Runs the same model with torch.nn.functional and torch.nn.LSTM (float64)
on the weights of the DLW1 store and compares the result with OUTPUT.npy
(the single-device program's output). Prints `oracle_max_rel_error X`
(error relative to the largest output magnitude) and exits 1 if X > 1e-4.
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dlw_reader import read_dlw  # noqa: E402

w = {k: torch.from_numpy(v).double() for k, v in read_dlw(sys.argv[1]).items()}
x = torch.from_numpy(np.load(sys.argv[2])).double()
got = np.load(sys.argv[3]).astype(np.float64)

with torch.no_grad():
    h = F.relu(F.conv2d(x, w["conv1.weight"], w["conv1.bias"], padding=1))
    h = F.max_pool2d(h, kernel_size=2, stride=2)
    h = F.relu(F.conv2d(h, w["conv2.weight"], w["conv2.bias"], padding=1))
    h = F.max_pool2d(h, kernel_size=2, stride=2)            # [1, 32, 8, 8]
    seq = h.reshape(8, 1, 256)                              # row-major
    lstm = torch.nn.LSTM(input_size=256, hidden_size=64).double()
    # dl.lstm: gate rows i, f, g, o (PyTorch's order) and one combined bias.
    lstm.weight_ih_l0.copy_(w["lstm.w_ih"])
    lstm.weight_hh_l0.copy_(w["lstm.w_hh"])
    lstm.bias_ih_l0.copy_(w["lstm.bias"])
    lstm.bias_hh_l0.zero_()
    out, _ = lstm(seq)                                      # [8, 1, 64]
    flat = out.reshape(1, 512)
    logits = F.linear(flat, w["fc.weight"], w["fc.bias"])
    want = torch.softmax(logits, dim=1).numpy()

if got.shape != want.shape:
    print("shape mismatch: got %s, want %s" % (got.shape, want.shape))
    sys.exit(1)
err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-30)
print("oracle_max_rel_error %.3e" % err)
print("argmax %d %d" % (int(np.argmax(got)), int(np.argmax(want))))
sys.exit(0 if err <= 1e-4 else 1)
