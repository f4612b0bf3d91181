"""A text is made plain before it is read (explain/pasted.py): the decoration of how it travelled goes, the message
and the facts stay. Each family is tested on members other than the ones its pattern was written from."""

from __future__ import annotations

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.pasted import plain, strip_ansi
from bnbdoctor.explain.report_facts import parse_report

MESSAGE = "RuntimeError: CUDA error: no kernel image is available for execution on the device"


@pytest.mark.parametrize(
    "prefix",
    [
        "2023-12-01 09:15:02,554 - __main__ - WARNING - ",  # logging's asctime - name - levelname
        "2023-12-01 09:15:02.554 | CRITICAL | worker.run:main:88 - ",  # loguru
        "[2023-12-01 09:15:02,554][train][ERROR] - ",  # Hydra
        "2023-12-01T09:15:02.5541234Z ",  # a GitHub Actions log
        "2023-12-01T09:15:02.554123456+00:00 stdout P ",  # Kubernetes' CRI log, a partial line
        "Dec  1 09:15:02 gpu-node-3 python3[20931]: ",  # journald
        "[09:15:02] ",  # a bare clock
        "E1201 09:15:02.554000 4242 torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1337] ",  # glog
        "WARNING 12-01 09:15:02 [worker.py:12] ",  # vLLM
        "web_1      | ",  # docker compose v1
        "api-worker-2  | ",  # docker compose v2
        "31.4s\t102\t",  # Kaggle's saved log
        "[rank3]: ",  # torchrun
        "[default0]:",  # torch.distributed.elastic
        "(pid=31337, ip=10.0.0.7) ",  # Ray
        "E     ",  # pytest
        "##[warning]",  # GitHub Actions annotation
        "> > ",  # a quote of a quote
        "[stderr] ",
    ],
)
def test_a_decoration_before_the_message_goes(prefix):
    assert plain(prefix + MESSAGE) == MESSAGE


@pytest.mark.parametrize(
    "line",
    [
        "torch | 2.1.0",  # a table row without its leading pipe
        "| 0  NVIDIA A100-SXM4-80GB  On  | 00000000:07:00.0 Off |",
        "- bitsandbytes: 0.41.1",  # an env list
        "E: Unable to locate package libcudnn8",  # apt, not pytest
        "ERROR: Could not find a version that satisfies the requirement bitsandbytes==0.45.0",  # pip's own
        "WARNING: Manual override via BNB_CUDA_VERSION env variable detected!",  # bitsandbytes' own
        "INFO: the message itself",
        "12.4 GiB reserved in total by PyTorch",
    ],
)
def test_what_is_not_decoration_stays(line):
    assert plain(line) == line


def test_a_message_s_own_level_stays_after_a_timestamp():
    """bitsandbytes prints "WARNING: Manual override ..." itself; a level right before a colon is the message's."""
    line = "WARNING: Manual override via BNB_CUDA_VERSION env variable detected!"
    assert plain(f"2023-12-01T09:15:02.5541234Z {line}") == line


def test_web_and_chat_characters_are_made_plain():
    text = "AttributeError:\u00a0&#39;NoneType&#39; object has no attribute &quot;cquantize\u200bblockwise_fp16_nf4&quot;"
    assert plain(text) == "AttributeError: 'NoneType' object has no attribute \"cquantizeblockwise_fp16_nf4\""
    assert plain("a\r\nb\rc") == "a\nb\nc"
    assert strip_ansi("\x1b[1;31mValueError\x1b[0m: x\x1b]8;;http://x\x1b\\") == "ValueError: x"


def test_plain_is_idempotent():
    text = "2023-12-01 09:15:02,554 - root - ERROR - > RuntimeError: x\r\n&lt;stdin&gt;"
    assert plain(plain(text)) == plain(text)


def test_a_decorated_log_is_explained_as_the_plain_one():
    log = (
        "Traceback (most recent call last):\n"
        '  File "/home/me/train.py", line 3, in <module>\n'
        "    model = AutoModelForCausalLM.from_pretrained(name, quantization_config=bnb, device_map='auto')\n"
        "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit "
        "the quantized model. If you want to dispatch the model on the CPU or the disk while keeping these modules "
        "in 32-bit, you need to set `llm_int8_enable_fp32_cpu_offload=True` and pass a custom `device_map` to "
        "`from_pretrained`."
    )
    decorated = "\n".join(
        f"Dec  1 09:15:{i:02d} node python3[20931]: {line}" for i, line in enumerate(log.split("\n"))
    )
    assert [m.category for m in explain_text(decorated)][:1] == [m.category for m in explain_text(log)][:1]
    assert explain_text(decorated)[0].category == "cpu_offload"


