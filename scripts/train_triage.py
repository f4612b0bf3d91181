"""Learn the track record of each signature on the tuning reports, for the triage bot's gate (docs/ci/triage.md).

    PYTHONPATH=src python scripts/train_triage.py            # write src/bnbdoctor/explain/data/triage.json
    PYTHONPATH=src python scripts/train_triage.py --check    # exit 1 if the shipped table differs from a retrain

Every tuning report (scripts/train_words.py's TUNING: never a held-out `test*` split) is explained as the triage
workflow explains an issue: `explain --no-machine --file`, its title then its text, with the facts the text states.
For the first cause's first signature the table keeps how many reports it led and how many of those it got right.

Why: the confidence orders the causes of one report but is no probability across reports. On 271 fresh reports
(dev-v, dev-w, dev-x, explained by the release before they were collected) a bot that posted at confidence >= 0.6
was right in 77.6% of its posts, and at 0.7-0.9 in 75-82%; posting only when the signature had been right in at
least 90% of its tuning reports (Laplace-smoothed) posted on 21% and was right in 87.9% (docs/ci/triage.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "bnbdoctor" / "explain" / "data" / "triage.json"
for path in (ROOT / "src", ROOT / "scripts", ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench_explain import report_text  # noqa: E402  (what the benchmark that measures the gate reads)
from train_words import FIXTURES, TUNING, arguments  # noqa: E402

from bnbdoctor.commands.explain import report_machine  # noqa: E402
from bnbdoctor.explain import explain_text  # noqa: E402
from bnbdoctor.explain.triage import SCHEMA  # noqa: E402


def track_record(folder: Path = FIXTURES) -> dict[str, object]:
    led: dict[str, list[int]] = {}
    reports = 0
    for split, name in TUNING.items():
        assert not split.startswith("test"), "a held-out split is never trained on"
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            assert not str(case.get("split", "")).startswith("test"), f"{name}: a held-out report"
            reports += 1
            text = report_text(case)
            matches = explain_text(text, report_machine(text))
            if not matches or not matches[0].evidence["signatures"]:
                continue
            row = led.setdefault(matches[0].evidence["signatures"][0], [0, 0])
            row[0] += 1
            row[1] += matches[0].category == case["category"]
    return {"schema": SCHEMA, "reports": reports, "signatures": dict(sorted(led.items()))}


def encode(table: dict[str, object]) -> str:
    """The table as JSON with one signature per line (a retrain's diff shows which signatures moved)."""
    rows = table["signatures"]
    assert isinstance(rows, dict)
    body = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in rows.items())
    return (
        f'{{\n"schema": {json.dumps(table["schema"])},\n"reports": {table["reports"]},\n'
        f'"signatures": {{\n{body}\n}}\n}}\n'
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__ or "", OUT, "table", argv)
    table = track_record()
    if args.check:
        same = json.loads(args.output.read_text()) == table
        print(
            f"{args.output}: {'matches' if same else 'DIFFERS from'} a retrain on {table['reports']} reports"
        )
        if not same:
            print("run: PYTHONPATH=src python scripts/train_triage.py")
        return 0 if same else 1
    args.output.write_text(encode(table))
    print(f"{args.output}: {table['reports']} reports, {len(table['signatures'])} signatures")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
