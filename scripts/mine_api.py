"""Build the API index `bnbdoctor explain` resolves Python's own name errors against (explain/data/api.json.gz).

    PYTHONPATH=src python scripts/mine_api.py                  # download what is missing, mine, write the index
    PYTHONPATH=src python scripts/mine_api.py --offline        # only what is already in /work/cache
    PYTHONPATH=src python scripts/mine_api.py --only peft --latest 3   # a quick partial run (nothing written)
    PYTHONPATH=src python scripts/mine_api.py --with-diffusers # diffusers 0.25+ too (optional, not shipped)

Python's own messages about names ("cannot import name 'X' from 'M'", "module 'M' has no attribute 'X'",
"F.__init__() got an unexpected keyword argument 'k'", "'C' object has no attribute 'a'") are in no library's
`raise` statement, so scripts/mine_messages.py cannot see them; they are the most common symptom of a version
mismatch. This script records, for every release of the packages below, what such a message can name:

(a) every module path (`transformers.models.llama.modeling_llama`, `bitsandbytes.cuda_setup.paths`);
(b) every public name a module defines or imports at its top level (inside `if`/`try` too), its `__all__`, the
    names of a lazy module's `_import_structure` (how `from transformers import X` resolves), the `__all__` of the
    modules a `define_import_structure(...)` package reads, and the names a `from .x import *` brings in;
(c) the parameter names of every public function, class (its `__init__`, or its dataclass fields with those of
    its bases: TrainingArguments, SFTConfig, LoraConfig) and public method, plus the keywords a `**kwargs`
    function reads with `kwargs.pop("k")`/`kwargs.get("k")` (how from_pretrained took load_in_4bit);
(d) the public methods and instance attributes (`self.x = ...`, with those of their bases in the same package) of
    the classes users meet in these errors (CLASSES below).

transformers' model files (`transformers/models/*/`) are read for their names only (a regex, not a parse: there are
thousands), and the index keeps only the names a release added or removed there (the only ones a version error can
be about); torch is read from the macOS arm64 wheel of each minor (its Python files and the C stubs its `__init__`
star-imports dtypes and functions from), names only, public modules only. Parameters are kept for functions and
constructors, and for the methods of the curated classes and every `from_pretrained`; transformers' placeholder,
test, converter, CLI and TensorFlow/Flax modules are left out. This keeps the file under 400 KiB.

Each fact is stored as the release RANGES it holds in (indexes into the package's release list, "0-12,15-40"),
never per release. Reading an archive is cached in /work/cache/api-mined/ (keyed by archive name and EXTRACTOR),
so a rerun only reads what is new; --fresh ignores that cache. Downloading, the cache layout and archive reading
are scripts/mine_messages.py's (imported, not copied).

Last full run: see the summary line it prints (packages, releases, counts, size), also in the file's "stats".
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import io
import json
import re
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mine_messages import (
    CACHE,
    MAC,
    MAC_310,
    PACKAGES,
    ROOT,
    SDIST,
    WHEEL,
    Package,
    _members,
    by_minor,
    download,
    find_archive,
    releases,
)
from packaging.version import Version

OUT = ROOT / "src" / "bnbdoctor" / "explain" / "data" / "api.json.gz"
SCHEMA = "bnbdoctor.api/1"
EXTRACTOR = "3"  # bump when what is extracted from an archive changes: the per-archive cache is then rebuilt
MINED = CACHE / "api-mined"


def _never(path: str) -> bool:
    return False


#: the packages indexed, oldest release first; mine_messages' PACKAGES where it has them
API: dict[str, Package] = {
    "bitsandbytes": PACKAGES["bitsandbytes"],
    "transformers": PACKAGES["transformers"],
    "peft": PACKAGES["peft"],
    "accelerate": PACKAGES["accelerate"],
    "trl": Package("trl", "trl", "0.4.0", _never, (WHEEL,)),
    "diffusers": Package("diffusers", "diffusers", "0.25.0", _never, (WHEEL,)),
    "torch": Package("torch", "torch", "1.13.0", _never, (MAC, MAC_310), per_minor=True),
}
#: the top-level import name of each package
TOP = {name: name for name in API}
#: bitsandbytes <= 0.42 ships an sdist first (mine_messages prefers it); either holds the same Python files
_ = SDIST

#: (d) the classes whose methods and attributes are recorded: package -> class names (bases in the same package
#: are followed, so LoraModel gets BaseTuner's methods and BitsAndBytesConfig QuantizationConfigMixin's)
CLASSES: dict[str, tuple[str, ...]] = {
    "bitsandbytes": (
        "Linear4bit",
        "LinearFP4",
        "LinearNF4",
        "Linear8bitLt",
        "Params4bit",
        "Int8Params",
        "QuantState",
        "MatmulLtState",
        "Embedding4bit",
        "StableEmbedding",
        "Optimizer8bit",
    ),
    "transformers": (
        "PreTrainedModel",
        "BitsAndBytesConfig",
        "PretrainedConfig",
        "PreTrainedConfig",
        "GenerationConfig",
        "TrainingArguments",
        "Trainer",
        "PreTrainedTokenizerBase",
        "Bnb4BitHfQuantizer",
        "Bnb8BitHfQuantizer",
    ),
    "peft": ("PeftModel", "PeftModelForCausalLM", "LoraModel", "BaseTuner", "LoraConfig", "PeftConfig"),
    "accelerate": ("Accelerator",),
    "trl": ("SFTTrainer", "SFTConfig", "DPOTrainer", "DPOConfig"),
    "diffusers": (),
    "torch": (),
}
#: attributes set on an object other than `self` that the class's users read: transformers sets
#: `model.is_loaded_in_4bit = True` on the PreTrainedModel it loads (in from_pretrained or its quantizer)
FOREIGN_ATTRIBUTES = {"PreTrainedModel": re.compile(r"^\s*model\.([a-z]\w*)\s*=[^=]", re.M)}


# ---- which files ----


def _module_of(path: str) -> str | None:
    """'peft/tuners/lora/model.py' -> 'peft.tuners.lora.model'; None for what is not a module."""
    if not path.endswith((".py", ".pyi")):
        return None
    parts = path.rsplit(".", 1)[0].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or any(not p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def _wanted(package: str, path: str) -> bool:
    top = TOP[package]
    if not path.startswith(top + "/"):
        return False
    if "/tests/" in path or "/test/" in path or path.endswith("conftest.py"):
        return False
    if package == "torch":
        module = _module_of(path) or ""
        parts = module.split(".")
        # public modules, and the C stubs torch's __init__ star-imports its dtypes and functions from
        return (
            not any(p.startswith("_") for p in parts[1:])
            or module in ("torch._C", "torch._C._VariableFunctions")
            or module.startswith("torch.utils._pytree")
        ) and not module.startswith(("torch.testing", "torch.include", "torch.share"))
    return path.endswith(".py")


def _model_file(package: str, path: str) -> bool:
    """transformers' (and diffusers') per-model files: names only, by regex."""
    return (
        package == "transformers" and path.startswith("transformers/models/") and path.count("/") >= 3
    ) or (package == "diffusers" and "/pipelines/" in path and path.count("/") >= 3)


# ---- (b), (c), (d) from one file ----

_TOP_DEF = re.compile(r"^(?:class|def|async def)\s+([A-Za-z]\w*)|^([A-Za-z]\w*)\s*(?::[^=\n]+)?=[^=]", re.M)
_ALL = re.compile(r"^__all__\s*(?::[^=]*)?=\s*(\[[^\]]*\]|\([^)]*\))", re.M)


def _strings(node: ast.AST | None) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _literal_all(source: str) -> list[str]:
    m = _ALL.search(source)
    if not m:
        return []
    try:
        value = ast.literal_eval(m.group(1))
    except (ValueError, SyntaxError):
        return []
    return [v for v in value if isinstance(v, str)]


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    a = fn.args
    names = [x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    if (
        method
        and names
        and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    ):
        names = names[1:]  # self / cls
    if a.vararg:
        names.append("*")
    if a.kwarg:
        names.append("**")
        kw = a.kwarg.arg
        for node in ast.walk(fn):  # kwargs.pop("load_in_4bit", False), kwargs.get("device_map")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("pop", "get")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == kw
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ) and not node.args[0].value.startswith("_"):
                names.append(node.args[0].value)
    return names


def _dataclass(node: ast.ClassDef) -> bool:
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if (isinstance(target, ast.Name) and target.id == "dataclass") or (
            isinstance(target, ast.Attribute) and target.attr == "dataclass"
        ):
            return True
    return False


def _base_names(node: ast.ClassDef) -> list[str]:
    out = []
    for b in node.bases:
        if isinstance(b, ast.Name):
            out.append(b.id)
        elif isinstance(b, ast.Attribute):
            out.append(b.attr)
    return out


def _class_info(node: ast.ClassDef, source: str) -> dict[str, Any]:
    """The facts of one class: bases, constructor params or dataclass fields, public methods' params, attributes."""
    fields: list[str] = []
    methods: dict[str, list[str]] = {}
    attrs: set[str] = set()
    init: list[str] | None = None
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            fields.append(item.target.id)
            attrs.add(item.target.id)
        elif isinstance(item, ast.Assign):
            attrs.update(t.id for t in item.targets if isinstance(t, ast.Name))
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if item.name in ("__init__", "__new__") and (init is None or item.name == "__init__"):
                init = _params(item, True)
            if not item.name.startswith("_"):
                methods[item.name] = _params(item, True)
            for sub in ast.walk(item):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.ctx, ast.Store)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self"
                ):
                    attrs.add(sub.attr)
    if node.name in FOREIGN_ATTRIBUTES:
        attrs.update(FOREIGN_ATTRIBUTES[node.name].findall(source))
    return {
        "bases": _base_names(node),
        "dataclass": _dataclass(node),
        "fields": [f for f in fields if not f.startswith("_")],
        "init": init,
        "methods": methods,
        "attrs": sorted(a for a in attrs if not a.startswith("_")),
    }


