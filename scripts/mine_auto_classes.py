"""Build the table of which transformers Auto class loads which configuration, per release
(explain/data/auto_classes.json.gz).

    PYTHONPATH=src python scripts/mine_auto_classes.py            # every release mine_messages.py mines (downloads
                                                                 # what is missing into /work/cache/transformers)
    PYTHONPATH=src python scripts/mine_auto_classes.py --offline  # only the wheels already in the cache

"ValueError: Unrecognized configuration class <class '...Qwen2VLConfig'> for this kind of AutoModel:
AutoModelForCausalLM" (models/auto/auto_factory.py) is raised when the configuration is known but the Auto class has
no model for it. Whether that is the caller's class (no release maps the configuration there: use the class that
does) or the release (a later release added the model to that Auto class: upgrade) is in the Auto classes' own
source: each `class AutoModelForX(_BaseAutoModelClass)` takes `_model_mapping = X_MAPPING`, which is
`_LazyAutoMapping(CONFIG_MAPPING_NAMES, X_MAPPING_NAMES)`; configuration_auto.py's CONFIG_MAPPING_NAMES names the
configuration class of each model type. This script reads both files of every release's wheel (an AST parse, nothing
is imported) and keeps, per configuration class and Auto class, the release ranges in which the one loads the other.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import sys
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mine_api import ranges  # the API index's "0-2,5-6" release ranges, the same format
from mine_messages import PACKAGES, download, find_archive, releases

OUT = Path(__file__).resolve().parents[1] / "src" / "bnbdoctor" / "explain" / "data" / "auto_classes.json.gz"
SCHEMA = "bnbdoctor.auto_classes/1"
MODELING = "transformers/models/auto/modeling_auto.py"
CONFIGURATION = "transformers/models/auto/configuration_auto.py"
MAPPINGS = "transformers/models/auto/auto_mappings.py"  # 5.x: CONFIG_MAPPING_NAMES moved here


def _pairs(node: ast.AST) -> dict[str, str]:
    """The (model type -> class name) pairs of an `OrderedDict([...])` or `{...}` literal; a tuple of classes (one
    model type with several) keeps its first."""
    if isinstance(node, ast.Call) and node.args:
        node = node.args[0]
    out: dict[str, str] = {}
    if isinstance(node, ast.Dict):
        items: Iterable[tuple[ast.AST | None, ast.AST]] = zip(node.keys, node.values, strict=True)
    elif isinstance(node, (ast.List, ast.Tuple)):
        items = [(e.elts[0], e.elts[1]) for e in node.elts if isinstance(e, ast.Tuple) and len(e.elts) == 2]
    else:
        return out
    for key, value in items:
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        if (
            isinstance(key, ast.Constant)
            and isinstance(value, ast.Constant)
            and isinstance(key.value, str)
            and isinstance(value.value, str)
        ):
            out[key.value] = value.value
    return out


def _names(tree: ast.Module) -> dict[str, dict[str, str]]:
    """Every top-level `NAME = OrderedDict(...)`/`{...}` of model types, by its name."""
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Name)
                    and target.id.endswith("_MAPPING_NAMES")
                    and node.value is not None
                ):
                    out[target.id] = _pairs(node.value)
    return out


def _config_classes(*sources: str) -> dict[str, str]:
    """Model type -> configuration class, from every literal of the configuration files (CONFIG_MAPPING_NAMES is an
    `OrderedDict([...])` in configuration_auto.py up to 4.x, a dict in auto_mappings.py in 5.x, with additions)."""
    out: dict[str, str] = {}
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Dict, ast.List)):
                out.update({k: v for k, v in _pairs(node).items() if v.endswith("Config")})
    return out


def mine_release(modeling: str, *configuration: str) -> dict[str, list[str]]:
    """Per configuration class, the Auto classes of this release that load it (sorted)."""
    tree = ast.parse(modeling)
    tables = _names(tree)
    configs = _config_classes(*configuration)
    lazy: dict[str, str] = {}  # MODEL_FOR_X_MAPPING -> MODEL_FOR_X_MAPPING_NAMES
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.value.args) == 2:
            names = node.value.args[1]
            if isinstance(names, ast.Name) and isinstance(node.targets[0], ast.Name):
                lazy[node.targets[0].id] = names.id
    out: dict[str, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not node.name.startswith("AutoModel"):
            continue
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "_model_mapping"
                and isinstance(stmt.value, ast.Name)
            ):
                for model_type in tables.get(lazy.get(stmt.value.id, ""), {}):
                    if model_type in configs:
                        out.setdefault(configs[model_type], set()).add(node.name)
    return {config: sorted(classes) for config, classes in sorted(out.items())}


def build(per_release: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """The shipped table: the releases (oldest first) and, per configuration class and Auto class, the ranges of
    release indexes in which that Auto class loads it."""
    versions = list(per_release)
    held: dict[str, dict[str, list[int]]] = {}
    for i, version in enumerate(versions):
        for config, classes in per_release[version].items():
            for auto in classes:
                held.setdefault(config, {}).setdefault(auto, []).append(i)
    classes = {c: {a: ranges(ix) for a, ix in sorted(autos.items())} for c, autos in sorted(held.items())}
    return {"schema": SCHEMA, "package": "transformers", "releases": versions, "classes": classes}


def read_wheel(path: Path) -> tuple[str, ...] | None:
    """modeling_auto.py, then the configuration files (auto_mappings.py from 5.x on), of a wheel."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if MODELING not in names or CONFIGURATION not in names:
            return None
        wanted = [MODELING, CONFIGURATION, *([MAPPINGS] if MAPPINGS in names else [])]
        return tuple(archive.read(name).decode() for name in wanted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offline", action="store_true", help="only the wheels already downloaded")
    args = parser.parse_args()
    package = PACKAGES["transformers"]
    started = time.time()
    per_release: dict[str, dict[str, list[str]]] = {}
    for version in releases(package):
        path = find_archive(package, version) if args.offline else download(package, version)
        files = read_wheel(path) if path is not None else None
        if files is not None:
            per_release[version] = mine_release(*files)
    table = build(per_release)
    table["generated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    OUT.write_bytes(gzip.compress(json.dumps(table, sort_keys=True, separators=(",", ":")).encode(), mtime=0))
    pairs = sum(len(a) for a in table["classes"].values())
    print(
        f"transformers {len(per_release)} releases ({next(iter(per_release))}..{list(per_release)[-1]}): "
        f"{len(table['classes'])} configuration classes, {pairs} (configuration, Auto class) pairs, "
        f"{OUT.stat().st_size // 1024} KiB, {time.time() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
