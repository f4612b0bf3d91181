"""Find a model: a local folder with config.json, or a Hub id already in the local Hugging Face cache.

No network: a model that is not on disk is a one-line error.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..inputs import MiB, read_text
from .safetensors import TensorHeader, read_folder

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSource:
    name: str  # what the user typed
    folder: Path
    config: dict[str, Any]
    tensors: tuple[TensorHeader, ...]  # from safetensors headers; empty when there are no weights on disk
    origin: str  # "folder" or "hub-cache"


def hub_cache() -> Path:
    """Where huggingface_hub keeps downloads: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")
    return Path(home).expanduser() / "hub"


def _from_cache(repo_id: str) -> Path | None:
    base = hub_cache() / ("models--" + repo_id.replace("/", "--"))
    if not base.is_dir():
        return None
    ref = base / "refs" / "main"
    if ref.is_file():
        snapshot = base / "snapshots" / ref.read_text().strip()
        if (snapshot / "config.json").is_file():
            return snapshot
    snapshots = [p for p in (base / "snapshots").glob("*") if (p / "config.json").is_file()]
    return max(snapshots, key=lambda p: p.stat().st_mtime) if snapshots else None


def read_config(path: Path) -> dict[str, Any]:
    text = read_text(path, "config.json", max_bytes=16 * MiB)  # bounded: a 2 GB file named config.json is refused
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not (data.get("model_type") or data.get("architectures")):
        raise InputError(f"{path} is not a transformers model config (it has no model_type or architectures)")
    return data


def resolve(model: str) -> ModelSource:
    if not model.strip():  # Path("") is ".": the current folder would be judged as the model
        raise InputError("the model is empty: give a model folder, its config.json, or a Hub id in the local cache")
    path = Path(model).expanduser()
    origin = "folder"
    if path.is_file() and path.name == "config.json":
        path = path.parent
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise InputError(f"{path} has no config.json: not a model folder")
    elif path.exists():
        raise InputError(f"{path} is neither a model folder nor a config.json")
    else:
        cached = _from_cache(model) if _HUB_ID.match(model) else None
        if cached is None:
            where = f" nor in the Hugging Face cache ({hub_cache()})" if _HUB_ID.match(model) else ""
            raise InputError(f"model not found: {model} is not a folder{where}; bnbdoctor never downloads")
        path, origin = cached, "hub-cache"
    config = read_config(path / "config.json")
    return ModelSource(name=model, folder=path, config=config, tensors=tuple(read_folder(path)), origin=origin)