def test_facts_in_a_decorated_env_dump_are_read():
    dump = "torch==2.1.0+cu118\nbitsandbytes==0.41.1\nGPU 0: Tesla T4 (UUID: GPU-1)"
    decorated = "\n".join(f"2023-12-01T09:15:0{i}.5Z {line}" for i, line in enumerate(dump.split("\n")))
    facts = parse_report(decorated)
    assert facts.packages == {"torch": "2.1.0+cu118", "bitsandbytes": "0.41.1"}
    assert facts.facts["gpu"] == "Tesla T4"


LONG = (
    "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit the "
    "quantized model. If you want to dispatch the model on the CPU or the disk while keeping these modules in 32-bit, "
    "you need to set `load_in_8bit_fp32_cpu_offload=True` and pass a custom `device_map` to `from_pretrained`."
)


@pytest.mark.parametrize("width", [72, 100, 132])
def test_a_text_folded_at_a_fixed_width_is_joined_back(width):
    text = f'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n{LONG}'
    folded = "\n".join(line[i : i + width] for line in text.split("\n") for i in range(0, len(line), width))
    assert plain(folded) == text


def test_lines_of_one_length_that_are_whole_stay_apart():
    """A message printed once per kernel (one shape), a rich panel, an nvidia-smi table, a text wrapped at words."""
    ptxas = "\n".join(
        f"ptxas /tmp/compile-ptx-src-69bd24, line {n}; error   : Feature 'cvt with .f32.bf16' requires .target sm_80"
        for n in (146, 148, 150)
    )
    panel = "\n".join(f"│ {word:<76} │" for word in ("a", "b", "c"))
    smi = "\n".join(["+" + "-" * 89 + "+", "| NVIDIA-SMI 535.104.05" + " " * 68 + "|", "+" + "-" * 89 + "+"])
    import textwrap

    words = "\n".join(textwrap.wrap(LONG * 2, 80))
    for text in (ptxas, panel, smi, words):
        assert plain(text) == text


#: warnings of healthy runs other than those benchmarks/bench_pasted.py puts above its reports
OTHER_ROUTINE = (
    "/usr/local/lib/python3.11/site-packages/transformers/generation/configuration_utils.py:631: UserWarning: "
    "`do_sample` is set to `False`. However, `temperature` is set to `0.6` -- this flag is only used in sample-based "
    "generation modes. You should set `do_sample=True` or unset `temperature`.\n"
    "  warnings.warn(\n"
    "`torch_dtype` is deprecated! Use `dtype` instead!\n"
    "/usr/local/lib/python3.11/site-packages/torch/utils/checkpoint.py:87: UserWarning: torch.utils.checkpoint: the "
    "use_reentrant parameter should be passed explicitly. In version 2.5 we will raise an exception if use_reentrant "
    "is not passed. use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
    "you can pass use_reentrant=True. Refer to docs for more details on the differences between the two variants.\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "QLoRA on my V100 is 5x slower than fp16, inference takes forever",
        "bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU quantization "
        "are unavailable.",
    ],
)
def test_routine_warnings_above_a_text_do_not_change_its_first_cause(text):
    assert explain_text(OTHER_ROUTINE + text)[0].category == explain_text(text)[0].category


#: routine warnings as people paste them: torch's checkpoint warning cut after its first sentence, the tokenizer's
#: advice and length warning (transformers' tokenization_utils_base.py, mined since session 6)
SHORT_ROUTINE = (
    "/opt/venv/lib/python3.12/site-packages/torch/utils/checkpoint.py:92: UserWarning: torch.utils.checkpoint: the "
    "use_reentrant parameter should be passed explicitly.\n"
    "You're using a Qwen2TokenizerFast tokenizer. Please note that with a fast tokenizer, using the `__call__` method "
    "is faster than using a method to encode the text followed by a call to the `pad` method to get a padded "
    "encoding.\n"
    "Token indices sequence length is longer than the specified maximum sequence length for this model (9012 > 8192). "
    "Running this sequence through the model will result in indexing errors\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "Fine-tuning Qwen2 in 4-bit is 3x slower than in bf16 on my 4090",
        "Model runs on CPU only, torch.cuda.is_available() returns False inside the container",
    ],
)
def test_routine_warnings_pasted_short_do_not_change_the_guess(text):
    assert explain_text(SHORT_ROUTINE + text)[0].category == explain_text(text)[0].category


def test_a_copied_warning_is_no_evidence_of_an_old_release():
    """unsloth_zoo copies torch's checkpoint warning word for word; torch's newest release still prints it."""
    line = OTHER_ROUTINE.split("\n")[3]
    assert all(m.category != "version_incompat" for m in explain_text(line)[:1])


