"""Child process: build the model on the meta device with the installed transformers and list its tensors.

    python -m bnbdoctor.model.skeleton '{"folder": ..., "dtype": "bfloat16", "skip_modules": null}'

Prints one JSON line: an Inventory, or {"error": "..."}. Run in a child so that `check --model` and `estimate`
never import torch into bnbdoctor's own process, and a crash in a model's code is an answer, not our crash.
No memory is allocated for weights and nothing is read but config.json.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..serde import to_json
from .inventory import Inventory, TensorSpec


def _should_convert(full_name: str, patterns: list[str]) -> bool:
    """transformers 5's quantizers_utils.should_convert_module, for versions that lack it."""
    boundary = r"(?:(?<=\.)|(?=\.|$))"
    return not any(
        re.match(rf"(?:{key}){boundary}", full_name) or full_name.endswith(key) for key in patterns
    )


def _keys_to_not_convert(model: Any) -> list[str]:
    """transformers' get_keys_to_not_convert: tied weights, the last parameter's module, the output embeddings."""
    tied: set[str] = set()
    mapping = getattr(model, "all_tied_weights_keys", None) or {}
    if mapping:
        tied = set(mapping.values()) | set(mapping.keys())
    else:
        tied = set(getattr(model, "_tied_weights_keys", None) or [])
    last = {list(model.named_parameters())[-1][0]}
    output = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    out_keys = {name for name, module in model.named_modules() if output is not None and module is output}
    return list({k.removesuffix(".weight") for k in tied | last | out_keys})


def _config(folder: str) -> Any:
    """The config object, built from config.json by its class (CONFIG_MAPPING[model_type].from_dict), which is what
    AutoConfig.from_pretrained does for a local folder, without importing the Hub machinery (0.7 s of 3)."""
    from transformers import AutoConfig

    try:
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING

        data = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
        return CONFIG_MAPPING[data["model_type"]].from_dict(data)
    except (ImportError, KeyError, ValueError, OSError):
        return AutoConfig.from_pretrained(folder, trust_remote_code=False)


def build(folder: str, dtype: str, skip_modules: list[str] | None) -> Inventory:
    import torch
    import transformers
    from torch import nn

    try:
        from transformers.pytorch_utils import Conv1D
    except ImportError:  # pragma: no cover - very old transformers
        Conv1D = ()  # type: ignore[assignment,misc]

    config = _config(folder)
    torch_dtype = getattr(torch, dtype)
    model_class = None
    for name in getattr(config, "architectures", None) or []:
        model_class = getattr(transformers, name, None)
        if model_class is not None:
            break
    with torch.device("meta"):
        if model_class is not None:
            model = (
                model_class._from_config(config, dtype=torch_dtype)
                if _takes_dtype()
                else model_class._from_config(config, torch_dtype=torch_dtype)
            )
        else:
            model = _from_auto_classes(
                config, {"dtype": torch_dtype} if _takes_dtype() else {"torch_dtype": torch_dtype}
            )

    major = int(transformers.__version__.split(".")[0])
    try:
        from transformers.quantizers.base import get_keys_to_not_convert  # transformers >= 5

        default_skips = list(get_keys_to_not_convert(model))
    except (ImportError, AttributeError, TypeError):
        default_skips = _keys_to_not_convert(model)
    should_convert_module: Any = None
    with contextlib.suppress(ImportError):
        from transformers.quantizers.quantizers_utils import should_convert_module
    keep_fp32 = list(getattr(model, "_keep_in_fp32_modules", None) or [])
    # transformers' get_modules_to_not_convert: the default skips apply only when no llm_int8_skip_modules is given
    skipped = sorted(set((default_skips if skip_modules is None else list(skip_modules)) + keep_fp32))

    def convert(name: str) -> bool:
        if should_convert_module is not None:
            return bool(should_convert_module(name, skipped))
        if major >= 5:
            return _should_convert(name, skipped)
        # transformers 4.x replace_with_bnb_linear: a key matches the module or any of its parents
        return not any((key + "." in name + ".") or key == name for key in skipped)

    # transformers 5.5 made replace_with_bnb_linear check `type(module) is nn.Linear` (5.0-5.4 and 4.x:
    # isinstance), so a model's own subclass of nn.Linear (FalconLinear, ...) stays unquantized
    exact = _version(transformers.__version__) >= (5, 5)

    def quantizable(module: Any) -> bool:
        linear = type(module) is nn.Linear if exact else isinstance(module, nn.Linear)
        return linear or (bool(Conv1D) and isinstance(module, Conv1D))

    tensors: list[TensorSpec] = []
    moe_fused = 0
    seen: set[int] = set()
    subclassed: dict[str, int] = {}
    for module_name, module in model.named_modules():
        quant = quantizable(module) and convert(module_name)
        if (
            exact
            and isinstance(module, nn.Linear)
            and not quant
            and convert(module_name)
            and not quantizable(module)
        ):
            name = type(module).__name__
            subclassed[name] = subclassed.get(name, 0) + sum(
                p.numel() for p in module.parameters(recurse=False)
            )
        in_fp32 = any(_should_convert(module_name, [k]) is False for k in keep_fp32)
        for kind, items in (
            ("param", module.named_parameters(recurse=False)),
            ("buffer", module.named_buffers(recurse=False)),
        ):
            for local, tensor in items:
                if tensor is None or id(tensor) in seen:
                    continue
                seen.add(id(tensor))
                full = f"{module_name}.{local}" if module_name else local
                tdtype = str(tensor.dtype).removeprefix("torch.")
                if kind == "param" and in_fp32 and tensor.is_floating_point():
                    tdtype = "float32"
                if kind == "param" and tensor.dim() >= 3 and "expert" in full.lower():
                    moe_fused += tensor.numel()
                tensors.append(
                    TensorSpec(
                        name=full,
                        shape=tuple(int(d) for d in tensor.shape),
                        dtype=tdtype,
                        kind=kind,  # type: ignore[arg-type]
                        module_type=type(module).__name__,
                        quantize=quant and kind == "param" and local == "weight",
                    )
                )
    return Inventory(
        checkpoint_layout=_checkpoint_layout(model, tensors),
        subclassed_linear=tuple(sorted(subclassed)),
        subclassed_linear_params=sum(subclassed.values()),
        model_type=str(getattr(config, "model_type", "")),
        architecture=type(model).__name__,
        method="transformers-meta",
        dtype=dtype,
        tensors=tuple(tensors),
        transformers_version=transformers.__version__,
        skipped_modules=tuple(skipped),
        moe_fused_params=moe_fused,
    )


