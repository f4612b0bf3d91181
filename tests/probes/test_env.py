from __future__ import annotations

from bnbdoctor.probes.env import REDACTED, probe


def test_records_only_variables_that_matter():
    info = probe(
        {
            "CUDA_VISIBLE_DEVICES": "0,1",
            "BNB_CUDA_VERSION": "126",
            "HOME": "/root",
            "EDITOR": "vim",
            "PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True",
            "HF_HUB_OFFLINE": "1",
        }
    )
    assert info.variables == {
        "BNB_CUDA_VERSION": "126",
        "CUDA_VISIBLE_DEVICES": "0,1",
        "HF_HUB_OFFLINE": "1",
        "PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True",
    }
    assert info.redacted == ()


def test_empty_value_is_recorded_because_it_means_something():
    assert probe({"CUDA_VISIBLE_DEVICES": ""}).variables == {"CUDA_VISIBLE_DEVICES": ""}


def test_secret_names_are_redacted():
    info = probe(
        {
            "HF_TOKEN": "hf_abcdefghijklmnopqrstuvwxyz123456",
            "HUGGING_FACE_HUB_TOKEN": "x",
            "HF_API_KEY": "y",
            "CUDA_HOME": "/usr/local/cuda",
        }
    )
    assert info.variables["HF_TOKEN"] == REDACTED
    assert info.variables["HUGGING_FACE_HUB_TOKEN"] == REDACTED
    assert info.variables["HF_API_KEY"] == REDACTED
    assert info.variables["CUDA_HOME"] == "/usr/local/cuda"
    assert set(info.redacted) == {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_API_KEY"}


def test_secret_values_under_innocent_names_are_redacted():
    info = probe(
        {
            "HF_ENDPOINT": "https://user:s3cret@mirror.example.com/hf",
            "TRANSFORMERS_EXTRA": "hf_ABCDEFGHIJKLMNOPQRSTUVWX",
        }
    )
    assert info.variables["HF_ENDPOINT"] == f"https://user:{REDACTED}@mirror.example.com/hf"
    assert info.variables["TRANSFORMERS_EXTRA"] == REDACTED
    assert "s3cret" not in str(info)


def test_keyed_names_are_redacted_but_keyword_lookalikes_are_not():
    info = probe({"HF_KEY": "k", "CUDA_MODULE_LOADING": "LAZY"})
    assert info.variables == {"HF_KEY": REDACTED, "CUDA_MODULE_LOADING": "LAZY"}
