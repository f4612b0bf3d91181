"""References that several rules cite: library sources, vendor documentation and our own measurements."""

from __future__ import annotations

from .base import Reference

H100_FACTS = Reference(
    "measurement",
    "bnbdoctor measurements on an H100 80GB, driver 580.159.04, torch 2.11.0+cu130, bitsandbytes 0.50.2 "
    "(docs/evidence/h100-2026-11.md)",
    "docs/evidence/h100-2026-11.md",
)
CUDA_COMPAT = Reference(
    "docs",
    "NVIDIA CUDA Toolkit release notes, table 'CUDA Toolkit and Corresponding Driver Versions', and the CUDA "
    "Compatibility guide (minor version compatibility)",
    "https://docs.nvidia.com/deploy/cuda-compatibility/",
)
CUDA_ENV_VARS = Reference(
    "docs",
    "CUDA C++ Programming Guide, 'CUDA Environment Variables': CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER",
    "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#cuda-environment-variables",
)
NVML_API = Reference(
    "docs",
    "NVML API reference: nvmlInit return codes (NVML_ERROR_DRIVER_NOT_LOADED, NVML_ERROR_LIB_RM_VERSION_MISMATCH, "
    "NVML_ERROR_NO_PERMISSION)",
    "https://docs.nvidia.com/deploy/nvml-api/group__nvmlInitializationAndCleanup.html",
)
TRANSFORMERS_IMPORT_UTILS = Reference(
    "source",
    "transformers src/transformers/utils/import_utils.py: BITSANDBYTES_MIN_VERSION, ACCELERATE_MIN_VERSION, "
    "is_bitsandbytes_available(min_version)",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/utils/import_utils.py",
)
TRANSFORMERS_BNB_QUANTIZER = Reference(
    "source",
    "transformers src/transformers/quantizers/quantizer_bnb_4bit.py (and _8bit.py): validate_environment raises "
    "ImportError when accelerate or bitsandbytes is missing or too old",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/quantizers/quantizer_bnb_4bit.py",
)
BNB_CEXTENSION = Reference(
    "source",
    "bitsandbytes bitsandbytes/cextension.py: get_native_library() loads libbitsandbytes_cpu when torch has no "
    "CUDA, ROCm or XPU",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/cextension.py",
)
BNB_INSTALL_DOCS = Reference(
    "docs",
    "bitsandbytes installation guide: supported platforms and backends",
    "https://huggingface.co/docs/bitsandbytes/main/en/installation",
)
PACKAGING_SPEC = Reference(
    "docs",
    "Python packaging core metadata: Requires-Dist and Requires-Python (PEP 508 / PEP 440)",
    "https://packaging.python.org/en/latest/specifications/core-metadata/",
)
BNB_LIBRARY_SELECTION = Reference(
    "source",
    "bitsandbytes 0.50 bitsandbytes/cextension.py: get_cuda_bnb_library_path() (BNB_CUDA_VERSION / BNB_ROCM_VERSION "
    "override, same-major fallback, 'No compatible CUDA binary found at ...') and ErrorHandlerMockBNBNativeLibrary",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/cextension.py",
)
CUDA_BINARY_COMPAT = Reference(
    "docs",
    "CUDA C++ Programming Guide, 'Binary Compatibility' and 'PTX Compatibility': a cubin for sm_XY runs on devices "
    "of the same major with minor >= Y; PTX is JIT-compiled for equal or newer devices; 'a' targets run only on "
    "exactly that compute capability",
    "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility",
)
BNB_WHEEL_ARCHS = Reference(
    "measurement",
    "The SASS in each libbitsandbytes_cuda*.so of the bitsandbytes 0.50.2 wheel, read with bnbdoctor inspect-lib "
    "and cuobjdump --list-elf on the H100 (tests/fixtures/cuobjdump-h100-2026-11-24.txt)",
    "tests/fixtures/cuobjdump-h100-2026-11-24.txt",
)
LD_SO = Reference(
    "docs",
    "ld.so(8): search order for DT_NEEDED libraries (DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, "
    "default paths) and $ORIGIN",
    "https://man7.org/linux/man-pages/man8/ld.so.8.html",
)
BNB_RELEASE_TABLES = Reference(
    "measurement",
    "bnbdoctor's release tables (src/bnbdoctor/releases/*.json): for every bitsandbytes release from 0.37, the wheel "
    "pip installs on Linux x86-64, Linux aarch64, Windows and macOS, its libraries and the SASS/PTX read from each with "
    "bnbdoctor's fat binary reader; generated from the real wheels by scripts/gen_release_tables.py",
    "scripts/gen_release_tables.py",
)
BNB_RELEASE_SOURCE = Reference(
    "source",
    "each bitsandbytes release's own library selection (bitsandbytes/cuda_setup/main.py for 0.37-0.43.0, "
    "bitsandbytes/cextension.py and cuda_specs.py after): CUDA version source, exact or nearest match, _nocublaslt "
    "below compute capability 7.5, BNB_CUDA_VERSION, the error when the library is missing; findings cite file:line@version",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/0.45.5/bitsandbytes/cextension.py",
)
