"""Messages produced here, by the installed libraries themselves (torch, transformers), then explained: the wording
of the release CI installs, not a copy of it. Each is a family the corpus showed (sessions 9 and 10), recorded live so that
a rewording in a new release shows up as a failing test instead of a silent miss."""

from __future__ import annotations

import io
import warnings

import pytest

from bnbdoctor.explain import explain_text

torch = pytest.importorskip("torch")


def top(text: str) -> tuple[str, list[str]]:
    first = explain_text(text, None)[0]
    return first.category, first.evidence["signatures"]


def test_a_state_dict_copied_onto_meta_parameters_is_the_offload() -> None:
    # torch/nn/modules/module.py _load_from_state_dict: the warning an offloaded (meta) model gets from load_state_dict
    with torch.device("meta"):
        layer = torch.nn.Linear(4, 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer.load_state_dict(torch.nn.Linear(4, 4).state_dict())
    said = "\n".join(str(w.message) for w in caught)
    assert "meta parameter" in said
    assert top(f"UserWarning: {said}") == ("cpu_offload", ["meta-tensor"])


def test_a_saved_file_torch_cannot_read_is_a_damaged_checkpoint(tmp_path) -> None:
    # a weight file cut short, as an interrupted download leaves it: torch's own reader error
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(64)}, buffer)
    path = tmp_path / "pytorch_model.bin"
    path.write_bytes(buffer.getvalue()[:200])
    with pytest.raises(Exception) as raised:
        torch.load(path, weights_only=True)
    category, _ = top(f"{type(raised.value).__name__}: {raised.value}")
    assert category == "other"


def test_an_auto_class_without_a_model_for_the_configuration() -> None:
    transformers = pytest.importorskip("transformers")
    config = transformers.T5Config(num_layers=1, d_model=8, d_ff=8, num_heads=1, d_kv=8, vocab_size=32)
    with pytest.raises(ValueError) as raised:
        transformers.AutoModelForCausalLM.from_config(config)
    category, signatures = top(f"ValueError: {raised.value}")
    assert category == "wrong_api" and "auto-class-history" in signatures


def test_a_disk_offload_without_a_folder() -> None:
    # accelerate big_modeling.py dispatch_model: a device_map sending a module to the disk with no offload_dir
    accelerate = pytest.importorskip("accelerate")
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4))
    with pytest.raises(ValueError) as raised:
        accelerate.dispatch_model(model, device_map={"0": "cpu", "1": "disk"})
    assert top(f"ValueError: {raised.value}") == ("cpu_offload", ["disk-offload-needs-folder"])


def test_an_operator_registered_without_a_kernel_for_the_backend() -> None:
    # c10's dispatcher (OperatorEntry::reportError), produced live: an operator of a package beside torch (its own
    # namespace) that has a CPU kernel only, called with a tensor of another backend. The backend is a hole of the
    # message; on a CPU-only torch the other backend here is SparseCPU, on a GPU machine it is CUDA (torchvision::nms
    # from a CPU build of torchvision), the case the signature names
    library = torch.library.Library("bnbdoctor_probe", "DEF")
    library.define("twice(Tensor x) -> Tensor")
    library.impl("twice", lambda x: x * 2, "CPU")
    with pytest.raises(NotImplementedError) as raised:
        torch.ops.bnbdoctor_probe.twice(torch.ones(2).to_sparse())
    said = str(raised.value)
    assert said.startswith(
        "Could not run 'bnbdoctor_probe::twice' with arguments from the 'SparseCPU' backend."
    )
    on_gpu = said.replace("'SparseCPU' backend", "'CUDA' backend")
    assert top(f"NotImplementedError: {on_gpu}") == ("version_incompat", ["operator-without-backend-kernel"])
