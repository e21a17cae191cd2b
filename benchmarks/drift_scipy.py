"""The same drift tests with SciPy, column by column, on the data
DriftBenchmark wrote (benchmarks/run-drift.sh): Wasserstein (normed) for
numeric columns and Jensen-Shannon for categorical ones, as the rule picks for
100,000 reference rows. Prints one line in DriftBenchmark's format."""
import resource
import sys
import time

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

folder = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
numeric = [(np.fromfile(f"{folder}/num_{j}_ref.f64"), np.fromfile(f"{folder}/num_{j}_cur.f64")) for j in range(20)]
categorical = [(np.fromfile(f"{folder}/cat_{j}_ref.i32", dtype=np.int32),
                np.fromfile(f"{folder}/cat_{j}_cur.i32", dtype=np.int32)) for j in range(5)]


def analyse():
    drifted = []
    for j, (ref, cur) in enumerate(numeric):
        score = wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
        if score >= 0.1:
            drifted.append(f"num_{j}")
    for j, (ref, cur) in enumerate(categorical):
        keys = np.union1d(ref, cur)
        p = np.array([np.count_nonzero(ref == k) for k in keys]) / len(ref)
        q = np.array([np.count_nonzero(cur == k) for k in keys]) / len(cur)
        if jensenshannon(p, q) >= 0.1:
            drifted.append(f"cat_{j}")
    return drifted


times = []
for _ in range(repeats):
    started = time.perf_counter()
    drifted = analyse()
    times.append(time.perf_counter() - started)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"scipy seconds={sorted(times)[len(times) // 2]:.3f} peak_mb={peak:.0f} drifted={len(drifted)} "
      f"share={len(drifted) / 25:.2f} columns={','.join(drifted)}")
