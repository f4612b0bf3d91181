"""The matcher: text alone, then the same text on machines where a different cause is true."""

from __future__ import annotations

import re

import pytest

from bnbdoctor.explain import MachineFacts, explain_text
from bnbdoctor.explain.facts import holds
from bnbdoctor.explain.matcher import ROOT_ORDER, oom_detail
from bnbdoctor.explain.signatures import SIGNATURES
from bnbdoctor.rules import CATEGORIES, CheckOptions, Context, get_rule, run
from bnbdoctor.snapshot import GpuProcess
from bnbdoctor.vocab import guessed
from conftest import as_t4, load, with_env, with_gpu, with_package

H100 = "h100-2026-11-24.json"
CPU = "cpu-2core-2026-11-24.json"
GIB = 2**30

# Messages measured on the H100 (docs/evidence/h100-2026-11.md), verbatim.
OFFLOAD = "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit the quantized model."
META = "NotImplementedError: Cannot copy out of meta tensor; no data!"
OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 5.13 GiB"
LIBCUDART = "OSError: libcudart.so.12: cannot open shared object file: No such file or directory"
CUDA999 = "RuntimeError: No compatible CUDA binary found at /x/bitsandbytes/libbitsandbytes_cuda999.so"
NEEDS_BNB = "ImportError: Using `bitsandbytes` 4-bit quantization requires the latest version of bitsandbytes: `pip install -U bitsandbytes`"


def machine(snapshot) -> MachineFacts:
    return MachineFacts.of(snapshot, tuple(run(Context(snapshot, CheckOptions(expect_gpu=True)))), "test")


def top(text: str, facts: MachineFacts | None = None) -> str | None:
    """The first cause explain recognised (a guess from the words alone is no recognised cause)."""
    matches = [m for m in explain_text(text, facts) if not guessed(m.evidence["signatures"])]
    return matches[0].category if matches else None


def test_every_signature_is_well_formed_and_cites_a_source_with_a_url():
    assert len({s.id for s in SIGNATURES}) == len(SIGNATURES)
    for sig in SIGNATURES:
        assert sig.category in CATEGORIES and 0 < sig.confidence < 1
        assert sig.rule is None or get_rule(sig.rule) is not None, sig.id
        assert any(r.url for r in sig.references), sig.id
        for alt in sig.alternatives:
            assert alt.category in CATEGORIES and alt.confidence < sig.confidence


def test_no_signature_matches_the_empty_line_or_plain_prose():
    for sig in SIGNATURES:
        assert not sig.regex.search(""), sig.id
        assert not sig.regex.search("Loading checkpoint shards: 100% 2/2 model loaded"), sig.id


def test_every_condition_a_signature_names_can_be_evaluated():
    facts = machine(load(H100))
    conditions = {s.when for s in SIGNATURES if s.when} | {a.when for s in SIGNATURES for a in s.alternatives}
    for condition in conditions:
        holds(condition, facts)
    with pytest.raises(ValueError):
        holds("moon_phase", facts)


def test_root_order_covers_the_taxonomy():
    assert sorted(ROOT_ORDER) == sorted(CATEGORIES)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (OFFLOAD, "cpu_offload"),
        (META, "cpu_offload"),
        (OOM, "oom"),
        (LIBCUDART, "missing_libs"),
        (CUDA999, "missing_libs"),
        (NEEDS_BNB, "version_incompat"),
    ],
)
def test_measured_h100_messages_without_machine_facts(text, category):
    assert top(text) == category


def test_unknown_text_matches_nothing():
    # nothing is recognised; at most the words model guesses, and says so
    assert all(guessed(m.evidence["signatures"]) for m in explain_text("SyntaxError: invalid syntax"))
    assert explain_text("zzqx wvvk") == []


def test_no_binary_for_a_cuda_version_with_bnb_cuda_version_set_is_the_override():
    facts = machine(with_env(load(H100), BNB_CUDA_VERSION="999"))
    assert explain_text(CUDA999, facts)[0].category == "cuda_mismatch"


def test_libcudart_error_with_bnb_cuda_version_set_points_at_the_override():
    facts = machine(with_env(load(H100), BNB_CUDA_VERSION="128"))
    matches = explain_text(LIBCUDART, facts)
    assert matches[0].category == "cuda_mismatch"
    assert matches[0].evidence["facts"] == {"env.BNB_CUDA_VERSION": "128"}
    assert "unset BNB_CUDA_VERSION" in matches[0].fix


def test_needs_bitsandbytes_on_a_machine_without_gpu_is_the_missing_gpu():
    cpu = load(CPU)
    assert top(NEEDS_BNB, machine(cpu)) == "gpu_not_visible"
    assert top(NEEDS_BNB, machine(load(H100))) == "version_incompat"


def test_hidden_gpus_are_a_missing_gpu_too():
    assert top(NEEDS_BNB, machine(load("h100-2026-11-24-cvd-empty.json"))) == "gpu_not_visible"


