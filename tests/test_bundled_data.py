"""Bundled data lives inside the package, and a scenario file may bring its own fixtures.

The rule: a scenario file looks up a relative model `file:` or dataset `fixture:` in its
own folder first, then in the bundled fixtures (models under `fixtures/`, datasets under
`fixtures/datasets/`). Inline scenarios have no folder: the bundled fixtures only.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import ulmock
from tests.helpers import ROOT
from ulmock.bundled import fixtures_root, scenarios_root
from ulmock.scenarios import ScenarioError, build_emulator, bundled_scenarios, load_scenario, parse_scenario_text

PACKAGE = Path(ulmock.__file__).resolve().parent
BUNDLED_SAMPLES = PACKAGE / "bundled" / "fixtures" / "datasets" / "darknet-samples"

WORLD = """\
description: a world with its own files
accounts:
  - username: ann
    plan: pro
    projects:
      - name: p
        models:
          - name: m
            file: {model}
    datasets:
      - name: d
        fixture: {dataset}
"""


def one_image_dataset(folder: Path) -> Path:
    """A dataset folder with a single photo taken from the bundled samples."""
    (folder / "images").mkdir(parents=True)
    (folder / "labels").mkdir()
    shutil.copy(BUNDLED_SAMPLES / "images" / "dog.jpg", folder / "images" / "dog.jpg")
    (folder / "labels" / "dog.txt").write_text("16 0.3 0.6 0.3 0.5\n")
    (folder / "data.yaml").write_text("names: [a, b]\n")
    return folder


def only(kind: str, emulator):
    world = emulator.platform.world
    (account,) = world.accounts.values()
    (row,) = world.kind(kind)(account.id).values()
    return row


def images_of(emulator) -> list[str]:
    return [image.file for image in only("dataset", emulator).images]


def test_the_bundled_folders_are_package_data():
    assert scenarios_root() == PACKAGE / "bundled" / "scenarios"
    assert fixtures_root() == PACKAGE / "bundled" / "fixtures"
    assert {"demo", "minimal", "failures", "rate-limited", "enterprise-webhooks"} <= set(bundled_scenarios())


def test_the_checkout_keeps_its_top_level_folders_as_links_into_the_package():
    for name in ("scenarios", "fixtures"):
        link = ROOT / name
        assert link.is_symlink() and not Path(link.readlink()).is_absolute()
        assert link.resolve() == PACKAGE / "bundled" / name


def test_a_scenario_file_finds_fixtures_beside_it_before_the_bundled_ones(tmp_path):
    # Same name as the bundled dataset: the scenario's own folder wins.
    one_image_dataset(tmp_path / "darknet-samples")
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "best.pt").write_bytes(pickle.dumps({"model": None}, protocol=2))
    path = tmp_path / "mine.yaml"
    path.write_text(WORLD.format(model="weights/best.pt", dataset="darknet-samples"))

    emulator = build_emulator(path)

    assert images_of(emulator) == ["dog.jpg"]
    model = only("model", emulator)
    assert model.file is not None and model.file.name == "best.pt"


def test_a_scenario_file_falls_back_to_the_bundled_fixtures(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(WORLD.format(model="null", dataset="darknet-samples"))
    assert len(images_of(build_emulator(path))) == 6


def test_inline_scenarios_use_the_bundled_fixtures_only(tmp_path, monkeypatch):
    one_image_dataset(tmp_path / "darknet-samples")
    monkeypatch.chdir(tmp_path)  # the working directory is no scenario's folder
    world = parse_scenario_text(WORLD.format(model="null", dataset="darknet-samples"))
    assert len(images_of(build_emulator(world))) == 6


def test_a_missing_fixture_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(WORLD.format(model="weights/none.pt", dataset="darknet-samples"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}:9: accounts[0].projects[0].models[0].file: no file")
    assert "weights/none.pt" in str(caught.value)
