#!/usr/bin/env python3
"""The same training as bench_training, in PyTorch from Python (Debian: python3-torch).

Reads the work `bench_training --export DIR` wrote (DIR/<task>.json and its arrays): the data, the
initial weights and biases, and every epoch's order of the samples. Builds nn.Sequential of
nn.Linear layers with those parameters, in float64 or float32, and times the loop a PyTorch user
writes: for each batch of the given order, zero_grad, forward, loss, backward, optim.SGD's step (no
momentum). Loading and converting the data are outside the timed part; gathering each batch's rows
(index_select) is inside it, as train()'s gather is for glassbox.

Prints one line of JSON: the elapsed and processor time of the loop, the mean of the last epoch's
batch losses, the loss on the training and the test set after it (computed after the timer stops).

Run: bench/compare_training.py (scripts/bench), or
  python3 bench/bench_training.py --work DIR --task fmnist|circles --dtype float64|float32 --threads N
"""
import argparse
import json
import os
import sys
import time

import torch


def read_array(work, manifest, name):
    """One array of the manifest as a tensor (u32 is read as int32: torch has no uint32; N < 2³¹)."""
    a = manifest["arrays"][name]
    dtype = {"u8": torch.uint8, "u32": torch.int32, "f64": torch.float64}[a["dtype"]]
    with open(os.path.join(work, a["file"]), "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=dtype).reshape(a["shape"]).clone()


def main():
    parser = argparse.ArgumentParser(description="Times PyTorch on the work bench_training --export wrote.")
    parser.add_argument("--work", required=True, help="the folder bench_training --export wrote")
    parser.add_argument("--task", choices=["fmnist", "circles"], default="fmnist")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.threads < 1:
        parser.error(f"--threads: expected a whole number ≥ 1, got {args.threads}")

    torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    path = os.path.join(args.work, args.task + ".json")
    try:
        with open(path) as f:
            manifest = json.load(f)
    except OSError as e:
        sys.exit(f"bench_training.py: {path}: {e.strerror} (run bench_training --export first)")
    classes = manifest["loss"] == "cross_entropy"

    def inputs(name):  # x = grey/255 (or the stored values) in the chosen precision
        return read_array(args.work, manifest, name).to(dtype) / manifest["x_scale"]

    def targets(name):
        y = read_array(args.work, manifest, name)
        return y.long() if classes else y.to(dtype).reshape(-1, 1)

    X, Y = inputs("x_train"), targets("y_train")
    X_test, Y_test = inputs("x_test"), targets("y_test")
    order = read_array(args.work, manifest, "order").long()

    n_in, n_hidden, n_out = manifest["layers"]
    first, second = torch.nn.Linear(n_in, n_hidden), torch.nn.Linear(n_hidden, n_out)
    layers = [first, torch.nn.ReLU(), second] + ([] if classes else [torch.nn.Sigmoid()])
    model = torch.nn.Sequential(*layers).to(dtype)
    with torch.no_grad():
        p = [read_array(args.work, manifest, q["array"]).to(dtype) for q in manifest["parameters"]]
        first.weight.copy_(p[0])
        first.bias.copy_(p[1].reshape(-1))
        second.weight.copy_(p[2])
        second.bias.copy_(p[3].reshape(-1))
    loss_fn = torch.nn.CrossEntropyLoss() if classes else torch.nn.BCELoss()
    sgd = torch.optim.SGD(model.parameters(), lr=manifest["learning_rate"])

    N, B, epochs = X.shape[0], manifest["batch_size"], manifest["epochs"]
    batch_losses, steps = 0.0, 0  # batch_losses: of the last epoch (glassbox's train() reports each epoch's)
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for e in range(epochs):
        epoch_order = order[e]
        batch_losses = 0.0
        for first_row in range(0, N, B):
            rows = epoch_order[first_row:first_row + B]
            xb, yb = X.index_select(0, rows), Y.index_select(0, rows)
            sgd.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            sgd.step()
            batch_losses += loss.item()
            steps += 1
    cpu_seconds = time.process_time() - cpu_start
    seconds = time.perf_counter() - wall_start

    with torch.no_grad():
        train_loss = loss_fn(model(X), Y).item()
        test_loss = loss_fn(model(X_test), Y_test).item()
    print(json.dumps({"contender": "PyTorch", "dtype": args.dtype, "task": args.task, "threads": str(args.threads),
                      "reported_threads": torch.get_num_threads(), "samples": N, "epochs": epochs, "steps": steps,
                      "seconds": seconds, "cpu_seconds": cpu_seconds, "mean_batch_loss": batch_losses / len(range(0, N, B)),
                      "train_loss": train_loss, "test_loss": test_loss}))


if __name__ == "__main__":
    main()
