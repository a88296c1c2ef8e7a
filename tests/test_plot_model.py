"""``keras.utils.plot_model`` (Hands-On ML ch. 10: ``plot_model(model, "model.png",
show_shapes=True)``), drawn with matplotlib: the boxes and arrows it draws follow the
model's graph, the file is written in the format its name asks for, and the options Keras
has but this does not are refused by name."""

from __future__ import annotations

import pytest

import nn
from nn.training.plot import _box_text, _depths, _model_graph


def _wide_and_deep():
    inputs = nn.Input(shape=(8,), name="x")
    hidden1 = nn.layers.Dense(16, activation="relu", name="hidden1")(inputs)
    hidden2 = nn.layers.Dense(16, activation="relu", name="hidden2")(hidden1)
    concat = nn.layers.Concatenate(name="concat")([inputs, hidden2])
    out = nn.layers.Dense(1, name="out")(concat)
    aux = nn.layers.Dense(1, name="aux")(hidden2)
    return nn.Model(inputs, [out, aux])


def test_the_boxes_and_arrows_follow_the_graph():
    boxes, edges = _model_graph(_wide_and_deep())
    names = [b.name for b in boxes]
    assert names[0] == "x" and sorted(names) == ["aux", "concat", "hidden1", "hidden2", "out", "x"]
    named = {(names[a], names[b]) for a, b in edges}
    assert named == {("x", "hidden1"), ("hidden1", "hidden2"), ("x", "concat"),
                     ("hidden2", "concat"), ("concat", "out"), ("hidden2", "aux")}
    depth = dict(zip(names, _depths(len(boxes), edges), strict=True))
    assert depth == {"x": 0, "hidden1": 1, "hidden2": 2, "concat": 3, "aux": 3, "out": 4}


def test_a_sequential_is_a_chain_from_its_input_and_a_subclassed_model_one_box():
    model = nn.Sequential([nn.Input((28, 28)), nn.layers.Flatten(),
                           nn.layers.Dense(300, activation="relu"), nn.layers.Dense(10)])
    boxes, edges = _model_graph(model)
    assert [type(b).__name__ for b in boxes] == ["InputLayer", "Flatten", "Dense", "Dense"]
    assert edges == [(0, 1), (1, 2), (2, 3)]
    text = _box_text(boxes[2], True, False, True, True, True)
    assert text.splitlines() == [f"{boxes[2].name} (Dense)", "activation: relu",
                                 "input: (None, 784)", "output: (None, 300)", "trainable: True"]

    class Net(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = nn.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    assert _model_graph(Net())[0][0].__class__.__name__ == "Net"


@pytest.mark.parametrize(("name", "magic"), [("model.png", b"\x89PNG"), ("model.pdf", b"%PDF")])
def test_the_file_is_written_in_the_format_its_name_asks_for(tmp_path, name, magic):
    path = tmp_path / name
    nn.utils.plot_model(_wide_and_deep(), str(path), show_shapes=True, rankdir="LR")
    assert path.read_bytes().startswith(magic)


def test_options_it_does_not_have_are_refused_by_name(tmp_path):
    with pytest.raises(NotImplementedError, match="expand_nested"):
        nn.utils.plot_model(_wide_and_deep(), str(tmp_path / "m.png"), expand_nested=True)
    with pytest.raises(ValueError, match="rankdir"):
        nn.utils.plot_model(_wide_and_deep(), str(tmp_path / "m.png"), rankdir="BT")
