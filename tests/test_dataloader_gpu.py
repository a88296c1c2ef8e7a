"""DataLoader on a device (the stand-in, and CUDA where there is one): data staged on the
device once; batches equal the CPU ones."""

from __future__ import annotations

import numpy as np

from nn.data import DataLoader, TensorDataset, random_split


def test_batches_live_on_the_gpu_and_equal_the_cpu_batches(accelerator):
    x = np.arange(50 * 3, dtype=np.uint8).reshape(50, 3)
    y = np.arange(50)
    cpu = DataLoader((x, y), batch_size=8, shuffle=True, seed=5, device="cpu")
    gpu = DataLoader((x, y), batch_size=8, shuffle=True, seed=5, device=accelerator)
    for _ in range(2):
        for (xc, yc), (xg, yg) in zip(cpu, gpu, strict=True):
            assert xg.device.startswith(accelerator) and yg.device.startswith(accelerator)
            assert xg.dtype == np.uint8
            np.testing.assert_array_equal(xg.cpu().numpy(), xc.cpu().numpy())
            np.testing.assert_array_equal(yg.cpu().numpy(), yc.cpu().numpy())


def test_dataset_is_copied_to_the_device_once(accelerator):
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    loader = DataLoader((x, np.arange(20)), batch_size=6, device=accelerator)
    list(loader)
    staged = loader._arrays
    assert all(loader.backend.owns(a) for a in staged)
    list(loader)
    assert loader._arrays is staged


def test_subset_on_gpu(accelerator):
    x, y = np.arange(30).reshape(15, 2), np.arange(15)
    _, part = random_split(TensorDataset(x, y), [10, 5], seed=0)
    loader = DataLoader(part, batch_size=2, device=accelerator)
    got = np.concatenate([yb.cpu().numpy() for _, yb in loader])
    np.testing.assert_array_equal(got, y[part.indices])
