"""Mine every user-facing message of the quantized-model stack from its releases.

The stack: bitsandbytes, transformers, accelerate, peft, torch, trl, diffusers, unsloth, unsloth_zoo, optimum, vLLM; and
the wider stack whose errors users of quantized models paste: DeepSpeed, flash-attn, xformers, Triton, torchao, auto-gptq,
GPTQModel, AutoAWQ, HQQ, optimum-quanto, exllamav2, LLaMA-Factory, axolotl, ms-swift, xtuner, SGLang, FastChat (fschat),
LMDeploy, CTranslate2 and faster-whisper, each limited to its quantization, loading, kernel/extension-loading,
device/dtype, distributed-start, requirement and argument-check files.

    PYTHONPATH=src python scripts/mine_messages.py                 # download what is missing, mine, write the table
    PYTHONPATH=src python scripts/mine_messages.py --offline       # mine only what is already in the cache
    PYTHONPATH=src python scripts/mine_messages.py --only bitsandbytes --latest 3   # a quick partial run (no write)

What it does, per package (see PACKAGES below for the versions and the files of each):
1. `pip index versions PKG` lists the releases; the final releases from the package's floor on are kept
   (pre-releases skipped; for torch, trl, diffusers, optimum, vLLM and the wider stack, the newest patch of each
   minor, a 0.0.N release counting as a minor of its own (xformers, exllamav2's first year); for unsloth and
   unsloth_zoo, whose versions are year.month.N, the newest of each month).
2. `pip download --no-deps` fetches one distribution per release into the shared cache /work/cache/<pkg>/
   (files already there are not fetched again): the sdist where one exists (bitsandbytes <= 0.42 ships one,
   with the C++ sources), else a wheel; for torch the small macOS arm64 wheel, whose Python files are the
   same as every other platform's. DeepSpeed, flash-attn and auto-gptq publish sdists whose setup.py imports torch:
   their metadata is prepared in this environment (--no-build-isolation) with the CUDA builds switched off; so is
   GPTQModel's (sdists only), with CI=1 (GPTQModel 1.0-1.7's setup.py otherwise runs `pip install -r requirements.txt`
   into the running environment: fetch new releases of a package with such a setup.py from a throwaway venv).
3. The Python files that matter are read straight out of the archive (zip or tar) and parsed with `ast`;
   every user-facing message is extracted: `raise X(...)`, `warnings.warn(...)`, `logger.warning/error/
   info/critical/exception/warning_once(...)`, `print(...)` (bitsandbytes' "CUDA SETUP: ..." lines).
   f-strings, `%`, `.format()`, `+` concatenation and a local variable assigned a string earlier in the
   function become templates with typed holes ({version}, {path}, {int}, {dtype}, {device}, {name}, {value}).
   For Triton and exllamav2 an `assert`'s message is one too; for Triton and xformers, what an exception class's
   `__str__` returns ("out of resource: shared memory, Required: ...", "xFormers was built for: ...").
4. Each template keeps its package, file, function, kind (raise/warn/log/print), exception or warning type,
   and the first and last release it was seen in. Outside bitsandbytes and torch, an info-level log or a print that
   reports nothing wrong (progress, banners: `progress_only`) is left out: it names no cause and only swells the
   table. Of the wider stack only raises, warnings and warning/error logs are kept (and exllamav2's prints that report
   something wrong: it warns with print), and a message it copied from
   the core stack (SGLang's loaders from vLLM, auto-gptq's peft_utils from peft) is left to the core package. Messages
   of the C++ code users meet (torch's caching allocator, bitsandbytes' CUDA_CHECK_RETURN, the CUDA
   runtime's error strings, the dynamic loader's and Windows' messages) are a hand-written list below, each citing
   the file it comes from.
5. For bitsandbytes and peft, every public name a module defines or exports, and every native entry point
   bitsandbytes' Python calls (`lib.cquantize_blockwise_fp16_nf4`), is recorded with the releases that have it
   (table key "api"): "module 'bitsandbytes.nn' has no attribute 'Linear4bit'" then says which releases have it.
6. The table is written to src/bnbdoctor/explain/data/messages.json.gz (package data; `explain` loads it lazily),
   and beside it messages-index.json.gz: the anchor-word index `explain` finds templates by, made from the table
   (knowledge.derive_index) with the table's hash, so no run derives it (`--reindex` rewrites only the index).

Last full run (2026-11-30): bitsandbytes 56 releases (0.35.0-0.50.2, every final release), transformers 161
(4.20.0-5.24.0, every final release), accelerate 52 (0.20.0-1.15.0), peft 33 (0.4.0-0.21.2), torch 13 minors
(1.13.1-2.11.0; 2.12-2.15 were not fetched, see session 13 below); the newest patch of each minor of trl 43 (0.4.7-1.16.0),
diffusers 18 (0.25.1-0.42.1), optimum 23 (1.8.6-2.3.0; 1.10 not fetched) and vllm 30 (0.4.3-0.33.0; each wheel
deleted once mined, its mined members kept as vllm-<version>-mined.zip), and of each month of unsloth 27
(2024.8-2026.10.9) and unsloth_zoo 25 (2024.10.5-2026.10.9): 7398 templates. The wider stack, the newest patch of
each minor: deepspeed 11 (0.9.5-0.19.8, sdists) 367 templates, torchao 18 (0.1-0.18.0) 229, llamafactory 3
(0.7.1-0.9.5) 201, axolotl 15 (0.5.2-0.19.0) 359, sglang 4 (0.2.15-0.5.23; wheels slimmed) 419, fschat 2
(0.1.10-0.2.36) 18, lmdeploy 17 (0.2.6-0.18.0; its sdists do not prepare here, the 70-110 MB wheels are slimmed) 103,
xtuner 2 (0.1.11-0.2.0) 10, ms-swift 27 (2.0.5.post1-4.6.0) 146, auto-gptq 6 (0.2.2-0.7.1; 0.4.2 from its wheel) 100,
autoawq 2 (0.1.8-0.2.9) 33, optimum-quanto 1 (0.2.7) 43, hqq 2 (0.1.8-0.2.8.post1) 15, flash-attn 9
(2.0.9-2.8.3.post2, sdists) 8, and the six added later that day: triton 14 (2.0.0-3.9.0; the Python side: runtime,
compiler, the NVIDIA backend; wheels slimmed) 102, xformers 16 (0.0.20-0.0.35; _cpp_lib, ops/fmha, info; wheels slimmed)
83, gptqmodel 17 (4.0.0-7.7.0, sdists; 6.0.x do not prepare here, nor 1.0-2.2, whose setup.py needs a CUDA torch) 871,
exllamav2 15 (0.0.10-0.3.2) 66, ctranslate2 34 (3.0.2-4.8.5; the Python package, wheels slimmed) 98 and faster-whisper 9
(0.5.1-1.2.1) 29: 705 releases, 10796 templates in the table (natives included; 3300 of the wider stack), 1310 public
names and entry points; 414 KiB. Session 6 (2026-11-30, `--offline`, 7 min) added torch's _dynamo/eval_frame.py (50
templates) and transformers' tokenization_utils_base.py / tokenization_utils_fast.py with `logger.warning_advice`
(160): 11006 templates, 422 KiB; every other row as before. Session 13 (2026-12-01, `--offline` after fetching
torch 2.12.1-2.14.1, whose Apple-silicon wheels are tagged macOS 14: MAC_14) added torch's 2.12-2.14 minors (16
minors, 1.13.1-2.14.1; 2.15.0 is above this environment's pip constraint torch<=2.14.1, so not fetched) and
accelerate's launchers.py, state.py, commands/launch.py and data_loader.py (how a run starts: notebook_launcher's
refusals, `accelerate launch`): 708 releases, 11151 templates, 428 KiB.

`extract_messages(source)` and `mine_tree(package, root)` are also used by the test that proves the shipped
table covers the transformers/bitsandbytes/accelerate installed in the environment.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "bnbdoctor" / "explain" / "data" / "messages.json.gz"
CACHE = Path("/work/cache")
SCHEMA = "bnbdoctor.messages/1"

if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
from bnbdoctor.explain.knowledge import literal_segments, normalise  # noqa: E402  (explain's own text form)

LOG_METHODS = {
    "warning",
    "warn",
    "error",
    "info",
    "critical",
    "exception",
    "warning_once",
    "info_once",
    # transformers' logging: a warning unless TRANSFORMERS_NO_ADVISORY_WARNINGS is set ("You're using a ... tokenizer.
    # Please note that with a fast tokenizer ...")
    "warning_advice",
    "fatal",
}
PRINTERS = {"add_log_entry"}
MAX_EARLIER = 6  # earlier values of one local name kept as messages it can hold
MIN_LETTERS = 12  # a template with fewer literal letters than this is not a message (print(x), raise X(msg))


# ---- which files of which package ----


def _bnb_file(path: str) -> bool:
    return path.startswith("bitsandbytes/") and path.endswith(".py") and "/triton/" not in path


_TRANSFORMERS_FILES = {
    "transformers/utils/bitsandbytes.py",
    "transformers/modeling_utils.py",
    "transformers/utils/import_utils.py",
    "transformers/utils/quantization_config.py",
    "transformers/trainer.py",
    "transformers/training_args.py",
    "transformers/trainer_utils.py",
    "transformers/generation/utils.py",
    # the tokenizer's own warnings, routine in a healthy run ("Special tokens have been added in the vocabulary",
    # "You're using a ... tokenizer. Please note that with a fast tokenizer ...", "Token indices sequence length is
    # longer than the specified maximum"), and its refusals ("Can't load tokenizer for ...")
    "transformers/tokenization_utils_base.py",
    "transformers/tokenization_utils_fast.py",
}
#: every quantizer (users of one meet another's "requires ..." checks), every integration (peft, bitsandbytes,
#: accelerate, deepspeed...), and the auto classes ("Unrecognized configuration class", "model type ... not recognized")
_TRANSFORMERS_DIRS = ("transformers/quantizers/", "transformers/integrations/", "transformers/models/auto/")


def _transformers_file(path: str) -> bool:
    return path.endswith(".py") and (path in _TRANSFORMERS_FILES or path.startswith(_TRANSFORMERS_DIRS))


_ACCELERATE_FILES = {
    "accelerate/big_modeling.py",
    "accelerate/hooks.py",
    "accelerate/accelerator.py",
    # how a run starts: notebook_launcher's refusals, the distributed state, `accelerate launch`, the data loader
    "accelerate/launchers.py",
    "accelerate/state.py",
    "accelerate/commands/launch.py",
    "accelerate/data_loader.py",
}


def _accelerate_file(path: str) -> bool:
    return path in _ACCELERATE_FILES or (path.startswith("accelerate/utils/") and path.endswith(".py"))


def _peft_file(path: str) -> bool:
    if path in ("peft/peft_model.py", "peft/mapping.py", "peft/import_utils.py", "peft/mixed_model.py"):
        return True
    return path.startswith(("peft/tuners/", "peft/utils/", "peft/mapping")) and path.endswith(".py")


_TRL_TRAINERS = ("sft", "dpo", "grpo", "kto", "orpo", "ppo", "reward", "cpo", "utils", "model_config")


def _trl_file(path: str) -> bool:
    # the trainers QLoRA users run and their configs (SFTTrainer, DPOTrainer, SFTConfig...), the model wrappers,
    # the import checks
    if not path.endswith(".py"):
        return False
    if path.startswith("trl/trainer/"):
        return path.removeprefix("trl/trainer/").startswith(_TRL_TRAINERS)
    return path.startswith(("trl/models/modeling_base", "trl/models/utils", "trl/import_utils.py"))


def _diffusers_file(path: str) -> bool:
    return path.endswith(".py") and (
        path.startswith(("diffusers/quantizers/", "diffusers/loaders/"))
        or path
        in (
            "diffusers/models/modeling_utils.py",
            "diffusers/pipelines/pipeline_utils.py",
            "diffusers/utils/import_utils.py",
            "diffusers/models/model_loading_utils.py",
        )
    )


#: unsloth and unsloth_zoo: what loading, patching, training and saving a quantized model goes through (not their
#: MLX, llama.cpp, compiler and RL modules, whose many progress lines no bitsandbytes error comes from)
_UNSLOTH_FILES = (
    "unsloth/__init__.py",
    "unsloth/import_fixes.py",
    "unsloth/_gpu_init.py",
    "unsloth/device_type.py",
    "unsloth/models/_utils.py",
    "unsloth/models/loader",
    "unsloth/models/llama.py",
    "unsloth/models/vision.py",
    "unsloth/save.py",
    "unsloth/trainer.py",
    "unsloth/tokenizer_utils.py",
    "unsloth/kernels/utils.py",
    "unsloth_zoo/__init__.py",
    "unsloth_zoo/device_type.py",
    "unsloth_zoo/peft_utils.py",
    "unsloth_zoo/training_utils.py",
    "unsloth_zoo/patching_utils.py",
    "unsloth_zoo/saving_utils.py",
    "unsloth_zoo/vllm_utils.py",
    "unsloth_zoo/utils.py",
    "unsloth_zoo/gradient_checkpointing.py",
    "unsloth_zoo/temporary_patches/",
)


def _unsloth_file(path: str) -> bool:
    return path.endswith(".py") and path.startswith(_UNSLOTH_FILES)


def _optimum_file(path: str) -> bool:
    return path.endswith(".py") and path.startswith(
        ("optimum/bettertransformer/", "optimum/gptq/", "optimum/utils/import_utils.py")
    )


_VLLM_FILES = (
    "vllm/model_executor/layers/quantization/bitsandbytes",
    "vllm/model_executor/layers/quantization/base_config",
    "vllm/model_executor/layers/quantization/__init__",
    "vllm/model_executor/model_loader/",
    "vllm/model_executor/model_loader.py",
    "vllm/model_executor/weight_utils.py",
    "vllm/config.py",
    "vllm/config/__init__.py",
    "vllm/config/model.py",
    "vllm/config/vllm.py",
    "vllm/config/parallel.py",
    "vllm/config/load.py",
    # the engine arguments' own checks ("BitsAndBytes load format and QLoRA adapter only support 'bitsandbytes'
    # quantization"), met before any model code runs
    "vllm/engine/arg_utils.py",
    "vllm/config/cache.py",
    "vllm/platforms/__init__.py",
    "vllm/platforms/interface.py",
    "vllm/platforms/cuda.py",
    "vllm/platforms/rocm.py",
    # the engine's start: the weights leave no room for the KV cache ("No available memory for the cache blocks")
    "vllm/worker/worker.py",
    "vllm/v1/core/kv_cache_utils.py",
    "vllm/v1/worker/gpu_worker.py",
)


def _vllm_file(path: str) -> bool:
    # the bitsandbytes quantization method and loader, the configs that refuse a quantization or a setting
    # ("quantization ... not supported"), the CUDA/ROCm platforms (not the tensorizer and weight-cache loaders)
    return (
        path.endswith(".py")
        and path.startswith(_VLLM_FILES)
        and not path.startswith(
            ("vllm/model_executor/model_loader/tensorizer", "vllm/model_executor/model_loader/weight_cache")
        )
    )


def _py(path: str, prefixes: tuple[str, ...], without: tuple[str, ...] = ()) -> bool:
    return path.endswith(".py") and path.startswith(prefixes) and not path.startswith(without)


def _deepspeed_file(path: str) -> bool:
    # ZeRO and the engine (deepspeed.initialize with a quantized model), the config checks, the op builders' CUDA
    # extension checks (CUDA_HOME, nvcc, "ops require torch"), the accelerator probe, the distributed start
    return _py(
        path,
        (
            "deepspeed/runtime/zero/",
            "deepspeed/runtime/engine.py",
            "deepspeed/runtime/config.py",
            "deepspeed/ops/op_builder/",
            "deepspeed/accelerator/",
            "deepspeed/utils/",
            "deepspeed/comm/comm.py",
            "deepspeed/__init__.py",
            "deepspeed/env_report.py",
        ),
    )


def _torchao_file(path: str) -> bool:
    # quantize_ and its configs, the tensor subclasses (dtypes/), the import checks; not PT2E export or QAT
    return path in ("torchao/__init__.py", "torchao/utils.py") or _py(
        path,
        ("torchao/quantization/", "torchao/dtypes/"),
        ("torchao/quantization/pt2e/", "torchao/quantization/qat/", "torchao/quantization/prototype/"),
    )


def _llamafactory_file(path: str) -> bool:
    # the model loader and its quantization/adapter setup, the argument checks (hparams), the dependency checks
    return _py(
        path,
        (
            "llamafactory/model/",
            "llamafactory/hparams/",
            "llamafactory/extras/",
            "llamafactory/cli.py",
            "llamafactory/launcher.py",
            "llamafactory/train/tuner.py",
            "llamafactory/v1/config/",
            "llamafactory/v1/accelerator/",
            "llamafactory/v1/plugins/model_plugins/quantization.py",
            "llamafactory/v1/plugins/model_plugins/peft.py",
        ),
    )


def _axolotl_file(path: str) -> bool:
    # the model/adapter loaders (utils/models.py before loaders/), the config validation (schemas), the CLI checks
    return _py(
        path,
        (
            "axolotl/loaders/",
            "axolotl/utils/models.py",
            "axolotl/utils/model_shard_quant.py",
            "axolotl/utils/config/",
            "axolotl/utils/schemas/",
            "axolotl/cli/checks.py",
            "axolotl/cli/config.py",
        ),
    )


def _sglang_file(path: str) -> bool:
    # the loaders, the quantization methods' own files (not the compressed-tensors/quark/modelslim schemes), the
    # server arguments and the model/load/device configs (not each architecture's config)
    if not _py(
        path,
        (
            "sglang/srt/model_loader/",
            "sglang/srt/layers/quantization/",
            "sglang/srt/server_args.py",
            "sglang/srt/configs/model_config.py",
            "sglang/srt/configs/load_config.py",
            "sglang/srt/configs/device_config.py",
        ),
        (
            "sglang/srt/model_loader/expert_pack",
            "sglang/srt/model_loader/ci_",
            "sglang/srt/model_loader/remote_instance",
        ),
    ):
        return False
    return not path.startswith("sglang/srt/layers/quantization/") or path.count("/") == 4


def _fschat_file(path: str) -> bool:
    # the model adapters and loaders (8-bit, GPTQ/AWQ/exllama modules), the CLI
    return _py(
        path,
        ("fastchat/model/", "fastchat/modules/", "fastchat/serve/cli.py", "fastchat/serve/inference.py"),
    )


def _lmdeploy_file(path: str) -> bool:
    # lite (AWQ/SmoothQuant/GPTQ calibration and export), the TurboMind loader and converter, the PyTorch engine's
    # config and environment checks, the CLI
    return _py(
        path,
        (
            "lmdeploy/lite/",
            "lmdeploy/turbomind/turbomind.py",
            "lmdeploy/turbomind/loader.py",
            "lmdeploy/turbomind/converter.py",
            "lmdeploy/turbomind/deploy/converter.py",
            "lmdeploy/pytorch/config.py",
            "lmdeploy/pytorch/check_env/",
            "lmdeploy/cli/",
            "lmdeploy/archs.py",
        ),
    )


def _xtuner_file(path: str) -> bool:
    # the QLoRA model wrappers and their utils, the chat/train/convert tools (not the model definitions)
    return _py(
        path,
        ("xtuner/model/", "xtuner/tools/chat.py", "xtuner/tools/train.py", "xtuner/tools/model_converters/"),
        (
            "xtuner/model/transformers_models/",
            "xtuner/model/modules/",
            "xtuner/tools/model_converters/modeling_",
        ),
    )


def _swift_file(path: str) -> bool:
    # loading a model (swift/llm/utils/model.py in 2.x, swift/llm/model/ in 3.x, swift/model/ in 4.x, not each
    # architecture's registration), the argument checks, the export's quantization
    return _py(
        path,
        (
            "swift/llm/utils/model.py",
            "swift/llm/utils/argument.py",
            "swift/llm/model/",
            "swift/model/",
            "swift/llm/argument/",
            "swift/arguments/",
            "swift/llm/export/quant.py",
            "swift/pipelines/export/quant.py",
            "swift/utils/import_utils.py",
        ),
        (
            "swift/llm/model/model/",
            "swift/model/models/",
            "swift/model/npu_patch/",
            "swift/llm/argument/rlhf_args.py",
            "swift/arguments/rlhf_args.py",
        ),
    )


def _auto_gptq_file(path: str) -> bool:
    # loading and quantizing (modeling/), the kernels' import checks (qlinear), the CUDA extension build (setup.py)
    return path == "setup.py" or _py(
        path,
        ("auto_gptq/modeling/", "auto_gptq/nn_modules/qlinear/", "auto_gptq/utils/", "auto_gptq/__init__.py"),
    )


def _autoawq_file(path: str) -> bool:
    return _py(path, ("awq/models/", "awq/modules/linear/", "awq/quantize/", "awq/__init__.py", "awq/utils/"))


def _quanto_file(path: str) -> bool:
    return _py(path, ("optimum/quanto/",))


def _hqq_file(path: str) -> bool:
    return _py(path, ("hqq/",))


def _flash_attn_file(path: str) -> bool:
    # the Python side only: the interface's checks and the build's (CUDA_HOME, nvcc, the CUDA and torch versions)
    return path in ("setup.py", "flash_attn/flash_attn_interface.py", "flash_attn/__init__.py")


def _triton_file(path: str) -> bool:
    # the Python side only: the JIT and the autotuner (runtime/, not the interpreter), the compiler's driver and its
    # resource checks (compiler/ in 2.1+, the single compiler.py of 2.0; not the code generator's syntax errors of
    # kernel code), the NVIDIA backend (its CUDA/ptxas/architecture checks; common/ in 2.1-2.3), the settings (knobs)
    return path in ("triton/__init__.py", "triton/knobs.py", "triton/compiler.py") or _py(
        path,
        ("triton/runtime/", "triton/compiler/", "triton/backends/nvidia/", "triton/common/"),
        ("triton/runtime/interpreter.py", "triton/compiler/code_generator.py"),
    )


def _xformers_file(path: str) -> bool:
    # the C++/CUDA extension's loading ("xFormers was built for PyTorch X, you have Y"), memory_efficient_attention's
    # operators and their dispatch ("No operator found ..."), `python -m xformers.info`
    return path in ("xformers/__init__.py", "xformers/_cpp_lib.py", "xformers/info.py") or _py(
        path, ("xformers/ops/fmha/",)
    )


def _gptqmodel_file(path: str) -> bool:
    # loading (models/), the kernels (qlinear: their import and device checks) and the kernel selection
    # (utils/importer.py, backend.py), the quantization config, the device and extension checks, the CUDA extension
    # build (setup.py)
    return path in ("setup.py", "gptqmodel/__init__.py", "gptqmodel/extension.py") or _py(
        path,
        (
            "gptqmodel/models/",
            "gptqmodel/nn_modules/qlinear/",
            "gptqmodel/quantization/config.py",
            "gptqmodel/utils/importer.py",
            "gptqmodel/utils/backend.py",
            "gptqmodel/utils/model.py",
            "gptqmodel/utils/device.py",
            "gptqmodel/utils/torch.py",
            "gptqmodel/utils/marlin.py",
            "gptqmodel/utils/exllama.py",
            "gptqmodel/utils/rocm.py",
            "gptqmodel/utils/bitblas.py",
        ),
        # not each architecture's definition, the saving (writer), the Apple MLX kernels
        ("gptqmodel/models/definitions/", "gptqmodel/models/writer.py", "gptqmodel/nn_modules/qlinear/mlx"),
    )


def _exllamav2_file(path: str) -> bool:
    # the extension's build and loading (ext.py), the model's config and loading (device split, safetensors), the
    # architecture checks, the attention backends' checks (flash-attn, xformers versions)
    return _py(
        path,
        tuple(
            f"exllamav2/{name}.py"
            for name in (
                "__init__",
                "ext",
                "config",
                "model",
                "model_init",
                "compat",
                "device",
                "architecture",
                "attn",
                "stloader",
                "fasttensors",
                "linear",
            )
        ),
    )


def _ctranslate2_file(path: str) -> bool:
    # the Python package only (its C++ messages are not in the wheel's Python files): the import checks, the
    # converters (a model type or quantization a release does not support), the model spec's quantization
    return path in (
        "ctranslate2/__init__.py",
        "ctranslate2/extensions.py",
        "ctranslate2/specs/model_spec.py",
    ) or _py(path, ("ctranslate2/converters/",))


def _faster_whisper_file(path: str) -> bool:
    return _py(path, ("faster_whisper/",))


_TORCH_FILES = {
    "torch/cuda/__init__.py",
    "torch/cuda/memory.py",
    "torch/utils/cpp_extension.py",
    "torch/amp/autocast_mode.py",
    "torch/cuda/amp/autocast_mode.py",
    # what a QLoRA training run meets: the AMP grad scaler ("Attempting to unscale FP16 gradients."), gradient
    # checkpointing ("None of the inputs have requires_grad=True"), loading a checkpoint ("Weights only load failed",
    # "Attempting to deserialize object on a CUDA device")
    "torch/amp/grad_scaler.py",
    "torch/cuda/amp/grad_scaler.py",
    "torch/utils/checkpoint.py",
    "torch/serialization.py",
    # torch.compile's own refusals of the platform and the Python it runs on ("Windows not yet supported for
    # torch.compile" in torch 2.0-2.3, "Python 3.12+ not yet supported for torch.compile")
    "torch/_dynamo/eval_frame.py",
}


@dataclass(frozen=True)
class Package:
    name: str  # the distribution name
    cache: str  # the folder under /work/cache
    floor: str  # the first release mined
    wants: Callable[[str], bool]  # which file paths (relative to site-packages) are mined
    download: tuple[tuple[str, ...], ...]  # pip download option sets, tried in order
    per_minor: bool = False  # only the newest patch of each minor (unsloth's 2025.3.x: of each month)
    progress: bool = (
        False  # keep info-level logs and prints that report nothing wrong (bitsandbytes' CUDA SETUP)
    )
    keep: bool = (
        True  # keep the downloaded archive in the cache (vLLM's 300-400 MB wheels are deleted once mined)
    )
    #: the wider stack (frameworks around the load: DeepSpeed, LLaMA-Factory, SGLang, the other quantization
    #: libraries...): only its raises, warnings and warning/error logs are kept (its prints and info logs are reports
    #: and banners, ds_report's "accepting this combination"), and a message it copied from the core stack (SGLang's
    #: loaders from vLLM, auto-gptq's peft_utils from peft) is left to the package it was copied from
    core: bool = True
    #: environment variables for `pip download` of this package's sdists, beside BUILD_ENV
    env: tuple[tuple[str, str], ...] = ()
    #: `assert cond, "message"` is a message too (Triton's "libcuda.so cannot found!", exllamav2's config checks)
    asserts: bool = False
    #: what an exception class's `__str__` returns is a message too, raised as that class (Triton's "out of resource:
    #: shared memory, Required: ...", xformers' "xFormers can't load C++/CUDA extensions. xFormers was built for: ...":
    #: their raise sites pass only numbers or build info)
    exception_text: bool = False
    #: a wider-stack package whose warnings are prints (exllamav2's " !! Warning: ..."): its prints that report
    #: something wrong are kept
    prints: bool = False


SDIST = ("--no-binary", ":all:")
#: an sdist whose setup.py imports torch or probes CUDA (deepspeed, flash-attn, auto-gptq): its metadata is prepared
#: in this environment (which has torch), with the CUDA builds switched off by BUILD_ENV
SDIST_HERE = ("--no-binary", ":all:", "--no-build-isolation")
BUILD_ENV = {"DS_BUILD_OPS": "0", "FLASH_ATTENTION_SKIP_CUDA_BUILD": "TRUE", "BUILD_CUDA_EXT": "0"}
WHEEL = ("--only-binary", ":all:")
MAC = ("--only-binary", ":all:", "--platform", "macosx_11_0_arm64", "--python-version", "3.11")
MAC_310 = ("--only-binary", ":all:", "--platform", "macosx_11_0_arm64", "--python-version", "3.10")
#: torch 2.12 and later publish their Apple-silicon wheels for macOS 14+ only
MAC_14 = ("--only-binary", ":all:", "--platform", "macosx_14_0_arm64", "--python-version", "3.11")
#: a Linux wheel for CPython 3.10 (a release that published none for this environment's 3.11)
LINUX_310 = (
    "--only-binary",
    ":all:",
    "--platform",
    "manylinux2014_x86_64",
    "--platform",
    "manylinux_2_28_x86_64",
    "--python-version",
    "3.10",
)
#: GPTQModel's setup.py needs a CUDA version where torch has none and probes the GPUs unless TORCH_CUDA_ARCH_LIST is
#: set; CI=1 keeps the old ones (1.0-1.7) from running `pip install -r requirements.txt` into the running environment
GPTQMODEL_ENV = (("CI", "1"), ("CUDA_VERSION", "12.1"), ("TORCH_CUDA_ARCH_LIST", "8.0"))


def _wider(
    name: str,
    floor: str,
    wants: Callable[[str], bool],
    download: tuple[tuple[str, ...], ...],
    keep: bool = True,
    env: tuple[tuple[str, str], ...] = (),
    asserts: bool = False,
    prints: bool = False,
    exception_text: bool = False,
) -> Package:
    return Package(
        name,
        name,
        floor,
        wants,
        download,
        per_minor=True,
        keep=keep,
        core=False,
        env=env,
        asserts=asserts,
        prints=prints,
        exception_text=exception_text,
    )


PACKAGES: dict[str, Package] = {
    "bitsandbytes": Package("bitsandbytes", "bnb", "0.35.0", _bnb_file, (SDIST, MAC, WHEEL), progress=True),
    "transformers": Package("transformers", "transformers", "4.20.0", _transformers_file, (WHEEL,)),
    "accelerate": Package("accelerate", "accelerate", "0.20.0", _accelerate_file, (WHEEL,)),
    "peft": Package("peft", "peft", "0.4.0", _peft_file, (WHEEL,)),
    "torch": Package(
        "torch",
        "torch",
        "1.13.0",
        _TORCH_FILES.__contains__,
        (MAC, MAC_310, MAC_14),
        per_minor=True,
        progress=True,
    ),
    "trl": Package("trl", "trl", "0.4.0", _trl_file, (WHEEL,), per_minor=True),
    "diffusers": Package("diffusers", "diffusers", "0.25.0", _diffusers_file, (WHEEL,), per_minor=True),
    "unsloth": Package("unsloth", "unsloth", "2024.1", _unsloth_file, (WHEEL, SDIST), per_minor=True),
    "unsloth_zoo": Package(
        "unsloth_zoo", "unsloth_zoo", "2024.1", _unsloth_file, (WHEEL, SDIST), per_minor=True
    ),
    "optimum": Package("optimum", "optimum", "1.8.0", _optimum_file, (WHEEL,), per_minor=True),
    "vllm": Package("vllm", "vllm", "0.4.0", _vllm_file, (WHEEL,), per_minor=True, keep=False),
    # the wider stack: the newest patch of each minor, only raises and warnings, copies of core messages left out
    "deepspeed": _wider("deepspeed", "0.9.0", _deepspeed_file, (SDIST_HERE,)),
    "torchao": _wider("torchao", "0.1", _torchao_file, (WHEEL, SDIST_HERE)),
    "llamafactory": _wider("llamafactory", "0.7.0", _llamafactory_file, (WHEEL, SDIST)),
    "axolotl": _wider("axolotl", "0.5.0", _axolotl_file, (WHEEL, SDIST)),
    "sglang": _wider("sglang", "0.2.0", _sglang_file, (WHEEL,), keep=False),
    "fschat": _wider("fschat", "0.1.0", _fschat_file, (WHEEL, SDIST)),
    # LMDeploy's sdist does not prepare here; its 70-110 MB wheels (TurboMind) are slimmed once mined
    "lmdeploy": _wider("lmdeploy", "0.2.0", _lmdeploy_file, (SDIST_HERE, WHEEL), keep=False),
    "xtuner": _wider("xtuner", "0.1.0", _xtuner_file, (WHEEL, SDIST)),
    "ms-swift": _wider("ms-swift", "2.0.0", _swift_file, (WHEEL, SDIST)),
    # 0.4.2 has no sdist: its small CPython 3.11 wheel
    "auto-gptq": _wider("auto-gptq", "0.2.0", _auto_gptq_file, (SDIST_HERE, WHEEL)),
    "autoawq": _wider("autoawq", "0.1.0", _autoawq_file, (WHEEL, SDIST_HERE)),
    "optimum-quanto": _wider("optimum-quanto", "0.2.0", _quanto_file, (WHEEL, SDIST)),
    "hqq": _wider("hqq", "0.1.0", _hqq_file, (WHEEL, SDIST_HERE)),
    "flash-attn": _wider("flash-attn", "2.0.0", _flash_attn_file, (SDIST_HERE,)),
    # the kernels under the stack: Triton's 60-400 MB wheels and xformers' (110 MB before 0.0.28) are slimmed once mined
    "triton": _wider(
        "triton", "2.0.0", _triton_file, (WHEEL, LINUX_310), keep=False, asserts=True, exception_text=True
    ),
    "xformers": _wider(
        "xformers", "0.0.20", _xformers_file, (WHEEL, LINUX_310, SDIST_HERE), keep=False, exception_text=True
    ),
    # GPTQModel publishes sdists only (see GPTQMODEL_ENV); their build requirements (cmake, ninja) as wheels. 1.0-2.2 are
    # left out: their setup.py builds a CUDAExtension at metadata time, which needs a CUDA torch (CUDA_HOME)
    "gptqmodel": _wider(
        "gptqmodel",
        "4.0",
        _gptqmodel_file,
        (("--no-binary", "gptqmodel"), ("--no-binary", "gptqmodel", "--no-build-isolation")),
        env=GPTQMODEL_ENV,
    ),
    "exllamav2": _wider("exllamav2", "0.0.10", _exllamav2_file, (WHEEL, SDIST), asserts=True, prints=True),
    # CTranslate2's 30-40 MB wheels (the C++ library) are slimmed once mined
    "ctranslate2": _wider("ctranslate2", "3.0", _ctranslate2_file, (WHEEL, LINUX_310), keep=False),
    "faster-whisper": _wider("faster-whisper", "0.5", _faster_whisper_file, (WHEEL, SDIST)),
}

#: Messages of native code (C++/CUDA), the CUDA runtime, the dynamic loader and Windows that users meet in the
#: same logs. Written by hand from the cited files; their release range is the package's whole mined range
#: unless `first`/`last` say otherwise.
NATIVE: tuple[dict[str, Any], ...] = (
    {
        "package": "torch",
        "file": "c10/cuda/CUDACachingAllocator.cpp",
        "function": "malloc",
        "kind": "raise",
        "type": "OutOfMemoryError",
        "template": "CUDA out of memory. Tried to allocate {size}. GPU {int} has a total capacity of {size} of which "
        "{size} is free.",
    },
    {
        "package": "torch",
        "file": "c10/cuda/CUDACachingAllocator.cpp",
        "function": "malloc",
        "kind": "raise",
        "type": "OutOfMemoryError",
        "last": "2.0.1",
        "template": "CUDA out of memory. Tried to allocate {size} (GPU {int}; {size} total capacity; {size} already "
        "allocated; {size} free; {size} reserved in total by PyTorch)",
    },
    {
        "package": "torch",
        "file": "c10/cuda/CUDAException.h",
        "function": "C10_CUDA_CHECK",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "CUDA error: {value}",
    },
    {
        "package": "torch",
        "file": "aten/src/ATen/native/TensorIterator.cpp",
        "function": "compute_types",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "Expected all tensors to be on the same device, but found at least two devices, {device} and {device}!",
    },
    {
        "package": "torch",
        "file": "torch/csrc/autograd/autograd.cpp",
        "function": "run_backward",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "element {int} of tensors does not require grad and does not have a grad_fn",
    },
    {
        "package": "torch",
        "file": "aten/src/ATen/native/TensorConversions.cpp",
        "function": "_to_copy",
        "kind": "raise",
        "type": "NotImplementedError",
        "template": "Cannot copy out of meta tensor; no data!",
    },
    {
        "package": "torch",
        "file": "c10/cuda/CUDAFunctions.cpp",
        "function": "device_count_impl",
        "kind": "warn",
        "type": "UserWarning",
        "template": "CUDA initialization: The NVIDIA driver on your system is too old (found version {int}).",
    },
    {
        "package": "bitsandbytes",
        "file": "csrc/ops.cu",
        "function": "CUDA_CHECK_RETURN",
        "kind": "print",
        "type": None,
        "template": "Error {value} at line {int} in file {path}",
    },
    # printed by the NO_CUBLASLT (pre-Turing) builds; the string is in libbitsandbytes_cuda*_nocublaslt.so of the
    # 0.41.3.post2 and 0.42.0 wheels and in no library of the 0.43.3+ wheels (checked in the wheels' binaries)
    {
        "package": "bitsandbytes",
        "file": "csrc/ops.cu",
        "function": "igemmlt",
        "kind": "print",
        "type": None,
        "last": "0.42.0",
        "template": "ERROR: Your GPU does not support Int8 Matmul!",
    },
    {
        "package": "cuda",
        "file": "cuda_runtime_api.h: cudaGetErrorString(cudaErrorNoKernelImageForDevice)",
        "function": "cudaGetErrorString",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "no kernel image is available for execution on the device",
    },
    {
        "package": "cuda",
        "file": "cuda_runtime_api.h: cudaGetErrorString(cudaErrorInvalidDeviceFunction)",
        "function": "cudaGetErrorString",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "invalid device function",
    },
    {
        "package": "cuda",
        "file": "cuda_runtime_api.h: cudaGetErrorString(cudaErrorInsufficientDriver)",
        "function": "cudaGetErrorString",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "CUDA driver version is insufficient for CUDA runtime version",
    },
    {
        "package": "cuda",
        "file": "cuda_runtime_api.h: cudaGetErrorString(cudaErrorNoDevice)",
        "function": "cudaGetErrorString",
        "kind": "raise",
        "type": "RuntimeError",
        "template": "no CUDA-capable device is detected",
    },
    {
        "package": "nvml",
        "file": "nvml.h: nvmlErrorString(NVML_ERROR_LIB_RM_VERSION_MISMATCH)",
        "function": "nvmlInit",
        "kind": "raise",
        "type": None,
        "template": "Failed to initialize NVML: Driver/library version mismatch",
    },
    {
        "package": "glibc",
        "file": "dlfcn/dlerror.c (ld.so)",
        "function": "dlopen",
        "kind": "raise",
        "type": "OSError",
        "template": "{path}: cannot open shared object file: No such file or directory",
    },
    {
        "package": "glibc",
        "file": "elf/dl-lookup.c (ld.so)",
        "function": "dlsym",
        "kind": "raise",
        "type": "AttributeError",
        "template": "{path}: undefined symbol: {name}",
    },
    {
        "package": "windows",
        "file": "Windows system error 126 (ERROR_MOD_NOT_FOUND)",
        "function": "LoadLibraryExW",
        "kind": "raise",
        "type": "OSError",
        "template": "[WinError 126] The specified module could not be found",
    },
    {
        "package": "windows",
        "file": "Windows system error 193 (ERROR_BAD_EXE_FORMAT)",
        "function": "LoadLibraryExW",
        "kind": "raise",
        "type": "OSError",
        "template": "[WinError 193] {value} is not a valid Win32 application",
    },
)


# ---- from an expression to a template ----

_HOLE_TYPES = (
    ("version", "version"),
    ("path", "path"),
    ("file", "path"),
    ("dir", "path"),
    ("binary", "path"),
    ("lib", "path"),
    ("dtype", "dtype"),
    ("device", "device"),
    ("size", "int"),
    ("bytes", "int"),
    ("num", "int"),
    ("count", "int"),
    ("len(", "int"),
    ("line", "int"),
    ("index", "int"),
    ("name", "name"),
    ("module", "name"),
    ("key", "name"),
    ("cls", "name"),
    ("class", "name"),
)


def hole(expr: ast.AST) -> str:
    """A typed hole for a value that is only known at run time, its type guessed from the expression's text."""
    try:
        text = ast.unparse(expr).lower()
    except Exception:
        return "{value}"
    for needle, kind in _HOLE_TYPES:
        if needle in text:
            return "{" + kind + "}"
    return "{value}"


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgx]")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")