def test_oom_on_a_gpu_full_of_other_processes_is_not_the_model_size():
    busy = with_gpu(
        load(H100),
        memory_free=2 * GIB,
        memory_used=77 * GIB,
        processes=(GpuProcess(pid=4242, used_memory=76 * GIB, name="python"),),
    )
    matches = explain_text(OOM, machine(busy))
    assert matches[0].category == "oom" and matches[0].rule == "BNB040"
    assert matches[0].evidence["findings"][0]["rule"] == "BNB040"
    assert matches[0].confidence > explain_text(OOM, machine(load(H100)))[0].confidence


def test_oom_message_itself_tells_when_other_processes_hold_the_memory():
    text = (
        "RuntimeError: CUDA out of memory. Tried to allocate 36.00 MiB (GPU 0; 10.76 GiB total capacity; "
        "996.23 MiB already allocated; 8.81 MiB free; 1010.00 MiB reserved in total by PyTorch)"
    )
    match = explain_text(text)[0]
    assert match.evidence["facts"]["other_processes_gib"] > 9
    assert match.cause.startswith("Other processes hold")


def test_oom_detail_reads_the_newer_torch_wording():
    text = (
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
        "14.75 GiB of which 10.06 MiB is free. Process 1234 has 10.00 GiB memory in use. Including non-PyTorch "
        "memory, this process has 4.70 GiB memory in use."
    )
    detail = oom_detail(text)
    assert detail == {
        "gpu_total_gib": 14.75,
        "gpu_free_gib": 0.01,
        "this_process_gib": 4.7,
        "other_processes_gib": 10.0,
    }


def test_bf16_error_on_a_t4_is_confirmed_by_its_compute_capability():
    text = "ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla T4 GPU has compute capability 7.5."
    t4 = explain_text(text, machine(as_t4(load(H100))))[0]
    assert t4.category == "bf16_unsupported" and "Tesla T4 (sm_75)" in str(t4.evidence["facts"])


def test_no_kernel_image_on_an_old_gpu_is_its_architecture():
    text = "Error no kernel image is available for execution on the device at line 167 in file ops.cu"
    pascal = with_gpu(load(H100), name="Tesla P100-PCIE-16GB", compute_capability=(6, 0))
    match = explain_text(text, machine(pascal))[0]
    assert match.category == "arch_unsupported" and match.evidence["facts"]


def test_load_in_4bit_keyword_is_the_api_on_transformers_5_and_the_version_on_4_28():
    text = "TypeError: LlamaForCausalLM.__init__() got an unexpected keyword argument 'load_in_4bit'"
    assert top(text, machine(with_package(load(H100), "transformers", "5.0.0"))) == "wrong_api"
    assert top(text, machine(with_package(load(H100), "transformers", "4.28.1"))) == "version_incompat"


def test_compiled_without_gpu_on_a_mac_is_the_platform():
    from dataclasses import replace

    text = "UserWarning: The installed version of bitsandbytes was compiled without GPU support."
    cpu = load(CPU)
    mac = replace(
        cpu, platform=replace(cpu.platform, system="Darwin", machine="arm64", libc=None, libc_version=None)
    )
    assert top(text) == "bnb_cpu_fallback"
    assert top(text, machine(mac)) == "platform_unsupported"


def test_matches_are_ranked_and_bounded():
    text = "\n".join([OFFLOAD, META, OOM, LIBCUDART])
    matches = explain_text(text, machine(load(H100)))
    confidences = [m.confidence for m in matches]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 < c <= 0.99 for c in confidences)
    assert len({m.category for m in matches}) == len(matches)


def test_patterns_carry_no_paths_line_numbers_or_sizes():
    for sig in SIGNATURES:
        assert not re.search(r"/home/|D:\\\\|line \d|\d+\.\d+ [GM]iB", sig.pattern), sig.id


#: The load reports transformers printed when a checkpoint saved in bitsandbytes 4-bit / 8-bit was loaded with
#: quantization_config=None (docs/evidence/lint-transformers-5.24.md; the 4-bit one also on the H100 with 5.17)
ERASED_4BIT = """\
[transformers] LlamaForCausalLM LOAD REPORT from: /tmp/dbg/tiny-nf4
Key                                                | Status     |  |
model.layers.{0, 1}.mlp.gate_proj.weight           | MISMATCH   | Reinit due to size mismatch - ckpt: torch.Size([65536, 1]) vs model:torch.Size([512, 256])
RuntimeError: You set `ignore_mismatched_sizes` to `False`, thus raising an error. For details look at the above report!
"""
ERASED_8BIT = """\
[transformers] LlamaForCausalLM LOAD REPORT from: /tmp/dbg/tiny-int8
Key                                                | Status     |  |
model.layers.{0, 1}.self_attn.v_proj.weight_format | UNEXPECTED |  |
model.layers.{0, 1}.self_attn.k_proj.SCB           | UNEXPECTED |  |
"""


@pytest.mark.parametrize("text", [ERASED_4BIT, ERASED_8BIT])
def test_a_prequantized_checkpoint_loaded_without_its_config(text):
    assert top(text) == "wrong_api"
    assert top("RuntimeError: You set `ignore_mismatched_sizes` to `False`, thus raising an error.") is None
