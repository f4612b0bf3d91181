from __future__ import annotations

from dataclasses import replace

from bnbdoctor.snapshot import NvmlInfo
from conftest import H100_CVD_EMPTY, as_t4, findings, load, with_env, with_gpus, with_torch, without_driver


def test_healthy_h100_has_no_gpu_visibility_findings(h100):
    assert [f for f in findings(h100, expect_gpu=True) if f.category == "gpu_not_visible"] == []


def test_no_driver_with_expect_gpu_is_an_error(cpu):
    (f,) = findings(cpu, "BNB001", expect_gpu=True)
    assert f.severity == "error"
    assert "NVML Shared Library Not Found" in f.message
    assert f.evidence["facts"]["nvml.error_kind"] == "library_not_found"


def test_no_driver_without_expect_gpu_and_cpu_torch_is_silent(cpu):
    assert findings(cpu, "BNB001") == []


def test_no_driver_with_cuda_torch_is_information(h100, cpu):
    s = without_driver(h100, cpu)
    (f,) = findings(s, "BNB001")
    assert f.severity == "info"
    assert "CUDA build" in f.message


def test_driver_not_loaded_names_modprobe(cpu):
    s = replace(
        cpu,
        nvml=replace(
            cpu.nvml, error_kind="driver_not_loaded", error="NVMLError_DriverNotLoaded: Driver Not Loaded"
        ),
    )
    (f,) = findings(s, "BNB001", expect_gpu=True)
    assert "modprobe nvidia" in f.fix


def test_driver_without_gpus_is_an_error_when_expected(h100):
    (f,) = findings(with_gpus(h100, []), "BNB001", expect_gpu=True)
    assert "reports no GPU" in f.message


def test_cpu_torch_on_a_gpu_machine_is_an_error(h100):
    s = with_torch(h100, "2.11.0+cpu")
    (f,) = findings(s, "BNB002")
    assert f.severity == "error"
    assert "CPU build" in f.message
    assert "download.pytorch.org/whl/cu130" in f.fix  # the driver supports CUDA 13.0


def test_cuda_torch_on_a_gpu_machine_is_fine(h100):
    assert findings(h100, "BNB002") == []


def test_rocm_torch_on_an_nvidia_machine_is_an_error(h100):
    (f,) = findings(with_torch(h100, "2.11.0+rocm6.4", hip="6.4"), "BNB002")
    assert "ROCM build" in f.message


def test_recorded_empty_cuda_visible_devices_hides_the_h100():
    (f,) = findings(load(H100_CVD_EMPTY), "BNB003")
    assert f.severity == "error"  # torch is a CUDA build there
    assert f.evidence["facts"]["env.CUDA_VISIBLE_DEVICES"] == ""


def test_minus_one_hides_every_gpu(h100):
    assert findings(with_env(h100, CUDA_VISIBLE_DEVICES="-1"), "BNB003")


def test_index_past_the_last_gpu_hides_every_gpu(h100):
    (f,) = findings(with_env(h100, CUDA_VISIBLE_DEVICES="1"), "BNB003")
    assert "none of the 1 GPU" in f.message


def test_bad_entry_after_a_good_one_is_a_warning(h100):
    (f,) = findings(with_env(h100, CUDA_VISIBLE_DEVICES="0,3"), "BNB003")
    assert f.severity == "warning"
    assert "CUDA_VISIBLE_DEVICES=0" in f.fix


def test_uuid_prefix_selects_the_gpu(h100):
    uuid = h100.nvml.gpus[0].uuid
    assert findings(with_env(h100, CUDA_VISIBLE_DEVICES=uuid[:12]), "BNB003") == []


def test_valid_index_is_fine(h100):
    assert findings(with_env(h100, CUDA_VISIBLE_DEVICES="0"), "BNB003") == []


def test_hidden_gpus_with_cpu_torch_and_no_expectation_is_a_warning(h100):
    s = with_env(with_torch(h100, "2.11.0+cpu"), CUDA_VISIBLE_DEVICES="")
    (f,) = findings(s, "BNB003")
    assert f.severity == "warning"


def test_eight_gpus_with_four_visible_is_fine(h100):
    gpus = [replace(h100.nvml.gpus[0], index=i, uuid=f"GPU-{i:08d}") for i in range(8)]
    s = with_env(with_gpus(h100, gpus), CUDA_VISIBLE_DEVICES="4,5,6,7")
    assert findings(s, "BNB003") == []


def test_driver_library_mismatch_is_an_error_with_reboot_fix(cpu):
    s = replace(
        cpu,
        nvml=NvmlInfo(
            status="error",
            error="NVMLError_LibRmVersionMismatch: RM has detected an NVML/RM version mismatch.",
            error_kind="driver_library_mismatch",
        ),
    )
    (f,) = findings(s, "BNB004")
    assert "reboot" in f.fix
    assert findings(s, "BNB001", expect_gpu=True) == []  # one finding for one cause


def test_nvml_timeout_is_an_error(cpu):
    s = replace(
        cpu, nvml=NvmlInfo(status="error", error="NVML did not answer within 10 s", error_kind="timeout")
    )
    (f,) = findings(s, "BNB004")
    assert "nvidia-smi -r" in f.fix


def test_working_nvml_has_no_nvml_error(h100, cpu):
    assert findings(h100, "BNB004") == []
    assert findings(cpu, "BNB004") == []  # no driver at all is not a broken driver


def test_t4_is_visible(h100):
    assert findings(as_t4(h100), expect_gpu=True) == [
        f for f in findings(as_t4(h100), expect_gpu=True) if f.category != "gpu_not_visible"
    ]
