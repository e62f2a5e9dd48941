"""What `ulmock.inference` offers the rest of ulmock, and nothing more."""

from __future__ import annotations

from ulmock import inference
from ulmock.inference import (
    DeviceUnavailable,
    FetchError,
    ImageError,
    InferenceError,
    ModelError,
    ModelNotRunnable,
    ModelUnavailable,
    ParameterError,
)


def test_public_names_are_exactly_these() -> None:
    assert sorted(inference.__all__) == sorted(
        [
            "BUNDLED_NETWORK",
            "FETCH_COMMAND",
            "InferenceEngine",
            "Prediction",
            "bundled_model_path",
            "decode_image",
            "ensure_bundled_model",
            "InferenceError",
            "ImageError",
            "ParameterError",
            "ModelError",
            "ModelUnavailable",
            "ModelNotRunnable",
            "DeviceUnavailable",
            "FetchError",
        ]
    )
    assert all(hasattr(inference, name) for name in inference.__all__)


def test_error_hierarchy_lets_callers_map_whole_branches() -> None:
    for error in (ImageError, ParameterError, ModelError, DeviceUnavailable, FetchError):
        assert issubclass(error, InferenceError)
    assert issubclass(ModelUnavailable, ModelError) and issubclass(ModelNotRunnable, ModelError)
    assert ImageError("bad", field="image").field == "image"
    assert ImageError("bad").field == "file" and ImageError("bad").message == "bad"
    assert ParameterError("too big", "imgsz").field == "imgsz"


def test_the_fix_for_a_missing_model_is_one_command() -> None:
    assert inference.FETCH_COMMAND == "ulmock fetch-model"
