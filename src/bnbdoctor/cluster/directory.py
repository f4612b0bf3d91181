"""Snapshots gathered by other means (a Slurm array, a Kubernetes DaemonSet, scp): every `*.json` in one folder.

A file that cannot be read does not hide the others: it becomes a finding (BNB098) and the rest are reported.
Only a folder with nothing usable in it is an input error (exit 2).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..rules.cluster import Unreadable
from ..snapshot import Snapshot, load_snapshot


def _natural(path: Path) -> list[int | str]:
    """node-2.json before node-10.json."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def read_folder(folder: Path) -> tuple[list[tuple[str, Snapshot]], list[Unreadable]]:
    """(file name, snapshot) for every readable snapshot in `folder`, in natural order, and the unreadable ones."""
    if not folder.exists():
        raise InputError(f"snapshot folder not found: {folder}")
    if not folder.is_dir():
        raise InputError(f"--snapshots takes a folder, and {folder} is a file (use --snapshot for one file)")
    files = sorted((p for p in folder.iterdir() if p.suffix == ".json" and p.is_file()), key=_natural)
    if not files:
        raise InputError(
            f"no snapshot files (*.json) in {folder}: write them with `bnbdoctor snapshot -o {folder}/NODE.json`"
        )
    good: list[tuple[str, Snapshot]] = []
    bad: list[Unreadable] = []
    for path in files:
        try:
            good.append((path.name, load_snapshot(path)))
        except InputError as exc:
            bad.append(Unreadable(path.name, str(exc)))
    if not good:
        raise InputError(
            f"none of the {len(files)} files in {folder} is a readable snapshot; the first: {bad[0].error}"
        )
    return good, bad
