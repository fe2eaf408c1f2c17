"""Score the form suggester (incidents.classify.suggest) on the labelled set
bench/data/classify_labelled.tsv: precision and recall per form, micro
averages, and the same for the held-out part (the last 50 rows, which are not
used for tuning). Then the same for bench/data/classify_independent.tsv
(prefix independent_), 80 rows written without sight of the rules or of the
first set: the honest figure for text the rules were not written for.

    .venv/bin/python bench/classify.py            all figures
    .venv/bin/python bench/classify.py --dev      development rows only (use while tuning)
    .venv/bin/python bench/classify.py --errors   also list the development rows it gets wrong
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varn.settings_test")

import django  # noqa: E402

django.setup()

from incidents.classify import FORM_ORDER, suggest  # noqa: E402

DATA = ROOT / "bench" / "data" / "classify_labelled.tsv"
INDEPENDENT = ROOT / "bench" / "data" / "classify_independent.tsv"
HELDOUT = 50


def load(path=DATA) -> list[tuple[set[str], str]]:
    rows = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for line in lines[1:]:  # header
        labels, text = line.split("\t", 1)
        rows.append(({c for c in labels.split(",") if c}, text))
    return rows


def score(rows):
    counts = {f: {"tp": 0, "fp": 0, "fn": 0} for f in FORM_ORDER}
    predictions = []
    for gold, text in rows:
        predicted = {s.code for s in suggest(text)}
        predictions.append(predicted)
        for f in FORM_ORDER:
            if f in predicted and f in gold:
                counts[f]["tp"] += 1
            elif f in predicted:
                counts[f]["fp"] += 1
            elif f in gold:
                counts[f]["fn"] += 1
    return counts, predictions


def ratio(a, b):
    return a / b if b else 1.0


def figures(counts):
    out = {}
    for f, c in counts.items():
        out[f"precision_{f}"] = ratio(c["tp"], c["tp"] + c["fp"])
        out[f"recall_{f}"] = ratio(c["tp"], c["tp"] + c["fn"])
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    out["micro_precision"], out["micro_recall"] = p, r
    out["micro_f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return out


def main(argv):
    rows = load()
    dev, heldout = rows[:-HELDOUT], rows[-HELDOUT:]
    dev_counts, dev_pred = score(dev)
    if "--errors" in argv:
        for (gold, text), pred in zip(dev, dev_pred):
            if gold != pred:
                print(f"# gold={','.join(sorted(gold)) or '-'} got={','.join(sorted(pred)) or '-'}: {text}")
    print(f"rows: {len(rows)}")
    print(f"dev_rows: {len(dev)}")
    print(f"heldout_rows: {len(heldout)}")
    if "--dev" in argv:
        for name, value in figures(dev_counts).items():
            print(f"dev_{name}: {value:.2f}")
        return
    all_counts, _ = score(rows)
    for name, value in figures(all_counts).items():
        print(f"{name}: {value:.2f}")
    print(f"dev_micro_f1: {figures(dev_counts)['micro_f1']:.2f}")
    held = figures(score(heldout)[0])
    for name, value in held.items():
        print(f"heldout_{name}: {value:.2f}")
    independent = load(INDEPENDENT)
    print(f"independent_rows: {len(independent)}")
    for name, value in figures(score(independent)[0]).items():
        print(f"independent_{name}: {value:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