def _checkpoint_layout(model: Any, tensors: list[TensorSpec]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The tensors save_pretrained would write for this model, when they differ from the model's own: transformers 5
    reverts its conversion mapping on save (core_model_loading.revert_weight_conversion), which is how the Hub's
    checkpoints of these model types are stored (Qwen3-MoE, Mixtral, DeepSeek: one tensor per expert, fused at
    load). Shapes only: the model is on the meta device. transformers 4 has no conversion mapping: nothing."""
    try:
        from transformers.core_model_loading import revert_weight_conversion
    except ImportError:
        return ()
    params = dict(model.named_parameters())
    state = {t.name: params[t.name] for t in tensors if t.kind == "param" and t.name in params}
    try:
        reverted = revert_weight_conversion(model, dict(state))
    except Exception:  # a model type whose reverse conversion fails on meta tensors: assume its own layout
        return ()
    layout = tuple(sorted((name, tuple(int(d) for d in tensor.shape)) for name, tensor in reverted.items()))
    own = tuple(sorted((name, tuple(int(d) for d in tensor.shape)) for name, tensor in state.items()))
    return () if layout == own else layout


#: A config without `architectures` (or naming a class this transformers lacks) is built with the first auto class
#: that knows its model type: decoders, then vision-language and encoder-decoder models, then the bare model.
AUTO_CLASSES = ("AutoModelForCausalLM", "AutoModelForImageTextToText", "AutoModelForSeq2SeqLM", "AutoModel")


def _from_auto_classes(config: Any, kwargs: dict[str, Any]) -> Any:
    import transformers

    first_error: Exception | None = None
    for name in AUTO_CLASSES:
        auto = getattr(transformers, name, None)
        if auto is None:
            continue
        try:
            return auto.from_config(config, **kwargs)
        except ValueError as exc:  # "Unrecognized configuration class ... for this kind of AutoModel"
            first_error = first_error or exc
    raise first_error or ValueError(
        f"no auto class of transformers {transformers.__version__} builds this config"
    )


def _version(text: str) -> tuple[int, int]:
    """'5.24.0' -> (5, 24); a development or odd version counts by its leading numbers."""
    parts = [int("".join(c for c in p if c.isdigit()) or 0) for p in text.split(".")[:2]]
    major, minor = [*parts, 0, 0][:2]
    return major, minor


def _takes_dtype() -> bool:
    """transformers 5 names the argument `dtype`; 4.x `torch_dtype`."""
    import transformers

    return int(transformers.__version__.split(".")[0]) >= 5


def main(argv: list[str]) -> int:
    # Importing torch and a transformers model creates a few hundred thousand objects and no garbage worth collecting;
    # the cyclic collector's passes over them cost 0.5 s of the 2.8 s (2-core CPU). This process exits right after.
    gc.disable()
    try:
        request = json.loads(argv[0])
        inventory = build(request["folder"], request["dtype"], request.get("skip_modules"))
        sys.stdout.write(json.dumps(to_json(inventory)) + "\n")
        return 0
    except Exception as exc:
        sys.stdout.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}) + "\n")
        return 3


if __name__ == "__main__":
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Tearing down torch and transformers' modules at exit costs 0.7 s (2-core CPU) and does nothing for the
    # answer, which is written and flushed: leave at once.
    os._exit(code)
