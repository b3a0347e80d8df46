"""``import sidekick`` stays light, and the lazily loaded names behave like plain ones."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import sidekick


def _modules_after(code: str) -> list:
    probe = f"import sys, json; {code}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    return json.loads(out)


def test_import_loads_no_component_module_and_no_websockets() -> None:
    loaded = _modules_after("import sidekick")
    assert not [m for m in loaded if m.startswith("sidekick.components.")]
    assert not [m for m in loaded if m.split(".")[0] in ("websockets", "importlib_metadata")]
    assert "secrets" not in loaded and "dataclasses" not in loaded


def test_import_and_a_first_component_load_no_asyncio() -> None:
    # asyncio loads on the loop thread after the first contact, not before.
    loaded = _modules_after("import sidekick; sidekick.Label")
    assert "asyncio" not in loaded and "inspect" not in loaded


def test_components_and_large_frames_load_no_logging() -> None:
    # logging (~8 ms with traceback) loads with asyncio, after the first
    # contact, or when the library has something to warn about.
    code = (
        "import sidekick; sidekick.Grid; sidekick.Console; sidekick.Label; "
        "from sidekick.transport import masking; masking.mask(b'abcd', bytes(masking.BULK))"
    )
    loaded = _modules_after(code)
    assert "logging" not in loaded and "traceback" not in loaded


def test_a_warning_before_logging_is_loaded_still_reaches_stderr() -> None:
    code = (
        "import sys; from sidekick._log import logger; logger.debug('quiet'); "
        "logger.info('quiet'); assert 'logging' not in sys.modules; logger.warning('loud %s', 1)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert proc.stderr == "loud 1\n"  # Python's last-resort handler, as for any logger


def test_sidekick_logger_is_the_logging_logger(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from sidekick._log import logger

    assert sidekick.logger is logging.getLogger("sidekick")
    with caplog.at_level(logging.DEBUG, logger="sidekick"):
        logger.debug("d %s", 1)
        logger.info("i %s", 2)
        logger.warning("w %s", 3)
    records = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert records == [
        ("sidekick", "DEBUG", "d 1"),
        ("sidekick", "INFO", "i 2"),
        ("sidekick", "WARNING", "w 3"),
    ]


def test_a_label_loads_only_what_a_label_needs() -> None:
    loaded = _modules_after("import sidekick; sidekick.Label")
    assert "sidekick.components.label" in loaded
    for heavy in ("grid", "canvas", "viz", "console", "observable", "events"):
        assert f"sidekick.components.{heavy}" not in loaded


def test_masking_a_large_frame_in_c_does_not_import_websockets() -> None:
    code = (
        "from sidekick.transport import masking; "
        "masking.mask(b'abcd', bytes(masking.BULK)); "
        "assert masking._fast is not None"
    )
    loaded = _modules_after(code)
    # Only the compiled file (an extension registers itself under its name):
    # not the package, whose __init__ costs ~35 ms.
    assert [m for m in loaded if m.split(".")[0] == "websockets"] == ["websockets.speedups"]


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in sidekick.__all__:
        assert getattr(sidekick, name) is not None
    assert set(sidekick.__all__) <= set(dir(sidekick))
    namespace: dict = {}
    exec("from sidekick import *", namespace)
    assert {"Grid", "Viz", "GridClickEvent", "ObservableValue"} <= set(namespace)
    from sidekick import components
    from sidekick.components import Grid

    assert sidekick.Grid is Grid
    # The lazy-load map and the export list name the same things.
    assert set(components.__all__) == set(components._HOME)
    for name in components.__all__:
        assert getattr(components, name) is not None


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Gird'"):
        sidekick.Gird  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        exec("from sidekick import Gird", {})
    import sidekick.components as components

    with pytest.raises(AttributeError, match="no attribute 'CanvasBufer'"):
        components.CanvasBufer  # type: ignore[attr-defined]  # noqa: B018
    # Helpers of the components package are not part of the top-level API.
    assert not hasattr(sidekick, "CanvasBuffer")


def test_events_are_still_dataclasses_with_the_0_0_7_fields() -> None:
    import dataclasses

    event = sidekick.GridClickEvent("grid-1", "click", 2, 3)
    assert dataclasses.asdict(event) == {"instance_id": "grid-1", "type": "click", "x": 2, "y": 3}
