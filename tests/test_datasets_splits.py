"""TensorDataset, validation_split (Keras: the last part), train_test_split, random_split."""

from __future__ import annotations

import numpy as np
import pytest

from nn.data import TensorDataset, random_split, train_test_split, validation_split


def test_tensor_dataset_indexing():
    x, y = np.arange(12).reshape(6, 2), np.arange(6) * 10
    dataset = TensorDataset(x, y)
    assert len(dataset) == 6
    xi, yi = dataset[2]
    assert xi.tolist() == [4, 5] and yi == 20
    xb, yb = dataset[np.array([5, 0])]
    assert xb.tolist() == [[10, 11], [0, 1]] and yb.tolist() == [50, 0]


def test_tensor_dataset_rejects_unequal_lengths():
    with pytest.raises(ValueError, match=r"differ in length.*\[3, 4\]"):
        TensorDataset(np.zeros(3), np.zeros(4))


def test_validation_split_takes_the_end_like_the_textbook():
    x = np.arange(60000 * 2).reshape(60000, 2)
    y = np.arange(60000)
    (x_train, y_train), (x_val, y_val) = validation_split(x, y, 5000)
    np.testing.assert_array_equal(x_train, x[:-5000])
    np.testing.assert_array_equal(x_val, x[-5000:])
    np.testing.assert_array_equal(y_train, y[:-5000])
    np.testing.assert_array_equal(y_val, y[-5000:])
    assert np.shares_memory(x_train, x)  # views, no copies


def test_validation_split_fraction_uses_keras_rounding():
    x = y = np.arange(10)
    # Keras: split_at = ceil(10 * (1 - 0.25)) = 8.
    (x_train, _), (x_val, _) = validation_split(x, y, 0.25)
    assert x_train.tolist() == list(range(8)) and x_val.tolist() == [8, 9]


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, 0, 10, -1])
def test_validation_split_rejects_empty_parts(bad):
    with pytest.raises(ValueError):
        validation_split(np.arange(10), np.arange(10), bad)


def test_train_test_split_shuffles_reproducibly_and_keeps_pairs():
    x, y = np.arange(20) * 3, np.arange(20)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, seed=4)
    assert len(x_test) == 5 and len(x_train) == 15
    np.testing.assert_array_equal(x_train, y_train * 3)
    np.testing.assert_array_equal(x_test, y_test * 3)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    assert y_test.tolist() != list(range(15, 20))  # shuffled
    again = train_test_split(x, y, test_size=0.25, seed=4)
    np.testing.assert_array_equal(again[3], y_test)


def test_train_test_split_without_shuffle_and_int_size():
    x_train, x_test, y_train, y_test = train_test_split(
        np.arange(10), np.arange(10), test_size=3, shuffle=False
    )
    assert x_test.tolist() == [7, 8, 9] and y_train.tolist() == list(range(7))


def test_random_split_int_lengths_partition_the_dataset():
    dataset = TensorDataset(np.arange(10))
    parts = random_split(dataset, [6, 3, 1], seed=0)
    assert [len(p) for p in parts] == [6, 3, 1]
    assert sorted(np.concatenate([p.indices for p in parts]).tolist()) == list(range(10))
    again = random_split(dataset, [6, 3, 1], seed=0)
    assert all(np.array_equal(a.indices, b.indices) for a, b in zip(parts, again, strict=True))


def test_random_split_fractions_distribute_the_remainder_like_pytorch():
    parts = random_split(TensorDataset(np.arange(11)), [0.5, 0.3, 0.2], seed=0)
    # floor: 5, 3, 2 -> one left over, given to the first part.
    assert [len(p) for p in parts] == [6, 3, 2]


def test_random_split_rejects_bad_lengths():
    dataset = TensorDataset(np.arange(10))
    with pytest.raises(ValueError, match="sum to len"):
        random_split(dataset, [5, 4])
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(dataset, [0.5, 0.4])
    with pytest.raises(TypeError, match="all ints or all fractions"):
        random_split(dataset, [5, 0.5])