def _lazy_structure(tree: ast.Module) -> list[str]:
    """The names of `_import_structure` (a dict literal, item assignments, .extend/.append/+=, anywhere)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if (
                    isinstance(t, ast.Name)
                    and t.id == "_import_structure"
                    and isinstance(node.value, ast.Dict)
                ):
                    for v in node.value.values:
                        names += _strings(v)
                elif (
                    isinstance(t, ast.Subscript)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "_import_structure"
                ):
                    names += _strings(node.value)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Subscript)
            and isinstance(node.target.value, ast.Name)
            and node.target.value.id == "_import_structure"
        ):
            names += _strings(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("extend", "append")
            and isinstance(node.func.value, ast.Subscript)
            and isinstance(node.func.value.value, ast.Name)
            and node.func.value.value.id == "_import_structure"
            and node.args
        ):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.append(arg.value)
            else:
                names += _strings(arg)
    return names


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A module's top-level statements, those inside top-level `if`/`try`/`with` blocks too."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body)
            for h in node.handlers:
                yield from _top_level(h.body)
            yield from _top_level(node.orelse)
            yield from _top_level(node.finalbody)
        elif isinstance(node, ast.With):
            yield from _top_level(node.body)
        else:
            yield node


def extract_module(source: str, module: str, package: str, names_only: bool = False) -> dict[str, Any]:
    """What one module file contributes: its names, star imports, lazy dirs, callables' params, classes."""
    if names_only:
        names = {a or b for a, b in _TOP_DEF.findall(source)}
        exported = _literal_all(source)
        names.update(exported)
        found: dict[str, Any] = {"names": sorted(n for n in names if not n.startswith("_"))}
        if exported:
            found["all"] = sorted(set(exported))
        return found
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {"names": []}
    names: set[str] = set()
    exported: set[str] = set()
    submodules: set[str] = set()
    stars: list[str] = []
    params: dict[str, list[str]] = {}
    classes: dict[str, dict[str, Any]] = {}
    for node in _top_level(tree.body):
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
            if not node.name.startswith("_"):
                classes[node.name] = _class_info(node, source)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
            if not node.name.startswith("_"):
                params[node.name] = _params(node, False)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    stars.append("." * node.level + (node.module or ""))
                else:
                    names.add(alias.asname or alias.name)
            # `from .nn import modules` also binds the submodule `nn` on this package
            if node.level == 1 and node.module:
                submodules.add(node.module.split(".")[0])
            elif node.level == 0 and (node.module or "").startswith(module + "."):
                submodules.add((node.module or "")[len(module) + 1 :].split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(a.asname for a in node.names if a.asname)
            submodules.update(
                a.name[len(module) + 1 :].split(".")[0]
                for a in node.names
                if not a.asname and a.name.startswith(module + ".")
            )
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    names.add(t.id)
                    if t.id == "__all__":
                        exported.update(_strings(node.value))
                elif isinstance(t, ast.Tuple):
                    names.update(e.id for e in t.elts if isinstance(e, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    lazy = _lazy_structure(tree) if "_import_structure" in source else []
    names.update(lazy)
    names.update(exported)
    out: dict[str, Any] = {"names": sorted(n for n in names if not n.startswith("_"))}
    if exported:
        out["all"] = sorted(exported)
    if stars:
        out["stars"] = stars
    if submodules:
        out["submodules"] = sorted(submodules)
    if "define_import_structure" in source:
        # a lazy package that exports its modules' __all__ (transformers >= 4.46's models, and each model package)
        out["lazy_dirs"] = ["models"] if '/ "models"' in source or "/ 'models'" in source else ["."]
    if package != "torch":
        out["params"] = params
        out["classes"] = classes
    return out


# ---- one release ----


def _resolve(module: str, target: str, is_package: bool) -> str:
    """A relative import's module: ('peft.utils', '.other', True) -> 'peft.utils.other'."""
    level = len(target) - len(target.lstrip("."))
    if not level:
        return target
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    rest = target.lstrip(".")
    return ".".join([*base, rest] if rest else base)


def _constructor(chain: list[dict[str, Any]]) -> list[str]:
    """The constructor's parameters: the nearest own __init__, or a dataclass's fields (its dataclass bases' first)."""
    for i, x in enumerate(chain):
        if x["init"] is not None:
            return list(x["init"])
        if x["dataclass"]:
            ctor: list[str] = []
            for y in reversed(chain[i:]):
                if y["dataclass"]:
                    ctor += [f for f in y["fields"] if f not in ctor]
            return ctor
    return []


def mine_release(package: str, files: Iterator[tuple[str, bytes]]) -> dict[str, Any]:
    """One release's index: modules, names per module, params per callable, members per curated class."""
    per: dict[str, dict[str, Any]] = {}
    packages: set[str] = set()
    seen: dict[str, dict[str, Any]] = {}
    for path, data in files:
        if not _wanted(package, path):
            continue
        module = _module_of(path)
        if module is None:
            continue
        if path.endswith("/__init__.py") or path.endswith("/__init__.pyi"):
            packages.add(module)
        key = hashlib.sha1(data).hexdigest() + ("m" if _model_file(package, path) else "")
        if key not in seen:
            seen[key] = extract_module(
                data.decode("utf-8", errors="replace"), module, package, names_only=_model_file(package, path)
            )
        info = seen[key]
        if module in per and path.endswith(".pyi"):
            per[module]["names"] = sorted(set(per[module]["names"]) | set(info["names"]))
            continue
        per[module] = info
    # names: own, then star imports and define_import_structure dirs (two passes reach one level of re-export)
    names: dict[str, set[str]] = {
        m: set(i["names"]) | (set(i.get("submodules", ())) if m in packages else set())
        for m, i in per.items()
    }
    for _ in range(2):
        for module, info in per.items():
            for star in info.get("stars", ()):
                src = _resolve(module, star, module in packages)
                names[module] |= {n for n in names.get(src, ()) if not n.startswith("_")}
            for d in info.get("lazy_dirs", ()):
                # define_import_structure: the `__all__` of every module below (a model package: its own files)
                prefix = module + ("" if d == "." else "." + d) + "."
                depth = module.count(".") + 1
                for other, oinfo in per.items():
                    if other.startswith(prefix) and (d != "." or other.count(".") == depth):
                        names[module] |= set(oinfo.get("all", ()))
    params: dict[str, list[str]] = {}
    class_defs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for module, info in per.items():
        for fn, ps in info.get("params", {}).items():
            params[f"{module}:{fn}"] = ps
        for cls, c in info.get("classes", {}).items():
            class_defs.setdefault(cls, []).append((module, c))

    def lineage(module: str, cls: str, depth: int = 0) -> list[dict[str, Any]]:
        """The class and its bases defined in this package (same module first), nearest first."""
        found = [c for m, c in class_defs.get(cls, ()) if m == module] or [
            c for _, c in class_defs.get(cls, ())
        ][:1]
        if not found or depth > 6:
            return []
        out = [found[0]]
        for base in found[0]["bases"]:
            if base != cls:
                out += lineage(module, base, depth + 1)
        return out

    for cls, defs in class_defs.items():
        for module, c in defs:
            chain = lineage(module, cls)
            if ".dummy_" in module:
                continue  # transformers' placeholders for a missing backend
            params[f"{module}:{cls}"] = _constructor(chain)
            for meth, ps in c["methods"].items():
                params[f"{module}:{cls}.{meth}"] = ps
    members: dict[str, list[str]] = {}
    for cls in CLASSES.get(package, ()):
        for module, _c in class_defs.get(cls, ()):
            if ".dummy_" in module:
                continue
            got: set[str] = set()
            for x in lineage(module, cls):
                got |= set(x["methods"]) | set(x["attrs"]) | set(x["fields"])
            members[f"{module}:{cls}"] = sorted(got)
    return {
        "modules": sorted(per),
        "names": {m: sorted(n) for m, n in names.items() if n},
        "params": params,
        "members": members,
    }


def mine_archive(package: str, archive: Path, fresh: bool = False) -> dict[str, Any]:
    cached = MINED / f"{archive.name}.{EXTRACTOR}.json.gz"
    if cached.is_file() and not fresh:
        got = json.loads(gzip.decompress(cached.read_bytes()))
    else:
        got = mine_release(package, _members_with_stubs(archive))
        MINED.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(gzip.compress(json.dumps(got).encode(), mtime=0))
    if archive.name.startswith("torch-"):
        names = got.setdefault("names", {}).setdefault("torch", [])
        got["names"]["torch"] = sorted(set(names) | set(torch_dtype_names(archive, fresh)))
    return got


#: the shape of a dtype's name (c10/core/ScalarType.h's ScalarTypes as getDtypeNames spells them: int1..int7 and
#: uint1..uint7 are sub-byte, bits* are raw, float8_*/float4_* the narrow floats, q* the quantized ones)
DTYPE_NAME = re.compile(
    r"(u?int(1|2|3|4|5|6|7|8|16|32|64)|bits(1x8|2x4|4x2|8|16)|(b?float|float8_e\w+|float4_e\w+)\d*|half|double|"
    r"c(float|double|half)|complex(32|64|128)|short|long|bool|q(u?int\w+|int32))"
)
DTYPES_EXTRACTOR = "1"


def torch_dtype_names(archive: Path, fresh: bool = False) -> list[str]:
    """The dtypes a torch release sets on the `torch` module from C++ (torch/csrc/utils/tensor_dtypes.cpp
    initializeDtypes: one attribute per c10::getDtypeNames entry), which its .pyi stubs leave out for the newer ones
    (torch.uint1..uint7 from 2.3, torch.int1..int7 from 2.6): the C strings of the library that holds getDtypeNames
    (libtorch_python up to 2.4, libc10 from 2.5) that have a dtype's shape."""
    cached = MINED / f"{archive.name}.dtypes{DTYPES_EXTRACTOR}.json.gz"
    if cached.is_file() and not fresh:
        return list(json.loads(gzip.decompress(cached.read_bytes())))
    import zipfile

    found: set[str] = set()
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            if re.search(r"/lib/(lib)?(torch_python|c10)\.(dylib|so|dll)$", name):
                for m in re.finditer(rb"(?<=\x00)([a-z0-9_]{3,24})(?=\x00)", zf.read(name)):
                    word = m.group(1).decode()
                    if DTYPE_NAME.fullmatch(word):
                        found.add(word)
    MINED.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(gzip.compress(json.dumps(sorted(found)).encode(), mtime=0))
    return sorted(found)


def _members_with_stubs(archive: Path) -> Iterator[tuple[str, bytes]]:
    """mine_messages._members (every .py file), plus torch's C stubs (.pyi) where the archive is a wheel."""
    yield from _members(archive)
    if archive.name.startswith("torch-"):
        import zipfile

        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name in ("torch/_C/__init__.pyi", "torch/_C/_VariableFunctions.pyi"):
                    yield name, zf.read(name)


def mine_tree(package: str, root: Path) -> dict[str, Any]:
    """One installed release (root: the site-packages holding it), for the test that checks the shipped index."""
    top = root / TOP[package]

    def files() -> Iterator[tuple[str, bytes]]:
        for file in sorted([*top.rglob("*.py"), *top.rglob("*.pyi")]):
            yield file.relative_to(root).as_posix(), file.read_bytes()

    return mine_release(package, files())


# ---- ranges ----


def ranges(indexes: list[int]) -> str:
    """[0, 1, 2, 5, 6] -> '0-2,5-6' (release indexes, sorted)."""
    out: list[str] = []
    start = prev = indexes[0]
    for i in indexes[1:]:
        if i != prev + 1:
            out.append(f"{start}-{prev}" if prev != start else str(start))
            start = i
        prev = i
    out.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(out)


#: modules whose names are left out: transformers' placeholders for a missing backend, tests and test helpers,
#: converters, CLIs, TensorFlow/Flax code (gone in 5.x, never loaded with bitsandbytes), ONNX export, benchmarks
_SKIP_NAMES = re.compile(
    r"\.dummy_|test_utils|testing_utils|\.testing\b|\.convert_|\.commands\b|\.cli\b|modeling_tf_|modeling_flax_"
    r"|_tf_utils|_flax_utils|\.onnx\b|\.benchmark"
)


def _per_model(module: str) -> bool:
    """transformers' per-model files (transformers.models.llama.modeling_llama)."""
    return module.startswith("transformers.models.") and module.count(".") >= 3


def _keep_names(module: str) -> bool:
    return not _SKIP_NAMES.search(module)


def _keep_params(key: str, curated: set[str]) -> bool:
    """Functions and constructors everywhere; methods of the curated classes, and every from_pretrained."""
    module, _, qual = key.partition(":")
    if not _keep_names(module) or _per_model(module):
        return False
    if "." not in qual:
        return True
    owner, _, method = qual.partition(".")
    return owner in curated or method in ("from_pretrained", "from_config")


def grouped(table: dict[str, str]) -> dict[str, str]:
    """{name: ranges} -> {ranges: 'name name ...'}: a range is written once for all the names that share it."""
    out: dict[str, list[str]] = {}
    for name, r in table.items():
        out.setdefault(r, []).append(name)
    return {r: " ".join(sorted(ns)) for r, ns in out.items()}


def build_index(mined: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """mined: package -> version -> mine_release(); the index with release ranges.

    Every table is grouped by range: names[module] = {"0-40,44-160": "Name1 Name2", ...}. A transformers per-model
    module keeps only the names whose range differs from the module's own (those a release added or removed: the
    only ones a version error can be about); its entry then holds "~": "partial"."""
    curated = {c for cs in CLASSES.values() for c in cs}
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "generator": "scripts/mine_api.py",
        "releases": {},
        "modules": {},
        "names": {},
        "params": {},
        "members": {},
    }
    counts = {"names": 0, "params": 0, "callables": 0, "members": 0}
    for package, by_version in mined.items():
        versions = sorted(by_version, key=Version)
        out["releases"][package] = versions
        mods: dict[str, list[int]] = {}
        names: dict[str, dict[str, list[int]]] = {}
        params: dict[str, dict[str, list[int]]] = {}
        members: dict[str, dict[str, list[int]]] = {}
        for i, v in enumerate(versions):
            r = by_version[v]
            for m in r["modules"]:
                mods.setdefault(m, []).append(i)
            for m, ns in r["names"].items():
                if not _keep_names(m):
                    continue
                table = names.setdefault(m, {})
                for n in ns:
                    table.setdefault(n, []).append(i)
            for key, ps in r["params"].items():
                if not _keep_params(key, curated):
                    continue
                table = params.setdefault(key, {})
                table.setdefault("(", []).append(i)  # the callable itself
                for p in dict.fromkeys(ps):
                    table.setdefault(p, []).append(i)
            for key, attrs in r["members"].items():
                table = members.setdefault(key, {})
                for a in attrs:
                    table.setdefault(a, []).append(i)
        module_ranges = {m: ranges(ix) for m, ix in sorted(mods.items())}
        out["modules"][package] = grouped(module_ranges)
        for m, table in sorted(names.items()):
            ranged = {n: ranges(ix) for n, ix in table.items()}
            if _per_model(m):
                own = module_ranges.get(m)
                ranged = {n: r for n, r in ranged.items() if r != own}
                ranged["~"] = "partial"
            counts["names"] += len(ranged)
            out["names"][m] = grouped(ranged)
        for key, table in sorted(params.items()):
            counts["callables"] += 1
            counts["params"] += len(table) - 1
            out["params"][key] = grouped({p: ranges(ix) for p, ix in table.items()})
        for key, table in sorted(members.items()):
            counts["members"] += len(table)
            out["members"][key] = grouped({a: ranges(ix) for a, ix in table.items()})
    out["stats"] = {
        "packages": {p: f"{len(v)} ({v[0]}..{v[-1]})" for p, v in out["releases"].items() if v},
        "modules": sum(len(mined_modules) for mined_modules in _ungroup_all(out["modules"]).values()),
        **counts,
    }
    return out


def _ungroup_all(tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {k: {n: r for r, ns in t.items() for n in ns.split(" ")} for k, t in tables.items()}


def write_index(index: dict[str, Any], path: Path = OUT) -> None:
    raw = json.dumps(index, separators=(",", ":")).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def _job(args: tuple[str, str, bool, bool]) -> tuple[str, str, dict[str, Any] | None]:
    name, version, offline, fresh = args
    package = API[name]
    archive = find_archive(package, version) if offline else download(package, version)
    if archive is None:
        return name, version, None
    return name, version, mine_archive(name, archive, fresh)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(API), help="mine only these packages")
    parser.add_argument(
        "--latest", type=int, help="only the newest N releases of each package (nothing written)"
    )
    parser.add_argument("--offline", action="store_true", help="use only what is already in the cache")
    parser.add_argument(
        "--fresh", action="store_true", help="re-read archives even when their result is cached"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--with-diffusers",
        action="store_true",
        help="index diffusers (0.25+) too (optional: not in the shipped file)",
    )
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    mined: dict[str, dict[str, dict[str, Any]]] = {}
    chosen = args.only or [p for p in API if p != "diffusers" or args.with_diffusers]
    for name in chosen:
        package = API[name]
        versions = releases(package, args.latest)
        groups = by_minor(versions) if package.per_minor else [[v] for v in versions]
        mined[name] = {}
        missing: list[str] = []
        pending = []
        for group in groups:  # per minor: the newest patch that can be fetched
            chosen = next(
                (v for v in group if find_archive(package, v) is not None), None if args.offline else group[0]
            )
            if chosen is None:
                missing.append(group[0])
            else:
                pending.append((name, chosen, args.offline, args.fresh))
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for _, version, got in pool.map(_job, pending):
                if got is None:
                    missing.append(version)
                else:
                    mined[name][version] = got
        if not mined[name]:
            print(f"{name}: nothing mined" + (f" (not available: {', '.join(missing)})" if missing else ""))
            del mined[name]
            continue
        got_versions = sorted(mined[name], key=Version)
        print(
            f"{name}: {len(got_versions)} releases ({got_versions[0]}..{got_versions[-1]})"
            + (f"; not available: {', '.join(missing)}" if missing else ""),
            flush=True,
        )
    index = build_index(mined)
    print(json.dumps(index["stats"]))
    if args.latest or args.only:
        print("partial run: index not written")
        return 0
    write_index(index, args.output)
    size = args.output.stat().st_size // 1024
    print(
        f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} ({size} KiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