def test_the_banner_old_bitsandbytes_prints_on_every_start_is_no_failure():
    """bitsandbytes 0.38-0.41 print "Welcome to bitsandbytes. For bug reports, please run ... your error trace" on
    every import: its "error" is no failure, and a healthy load's banner names no cause of its own."""
    banner = (
        "===================================BUG REPORT===================================\n"
        "Welcome to bitsandbytes. For bug reports, please run\n\npython -m bitsandbytes\n\n"
        " and submit this information together with your error trace to: "
        "https://github.com/TimDettmers/bitsandbytes/issues\n"
        "================================================================================\n"
        "CUDA SETUP: CUDA runtime path found: /opt/conda/lib/libcudart.so.11.0\n"
        "CUDA SETUP: Highest compute capability among GPUs detected: 7.5\n"
        "CUDA SETUP: Detected CUDA version 117\n"
        "CUDA SETUP: Loading binary /opt/conda/lib/python3.9/site-packages/bitsandbytes/libbitsandbytes_cuda117.so...\n"
    )
    assert all(m.category != "version_incompat" for m in explain_text(banner)[:1])
    error = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB"
    assert explain_text(banner + error)[0].category == "oom"


#: warnings of generation and fine-tuning no cause is known for, other members than bench_pasted.py's
GENERATION_CONTEXT = (
    "Some weights of the model checkpoint at bert-base-uncased were not used when initializing BertModel: "
    "['cls.predictions.bias', 'cls.predictions.transform.dense.weight']\n"
    "- This IS expected if you are initializing BertModel from the checkpoint of a model trained on another task.\n"
    "The attention mask is not set and cannot be inferred from input because pad token is same as eos token. As a "
    "consequence, you may observe unexpected behavior. Please pass your input's `attention_mask` to obtain reliable "
    "results.\n"
    "A decoder-only architecture is being used, but right-padding was detected! For correct generation results, "
    "please set `padding_side='left'` when initializing the tokenizer.\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "QLoRA on my V100 is 5x slower than fp16, inference takes forever",
        "RuntimeError: CUDA error: no kernel image is available for execution on the device",
        "ValueError: `.to` is not supported for `4-bit` or `8-bit` bitsandbytes models. Please use the model as it is",
    ],
)
def test_warnings_no_cause_is_known_for_are_context_not_the_cause(text):
    assert explain_text(GENERATION_CONTEXT + text)[0].category == explain_text(text)[0].category


def test_advice_to_set_an_argument_is_a_refusal_only_when_it_is_raised():
    """transformers' right-padding warning says "please set `padding_side='left'`"; AutoGPTQ's refusal says "Please
    either use inject_fused_attention=False": the same words, a warning and an error."""
    warning = GENERATION_CONTEXT.split("\n")[3]
    assert all(m.evidence["signatures"][0] != "library-asks-for-an-argument" for m in explain_text(warning))
    refusal = (
        "ValueError: Exllama kernel does not support query/key/value fusion with act-order. Please either use "
        "inject_fused_attention=False or disable_exllama=True."
    )
    assert explain_text(refusal)[0].category == "wrong_api"


#: `python -m bitsandbytes` of a working install (0.42-era wording): warnings, then its own verdict
PASSED_DIAGNOSTICS = (
    "++++++++++++++++++ BUG REPORT INFORMATION ++++++++++++++++++\n"
    "The directory listed in your path is found to be non-existent: /usr/local/nvidia/lib64\n"
    "CUDA SETUP: WARNING! CUDA runtime files not found in any environmental path.\n"
    "++++++++++++++++++++++ DEBUG INFO END ++++++++++++++++++++++\n"
    "Checking that the library is importable and CUDA is callable...\n"
    "SUCCESS!\n"
    "Installation was successful!\n"
)


@pytest.mark.parametrize(
    ("error", "category"),
    [
        (
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.96 GiB. GPU 0 has a total capacity",
            "oom",
        ),
        ("ValueError: `.to` is not supported for `4-bit` or `8-bit` bitsandbytes models.", "wrong_api"),
    ],
)
def test_warnings_of_a_diagnostic_that_passed_do_not_outrank_the_error(error, category):
    assert explain_text(PASSED_DIAGNOSTICS + error)[0].category == category
    # without the verdict, the missing runtime is a cause like any other (it comes first)
    failed = PASSED_DIAGNOSTICS.replace("SUCCESS!\nInstallation was successful!\n", "")
    assert explain_text(failed + error)[0].category == "missing_libs"
