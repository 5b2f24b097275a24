"""The pytest plugin is tested with pytester: inner pytest runs with the plugin loaded."""

from __future__ import annotations

from importlib.metadata import entry_points


def plugin_args() -> list[str]:
    """`-p sekisho.testing.pytest_plugin` unless the installed entry point loads it already."""
    installed = any(ep.value == "sekisho.testing.pytest_plugin"
                    for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "sekisho.testing.pytest_plugin"]