def _escape(literal: str) -> str:
    return literal.replace("{", "\x00").replace("}", "\x01")  # literal braces, restored by _finish


def template_of(node: ast.AST, scope: dict[str, str]) -> str:
    """The template for a message expression: literal text with holes; never raises."""
    if isinstance(node, ast.Constant):
        return _escape(node.value) if isinstance(node.value, str) else hole(node)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(_escape(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append(hole(value.value))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return template_of(node.left, scope) + template_of(node.right, scope)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = template_of(node.left, scope)
        return _PERCENT.sub("{value}", left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        base = template_of(node.func.value, scope)
        return _format_holes(base)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("strip", "rstrip", "lstrip")
    ):
        return template_of(node.func.value, scope)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and node.args
    ):
        return "{value}"
    if isinstance(node, ast.Name) and node.id in scope:
        return scope[node.id]
    return hole(node)


def _format_holes(base: str) -> str:
    # `.format()` fields were escaped as literal braces by _escape: turn `\x00...\x01` back into holes
    return re.sub("\x00[^\x00\x01]*\x01", "{value}", base)


def _finish(template: str) -> str:
    text = template.replace("\x00", "{{").replace("\x01", "}}")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(\{value\}\s*){2,}", "{value} ", text).strip()
    return text


def _letters(template: str) -> int:
    return len(re.sub(r"\{\w+\}|[^A-Za-z]", "", template))


# ---- walking a module ----


@dataclass(frozen=True)
class Message:
    template: str
    function: str
    kind: str  # raise, warn, log, print
    type: str | None  # the exception or warning class, the logger level


def _call_name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


class _Walker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.stack: list[str] = []
        self.scopes: list[dict[str, str]] = [{}]
        #: the earlier values of a name assigned more than once in a function (`msg = "..."` in one branch,
        #: `msg = ""` in the other, then `msg += "..."`): each is a message the name can hold when it is raised
        self.earlier: list[dict[str, list[str]]] = [{}]
        #: how deep in if/for/while/try the walk is, and where each name got its value: a `+=` deeper than the
        #: assignment may not run, so the value without it is a message too (a `+=` at the same depth always runs)
        self.depth = 0
        self.assigned_at: list[dict[str, int]] = [{}]
        self.found: list[Message] = []
        self.asserts = False  # `assert cond, "message"` is a message (set by extract_messages)
        self.exception_text = (
            False  # what an exception class's __str__ returns is a message (set by extract_messages)
        )
        self.exception_class: list[bool] = []  # per enclosing class: does it derive from an exception?

    def _branch(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_If = visit_For = visit_While = visit_Try = _branch

    # scopes: a string assigned to a local name earlier in the function stands in for that name later
    def _enter(self, node: ast.AST, name: str) -> None:
        self.stack.append(name)
        self.scopes.append({})
        self.earlier.append({})
        self.assigned_at.append({})
        self.generic_visit(node)
        self.assigned_at.pop()
        self.earlier.pop()
        self.scopes.pop()
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._enter(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._enter(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.stack.append(node.name)
        self.exception_class.append(any(_call_name(b).endswith(("Exception", "Error")) for b in node.bases))
        self.generic_visit(node)
        self.exception_class.pop()
        self.stack.pop()

    def visit_Return(self, node: ast.Return) -> None:
        if (
            self.exception_text
            and node.value is not None
            and len(self.stack) >= 2
            and self.stack[-1] == "__str__"
            and self.exception_class
            and self.exception_class[-1]
            and self._is_text(node.value)
        ):
            self._add(node.value, "raise", self.stack[-2])
        self.generic_visit(node)

    def _is_text(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.JoinedStr):
            return True
        if isinstance(node, ast.BinOp):
            return self._is_text(node.left) or self._is_text(node.right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self._is_text(node.func.value)
        return isinstance(node, ast.Name) and any(node.id in scope for scope in self.scopes)

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and self._is_text(node.value):
            name = node.targets[0].id
            old = self.scopes[-1].get(name)
            if old is not None and _letters(_finish(old)) >= MIN_LETTERS:
                self._remember(name, [old])
            self.scopes[-1][name] = template_of(node.value, self._visible())
            self.assigned_at[-1][name] = self.depth
        self.generic_visit(node)

    def _remember(self, name: str, values: list[str]) -> None:
        earlier = self.earlier[-1].setdefault(name, [])
        earlier.extend(v for v in values if v not in earlier)
        del earlier[:-MAX_EARLIER]

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if (
            isinstance(node.target, ast.Name)
            and isinstance(node.op, ast.Add)
            and node.target.id in self.scopes[-1]
        ):
            name = node.target.id
            # the text without the appended part is a message too when the `+=` sits in a branch the assignment is
            # not in (earlier values keep their text: which branch joins which is not followed)
            if self.depth > self.assigned_at[-1].get(name, 0):
                self._remember(name, [self.scopes[-1][name]])
            self.scopes[-1][name] += template_of(node.value, self._visible())
        self.generic_visit(node)

    def _visible(self) -> dict[str, str]:
        """Names a message can use: the function's own strings over the module's (CUDA_MISMATCH_MESSAGE...)."""
        merged: dict[str, str] = {}
        for scope in self.scopes:
            merged.update(scope)
        return merged

    def _add(self, node: ast.AST | None, kind: str, type_: str | None) -> None:
        if node is None:
            return
        templates = [template_of(node, self._visible())]
        if isinstance(node, ast.Name):
            templates += self.earlier[-1].get(node.id, [])
        for raw in templates:
            template = _finish(raw)
            if _letters(template) >= MIN_LETTERS:
                self.found.append(Message(template, ".".join(self.stack) or "<module>", kind, type_))

    def visit_Assert(self, node: ast.Assert) -> None:
        if self.asserts and node.msg is not None:
            self._add(node.msg, "raise", "AssertionError")
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if isinstance(exc, ast.Call):
            args = exc.args or [kw.value for kw in exc.keywords if kw.arg in ("msg", "message")]
            self._add(args[0] if args else None, "raise", _call_name(exc.func) or None)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node.func)
        if name == "warn" and isinstance(node.func, (ast.Name, ast.Attribute)) and node.args:
            base = node.func.value if isinstance(node.func, ast.Attribute) else None
            if base is None or (isinstance(base, ast.Name) and base.id == "warnings"):
                category = (
                    node.args[1]
                    if len(node.args) > 1
                    else next((kw.value for kw in node.keywords if kw.arg == "category"), None)
                )
                self._add(
                    node.args[0], "warn", _call_name(category) if category is not None else "UserWarning"
                )
            else:
                self._add(node.args[0], "log", "warning")
        elif name in LOG_METHODS and isinstance(node.func, ast.Attribute) and node.args:
            first = node.args[0]
            if len(node.args) > 1 and self._is_text(first):  # logging's lazy %-formatting
                first = ast.BinOp(
                    left=first, op=ast.Mod(), right=ast.Tuple(elts=node.args[1:], ctx=ast.Load())
                )
            self._add(first, "log", name.replace("_once", "").replace("_advice", ""))
        elif name in PRINTERS and node.args:
            # bitsandbytes 0.36-0.42 collected its CUDA SETUP lines with CUDASetup.add_log_entry and printed them later
            self._add(node.args[0], "print", None)
        elif name == "print" and isinstance(node.func, ast.Name) and node.args:
            self._add(
                node.args[0]
                if len(node.args) == 1
                else ast.JoinedStr(
                    values=[
                        a if isinstance(a, ast.Constant) else ast.FormattedValue(value=a, conversion=-1)
                        for a in _spaced(node.args)
                    ]
                ),
                "print",
                None,
            )
        self.generic_visit(node)


def _spaced(args: list[ast.expr]) -> Iterator[ast.expr]:
    # print(a, b, c) writes them separated by spaces
    for i, arg in enumerate(args):
        if i:
            yield ast.Constant(" ")
        yield arg


def extract_messages(source: str, asserts: bool = False, exception_text: bool = False) -> list[Message]:
    """Every user-facing message in one module's source, in source order (duplicates kept); [] if it does not parse.
    With `asserts`, an assert's message is one too (kind raise, type AssertionError); with `exception_text`, what an
    exception class's `__str__` returns (kind raise, type the class)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    walker = _Walker()
    walker.asserts = asserts
    walker.exception_text = exception_text
    walker.visit(tree)
    return walker.found


# ---- reading releases ----


def _members(archive: Path) -> Iterator[tuple[str, bytes]]:
    """(path relative to site-packages, content) for every .py file of a wheel or an sdist."""
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.endswith(".py"):
                    yield name, zf.read(name)
        return
    with tarfile.open(archive) as tf:
        for member in tf:
            if not member.isfile() or not member.name.endswith(".py"):
                continue
            # an sdist: <name>-<version>/[src/]<package>/...
            path = member.name.split("/", 1)[1] if "/" in member.name else member.name
            path = path.removeprefix("src/")
            data = tf.extractfile(member)
            if data is not None:
                yield path, data.read()


#: words of a message that reports something wrong (or a placement a failure follows from: offload, the meta device)
_WRONG = re.compile(
    r"fail|not found|error|warn|cannot|can't|could not|unable|missing|\bno\b|not |without|defaulting|\bcpu\b|"
    r"unexpected|problem|invalid|unsupported|too old|mismatch|offload|meta device|disk|deprecat|ignor|instead|"
    r"requires?|install|upgrade|slow|fall(ing)? ?back|out of memory|disabl|skip",
    re.I,
)


def progress_only(message: Message) -> bool:
    """An info-level log or a print that reports nothing wrong ("***** Running training *****", "Unsloth: Merging
    4bit and LoRA weights..."): it names no cause, so only the packages whose setup lines matter keep them."""
    return (
        message.kind == "print" or (message.kind == "log" and message.type == "info")
    ) and not _WRONG.search(message.template)


def mine_files(package: Package, files: Iterator[tuple[str, bytes]]) -> dict[tuple[str, str], Message]:
    """(file, template) -> message for the wanted files among `files`."""
    out: dict[tuple[str, str], Message] = {}
    for path, data in files:
        if not package.wants(path):
            continue
        short = path.split("/", 1)[1] if "/" in path else path
        for message in extract_messages(
            data.decode("utf-8", errors="replace"), package.asserts, package.exception_text
        ):
            if not package.progress and progress_only(message):
                continue
            if not package.core and (
                (message.kind == "print" and not package.prints)
                or (message.kind == "log" and message.type == "info")
            ):
                continue
            out.setdefault((short, message.template), message)
    return out


#: packages whose public names (classes, functions, what their __init__ exports) and, for bitsandbytes, the native
#: entry points its Python calls (`lib.cquantize_blockwise_fp16_nf4`) are recorded per release: an AttributeError or
#: ImportError naming one of them says which releases have it
API_PACKAGES = {
    "bitsandbytes": ("bitsandbytes/",),
    "peft": ("peft/__init__.py", "peft/utils/__init__.py", "peft/utils/other.py", "peft/tuners/__init__.py"),
}


def extract_api(source: str) -> tuple[set[str], set[str]]:
    """(names a module defines or imports at its top level, attributes it reads from a native handle `lib`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set(), set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    symbols = {
        n.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "lib"
        and n.attr.startswith("c")
    }
    return {n for n in names if not n.startswith("_")}, symbols


def mine_api(name: str, files: list[tuple[str, bytes]]) -> dict[str, set[str]]:
    """'bitsandbytes.nn' -> its public names, and 'lib' -> the native entry points called, for one release."""
    out: dict[str, set[str]] = {}
    prefixes = API_PACKAGES.get(name)
    if not prefixes:
        return out
    for path, data in files:
        if not path.endswith(".py") or not path.startswith(prefixes):
            continue
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        names, symbols = extract_api(data.decode("utf-8", errors="replace"))
        out.setdefault(module, set()).update(names)
        if symbols:
            out.setdefault("lib", set()).update(symbols)
    return out


def mine_tree(name: str, root: Path) -> dict[tuple[str, str], Message]:
    """Mine an installed package: `root` is the folder holding the package (site-packages)."""
    package = PACKAGES[name]
    top = root / package.name.replace("-", "_")

    def files() -> Iterator[tuple[str, bytes]]:
        for file in sorted(top.rglob("*.py")):
            yield file.relative_to(root).as_posix(), file.read_bytes()

    return mine_files(package, files())


def releases(package: Package, latest: int | None = None) -> list[str]:
    """The final releases pip can see, from the floor on, oldest first."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package.name],
        capture_output=True,
        text=True,
        timeout=300,
    )
    match = re.search(r"Available versions: (.+)", out.stdout)
    if not match:
        raise SystemExit(f"pip index versions {package.name} failed: {out.stderr.strip()[-300:]}")
    versions = []
    for text in match.group(1).split(", "):
        try:
            v = Version(text.strip())
        except InvalidVersion:
            continue
        if not v.is_prerelease and not v.is_devrelease and not v.local and v >= Version(package.floor):
            versions.append(v)
    versions.sort()
    chosen = [str(v) for v in versions]
    return chosen[-latest:] if latest else chosen


def by_minor(versions: list[str]) -> list[list[str]]:
    """Releases grouped by minor, each group newest first (the first that can be fetched stands for the minor). A
    0.0.N release (xformers, exllamav2's first year) is its own minor: N is what its releases count."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for text in versions:
        v = Version(text)
        key = (0, 0, v.micro) if v.major == v.minor == 0 else (v.major, v.minor)
        groups.setdefault(key, []).insert(0, text)
    return [groups[k] for k in sorted(groups)]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _archive_release(file: Path) -> tuple[str, str] | None:
    """(normalised name, version) of a cached archive: a wheel (name-version-tags.whl), an sdist (name-version.tar.gz
    or .zip, the name possibly with dashes: auto-gptq-0.4.2.tar.gz) or a slimmed <name>-<version>-mined.zip."""
    name = file.name
    if name.endswith(".whl"):
        parts = name.split("-")
        return (_normal(parts[0]), parts[1]) if len(parts) > 2 else None
    for suffix in (SLIM, ".tar.gz", ".zip"):
        if name.endswith(suffix):
            base = name.removesuffix(suffix)
            if "-" not in base:
                return None
            dist, version = base.rsplit("-", 1)
            return _normal(dist), version
    return None


def find_archive(package: Package, version: str) -> Path | None:
    folder = CACHE / package.cache
    if not folder.is_dir():
        return None
    for file in sorted(folder.iterdir()):
        if _archive_release(file) == (_normal(package.name), version):
            return file
    return None


def download(package: Package, version: str) -> Path | None:
    found = find_archive(package, version)
    if found is not None:
        return found
    folder = CACHE / package.cache
    folder.mkdir(parents=True, exist_ok=True)
    for options in package.download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                *options,
                "-d",
                str(folder),
                f"{package.name}=={version}",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, **BUILD_ENV, **dict(package.env)},
        )
        found = find_archive(package, version)
        if found is not None:
            return found
    return None


SLIM = "-mined.zip"


def slim(package: Package, archive: Path, files: list[tuple[str, bytes]]) -> Path:
    """Keep only the Python members of a big archive (vLLM's wheels: the compiled kernels are most of it), as
    <name>-<version>-mined.zip beside it (which find_archive finds for the release), and delete the archive; the
    files mined can then be widened without downloading again."""
    release = _archive_release(archive)
    version = release[1] if release else archive.name.split("-")[1]
    out = archive.parent / f"{_normal(package.name)}-{version}{SLIM}"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files:
            zf.writestr(path, data)
    archive.unlink()
    return out


# ---- does a message gone from the mined files live on elsewhere? ----

#: a literal stretch of a message this long (normalised characters) is specific enough to be looked for anywhere
ALIVE_CHARS = 25
ALIVE_WORDS = 10  # ... and its first this many words are what a paste keeps


def string_blob(files: Iterable[tuple[str, bytes]]) -> str:
    """Every string constant of every Python file of a release (f-strings' literal parts, implicitly concatenated
    literals joined, as `ast` reads them), normalised the way `explain` compares text, one per line."""
    out: list[str] = []
    for _, data in files:
        try:
            tree = ast.parse(data.decode("utf-8", errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and len(node.value) >= ALIVE_CHARS
            ):
                out.append(normalise(node.value))
    return "\n".join(out)


def lives_on(template: str, blob: str) -> bool:
    """Whether the start of the message's longest literal stretch (its first ALIVE_WORDS words, at least ALIVE_CHARS
    characters) is in a string of the release: the message moved to a file that is not mined (transformers' 'is not
    a local folder and is not a valid model identifier' from modeling_utils.py to utils/hub.py, its advice on tokens
    reworded), so upgrading does not remove it."""
    segments = sorted(literal_segments(template), key=len, reverse=True)
    if not segments:
        return False
    start = " ".join(segments[0].split()[:ALIVE_WORDS])
    return len(start) >= ALIVE_CHARS and start in blob


def mark_alive(table: dict[str, Any], blobs: dict[str, str]) -> int:
    """Set the `alive` column: a template last mined in an older release whose words the newest release of its
    package still holds in any file. Returns how many were marked."""
    columns = table["columns"]
    if "alive" not in columns:
        columns.append("alive")
        for row in table["rows"]:
            row.append(False)
    at = {c: i for i, c in enumerate(columns)}
    marked = 0
    for row in table["rows"]:
        versions = table["releases"].get(row[at["package"]])
        blob = blobs.get(row[at["package"]])
        alive = bool(
            blob
            and versions
            and not row[at["native"]]
            and row[at["last"]] != versions[-1]
            and lives_on(row[at["template"]], blob)
        )
        row[at["alive"]] = alive
        marked += alive
    return marked


def newest_blobs(table: dict[str, Any]) -> dict[str, str]:
    """package -> string_blob of the newest release the table mined, read from the cache (every .py file of the
    archive: a slimmed vLLM wheel keeps them all)."""
    blobs = {}
    for name, versions in table["releases"].items():
        archive = find_archive(PACKAGES[name], versions[-1]) if name in PACKAGES and versions else None
        if archive is not None:
            blobs[name] = string_blob(_members(archive))
    return blobs


# ---- the table ----


def _vkey(version: str) -> Version:
    return Version(version)


def build_table(mined: dict[str, dict[str, dict[tuple[str, str], Message]]]) -> dict[str, Any]:
    """mined: package -> version -> (file, template) -> message; the table with a release range per template."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for package, by_version in mined.items():
        for version in sorted(by_version, key=_vkey):
            for (file, template), message in by_version[version].items():
                key = (package, template)
                row = rows.get(key)
                if row is None:
                    rows[key] = {
                        "package": package,
                        "file": file,
                        "function": message.function,
                        "kind": message.kind,
                        "type": message.type,
                        "first": version,
                        "last": version,
                        "template": template,
                    }
                else:
                    row["last"] = version
                    row["file"], row["function"] = file, message.function  # the newest place it lives
    # a message of the wider stack that a core package prints too is a copy of the core's code: the core keeps it
    core = {t for (p, t) in rows if p not in PACKAGES or PACKAGES[p].core}
    rows = {
        key: row
        for key, row in rows.items()
        if key[0] not in PACKAGES or PACKAGES[key[0]].core or key[1] not in core
    }
    released = {p: sorted(v, key=_vkey) for p, v in mined.items()}
    for native in NATIVE:
        versions = released.get(native["package"])
        row = {
            "package": native["package"],
            "file": native["file"],
            "function": native["function"],
            "kind": native["kind"],
            "type": native["type"],
            "first": native.get("first") or (versions[0] if versions else None),
            "last": native.get("last") or (versions[-1] if versions else None),
            "template": native["template"],
            "native": True,
        }
        rows.setdefault((native["package"], native["template"]), row)
    columns = ["package", "file", "function", "kind", "type", "first", "last", "template"]
    ordered = sorted(rows.values(), key=lambda r: (r["package"], r["file"], r["template"]))
    return {
        "schema": SCHEMA,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "generator": "scripts/mine_messages.py",
        "releases": released,
        "columns": [*columns, "native"],
        "rows": [[r[c] for c in columns] + [bool(r.get("native"))] for r in ordered],
    }


def build_api(api: dict[str, dict[str, dict[str, set[str]]]]) -> dict[str, dict[str, list[str]]]:
    """'bitsandbytes.nn' -> {'Linear4bit': [first, last]}: the releases in which each name exists."""
    out: dict[str, dict[str, list[str]]] = {}
    for package, by_version in api.items():
        for version in sorted(by_version, key=_vkey):
            for module, names in by_version[version].items():
                key = f"{package}:lib" if module == "lib" else module
                for n in names:
                    span = out.setdefault(key, {}).setdefault(n, [version, version])
                    span[1] = version
    return out


def _gzip(raw: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(
        fileobj=buffer, mode="wb", mtime=0
    ) as gz:  # mtime 0: the same input gives the same bytes
        gz.write(raw)
    return buffer.getvalue()


def write_table(table: dict[str, Any], path: Path = OUT) -> None:
    """The table, and beside it the anchor-word index `explain` reads (made here once, not at every run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _gzip(json.dumps(table, separators=(",", ":"), sort_keys=False).encode())
    path.write_bytes(data)
    write_index(path)


def write_index(path: Path = OUT) -> None:
    """messages-index.json.gz beside the table at `path`, made from it (`--reindex`: after `derive_index` changed)."""
    from bnbdoctor.explain.knowledge import _build, index_document

    data = path.read_bytes()
    kb = _build(json.loads(gzip.decompress(data)), index={})
    document = index_document(data, kb.templates)
    (path.parent / "messages-index.json.gz").write_bytes(
        _gzip(json.dumps(document, separators=(",", ":"), sort_keys=True).encode())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(PACKAGES), help="mine only these packages")
    parser.add_argument(
        "--latest", type=int, help="only the newest N releases of each package (no table written)"
    )
    parser.add_argument("--offline", action="store_true", help="use only what is already in the cache")
    parser.add_argument("--output", type=Path, default=OUT)
    parser.add_argument(
        "--alive-only",
        action="store_true",
        help="only recompute the `alive` column of the shipped table from the cached newest releases",
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="only rewrite messages-index.json.gz from the shipped table (after `derive_index` changed)",
    )
    args = parser.parse_args(argv)
    if args.reindex:
        write_index(args.output)
        return 0
    if args.alive_only:
        table = json.loads(gzip.decompress(args.output.read_bytes()))
        alive = mark_alive(table, newest_blobs(table))
        print(
            f"{alive} templates gone from the mined files still live on in another file of their newest release"
        )
        write_table(table, args.output)
        return 0
    mined: dict[str, dict[str, dict[tuple[str, str], Message]]] = {}
    api: dict[str, dict[str, dict[str, set[str]]]] = {}
    for name in args.only or sorted(PACKAGES):
        package = PACKAGES[name]
        versions = releases(package, args.latest)
        mined[name] = {}
        missing = []
        for group in by_minor(versions) if package.per_minor else [[v] for v in versions]:
            for version in group:  # per minor: the newest patch that can be fetched
                archive = find_archive(package, version) if args.offline else download(package, version)
                if archive is not None:
                    files = list(_members(archive))
                    if not package.keep and not archive.name.endswith(SLIM):
                        slim(package, archive, files)
                    mined[name][version] = mine_files(package, iter(files))
                    api.setdefault(name, {})[version] = mine_api(name, files)
                    break
            else:
                missing.append(group[0] if len(group) == 1 else f"{group[-1]}..{group[0]}")
        templates = len({t for v in mined[name].values() for _, t in v})
        got = sorted(mined[name], key=Version)
        print(
            f"{name}: {len(got)} releases mined ({got[0]}..{got[-1]}), {templates} templates"
            + (f"; not available: {', '.join(missing)}" if missing else ""),
            flush=True,
        )
    table = build_table(mined)
    table["api"] = build_api(api)
    alive = mark_alive(table, newest_blobs(table))
    print(
        f"{alive} templates gone from the mined files still live on in another file of their newest release"
    )
    print(
        f"{len(table['rows'])} templates in all; {sum(len(v) for v in table['api'].values())} public names and "
        f"native entry points with their release ranges"
    )
    if args.latest or args.only:
        print("partial run: table not written")
        return 0
    write_table(table, args.output)
    print(
        f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
        f"({args.output.stat().st_size // 1024} KiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
