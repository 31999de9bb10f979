"""Every name the docs give exists: the assets, groups, jobs, schedules and sensors in the loaded
definitions, the files and folders in the repository, the modules in the project."""

import importlib.util
import re

import pytest

from tests.docs.names import (
    ASSET_KEY,
    DEFINITION,
    MODULE,
    definition_names,
    is_path,
    path_exists,
)
from tests.docs.pages import PAGES, code_spans, commands, relative

SELECTION_FLAGS = ("--select", "--assets")


def selections(page) -> list[str]:
    """The ``--select`` and ``--assets`` values of the page's commands, and its code spans of the
    form ``group:<name>``."""
    found = [span for span in code_spans(page) if span.startswith("group:")]
    for command in commands(page):
        words = command.words
        found += [words[i + 1] for i, word in enumerate(words[:-1]) if word in SELECTION_FLAGS]
    return found


def unknown_names(page, names: dict[str, set[str]]) -> list[str]:
    unknown = []
    for span in code_spans(page):
        if ASSET_KEY.fullmatch(span) and span not in names["asset"]:
            unknown.append(f"asset {span}")
        elif DEFINITION.fullmatch(span):
            kind = DEFINITION.fullmatch(span)[1]
            if span not in names[kind] and not (kind == "job" and span in names["schedule"]):
                unknown.append(f"{kind} {span}")
        elif MODULE.fullmatch(span) and importlib.util.find_spec(span) is None:
            unknown.append(f"module {span}")
        elif is_path(span) and not path_exists(span, page):
            unknown.append(f"file {span}")
    for selection in selections(page):
        for part in selection.split(","):
            kind, name = ("group", part[6:]) if part.startswith("group:") else ("asset", part)
            if name not in names[kind]:
                unknown.append(f"{kind} {name}")
    return unknown


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_every_asset_group_job_schedule_sensor_file_and_module_named_exists(page, definitions):
    assert unknown_names(page, definition_names(definitions)) == []


def test_the_schedules_are_named_as_the_ui_and_the_cli_show_them(definitions):
    names = definition_names(definitions)
    documented = {
        span
        for page in PAGES
        for span in code_spans(page)
        if re.fullmatch(r"[a-z_]+_schedule", span)
    }
    assert documented == names["schedule"]
