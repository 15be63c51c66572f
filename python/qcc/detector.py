"""An SSD-style detector built from the trained MobileNetV2 classifier (no new weights).

No trained detector with a license that allows committing it is in this repository, and
seeded weights would draw boxes that mean nothing; so the detector qcc's detection example
runs is made from the quantized MobileNetV2 1.0/224 (examples/models, Apache License 2.0)
the way sliding-window detectors (OverFeat) were: its backbone up to the last 7x7x1280
feature map, average-pooled over windows of 4, 5, 6 and 7 cells (stride 1: 16 + 9 + 4 + 1
= 30 windows of 128 to 224 pixels; smaller windows see too little for this classifier), its own 1x1 classifier convolution and softmax applied
to every window, and TFLite_Detection_PostProcess (fast NMS, its box coder's default scales
10, 10, 5, 5) with one anchor per window and zero box offsets: a box is its window, its
class the ImageNet class the classifier sees in it (column 0, "background", is TFLite's
background column). Every operator is one TFLite has, so LiteRT runs the same file as the
reference. It finds where in the picture the classifier's evidence is; it does not regress
tight boxes (there is no trained box head).

    path = build_window_detector("examples/models/mobilenet_v2_1.0_224_quant.tflite", out)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .tflite_builder import TFLiteBuilder

WINDOWS = (4, 5, 6, 7)  # in cells of 32 pixels
FEATURES = "MobilenetV2/Conv_1/Relu6"  # the 7x7x1280 map (a prefix of the tensor's name)


def window_anchors(grid=7, windows=WINDOWS) -> np.ndarray:
    """(y, x, h, w) of every window, normalized to the image, in the order of the model's
    concatenation: window sizes in turn, rows then columns."""
    rows = []
    for k in windows:
        n = grid - k + 1
        for i in range(n):
            for j in range(n):
                rows.append([(i + k / 2) / grid, (j + k / 2) / grid, k / grid, k / grid])
    return np.array(rows, np.float32)


def build_window_detector(classifier: str | Path, out: str | Path, max_detections=3,
                          score_threshold=0.25, iou_threshold=0.3, windows=WINDOWS) -> Path:
    b = TFLiteBuilder.from_file(classifier)
    feats = next(i for i, t in enumerate(b.tensors) if t.name.decode().startswith(FEATURES))
    producer = next(k for k, o in enumerate(b.ops) if feats in o.outputs)
    logits_conv = next(o for o in b.ops if len(o.inputs) == 3 and len(
        b.tensors[o.inputs[1]].shape) == 4 and b.tensors[o.inputs[1]].shape[0] == 1001)
    w, bias = logits_conv.inputs[1], logits_conv.inputs[2]
    logit_q = b.tensors[logits_conv.outputs[0]].quantization
    b.ops = b.ops[:producer + 1]
    fq = b.tensors[feats].quantization
    flat = []
    for k in windows:
        n = 7 - k + 1
        pooled = b.tensor(f"window{k}/pool", (1, n, n, 1280), "uint8", fq.scale[0], fq.zeroPoint[0])
        b.op("AVERAGE_POOL_2D", [feats], [pooled], "Pool2DOptions", padding="VALID",
             stride_h=1, stride_w=1, filter_height=k, filter_width=k)
        logits = b.tensor(f"window{k}/logits", (1, n, n, 1001), "uint8", logit_q.scale[0],
                          logit_q.zeroPoint[0])
        b.op("CONV_2D", [pooled, w, bias], [logits], "Conv2DOptions", padding="VALID",
             stride_h=1, stride_w=1)
        f = b.tensor(f"window{k}/flat", (1, n * n, 1001), "uint8", logit_q.scale[0],
                     logit_q.zeroPoint[0])
        b.op("RESHAPE", [logits, b.const(f"window{k}/shape", np.array([1, n * n, 1001], np.int32))],
             [f], "ReshapeOptions", new_shape=[1, n * n, 1001])
        flat.append(f)
    anchors = window_anchors(windows=windows)
    n = len(anchors)
    all_logits = b.tensor("windows/logits", (1, n, 1001), "uint8", logit_q.scale[0],
                          logit_q.zeroPoint[0])
    b.op("CONCATENATION", flat, [all_logits], "ConcatenationOptions", axis=1)
    scores = b.tensor("windows/scores", (1, n, 1001), "uint8", 1 / 256, 0)
    b.op("SOFTMAX", [all_logits], [scores], "SoftmaxOptions", beta=1.0)
    boxes = b.const("windows/box_offsets", np.full((1, n, 4), 128, np.uint8), [0.1], [128])
    anchor_t = b.const("windows/anchors", np.round(anchors * 200).astype(np.uint8), [0.005], [0])
    outs = [b.tensor("detection_boxes", (1, max_detections, 4), "float32"),
            b.tensor("detection_classes", (1, max_detections), "float32"),
            b.tensor("detection_scores", (1, max_detections), "float32"),
            b.tensor("num_detections", (1,), "float32")]
    b.op("CUSTOM:TFLite_Detection_PostProcess", [boxes, scores, anchor_t], outs,
         custom_options={"max_detections": max_detections, "max_classes_per_detection": 1,
                         "detections_per_class": 100, "use_regular_nms": False,
                         "nms_score_threshold": float(score_threshold),
                         "nms_iou_threshold": float(iou_threshold), "num_classes": 1000,
                         "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})
    return b.save(out, b.inputs[:1], outs)
