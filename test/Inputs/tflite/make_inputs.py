"""Writes the small .tflite files the lit tests in test/Import/TFLite read (committed, so
that lit needs no Python): `.venv/bin/python test/Inputs/tflite/make_inputs.py`. Built with
TFLite's own schema (python/qcc/tflite_builder.py); weights are seeded random numbers."""
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "python"))
from qcc.tflite_builder import TFLiteBuilder  # noqa: E402


def conv_s8():
    """CONV_2D (int8, per-channel weights, SAME, stride 2, RELU6), then RESHAPE of the
    NHWC result and SOFTMAX."""
    r = np.random.default_rng(0)
    b = TFLiteBuilder()
    x = b.tensor("image", (1, 6, 6, 2), "int8", 0.05, -3)
    ws = r.uniform(0.002, 0.02, 3)
    w = b.const("filter", r.integers(-127, 128, (3, 3, 3, 2)).astype(np.int8), ws,
                np.zeros(3, np.int64), axis=0)
    bias = b.const("bias", r.integers(-100, 100, 3).astype(np.int32),
                   (np.float32(0.05) * ws.astype(np.float32)).astype(np.float64),
                   np.zeros(3, np.int64))
    y = b.tensor("conv", (1, 3, 3, 3), "int8", 0.03, -128)
    shape = b.const("shape", np.array([1, 27], np.int32))
    flat = b.tensor("flat", (1, 27), "int8", 0.03, -128)
    out = b.tensor("scores", (1, 27), "int8", 1 / 256, -128)
    b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", padding="SAME", stride_h=2,
         stride_w=2, fused_activation_function="RELU6")
    b.op("RESHAPE", [y, shape], [flat], "ReshapeOptions", new_shape=[1, 27])
    b.op("SOFTMAX", [flat], [out], "SoftmaxOptions", beta=1.0)
    b.save(HERE / "conv_s8.tflite", [x], [out])


def unsupported():
    """Two operators qcc does not import (a builtin and a custom one) and one it does."""
    b = TFLiteBuilder()
    x = b.tensor("x", (1, 4), "float32")
    idx = b.const("idx", np.array([0, 2], np.int32))
    g = b.tensor("g", (1, 2), "float32")
    c = b.tensor("c", (1, 2), "float32")
    y = b.tensor("y", (1, 2), "float32")
    b.op("SEGMENT_SUM", [x, idx], [g])
    b.op("CUSTOM:MyPostProcess", [g], [c])
    b.op("RELU", [c], [y])
    b.save(HERE / "unsupported.tflite", [x], [y])


def bad_index():
    """An operator input that names tensor 7 of a subgraph with 2 tensors."""
    b = TFLiteBuilder()
    x = b.tensor("x", (1, 4), "float32")
    y = b.tensor("y", (1, 4), "float32")
    b.op("RELU", [7], [y])
    b.save(HERE / "bad_index.tflite", [x], [y])


def float_add():
    """A float ADD of a [4] constant broadcast over an NHWC tensor (channels last)."""
    b = TFLiteBuilder()
    x = b.tensor("x", (1, 2, 2, 4), "float32")
    c = b.const("c", np.array([1, 2, 3, 4], np.float32))
    y = b.tensor("y", (1, 2, 2, 4), "float32")
    b.op("ADD", [x, c], [y], "AddOptions", fused_activation_function="RELU")
    b.save(HERE / "float_add.tflite", [x], [y])


def detection_bad_params():
    """TFLite_Detection_PostProcess with parameters qcc refuses: per-class NMS with no
    detections per class, fast NMS with two classes per detection, none at all."""
    common = {"max_detections": 2, "nms_score_threshold": 0.5, "nms_iou_threshold": 0.5,
              "num_classes": 2, "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0,
              "w_scale": 5.0}
    for name, options in [
            ("detection_regular_no_per_class", {**common, "max_classes_per_detection": 1,
                                                "use_regular_nms": True,
                                                "detections_per_class": 0}),
            ("detection_fast_two_classes", {**common, "max_classes_per_detection": 2,
                                            "use_regular_nms": False}),
            ("detection_no_params", {"max_detections": 2})]:
        b = TFLiteBuilder()
        boxes = b.tensor("boxes", (1, 4, 4), "float32")
        scores = b.tensor("scores", (1, 4, 3), "float32")
        anchors = b.const("anchors", np.full((4, 4), 0.5, np.float32))
        outs = [b.tensor("det_boxes", (1, 2, 4), "float32"),
                b.tensor("det_classes", (1, 2), "float32"),
                b.tensor("det_scores", (1, 2), "float32"), b.tensor("num", (1,), "float32")]
        b.op("CUSTOM:TFLite_Detection_PostProcess", [boxes, scores, anchors], outs,
             custom_options=options)
        b.save(HERE / f"{name}.tflite", [boxes, scores], outs)


def int16x8():
    """TFLite's 16x8 quantization: int16 activations, int8 weights, an int64 bias."""
    b = TFLiteBuilder()
    x = b.tensor("x", (1, 4, 4, 2), "int16", 0.01, 0)
    w = b.const("w", np.ones((3, 1, 1, 2), np.int8), [0.1], [0])
    bias = b.const("b", np.zeros(3, np.int64), [0.001], [0])
    y = b.tensor("y", (1, 4, 4, 3), "int16", 0.02, 0)
    b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", padding="SAME", stride_h=1,
         stride_w=1)
    b.save(HERE / "int16x8.tflite", [x], [y])


if __name__ == "__main__":
    for f in (conv_s8, unsupported, bad_index, float_add, detection_bad_params, int16x8):
        f()
