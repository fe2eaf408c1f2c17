"""Score the form suggester (incidents.classify.suggest): precision and recall
per form and micro averages.

  independent_*  on bench/data/classify_independent.tsv: 80 descriptions
                 written without sight of the rules or of the examples; no
                 part of the suggester has seen them. The honest figure.
  independent_rules_only_micro_*
                 the same with the learnt part switched off, to show what it adds.
  cv_micro_*     five-fold cross-validation on the examples: the model is
                 trained on four fifths and scored on the rest (the rules were
                 written against all of them, so this flatters the rules).
  train_*        on the examples themselves (incidents/data/form_examples.tsv),
                 which the rules were written against and the model is trained
                 on: a regression check, not a measure of quality.

    .venv/bin/python bench/classify.py            all figures
    .venv/bin/python bench/classify.py --errors   also list the examples it gets wrong
"""
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varn.settings_test")

import django  # noqa: E402

django.setup()

from incidents.classify import EXAMPLES, FORM_ORDER, load_examples, suggest, train  # noqa: E402

INDEPENDENT = ROOT / "bench" / "data" / "classify_independent.tsv"
# With every weight zero the model never reaches its threshold: rules only.
RULES_ONLY = {form: (0.0, {}) for form in FORM_ORDER}


def load(path=EXAMPLES):
    return load_examples(path)


def score(rows, model=None):
    counts = {f: {"tp": 0, "fp": 0, "fn": 0} for f in FORM_ORDER}
    predictions = []
    for gold, text in rows:
        predicted = {s.code for s in suggest(text, model=model)}
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


def add(total, counts):
    for f, c in counts.items():
        for k, v in c.items():
            total[f][k] += v
    return total


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


def cross_validated(rows, k=5, seed=1):
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    total = {f: {"tp": 0, "fp": 0, "fn": 0} for f in FORM_ORDER}
    for i in range(k):
        held = set(order[i::k])
        model = train([row for j, row in enumerate(rows) if j not in held])
        add(total, score([rows[j] for j in sorted(held)], model=model)[0])
    return total


def main(argv):
    rows = load()
    independent = load(INDEPENDENT)
    print(f"examples: {len(rows)}")
    print(f"independent_rows: {len(independent)}")
    for name, value in figures(score(independent)[0]).items():
        print(f"independent_{name}: {value:.2f}")
    rules_only = figures(score(independent, model=RULES_ONLY)[0])
    print(f"independent_rules_only_micro_precision: {rules_only['micro_precision']:.2f}")
    print(f"independent_rules_only_micro_recall: {rules_only['micro_recall']:.2f}")
    cv = figures(cross_validated(rows))
    print(f"cv_micro_precision: {cv['micro_precision']:.2f}")
    print(f"cv_micro_recall: {cv['micro_recall']:.2f}")
    counts, predictions = score(rows)
    train_figures = figures(counts)
    print(f"train_micro_precision: {train_figures['micro_precision']:.2f}")
    print(f"train_micro_recall: {train_figures['micro_recall']:.2f}")
    if "--errors" in argv:
        for (gold, text), pred in zip(rows, predictions):
            if gold != pred:
                print(f"# gold={','.join(sorted(gold)) or '-'} got={','.join(sorted(pred)) or '-'}: {text}")


if __name__ == "__main__":
    main(sys.argv[1:])
