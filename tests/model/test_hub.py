"""Hub ids, fetched from a local HTTP server that answers the Hub's file API as huggingface_hub calls it
(HEAD and GET of /{repo}/resolve/{revision}/{file} with X-Repo-Commit and ETag, Range GETs, and
/api/models/{repo}/revision/{revision} for snapshot_download), with HF_ENDPOINT pointing at it. The repository
holds a real config.json and real safetensors files written here; nothing of bnbdoctor's is mocked."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bnbdoctor.errors import InputError
from bnbdoctor.model.source import resolve

pytest.importorskip("huggingface_hub")

SRC = Path(__file__).resolve().parents[2] / "src"
TOKEN = "hf_test_token_of_the_account_that_accepted"
#: a tiny Llama (untied, grouped-query attention), written the way save_pretrained writes it
CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "tie_word_embeddings": False,
    "dtype": "bfloat16",
    "max_position_embeddings": 128,
}


def safetensors_file(tensors: dict[str, tuple[int, ...]]) -> bytes:
    """A real safetensors file of bfloat16 zeros."""
    header, offset = {}, 0
    for name, shape in tensors.items():
        size = 2
        for d in shape:
            size *= d
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + bytes(offset)


def llama_files() -> dict[str, bytes]:
    h, i, v, kv = 64, 128, 256, 2 * 16
    shards: list[dict[str, tuple[int, ...]]] = [{"model.embed_tokens.weight": (v, h)}, {}]
    for layer in range(2):
        p = f"model.layers.{layer}."
        shard = shards[layer]
        shard.update(
            {
                p + "self_attn.q_proj.weight": (h, h),
                p + "self_attn.k_proj.weight": (kv, h),
                p + "self_attn.v_proj.weight": (kv, h),
                p + "self_attn.o_proj.weight": (h, h),
                p + "mlp.gate_proj.weight": (i, h),
                p + "mlp.up_proj.weight": (i, h),
                p + "mlp.down_proj.weight": (h, i),
                p + "input_layernorm.weight": (h,),
                p + "post_attention_layernorm.weight": (h,),
            }
        )
    shards[1].update({"model.norm.weight": (h,), "lm_head.weight": (v, h)})
    names = [f"model-0000{n + 1}-of-00002.safetensors" for n in range(2)]
    index = {
        "metadata": {"total_size": 0},
        "weight_map": {t: names[n] for n, s in enumerate(shards) for t in s},
    }
    files = {name: safetensors_file(shard) for name, shard in zip(names, shards, strict=True)}
    return {
        "config.json": json.dumps(CONFIG).encode(),
        "model.safetensors.index.json": json.dumps(index).encode(),
        **files,
    }


class Hub(BaseHTTPRequestHandler):
    repos: ClassVar[dict[str, dict]] = {}
    log: ClassVar[list[tuple[str, str, str | None]]] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _error(self, status: int, code: str) -> None:
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _route(self, body: bool) -> None:
        self.log.append((self.command, self.path, self.headers.get("Range")))
        api = re.fullmatch(r"/api/models/([^/]+/[^/]+)/(revision|tree)/([^/?]+)(\?.*)?", self.path)
        resolve_ = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", self.path)
        repo_id = (api or resolve_).group(1) if (api or resolve_) else None
        repo = self.repos.get(repo_id or "")
        if repo is None:
            return self._error(401, "RepoNotFound")
        if repo.get("gated") and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "GatedRepo")
        if api:
            files = repo["files"]
            if api.group(2) == "tree":  # what snapshot_download lists
                data = json.dumps(
                    [
                        {
                            "type": "file",
                            "path": f,
                            "size": len(files[f]),
                            "oid": hashlib.sha1(files[f]).hexdigest(),
                        }
                        for f in files
                    ]
                ).encode()
            else:
                data = json.dumps(
                    {"id": repo_id, "sha": repo["sha"], "siblings": [{"rfilename": f} for f in files]}
                ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)
            return
        content = repo["files"].get(resolve_.group(3))
        if content is None:
            return self._error(404, "EntryNotFound")
        status, part = 200, content
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if match:
            start = int(match.group(1))
            end = min(int(match.group(2) or len(content) - 1), len(content) - 1)
            status, part = 206, content[start : end + 1]
        self.send_response(status)
        self.send_header("X-Repo-Commit", repo["sha"])
        self.send_header("ETag", '"' + hashlib.sha256(content).hexdigest() + '"')
        self.send_header("Content-Length", str(len(part)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{start + len(part) - 1}/{len(content)}")
        self.end_headers()
        if body:
            self.wfile.write(part)

    def do_HEAD(self) -> None:
        self._route(body=False)

    def do_GET(self) -> None:
        self._route(body=True)


@pytest.fixture(scope="module")
def hub():
    files = llama_files()
    Hub.repos = {
        "acme/tiny-llama": {"sha": "a" * 40, "files": files},
        "acme/gated-llama": {"sha": "b" * 40, "files": files, "gated": True},
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def env(hub, tmp_path, monkeypatch):
    for name in (
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", hub)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path / "bnbdoctor"))
    Hub.log.clear()
    return tmp_path


def test_a_hub_id_fetches_config_and_headers_by_range_requests_never_the_weights(env):
    source = resolve("acme/tiny-llama")
    assert source.origin == "hub" and source.config == CONFIG
    assert source.folder.name == "a" * 40 and (source.folder / "config.json").is_file()
    assert len(source.tensors) == 21 and {t.file for t in source.tensors} == {
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    }
    assert next(t for t in source.tensors if t.name == "lm_head.weight").shape == (256, 64)
    weights = [
        (method, rng) for method, path, rng in Hub.log if path.endswith(".safetensors") and method == "GET"
    ]
    assert weights and all(rng and rng.startswith("bytes=0-") for _, rng in weights)  # headers only
    assert not list(source.folder.glob("*.safetensors"))  # nothing of the weights in the cache


def test_offline_uses_the_cache_and_says_so_when_the_model_is_not_there(env, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError, match="offline mode is on"):
        resolve("acme/tiny-llama")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    resolve("acme/tiny-llama")
    Hub.log.clear()
    source = resolve("acme/tiny-llama", offline=True)
    assert source.origin == "hub-cache" and source.config == CONFIG and Hub.log == []
    # the headers fetched online were kept for that commit: offline, the estimate still has them
    assert len(source.tensors) == 21 and {t.dtype for t in source.tensors} == {"bfloat16"}


def test_a_gated_model_needs_hf_token(env, monkeypatch):
    with pytest.raises(InputError, match=r"gated.*HF_TOKEN"):
        resolve("acme/gated-llama")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert resolve("acme/gated-llama").config == CONFIG


def test_an_unknown_repository_is_one_line(env):
    with pytest.raises(InputError, match="no such model on the Hub"):
        resolve("acme/nothing-here")


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bnbdoctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env, "PYTHONPATH": str(SRC)},
    )


def test_estimate_of_a_hub_id_and_without_network(env):
    hub_env = {k: os.environ[k] for k in ("HF_ENDPOINT", "HF_HOME", "BNBDOCTOR_CACHE")}
    done = _cli("estimate", "acme/tiny-llama", "--gpu", "T4:15GiB", "-f", "json", env=hub_env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (
        report["model"]["origin"] == "hub"
        and report["model"]["params"]
        == 2 * 256 * 64 + 2 * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 64 * 128 + 128) + 64
    )
    # no network: a closed port, and a model that is not in the cache
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    done = _cli("estimate", "acme/other-model", "--gpu", "T4:15GiB", env={**hub_env, "HF_ENDPOINT": closed})
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot reach the Hugging Face Hub" in done.stderr


def test_load_downloads_the_checkpoint_as_from_pretrained_does(env):
    # `bnbdoctor load` resolves with download=True: the configs and safetensors weights, through the revision API
    source = resolve("acme/tiny-llama", download=True)
    assert source.origin == "hub" and len(list(source.folder.glob("*.safetensors"))) == 2
    assert len(source.tensors) == 21
    assert any(path.startswith("/api/models/acme/tiny-llama/revision/") for _, path, _ in Hub.log)
