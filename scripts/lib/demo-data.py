"""Deterministic CSVs for scripts/run.sh: a training reference, a day's last
hour of predictions (income and region drifted), their labels, and the
labelled scores of the Production model and a retrained candidate.
Usage: demo-data.py FOLDER END_MILLISECONDS"""
import math
import random
import sys

folder, end = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261129)
regions = ["north", "south", "east", "west"]


def applicant(shift):
    income = rng.gauss(52000 + shift * 9000, 12000)
    dti = min(0.95, max(0.0, rng.gauss(0.32 + shift * 0.03, 0.1)))
    region = "west" if shift and rng.random() < 0.5 else rng.choice(regions)
    return income, dti, region


def default_probability(income, dti):
    return 1 / (1 + math.exp(-(-0.6 - (income - 52000) / 6000 + 9 * (dti - 0.32))))


with open(f"{folder}/reference.csv", "w") as out:
    out.write("income,dti,region\n")
    for _ in range(1000):
        income, dti, region = applicant(0)
        out.write(f"{income:.2f},{dti:.4f},{region}\n")

with open(f"{folder}/predictions.csv", "w") as out, open(f"{folder}/labels.csv", "w") as labels:
    out.write("prediction_id,timestamp,probability,income,dti,region\n")
    labels.write("prediction_id,label\n")
    for i in range(800):
        income, dti, region = applicant(1)
        p = default_probability(income, dti)
        out.write(f"p-{i},{end - i * 4000},{p:.4f},{income:.2f},{dti:.4f},{region}\n")
        if i % 5 < 3:
            labels.write(f"p-{i},{1 if rng.random() < p else 0}\n")

with open(f"{folder}/scores.csv", "w") as out:
    out.write("label,candidate,production\n")
    for _ in range(600):
        income, dti, region = applicant(1)
        truth = default_probability(income, dti)
        label = 1 if rng.random() < truth else 0
        candidate = min(1, max(0, truth + rng.gauss(0, 0.05)))
        production = min(1, max(0, default_probability(income + 9000, dti - 0.03) + rng.gauss(0, 0.2)))
        out.write(f"{label},{candidate:.4f},{production:.4f}\n")
