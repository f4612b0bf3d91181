"""The order the loader materialises tensors (it decides which cached block each tensor gets, hence the slack and
the load's peak), and the skeleton child's life: started before the caller's other work, stopped when not needed.

The names and shapes are from checkpoints saved on the H100 (tests/fixtures/models/*/safetensors-headers.json).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from bnbdoctor.model.assess import InventoryBuild, begin
from bnbdoctor.model.estimate import load_order, natural_key
from bnbdoctor.model.inventory import TensorSpec
from bnbdoctor.model.safetensors import TensorHeader, parse_header
from bnbdoctor.model.source import resolve

MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def recorded(model: str) -> list[TensorHeader]:
    headers = json.loads((MODELS / model / "safetensors-headers.json").read_text())["headers"]
    return [t for f in sorted(headers) for t in parse_header(headers[f], f)]


def spec(name: str, shape: tuple[int, ...], kind: str = "param") -> TensorSpec:
    return TensorSpec(
        name=name, shape=shape, dtype="bfloat16", kind=kind, module_type="Linear", quantize=False
    )  # type: ignore[arg-type]


def test_natural_order_puts_layer_2_before_layer_10():
    # transformers 5's dot_natural_key: numbers as numbers, numeric suffixes too
    names = [
        "model.layers.10.mlp.weight",
        "model.layers.2.mlp.weight",
        "lm_head.weight",
        "model.shard_11.w",
        "model.shard_2.w",
    ]
    assert sorted(names, key=natural_key) == [
        "lm_head.weight",
        "model.layers.2.mlp.weight",
        "model.layers.10.mlp.weight",
        "model.shard_2.w",
        "model.shard_11.w",
    ]


def test_a_renamed_checkpoint_key_keeps_its_place():
    # Pythia's checkpoint calls the output layer embed_out; transformers 5 renames it to lm_head while loading, and
    # loads it first ("embed_out" sorts before "gpt_neox"): the quantized layers come after it
    checkpoint = recorded("pythia-1b")
    assert "embed_out.weight" in {c.name for c in checkpoint}
    shape = next(c.shape for c in checkpoint if c.name == "embed_out.weight")
    tensors = [spec("lm_head.weight", shape)] + [
        spec(c.name, c.shape) for c in checkpoint if c.name != "embed_out.weight"
    ]
    tensors.append(spec("gpt_neox.rotary_emb.inv_freq", (64,), kind="buffer"))
    order = [t.name for t in load_order(tensors, checkpoint)]
    assert order[0] == "lm_head.weight"
    assert order[-1] == "gpt_neox.rotary_emb.inv_freq"  # not in the checkpoint: last
    assert order.index("gpt_neox.layers.2.mlp.dense_h_to_4h.weight") < order.index(
        "gpt_neox.layers.10.mlp.dense_h_to_4h.weight"
    )


def test_fused_experts_load_where_their_first_expert_is():
    checkpoint = recorded("mixtral-small")
    names = {c.name for c in checkpoint}
    kept = [spec(c.name, c.shape) for c in checkpoint if ".experts." not in c.name]
    fused = [spec(f"model.layers.{i}.mlp.experts.gate_up_proj", (8, 7168, 1024)) for i in range(8)]
    order = [t.name for t in load_order(kept + fused, checkpoint)]
    assert not any(f.name in names for f in fused)
    # layer 0's experts come before layer 1's attention, not after everything
    assert order.index("model.layers.0.mlp.experts.gate_up_proj") < order.index(
        "model.layers.1.self_attn.q_proj.weight"
    )


def test_without_a_checkpoint_the_model_order_is_natural():
    tensors = [spec("model.layers.10.w", (2, 2)), spec("model.layers.9.w", (2, 2))]
    assert [t.name for t in load_order(tensors, None)] == ["model.layers.9.w", "model.layers.10.w"]


@pytest.fixture()
def slow_python(tmp_path, monkeypatch):
    """A Python that sleeps before it runs anything: a skeleton child that is still importing."""
    script = tmp_path / "python"
    script.write_text(f'#!/bin/sh\nsleep 30\nexec {sys.executable} "$@"\n')
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(script))
    monkeypatch.setenv("BNBDOCTOR_NO_CACHE", "1")


def test_the_child_starts_at_once_and_is_stopped_when_not_needed(slow_python):
    pending = begin(str(MODELS / "llama32-1b"), ("nf4",))
    child = pending.build.child
    assert child is not None and child.process.poll() is None  # running while the caller does its own work
    started = time.monotonic()
    pending.cancel()
    assert child.process.poll() is not None and time.monotonic() - started < 5


def test_a_child_past_its_timeout_is_killed_and_the_estimate_falls_back(slow_python):
    source = resolve(str(MODELS / "llama32-1b"))
    started = time.monotonic()
    inventory, why = InventoryBuild(source, "bfloat16", None, timeout=1.0).result()
    assert time.monotonic() - started < 10
    assert inventory.method == "analytic"
    assert why is not None and "took more than 1 s" in why
