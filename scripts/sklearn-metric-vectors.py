"""Writes Tests/DomainTests/Vectors/classifier-metrics.json: classifier metrics
computed by scikit-learn on deterministic cases (ties, a single class, perfect
and inverted scores, probabilities of exactly 0, 0.5 and 1), for the gate's
metric tests. Run once and commit the output:

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn
    /tmp/skl/bin/python scripts/sklearn-metric-vectors.py

Log loss is taken on probabilities clipped to [1e-15, 1 - 1e-15], as the gate
spec defines it (recent scikit-learn clips to the float64 epsilon instead).
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, brier_score_loss, f1_score, log_loss, precision_score,
                             recall_score, roc_auc_score)


def metrics(labels, probabilities):
    y = np.array(labels)
    p = np.array(probabilities, dtype=np.float64)
    calls = (p >= 0.5).astype(int)
    single_class = len(set(labels)) < 2
    return {
        "f1": f1_score(y, calls, zero_division=0),
        "precision": precision_score(y, calls, zero_division=0),
        "recall": recall_score(y, calls, zero_division=0),
        "accuracy": accuracy_score(y, calls),
        "brier": brier_score_loss(y, p, pos_label=1) if not single_class else float(np.mean((p - y) ** 2)),
        "roc_auc": None if single_class else roc_auc_score(y, p),
        "log_loss": log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1]),
    }


rng = np.random.default_rng(20261129)
cases = []


def add(name, labels, probabilities):
    labels = [int(v) for v in labels]
    probabilities = [float(v) for v in probabilities]
    cases.append({"name": name, "labels": labels, "probabilities": probabilities,
                  "expected": metrics(labels, probabilities)})


for n in (10, 57, 200, 2000):
    y = rng.integers(0, 2, n)
    p = np.clip(0.3 * y + rng.normal(0.35, 0.25, n), 0, 1)
    add(f"random-{n}", y, p)
    add(f"ties-{n}", y, np.round(p, 1))
add("all-tied", [0, 1, 1, 0, 1, 0, 0, 1], [0.5] * 8)
add("perfect", [0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
add("inverted", [0, 0, 0, 1, 1, 1], [0.9, 0.8, 0.7, 0.3, 0.2, 0.1])
add("certain-and-wrong", [0, 1, 1, 0], [1.0, 0.0, 1.0, 0.0])
add("only-positives", [1, 1, 1, 1], [0.9, 0.4, 0.6, 0.5])
add("only-negatives", [0, 0, 0], [0.1, 0.7, 0.5])
add("no-positive-calls", [1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4])

out = pathlib.Path(__file__).resolve().parent.parent / "Tests/DomainTests/Vectors/classifier-metrics.json"
out.write_text(json.dumps({"sklearn": sklearn.__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {out}")
