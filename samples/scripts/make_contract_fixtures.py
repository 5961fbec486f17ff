"""Makes the small ONNX models the backend contract and the typed-error tests use:

- backend-onnx/src/test/resources/contract/residual.onnx: two residual blocks, the first as PyTorch
  exports it (Conv → Add → Relu, batch norm folded), the second with its batch norm kept
  (Conv → BatchNormalization → Add → Relu), so "every spatial layer" has convs that only feed a sum.
- backend-onnx/src/test/resources/bad/unknown_op.onnx: a valid graph with an operator no runtime has.

Checked here with onnx.checker and ONNX Runtime (the residual model runs; the unknown operator is
refused by ONNX Runtime itself).

usage: python samples/scripts/make_contract_fixtures.py   (from the repository root; needs onnx, onnxruntime, numpy)
"""
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

REPO = pathlib.Path(__file__).resolve().parents[2]
RES = REPO / "backend-onnx" / "src" / "test" / "resources"
IR = 8  # what ONNX Runtime 1.29 (Java) reads
OPSET = 13
rng = np.random.default_rng(11)


def rand(*shape):
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


def conv(name, x, w, out, c_in, c_out):
    inits = [numpy_helper.from_array(rand(c_out, c_in, 3, 3), w), numpy_helper.from_array(rand(c_out), w + "_b")]
    return helper.make_node("Conv", [x, w, w + "_b"], [out], name=name, pads=[1, 1, 1, 1]), inits


def residual():
    nodes, inits = [], []
    for name, x, w, out, cin, cout in [("stem", "x", "Ws", "s", 1, 4), ("conv1", "s_r", "W1", "c1", 4, 4),
                                       ("conv2", "r1", "W2", "c2", 4, 4), ("conv3", "r2", "W3", "c3", 4, 4)]:
        n, i = conv(name, x, w, out, cin, cout)
        nodes.append(n)
        inits += i
        if name == "stem":
            nodes.append(helper.make_node("Relu", ["s"], ["s_r"], name="stem_relu"))
        if name == "conv1":
            nodes.append(helper.make_node("Relu", ["c1"], ["r1"], name="relu1"))
        if name == "conv2":
            nodes.append(helper.make_node("Add", ["c2", "s_r"], ["a1"], name="add1"))
            nodes.append(helper.make_node("Relu", ["a1"], ["r2"], name="relu2"))
        if name == "conv3":
            inits += [numpy_helper.from_array((rng.random(4) + 0.5).astype(np.float32), "bn_scale"),
                      numpy_helper.from_array(rand(4), "bn_bias"), numpy_helper.from_array(rand(4), "bn_mean"),
                      numpy_helper.from_array((rng.random(4) + 0.5).astype(np.float32), "bn_var")]
            nodes.append(helper.make_node("BatchNormalization", ["c3", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["b3"], name="bn3"))
            nodes.append(helper.make_node("Add", ["b3", "r2"], ["a2"], name="add2"))
            nodes.append(helper.make_node("Relu", ["a2"], ["r3"], name="relu3"))
    nodes.append(helper.make_node("GlobalAveragePool", ["r3"], ["g"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["g"], ["f"], name="flatten"))
    inits += [numpy_helper.from_array(rand(3, 4), "Wf"), numpy_helper.from_array(rand(3), "bf")]
    nodes.append(helper.make_node("Gemm", ["f", "Wf", "bf"], ["logits"], name="fc", transB=1))
    graph = helper.make_graph(nodes, "residual",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])], inits)
    return finish(graph, "filterscope make_contract_fixtures.py")


def unknown_op():
    node = helper.make_node("FilterScopeNoSuchOp", ["x"], ["y"], name="mystery")
    graph = helper.make_graph([node], "unknown_op",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 4, 4])])
    return finish(graph, "filterscope make_contract_fixtures.py", check=False)


def finish(graph, producer, check=True):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=producer)
    m.ir_version = IR
    if check:
        onnx.checker.check_model(m, full_check=True)
    return m


def main():
    (RES / "contract").mkdir(parents=True, exist_ok=True)
    path = RES / "contract" / "residual.onnx"
    onnx.save(residual(), str(path))
    y = ort.InferenceSession(str(path)).run(None, {"x": rng.standard_normal((2, 1, 8, 8)).astype(np.float32)})[0]
    assert y.shape == (2, 3), y.shape
    bad = RES / "bad" / "unknown_op.onnx"
    onnx.save(unknown_op(), str(bad))
    try:
        ort.InferenceSession(str(bad))
        raise SystemExit("ONNX Runtime accepted the unknown operator")
    except Exception as e:  # what ONNX Runtime says is what the Java test sees
        print("ONNX Runtime refuses unknown_op.onnx:", str(e).splitlines()[0][:160])
    print("wrote", path, bad)


if __name__ == "__main__":
    main()
