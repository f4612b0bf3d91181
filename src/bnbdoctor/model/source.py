"""Find a model: a local folder with config.json, or a Hugging Face Hub id.

A Hub id is fetched with huggingface_hub's own API and cache, and only what an estimate needs: config.json
(hf_hub_download, cached like transformers' own downloads) and the safetensors headers (HTTP Range requests of a
few KB per file; the weights are never downloaded). HF_TOKEN (or the token `hf auth login` saved) opens gated
models; HF_HUB_OFFLINE=1 or `offline=True` uses only the local cache. Without network the cache answers, or the
error is one line.
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
from .safetensors import DTYPES, TensorHeader, parse_header, read_folder

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSource:
    name: str  # what the user typed
    folder: Path
    config: dict[str, Any]
    tensors: tuple[TensorHeader, ...]  # from safetensors headers; empty when there are no weights on disk
    origin: (
        str  # "folder", "hub" (fetched now: config.json and headers) or "hub-cache" (offline, from the cache)
    )


def hub_cache() -> Path:
    """Where huggingface_hub keeps downloads: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface"
    )
    return Path(home).expanduser() / "hub"


def bnbdoctor_cache() -> Path | None:
    """bnbdoctor's own cache (built inventories, Hub headers): BNBDOCTOR_CACHE, else ~/.cache/bnbdoctor; None
    with BNBDOCTOR_NO_CACHE."""
    if os.environ.get("BNBDOCTOR_NO_CACHE"):
        return None
    base = os.environ.get("BNBDOCTOR_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", "~/.cache"), "bnbdoctor"
    )
    return Path(base).expanduser()


def _headers_file(repo_id: str, commit: str | None) -> Path | None:
    """Where a Hub commit's safetensors headers are kept: a commit never changes, so neither do they."""
    base = bnbdoctor_cache()
    if base is None or not commit or not re.fullmatch(r"[0-9a-f]{40}", commit):
        return None
    return base / "hub-headers" / f"{repo_id.replace('/', '--')}@{commit}.json"


def _cached_headers(repo_id: str, commit: str | None) -> list[TensorHeader]:
    path = _headers_file(repo_id, commit)
    try:
        raw = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
        return [t for file, header in sorted(raw.items()) for t in parse_header(header, file)]
    except (OSError, ValueError):
        return []  # absent or damaged: fetch again


