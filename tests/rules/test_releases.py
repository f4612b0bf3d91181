"""Machines judged by their own bitsandbytes release (issue 15), reconstructed from the recorded H100 and CPU
snapshots by changing only the versions, the GPU and the platform, visibly, in `machine()`.

Each expectation cites the release's own source (file@version, the line is in the finding's evidence) or the
release's wheel (the SASS read from it by scripts/gen_release_tables.py). The recorded H100 snapshot has no
native section, like a snapshot built from a bug report, so the release rules (BNB011-BNB014) replay it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bnbdoctor import releases
from bnbdoctor.rules import all_rules
from bnbdoctor.snapshot import PackageInfo, PackagesInfo, Snapshot, TorchBuild
from conftest import CPU, H100, findings, load, with_env, with_gpu, with_package, with_torch

#: name, compute capability of the GPUs the tests put into the H100's slot
GPUS = {
    "sm_60": ("Tesla P100-PCIE-16GB", (6, 0)),
    "sm_61": ("Tesla P40", (6, 1)),
    "sm_70": ("Tesla V100-SXM2-16GB", (7, 0)),
    "sm_75": ("Tesla T4", (7, 5)),
    "sm_80": ("NVIDIA A100-SXM4-40GB", (8, 0)),
    "sm_86": ("NVIDIA GeForce RTX 3090", (8, 6)),
    "sm_89": ("NVIDIA L4", (8, 9)),
    "sm_90": ("NVIDIA H100 80GB HBM3", (9, 0)),
    "sm_100": ("NVIDIA B200", (10, 0)),
    "sm_120": ("NVIDIA GeForce RTX 5090", (12, 0)),
}
RELEASE_RULES = ("BNB011", "BNB012", "BNB013", "BNB014")


def machine(
    bnb: str,
    torch_cuda: str | None,
    gpu: str = "sm_90",
    system: str | None = "Linux",
    arch: str | None = "x86_64",
    platform_known: bool = True,
    **env: str,
) -> Snapshot:
    """The recorded H100 (2026-11-24) with another bitsandbytes (its Requires-Dist from the release tables),
    another torch CUDA build, another GPU, another platform. platform_known=False: the platform section of a
    snapshot parsed from a bug report (status skipped, only the fields the report named)."""
    s = load(H100)
    release = releases.bnb_release(bnb)
    s = with_package(s, "bitsandbytes", bnb, requires=release.requires_dist if release else ())
    if torch_cuda is not None:
        s = with_torch(s, f"2.5.1+cu{torch_cuda.replace('.', '')}", cuda=torch_cuda)
    name, cc = GPUS[gpu]
    s = with_gpu(s, name=name, compute_capability=cc)
    s = replace(
        s,
        platform=replace(
            s.platform,
            status="ok" if platform_known else "skipped",
            system=system,
            machine=arch,
            libc="glibc" if system == "Linux" else None,
        ),
    )
    return with_env(s, **env) if env else s


def rules_of(s: Snapshot) -> list[str]:
    return sorted(f.rule for f in findings(s) if f.rule in RELEASE_RULES)


def one(s: Snapshot, rule: str):  # type: ignore[no-untyped-def]
    (f,) = findings(s, rule)
    return f


# ---- the two lessons of the issue -------------------------------------------------------------------------


def test_v100_with_042_loads_the_nocublaslt_library_which_has_sm70():
    # bitsandbytes/cuda_setup/main.py@0.42.0 (evaluate_cuda_setup): compute capability < 7.5 -> "_nocublaslt";
    # its wheel's libbitsandbytes_cuda121_nocublaslt.so carries sm_50 .. sm_90, the plain cuda121 only sm_75+
    s = machine("0.42.0", "12.1", "sm_70")
    pick = releases.pick(
        releases.bnb_release("0.42.0"),
        "linux-x86_64",
        torch_cuda="12.1",
        torch_variant="cuda",
        capabilities=[(7, 0)],
        env={},
    )
    assert pick.library == "libbitsandbytes_cuda121_nocublaslt.so" and "sm_70" in pick.info.sass
    assert any(
        e.startswith("bitsandbytes/cuda_setup/main.py:") and e.endswith("@0.42.0") for e in pick.evidence
    )
    assert rules_of(s) == []  # 0.50's judgement ("no 4-bit below sm_75") would be wrong here


def test_v100_with_039_whatever_runtime_it_finds_has_sm70_code():
    # bitsandbytes/cuda_setup/main.py@0.39.0 names the library after the libcudart it finds (cudaRuntimeGetVersion),
    # not torch's: which file is unknown, but every _nocublaslt file of its wheel carries sm_70
    f = one(machine("0.39.0", "11.8", "sm_70"), "BNB014")
    assert "which libcudart.so" in f.message and "carries code for it" in f.message
    assert findings(machine("0.39.0", "11.8", "sm_70"), "BNB011") == []
    # an RTX 5090 has no code in any of them: known although the file is not
    f = one(machine("0.39.0", "11.8", "sm_120"), "BNB011")
    assert "none carries code" in f.message and "main.py:305@0.39.0" in f.message


@pytest.mark.parametrize(
    ("bnb", "message"),
    [
        # bitsandbytes/cextension.py@0.45.5 get_native_library: logger.warning("Could not find the bitsandbytes CUDA
        # binary at %r") and the CPU library is loaded
        ("0.45.5", "Could not find the bitsandbytes CUDA binary at .../libbitsandbytes_cuda129.so"),
        # bitsandbytes/cextension.py@0.46.0 get_native_library: raise RuntimeError("Configured CUDA binary not found at
        # ..."), caught into ErrorHandlerMockBNBNativeLibrary: the first native call raises
        ("0.46.0", "Configured CUDA binary not found at .../libbitsandbytes_cuda129.so"),
    ],
)
def test_cuda_129_torch_with_an_exact_match_release_fails(bnb, message):
    f = one(machine(bnb, "12.9", "sm_80"), "BNB012")
    assert message in f.message and "cextension.py" in f.message and f"@{bnb}" in f.message
    assert (
        "0.46.1 to 0.50.2" in f.fix
    )  # the releases whose wheel has a library for CUDA 12.9 (exact or nearest)


def test_cuda_129_torch_works_with_049_exact_and_050_nearest():
    # 0.49.2's wheel ships libbitsandbytes_cuda129.so; bitsandbytes/cextension.py@0.50.2 get_cuda_bnb_library_path
    # falls back to the newest lower packaged version of the same major (12.8)
    assert rules_of(machine("0.49.2", "12.9", "sm_80")) == []
    assert rules_of(machine("0.50.2", "12.9", "sm_80")) == []
    pick = releases.pick(
        releases.bnb_release("0.50.2"),
        "linux-x86_64",
        torch_cuda="12.9",
        torch_variant="cuda",
        capabilities=[(8, 0)],
        env={},
    )
    assert pick.library == "libbitsandbytes_cuda128.so" and "nearest packaged CUDA 12.8" in pick.reason


# ---- old and new GPUs across releases (SASS read from each release's wheel) --------------------------------


@pytest.mark.parametrize(
    ("bnb", "cuda", "gpu", "fires"),
    [
        ("0.42.0", "12.1", "sm_60", False),  # _nocublaslt (main.py@0.42.0) has sm_60
        ("0.42.0", "12.1", "sm_75", False),  # cuda121.so: sm_75 sm_80 sm_86 sm_89 sm_90
        ("0.42.0", "12.1", "sm_100", True),  # nothing newer than sm_90 in 0.42.0's wheel
        (
            "0.43.1",
            "12.1",
            "sm_70",
            False,
        ),  # cextension.py@0.43.1: `if not cuda_specs.has_cublaslt: += "_nocublaslt"`
        ("0.43.1", "12.1", "sm_89", False),
        ("0.45.5", "12.4", "sm_70", False),  # 0.45 dropped _nocublaslt; its cuda124.so has sm_50 .. sm_90
        ("0.45.5", "12.4", "sm_120", True),  # ... and nothing for Blackwell
        ("0.46.0", "12.8", "sm_70", True),  # 0.46.0's cuda128.so starts at sm_75: a V100 needs a cu126 torch
        ("0.46.0", "12.8", "sm_120", False),  # cuda128.so has sm_100 and sm_120
        ("0.49.2", "13.0", "sm_61", True),  # cuda130.so: sm_75 and up
        ("0.49.2", "12.6", "sm_61", False),  # cuda126.so: sm_60 and up
        ("0.49.2", "12.8", "sm_100", False),
        ("0.49.2", "12.8", "sm_86", False),
    ],
)
def test_gpu_code_of_the_library_each_release_loads(bnb, cuda, gpu, fires):
    s = machine(bnb, cuda, gpu)
    found = findings(s, "BNB011")
    assert bool(found) is fires, [f.message for f in found]
    if fires:
        assert f"bitsandbytes {bnb}" in found[0].message and GPUS[gpu][0] in found[0].message


def test_the_fix_names_what_would_have_worked():
    f = one(machine("0.46.0", "12.8", "sm_70"), "BNB011")
    assert (
        "With this torch (CUDA 12.8), bitsandbytes" in f.fix and "0.47.0" in f.fix
    )  # 0.47's cuda128 has sm_70
    f = one(machine("0.49.2", "13.0", "sm_61"), "BNB011")
    assert "cu126" in f.fix  # no release's CUDA 13 library has sm_61


# ---- platforms ----------------------------------------------------------------------------------------------


def test_windows_with_the_any_wheel_of_042_loads_nothing():
    # bitsandbytes 0.42.0 has one py3-none-any wheel, its libraries Linux x86-64 ELF .so files only, and
    # bitsandbytes/cuda_setup/main.py@0.42.0 loads "libbitsandbytes_cpu.so"/"...cuda121.so" everywhere
    s = machine("0.42.0", "12.1", "sm_86", system="Windows", arch=None, platform_known=False)
    f = one(s, "BNB013")
    assert f.severity == "error" and "py3-none-any" in f.message and "0.43.0 to 0.50.2" in f.fix


def test_windows_with_043_loads_its_dll():
    # bitsandbytes/consts.py@0.43.1: DYNAMIC_LIBRARY_SUFFIX ".dll" on Windows; its win_amd64 wheel ships the DLLs,
    # read through their PE .nv_fatb section
    s = machine("0.43.1", "12.1", "sm_86", system="Windows", arch="x86_64")
    pick = releases.pick(
        releases.bnb_release("0.43.1"),
        "windows-x86_64",
        torch_cuda="12.1",
        torch_variant="cuda",
        capabilities=[(8, 6)],
        env={},
    )
    assert (
        pick.library == "libbitsandbytes_cuda121.dll"
        and pick.info.format == "pe"
        and "sm_86" in pick.info.sass
    )
    assert rules_of(s) == []


def test_aarch64_before_046_had_no_wheel():
    # PyPI has no aarch64 wheel of 0.43-0.45 (`pip download --platform manylinux_2_*_aarch64` finds none)
    s = machine("0.44.1", "12.4", "sm_90", arch="aarch64", platform_known=False)
    f = one(s, "BNB013")
    assert f.severity == "info" and "built from source" in f.message and "0.46.0 to 0.50.2" in f.fix
    # with the platform fully known, BNB050 owns that cause
    assert findings(machine("0.44.1", "12.4", "sm_90", arch="aarch64"), "BNB013") == []


def test_aarch64_libraries_have_fewer_architectures():
    # 0.49.2's aarch64 cuda128.so carries sm_75 sm_80 sm_90 sm_100 sm_120 only: an L4 (8.9) runs the sm_80 code
    assert rules_of(machine("0.49.2", "12.8", "sm_89", arch="aarch64")) == []
    wheel = releases.bnb_release("0.49.2").wheel_for("linux-aarch64")
    assert "sm_86" not in wheel.libraries["libbitsandbytes_cuda128.so"].sass


def test_an_unknown_architecture_is_replayed_on_every_platform_the_release_has_a_wheel_for():
    # "Linux" without the CPU, as a report says it: 0.44.1 shipped no aarch64 wheel, so an installed 0.44.1 is x86-64
    s = machine("0.44.1", "12.9", "sm_90", arch=None, platform_known=False)
    f = one(s, "BNB012")
    assert "on Linux x86-64 " in f.message
    # 0.49.2 has both: its cuda128 libraries differ (x86-64: sm_70 sm_75 sm_80 sm_86 ..., aarch64: sm_75 sm_80 ...),
    # and an RTX 3090 (8.6) runs both (the sm_80 code)
    assert rules_of(machine("0.49.2", "12.8", "sm_86", arch=None, platform_known=False)) == []
    # the outcome differs between the platforms (a V100 with cu128: x86-64 has sm_70, aarch64 not): said, not guessed
    f = one(machine("0.49.2", "12.8", "sm_70", arch=None, platform_known=False), "BNB014")
    assert "behaves differently" in f.message and "sm_70" in f.message


def test_macos_cpu_torch_loads_the_cpu_dylib():
    # 0.49.2's macosx_14_0_arm64 wheel ships libbitsandbytes_cpu.dylib (Mach-O: no CUDA on macOS)
    s = with_torch(machine("0.49.2", None, system="Darwin", arch="arm64"), "2.5.1")
    assert rules_of(s) == []
    s = with_torch(machine("0.45.5", None, system="Darwin", arch=None, platform_known=False), "2.5.1")
    assert one(s, "BNB013").severity == "info"  # no macOS wheel of 0.43-0.48


# ---- BNB_CUDA_VERSION, by each release's own string surgery ------------------------------------------------


def test_empty_bnb_cuda_version_raises_in_050_only():
    # bitsandbytes/cextension.py@0.50.2: `if override_value is not None:` then `if not override_value.isdigit():
    # raise RuntimeError`; @0.49.2: `if override_value:` (an empty value is no override)
    f = one(machine("0.50.2", "13.0", BNB_CUDA_VERSION=""), "BNB012")
    assert "is not digits" in f.message
    assert rules_of(machine("0.49.2", "13.0", BNB_CUDA_VERSION="")) == []


def test_override_naming_an_unshipped_library():
    # bitsandbytes/cextension.py@0.45.5: re.sub(r"cuda\d+", f"cuda{override_value}", ...): cuda999 is not shipped
    f = one(machine("0.45.5", "12.4", BNB_CUDA_VERSION="999"), "BNB012")
    assert "libbitsandbytes_cuda999.so" in f.message and "override" in f.message


# ---- what the tables cannot say, said -----------------------------------------------------------------------


def test_an_unrecorded_release_is_unknown_not_judged_as_050():
    s = machine("0.51.0", "13.0", "sm_61")
    assert rules_of(s) == ["BNB014"] and "not in bnbdoctor's release tables" in one(s, "BNB014").message


def test_nocublaslt_release_without_a_gpu_is_unknown():
    s = machine("0.42.0", "12.1")
    s = replace(s, nvml=replace(s.nvml, status="skipped", gpus=()))  # a report that names no GPU
    f = one(s, "BNB014")
    assert "compute capability" in f.message and "_nocublaslt" in f.message


def test_report_with_versions_only_never_crashes():
    """A snapshot as `check --from-report` builds it: versions and little else, every other section skipped."""
    cpu = load(CPU)
    bare = Snapshot(
        packages=PackagesInfo(
            status="ok",
            packages={
                "bitsandbytes": PackageInfo("bitsandbytes", "0.45.5"),
                "torch": PackageInfo("torch", "2.6.0+cu129"),
                "transformers": PackageInfo("transformers", "4.48.0"),
            },
            torch=TorchBuild("2.6.0+cu129", cuda="12.9"),
        )
    )
    found = findings(bare)
    assert not [f for f in found if "crashed" in f.message]
    # no platform: 0.45.5 has no aarch64 or macOS wheel, so the outcome depends on it, and that is what is said
    (f,) = [f for f in found if f.rule in RELEASE_RULES]
    assert f.rule == "BNB014" and "behaves differently" in f.message
    # the report names Linux x86-64: no GPU named, but the library 0.45.5 looks for is not in its wheel
    named = replace(bare, platform=replace(bare.platform, system="Linux", machine="x86_64"))
    (f,) = [f for f in findings(named) if f.rule in RELEASE_RULES]
    assert f.rule == "BNB012" and "libbitsandbytes_cuda129.so" in f.message
    for s in (Snapshot(), replace(bare, packages=replace(bare.packages, torch=None)), cpu):
        assert not [f for f in findings(s) if "crashed" in f.message]


def test_every_machine_rule_copes_with_an_empty_snapshot():
    crashed = [f.message for f in findings(Snapshot()) if "crashed" in f.message]
    assert crashed == [] and {r.id for r in all_rules()} >= set(RELEASE_RULES)


# ---- transformers and the driver, from the tables ------------------------------------------------------------


@pytest.mark.parametrize(
    ("transformers", "bnb", "fires", "where"),
    [
        # modeling_utils.py@4.36.2 from_pretrained: `supports_4bit = version.parse(...) >= version.parse("0.39.0")`
        ("4.36.2", "0.38.1", True, "transformers/modeling_utils.py"),
        ("4.36.2", "0.39.0", False, None),
        # quantizers/quantizer_bnb_4bit.py@4.45.2 validate_environment: `< version.parse("0.39.0"): raise ValueError`
        ("4.45.2", "0.38.1", True, "quantizer_bnb_4bit.py"),
        # 4.57.6 keeps only a floor of 0.43.1 when CUDA is not available: a CUDA machine passes with 0.42.0
        ("4.57.6", "0.42.0", False, None),
    ],
)
def test_transformers_floor_per_release(transformers, bnb, fires, where):
    s = with_package(machine(bnb, "12.1", "sm_80"), "transformers", transformers)
    s = replace(s, packages=replace(s.packages, minimums=()))  # as in a report: no installed source to read
    found = findings(s, "BNB023")
    assert bool(found) is fires
    if fires:
        assert where in found[0].message


def test_transformers_457_floor_applies_without_cuda():
    # quantizer_bnb_4bit.py@4.57.6: `if version.parse(...) < version.parse("0.43.1"): if not torch.cuda.is_available(): raise`
    s = with_package(with_torch(load(CPU), "2.5.1+cpu"), "transformers", "4.57.6")
    s = with_package(s, "bitsandbytes", "0.42.0")
    s = replace(s, packages=replace(s.packages, minimums=()))
    assert "0.43.1" in one(s, "BNB023").message


def test_driver_minimum_per_os():
    # NVIDIA CUDA release notes, "CUDA Toolkit and Corresponding Driver Versions": 12.4 GA needs 550.54.14 on Linux
    # and 551.61 on Windows
    assert releases.min_driver((12, 4), "Linux") == "550.54.14"
    assert releases.min_driver((12, 4), "Windows") == "551.61"
    assert releases.min_driver((13, 0), "Windows") is None  # not recorded: said, not guessed


def test_a_probed_machine_whose_release_needs_an_unknown_fact_says_so():
    """The native probe replays 0.39's choice too: it needs the libcudart found on the system, which it does not
    read, so the probed section says `unknown` and BNB014 reports it (instead of 0.50's choice)."""
    from bnbdoctor.snapshot import NativeInfo

    s = machine("0.39.0", "11.8", "sm_70")
    s = replace(
        s,
        native=NativeInfo(
            status="ok",
            bnb_library=None,
            selection_reason="unknown: which libcudart.so bitsandbytes 0.39.0 finds on this machine",
        ),
    )
    f = one(s, "BNB014")
    assert "libcudart" in f.message and not findings(s, "BNB062")


def test_windows_045_with_a_cuda_129_torch_real_report():
    # https://github.com/Haoming02/sd-webui-forge-classic/issues/184: Windows, torch 2.8 + CUDA 12.9, bitsandbytes
    # 0.45.5 "ships no libbitsandbytes_cuda129.dll"; 0.47.0 "has it and works"
    s = machine("0.45.5", "12.9", "sm_120", system="Windows", arch=None)
    f = one(s, "BNB012")
    assert f.category == "missing_libs" and "libbitsandbytes_cuda129.dll" in f.message
    assert "0.47.0" in releases.bnb_release("0.47.0").version and "0.46.1 to 0.50.2" in f.fix


def test_rocm_712_with_049_asks_for_a_library_never_built_real_report():
    # https://github.com/bitsandbytes-foundation/bitsandbytes/issues/1890: cuda_specs.py@0.49.2
    # get_cuda_version_string returns f"{major * 10 + minor}", so ROCm 7.12 becomes "82"; cuda_specs.py@0.50.2
    # returns f"{major}{minor}" ("712")
    s = with_torch(machine("0.49.2", None), "2.12.0+rocm7.12", hip="7.12")
    f = one(s, "BNB012")
    assert "libbitsandbytes_rocm82.so" in f.message and "cuda_specs.py:51@0.49.2" in f.message
    pick = releases.pick(
        releases.bnb_release("0.50.2"),
        "linux-x86_64",
        torch_cuda=None,
        torch_variant="rocm",
        capabilities=None,
        env={},
        torch_hip="7.12",
    )
    assert (
        pick.library != "libbitsandbytes_rocm82.so"
    )  # 0.50 names it rocm712, then falls back within major 7


# ---- machines from real reports of the held-out split (tests/fixtures/explain/reports-test.jsonl of the corpus
# ---- helper), written after the code: they check it, nothing was tuned on them ---------------------------------


def test_v100_043_with_bnb_cuda_version_builds_the_wrong_name_real_report():
    # https://github.com/bitsandbytes-foundation/bitsandbytes/issues/1312: a V100, BNB_CUDA_VERSION=124, 0.43.3
    # looked for "libbitsandbytes_cuda124_nocublaslt124.so" (cextension.py@0.43.3: stem.rstrip("0123456789"),
    # which strips nothing from "..._nocublaslt", then the override appended)
    f = one(machine("0.43.3", "12.4", "sm_70", BNB_CUDA_VERSION="124"), "BNB012")
    assert "libbitsandbytes_cuda124_nocublaslt124.so" in f.message


def test_windows_045_0_with_a_cuda_128_torch_real_report():
    # https://github.com/maybleMyers/H1111/pull/28: 0.45.0 "ships no libbitsandbytes_cuda128.dll"; 0.46.0 has it
    f = one(machine("0.45.0", "12.8", "sm_89", system="Windows", arch="x86_64"), "BNB012")
    assert "Could not find the bitsandbytes CUDA binary" in f.message
    assert rules_of(machine("0.46.0", "12.8", "sm_89", system="Windows", arch="x86_64")) == []


def test_windows_041_has_no_windows_library_real_report():
    # https://github.com/bmaltais/kohya_ss/issues/1766: "the PyPI bitsandbytes 0.41.1 has no Windows CUDA library"
    f = one(machine("0.41.1", "11.8", "sm_86", system="Windows", arch=None), "BNB013")
    assert "elf/x86_64" in f.message


def test_a_reported_release_brings_its_own_torch_requirement():
    # bitsandbytes 0.45.5's METADATA (its wheel): Requires-Dist "torch<3,>=2.0"; a report naming torch 1.13
    s = with_package(with_package(load(H100), "bitsandbytes", "0.45.5", requires=()), "torch", "1.13.1")
    (f,) = [f for f in findings(s, "BNB025") if "bitsandbytes 0.45.5 requires torch" in f.message]
    assert "1.13.1" in f.message


def test_recorded_bnb126_snapshot_without_native_section_is_judged_by_replay():
    """The H100 recording with BNB_CUDA_VERSION=126 and no native section: 0.50.2's override (cextension.py@0.50.2,
    names_library) loads libbitsandbytes_cuda126.so with a CUDA 13.0 torch, which failed on the H100 with
    'libcudart.so.12: cannot open shared object file' (docs/evidence/h100-2026-11.md)."""
    (f,) = findings(load("h100-2026-11-24-bnb126.json"), "BNB062")
    assert "libbitsandbytes_cuda126.so" in f.message and "cextension.py" in f.message


def test_driver_older_than_the_replayed_library():
    # a CUDA 12.4 driver, a cu126 torch and BNB_CUDA_VERSION=130: 0.50.2 (cextension.py@0.50.2, names_library)
    # loads libbitsandbytes_cuda130.so, whose CUDA 13 runtime this driver cannot start
    from conftest import with_driver

    s = with_driver(machine("0.50.2", "12.6", "sm_90", BNB_CUDA_VERSION="130"), "550.54.14", 12040)
    (f,) = findings(s, "BNB066")
    assert "libbitsandbytes_cuda130.so" in f.message


def test_045_cuda126_library_needs_glibc_234_despite_its_manylinux_2_24_tag():
    # Measured from the wheel: libbitsandbytes_cuda126.so of 0.45.5 (manylinux_2_24_x86_64) needs GLIBC_2.34
    # (.gnu.version_r). https://github.com/bitsandbytes-foundation/bitsandbytes/issues/1610 reports it on
    # Ubuntu 20.04 (glibc 2.31). This report is in the corpus' held-out split: the rule was written after reading
    # its cause, so it no longer counts as held-out evidence for BNB015.
    s = machine("0.45.5", "12.6", "sm_86")
    s = replace(s, platform=replace(s.platform, libc_version="2.31"))
    f = one(s, "BNB015")
    assert "glibc 2.34" in f.message and "manylinux_2_24_x86_64" in f.message
    assert findings(replace(s, platform=replace(s.platform, libc_version="2.35")), "BNB015") == []
    assert findings(machine("0.45.5", "12.4", "sm_86"), "BNB015") == []  # its cuda124.so needs no newer glibc
