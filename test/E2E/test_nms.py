"""ONNX NonMaxSuppression compiled with its static maximum (batches x classes x
max_output_boxes_per_class rows), on x86_64 and aarch64-rpi4, against ONNX Runtime: the
rows ONNX Runtime returns, in its order, then -1 rows. Scores are distinct (ONNX leaves the
order of equal scores open; ONNX Runtime's heap decides it)."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import qcc
from test_e2e import OUT, TARGETS


def nms_model(cpb, max_out, iou, score_threshold, batches, classes, boxes):
    inits = [numpy_helper.from_array(np.array([max_out], np.int64), "max_out"),
             numpy_helper.from_array(np.array([iou], np.float32), "iou")]
    ins = ["boxes", "scores", "max_out", "iou"]
    if score_threshold is not None:
        inits.append(numpy_helper.from_array(np.array([score_threshold], np.float32), "thr"))
        ins.append("thr")
    g = helper.make_graph(
        [helper.make_node("NonMaxSuppression", ins, ["selected"], name="nms_0",
                          center_point_box=cpb)], "nms",
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, (batches, boxes, 4)),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, (batches, classes, boxes))],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, ["num_selected", 3])],
        inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


CASES = {  # center_point_box, max_out, iou, score threshold, batches, classes, boxes
    "corners_full": (0, 5, 0.4, 0.3, 1, 3, 40),
    "centers_two_batches": (1, 4, 0.5, 0.2, 2, 2, 30),
    "few_above_threshold": (0, 6, 0.3, 0.9, 1, 4, 50),
    "no_threshold_many_overlaps": (0, 8, 0.2, None, 1, 1, 60),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_nms_matches_onnxruntime(case, target):
    cpb, max_out, iou, thr, nb, nc, n = CASES[case]
    model = nms_model(cpb, max_out, iou, thr, nb, nc, n)
    d = OUT / "nms" / case
    d.mkdir(parents=True, exist_ok=True)
    onnx.save(model, d / "model.onnx")
    r = np.random.default_rng(len(case))
    centre, half = r.uniform(0, 1, (nb, n, 2)), r.uniform(0.05, 0.3, (nb, n, 2))
    if cpb == 0:  # y1, x1, y2, x2 with the corners of some boxes swapped
        boxes = np.concatenate([centre - half, centre + half], -1)[..., [1, 0, 3, 2]]
        boxes[:, ::3] = boxes[:, ::3][..., [2, 3, 0, 1]]
    else:
        boxes = np.concatenate([centre, 2 * half], -1)
    boxes = boxes.astype(np.float32)
    scores = r.permutation(nb * nc * n).reshape(nb, nc, n).astype(np.float32) / (nb * nc * n)
    import onnxruntime as ort
    expected = ort.InferenceSession(str(d / "model.onnx")).run(
        None, {"boxes": boxes, "scores": scores})[0]
    art = qcc.compile_model(d / "model.onnx", target, d / target, name="m")
    (got,), _ = qcc.run_app(qcc.build_app(art, d / target), art, [boxes, scores])
    rows = nb * nc * min(max_out, n)
    assert got.shape == (rows, 3)
    k = len(expected)
    assert 0 < k and (k < rows or case != "few_above_threshold")
    np.testing.assert_array_equal(got[:k], expected)
    assert (got[k:] == -1).all()