def _keep_headers(repo_id: str, commit: str | None, tensors: list[TensorHeader]) -> None:
    path = _headers_file(repo_id, commit)
    if path is None or not tensors:
        return
    codes = {name: code for code, (name, _) in DTYPES.items()}
    raw: dict[str, dict[str, object]] = {}
    for t in tensors:  # written back as a safetensors header, which parse_header reads
        raw.setdefault(t.file, {})[t.name] = {"dtype": codes.get(t.dtype, t.dtype), "shape": list(t.shape)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(raw), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home is no reason to fail an estimate


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
    text = read_text(
        path, "config.json", max_bytes=16 * MiB
    )  # bounded: a 2 GB file named config.json is refused
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not (data.get("model_type") or data.get("architectures")):
        raise InputError(f"{path} is not a transformers model config (it has no model_type or architectures)")
    return data


def resolve(model: str, offline: bool = False, download: bool = False) -> ModelSource:
    """A folder, a config.json, or a Hub id: fetched (config.json and headers; with `download`, the whole checkpoint,
    as from_pretrained does, for a real load) unless `offline` or HF_HUB_OFFLINE, then from the local cache."""
    if not model.strip():  # Path("") is ".": the current folder would be judged as the model
        raise InputError("the model is empty: give a model folder, its config.json, or a Hugging Face Hub id")
    path = Path(model).expanduser()
    origin = "folder"
    if path.is_file() and path.name == "config.json":
        path = path.parent
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise InputError(f"{path} has no config.json: not a model folder")
    elif path.exists():
        raise InputError(f"{path} is neither a model folder nor a config.json")
    elif not _HUB_ID.match(model):
        raise InputError(
            f"model not found: {model} is neither a folder nor a Hugging Face Hub id (owner/name)"
        )
    elif offline or _env_offline():
        cached = _from_cache(model)
        if cached is None:
            raise InputError(
                f"{model} is not in the Hugging Face cache ({hub_cache()}) and offline mode is on "
                "(--offline or HF_HUB_OFFLINE=1): run once with network, or name a local folder"
            )
        path, origin = cached, "hub-cache"
        tensors = read_folder(path) or _cached_headers(model, path.name)
        return ModelSource(
            name=model,
            folder=path,
            config=read_config(path / "config.json"),
            tensors=tuple(tensors),
            origin=origin,
        )
    elif download:
        path, origin = _download(model), "hub"
    else:
        return from_hub(model)
    config = read_config(path / "config.json")
    return ModelSource(
        name=model, folder=path, config=config, tensors=tuple(read_folder(path)), origin=origin
    )


def _env_offline() -> bool:
    """huggingface_hub's HF_HUB_OFFLINE (also the older TRANSFORMERS_OFFLINE), read now, not at its import."""
    return any(
        os.environ.get(name, "").strip().upper() in ("1", "ON", "YES", "TRUE")
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _endpoint() -> str | None:
    return os.environ.get("HF_ENDPOINT") or None


def _token() -> str | None:
    return os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or None


def from_hub(repo_id: str, revision: str | None = None) -> ModelSource:
    """config.json through huggingface_hub's cache, the safetensors headers through Range requests. The endpoint,
    token and cache are read from the environment at each call (huggingface_hub reads its own at import)."""
    try:
        import huggingface_hub
        from huggingface_hub import errors
    except ImportError:
        raise InputError(
            f"{repo_id} is a Hub id and fetching it needs huggingface_hub: pip install huggingface_hub"
        ) from None
    # huggingface_hub retries a refused connection 5 times over 23 s, warning each time: ask once, quickly, whether
    # the Hub answers at all, and without it take the cache (as from_pretrained does) or say so in one line
    online = _reachable(
        huggingface_hub.hf_hub_url(repo_id, "config.json", revision=revision, endpoint=_endpoint())
    )
    try:
        config_path = _hub_file(repo_id, "config.json", revision, local_files_only=not online)
    except errors.GatedRepoError:
        raise InputError(
            f"{repo_id} is gated: accept its terms on its Hub page, then set HF_TOKEN to a token of that "
            "account"
        ) from None
    except errors.RepositoryNotFoundError:
        raise InputError(
            f"{repo_id}: not a folder here, and no such model on the Hub ({_endpoint() or 'huggingface.co'}) or a private one "
            "(set HF_TOKEN)"
        ) from None
    except errors.RevisionNotFoundError:
        raise InputError(f"{repo_id}: no revision {revision!r} on the Hub") from None
    except errors.EntryNotFoundError as exc:
        if isinstance(exc, errors.LocalEntryNotFoundError):  # no network and not in the cache
            raise InputError(
                f"cannot reach the Hugging Face Hub ({_endpoint() or 'huggingface.co'}) and {repo_id} is "
                f"not in the local cache ({hub_cache()}): connect, or name a local folder"
            ) from None
        raise InputError(f"{repo_id} has no config.json: not a transformers model") from None
    except (OSError, ValueError) as exc:  # HfHubHTTPError (an OSError), a malformed id
        raise InputError(f"cannot fetch {repo_id} from the Hub: {str(exc).splitlines()[0][:200]}") from None
    folder = config_path.parent  # the snapshot folder of that commit
    config = read_config(config_path)
    if not online:
        tensors = read_folder(folder) or _cached_headers(repo_id, folder.name)
        return ModelSource(
            name=repo_id, folder=folder, config=config, tensors=tuple(tensors), origin="hub-cache"
        )
    commit = folder.name if re.fullmatch(r"[0-9a-f]{40}", folder.name) else revision
    return ModelSource(
        name=repo_id,
        folder=folder,
        config=config,
        tensors=tuple(hub_headers(repo_id, commit, folder)),
        origin="hub",
    )


def _reachable(url: str, timeout: float = 10.0) -> bool:
    """Whether the Hub's server answers at all (any HTTP status counts), one request and no retries."""
    import huggingface_hub

    try:
        huggingface_hub.get_session().head(url, timeout=timeout)
    except (
        Exception
    ):  # the client's connection and timeout errors (httpx's, requests' in older huggingface_hub)
        return False
    return True


def _download(repo_id: str) -> Path:
    """The checkpoint's files into huggingface_hub's cache, as from_pretrained fetches them (configs and safetensors
    weights; pickled .bin weights are not fetched), and its snapshot folder."""
    from_hub(repo_id)  # the same one-line errors (gated, not found, no network) before a long download
    import huggingface_hub

    try:
        folder = Path(
            huggingface_hub.snapshot_download(
                repo_id,
                cache_dir=hub_cache(),
                token=_token(),
                endpoint=_endpoint(),
                allow_patterns=["*.json", "*.safetensors"],
            )
        )
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot download {repo_id} from the Hub: {str(exc).splitlines()[0][:200]}"
        ) from None
    # snapshot_download answers with the cached snapshot when the Hub's listing fails: make sure the weights came
    index = folder / "model.safetensors.index.json"
    try:
        wanted = (
            set(json.loads(index.read_text(encoding="utf-8")).get("weight_map", {}).values())
            if index.is_file()
            else set()
        )
    except (OSError, ValueError):
        wanted = set()
    if not (wanted or list(folder.glob("*.safetensors"))) or any(
        not (folder / name).is_file() for name in wanted
    ):
        raise InputError(
            f"{repo_id}: the download brought no complete safetensors checkpoint into {folder}: bnbdoctor "
            "downloads only safetensors weights (pickled .bin weights run code when loaded; download those "
            "yourself and pass the folder), or the download broke off"
        )
    return folder


def hub_headers(repo_id: str, revision: str | None, folder: Path) -> list[TensorHeader]:
    """The safetensors headers of a Hub model: model.safetensors.index.json (cached) names the shards, and each
    shard's header comes by a Range request of its first 100 KB (huggingface_hub's
    parse_safetensors_file_metadata). Weights already in the cache are read there. None found: an empty list
    (the estimate then assumes the model type's checkpoint layout and says so). Kept per commit in bnbdoctor's
    cache, so a second estimate (or one offline) asks nothing."""
    local = read_folder(folder) or _cached_headers(repo_id, revision)
    if local:
        return local
    tensors = _fetch_headers(repo_id, revision)
    _keep_headers(repo_id, revision, tensors)
    return tensors


def _hub_file(repo_id: str, filename: str, revision: str | None, local_files_only: bool = False) -> Path:
    """One file of a Hub repository, through the cache transformers uses, with the user's token and endpoint."""
    import huggingface_hub

    return Path(
        huggingface_hub.hf_hub_download(
            repo_id,
            filename,
            revision=revision,
            cache_dir=hub_cache(),
            token=_token(),
            endpoint=_endpoint(),
            local_files_only=local_files_only,
        )
    )


def _fetch_headers(repo_id: str, revision: str | None) -> list[TensorHeader]:
    import huggingface_hub
    from huggingface_hub import errors

    api = huggingface_hub.HfApi(endpoint=_endpoint(), token=_token())
    try:
        index = _hub_file(repo_id, "model.safetensors.index.json", revision)
        files = sorted(set(json.loads(index.read_text(encoding="utf-8")).get("weight_map", {}).values()))
    except errors.EntryNotFoundError:
        files = ["model.safetensors"]
    except (OSError, ValueError):
        return []
    tensors: list[TensorHeader] = []
    for name in files:
        try:
            meta = api.parse_safetensors_file_metadata(repo_id, name, revision=revision)
        except (OSError, ValueError, errors.SafetensorsParsingError, errors.EntryNotFoundError):
            return []  # no safetensors weights (a .bin checkpoint), or an unreadable shard: no headers at all
        raw: dict[str, object] = {
            key: {"dtype": info.dtype, "shape": list(info.shape)} for key, info in meta.tensors.items()
        }
        tensors.extend(parse_header(raw, name))
    return tensors
