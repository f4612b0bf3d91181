from __future__ import annotations

from dataclasses import replace

from bnbdoctor.snapshot import GpuProcess, PlatformInfo
from conftest import as_t4, findings, with_env, with_gpu

GIB = 1024**3


def test_idle_h100_memory_is_fine(h100):
    # the recorded H100 shows 0.47 GiB used with no process: driver reservations, not another user
    assert findings(h100, "BNB040") == []


def test_other_process_holding_memory_is_named(h100):
    s = with_gpu(
        h100,
        memory_used=40 * GIB,
        memory_free=h100.nvml.gpus[0].memory_total - 40 * GIB,
        processes=(GpuProcess(pid=4242, used_memory=39 * GIB, name="python3"),),
    )
    (f,) = findings(s, "BNB040")
    assert f.severity == "warning"
    assert "pid 4242 python3 (39.0 GiB)" in f.message


def test_nearly_full_gpu_without_process_list_is_an_error(h100):
    total = h100.nvml.gpus[0].memory_total
    s = with_gpu(h100, memory_used=int(total * 0.95), memory_free=int(total * 0.05), processes=None)
    (f,) = findings(s, "BNB040")
    assert f.severity == "error"


def test_busy_gpu_hidden_by_cuda_visible_devices_is_not_reported(h100):
    s = with_gpu(h100, memory_used=70 * GIB, memory_free=9 * GIB)
    assert findings(with_env(s, CUDA_VISIBLE_DEVICES=""), "BNB040") == []


def test_t4_without_planned_dtype_is_advice(h100):
    (f,) = findings(as_t4(h100), "BNB030")
    assert f.severity == "info"
    assert "float16" in f.fix


def test_t4_with_planned_bf16_is_a_warning(h100):
    (f,) = findings(as_t4(h100), "BNB030", compute_dtype="bfloat16")
    assert f.severity == "warning"
    assert "emulated" in f.message
    assert "7.5" in f.message


def test_t4_with_planned_fp16_is_fine(h100):
    assert findings(as_t4(h100), "BNB030", compute_dtype="float16") == []


def test_h100_with_bf16_is_fine(h100):
    assert findings(h100, "BNB030", compute_dtype="bfloat16") == []


def test_pascal_with_bf16_is_an_error(h100):
    s = with_gpu(h100, name="Tesla P100-PCIE-16GB", compute_capability=(6, 0))
    assert findings(s, "BNB030", compute_dtype="bfloat16")


def _platform(s, **changes):
    return replace(s, platform=replace(s.platform, **changes))


def test_recorded_linux_x86_64_is_supported(h100, cpu):
    assert findings(h100, "BNB050") == []
    assert findings(cpu, "BNB050") == []


def test_intel_mac_is_unsupported(cpu):
    (f,) = findings(_platform(cpu, system="Darwin", machine="x86_64", libc=None), "BNB050")
    assert "Darwin x86_64" in f.message


def test_alpine_musl_is_unsupported(cpu):
    (f,) = findings(_platform(cpu, libc="musl", libc_version=None), "BNB050")
    assert "musl" in f.message


def test_old_bitsandbytes_on_windows_is_unsupported(cpu):
    from conftest import with_package

    s = with_package(_platform(cpu, system="Windows", machine="x86_64", libc=None), "bitsandbytes", "0.41.1")
    (f,) = findings(s, "BNB050")
    assert "0.43.0" in f.fix


def test_glibc_older_than_manylinux_2_24_is_unsupported(cpu):
    (f,) = findings(_platform(cpu, libc_version="2.17"), "BNB050")
    assert "2.24" in f.message


def test_aarch64_linux_before_0_46_is_unsupported(cpu):
    from conftest import with_package

    (f,) = findings(with_package(_platform(cpu, machine="aarch64"), "bitsandbytes", "0.45.5"), "BNB050")
    assert "0.46.0" in f.fix


def test_apple_silicon_with_recent_bitsandbytes_is_supported(cpu):
    assert findings(_platform(cpu, system="Darwin", machine="aarch64", libc=None), "BNB050") == []


def test_failed_platform_probe_is_not_judged(cpu):
    assert findings(replace(cpu, platform=PlatformInfo(status="error", error="boom")), "BNB050") == []
