"""Broken scenario files: each mistake is one clear error naming file, line and key."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ulmock.scenarios import ScenarioError, load_scenario

GOOD = """\
description: a small world
accounts:
  - username: ann
    plan: pro
    projects:
      - name: p
        models:
          - name: m
    datasets:
      - name: d
        fixture: darknet-samples
"""

# (what is wrong, the broken file, the line, the key, words the message contains)
MISTAKES = [
    ("unknown top-level key", GOOD + "acounts: []\n", 12, "acounts", "unknown key"),
    ("misspelt account key", GOOD.replace("    plan: pro", "    plann: pro"), 4, "accounts[0].plann", "unknown key"),
    ("unknown plan", GOOD.replace("plan: pro", "plan: gold"), 4, "accounts[0].plan", "'free', 'pro' or 'enterprise'"),
    ("wrong type", GOOD.replace("plan: pro", "plan: pro\n    balance: lots"), 5, "accounts[0].balance", "number"),
    ("missing description", GOOD.replace("description: a small world\n", ""), 1, "description", "missing"),
    ("no accounts", "description: empty\naccounts: []\n", 2, "accounts", "at least 1"),
    (
        "bad api key",
        GOOD.replace("    plan: pro", "    plan: pro\n    apiKeys:\n      - key: ul_nothex"),
        6,
        "accounts[0].apiKeys[0].key",
        "pattern",
    ),
    (
        "missing fixture",
        GOOD.replace("fixture: darknet-samples", "fixture: nowhere"),
        11,
        "accounts[0].datasets[0].fixture",
        "no fixture dataset",
    ),
    (
        "dangling training model",
        GOOD + "    trainings:\n      - model: p/ghost\n        dataset: d\n",
        13,
        "accounts[0].trainings[0].model",
        "no model 'p/ghost'",
    ),
    (
        "dangling training dataset",
        GOOD + "    trainings:\n      - model: p/m\n        dataset: nope\n",
        14,
        "accounts[0].trainings[0].dataset",
        "no dataset 'nope'",
    ),
    (
        "behaviour names an unknown account",
        GOOD + "behaviours:\n  exports:\n    - format: onnx\n      account: bob\n",
        15,
        "behaviours.exports[0].account",
        "no account 'bob'",
    ),
    (
        "unknown export format",
        GOOD + "behaviours:\n  exports:\n    - format: zip\n",
        14,
        "behaviours.exports[0].format",
        "'onnx'",
    ),
    (
        "image size not a multiple of 32",
        GOOD + "    trainings:\n      - model: p/m\n        dataset: d\n        imageSize: 100\n",
        15,
        "accounts[0].trainings[0].imageSize",
        "multiple of 32",
    ),
    (
        "rate limits on a free account",
        GOOD.replace("plan: pro", "plan: free\n    rateLimits: {perMinute: 5, perDay: 9}"),
        5,
        "accounts[0].rateLimits",
        "enterprise",
    ),
    ("duplicate username", GOOD + "  - username: ann\n", 12, "accounts[1].username", "twice"),
    (
        "route fault that does nothing",
        GOOD + "behaviours:\n  routes:\n    - path: /api/datasets\n",
        14,
        "behaviours.routes[0]",
        "needs a status",
    ),
    ("not YAML at all", "description: [unclosed\n", 2, "", "not valid YAML"),
    ("a list, not a mapping", "- just\n- a list\n", 1, "", "a mapping"),
]


@pytest.mark.parametrize("mistake,text,line,key,words", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_names_file_line_and_key(tmp_path, mistake, text, line, key, words):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    err = caught.value
    assert (err.file, err.line, err.key) == (str(path), line, key), str(err)
    assert words in str(err)
    assert str(err).startswith(f"{path}:{line}: ")


def test_the_good_file_loads(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    assert load_scenario(path).scenario.accounts[0].username == "ann"


def test_the_server_refuses_to_start_half_loaded(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent(MISTAKES[8][1]))
    run = subprocess.run(
        [sys.executable, "-m", "ulmock.cli", "serve", "--scenario", str(path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert f"{path}:13: accounts[0].trainings[0].model: no model 'p/ghost'" in run.stderr
    assert "Traceback" not in run.stderr and "Platform API" not in run.stdout
