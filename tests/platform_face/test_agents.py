"""Agents (workflows) through the official client: versioned saves and the canvas's block errors."""

from __future__ import annotations

from typing import Any

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")


def block(ident: str, block_type: str, x: float = 0, **config: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "type": "agent",
        "position": {"x": x, "y": 0},
        "data": {"label": ident, "type": block_type, "config": config},
    }


def graph(*nodes: dict[str, Any], edges: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return {
        "nodes": list(nodes),
        "edges": [{"id": f"{s}-{t}", "source": s, "target": t} for s, t in edges],
        "templateId": "",
    }


def count_people(dataset: str = "official:coco8") -> dict[str, Any]:
    return graph(
        block("data", "Dataset", dataset=dataset, split="val", maxInputs=10),
        block("yolo", "YOLO", 220, model="ul://ultralytics/yolo26/yolo26n", task="detect", conf=0.3),
        block("gate", "Gate", 440, kind="condition", path="yolo.counts.person", op="gte", value=2),
        block("out", "Output", 660),
        edges=(("data", "yolo"), ("yolo", "gate"), ("gate", "out")),
    )


def test_save_list_replace_delete(client: Platform) -> None:
    agents = client.agents
    saved = typed("AgentsSaveResponse", agents.save(name="Count people", graph=count_people(), version=0))
    assert saved["version"] == 1 and saved["errors"] == [] and len(saved["id"]) == 24
    listed = typed("AgentsListResponse", agents.list())["workflows"]
    assert [(w["id"], w["name"], w["version"]) for w in listed] == [(saved["id"], "Count people", 1)]
    assert "graph" not in listed[0]
    one = typed("AgentsListResponse", agents.list(id=saved["id"]))["workflows"][0]
    assert one["graph"] == count_people()
    again = agents.save(id=saved["id"], name="Count crowds", graph=count_people(), version=1)
    assert again == {"id": saved["id"], "version": 2, "errors": []}
    assert [w["name"] for w in agents.list(search="crowd")["workflows"]] == ["Count crowds"]
    assert agents.list(search="birds") == {"workflows": []}
    assert typed("AgentsDeleteResponse", agents.delete(id=saved["id"])) == {"success": True}
    assert agents.list() == {"workflows": []}
    refused(lambda: agents.delete(id=saved["id"]), 404)


def test_a_stale_version_is_a_conflict(client: Platform) -> None:
    saved = client.agents.save(name="A", graph=count_people(), version=0)
    client.agents.save(id=saved["id"], name="A", graph=count_people(), version=1)
    body = refused(lambda: client.agents.save(id=saved["id"], name="B", graph=count_people(), version=1), 409)
    assert "version 2" in body["error"]
    assert client.agents.list()["workflows"][0]["name"] == "A"


def test_block_errors_come_back_and_the_agent_is_saved_anyway(client: Platform) -> None:
    broken = graph(
        block("data", "Dataset", dataset="no-such-dataset"),
        block("yolo", "YOLO", 220, model="ul://lena/backyard-birds/no-model"),
        block("out", "Output", 440),
        block("hook", "Webhook", 660, url="http://insecure.example", body="[1]"),
        block("slack", "Slack", 880),
        edges=(("data", "yolo"), ("yolo", "out"), ("out", "hook"), ("data", "slack")),
    )
    saved = client.agents.save(name="Broken", graph=broken, version=0)
    errors = {(e["id"], e["message"]) for e in typed("AgentsSaveResponse", saved)["errors"]}
    assert errors == {
        ("data", "Dataset 'no-such-dataset' not found"),
        ("yolo", "Model 'ul://lena/backyard-birds/no-model' not found"),
        ("out", "Output blocks end a chain and have no output"),
        ("hook", "Webhook URL must be HTTPS"),
        ("hook", "Webhook body must be a JSON object"),
        ("slack", "Write a message"),
    }
    assert client.agents.list(id=saved["id"])["workflows"][0]["graph"] == broken


def test_block_errors_read_the_workspaces_own_data(client: Platform, ulmock: Ulmock) -> None:
    # The demo's first account has the dataset 'pets-and-friends' and the model backyard-birds/feeder-cam.
    own = count_people("pets-and-friends")
    own["nodes"][1]["data"]["config"]["model"] = f"ul://{ulmock.username}/backyard-birds/feeder-cam"
    assert client.agents.save(name="Mine", graph=own, version=0)["errors"] == []


def test_two_inputs_and_gates_on_unknown_blocks_are_flagged(client: Platform) -> None:
    g = graph(
        block("a", "Dataset", dataset="official:coco8"),
        block("b", "Dataset", dataset="official:coco8"),
        block("llm", "LLM", 220, model="gemini-nano-banana-2.1", prompt="Describe"),
        block("gate", "Gate", 440, kind="condition", path="llm.counts.person", op="between", value=1),
        block("out", "Output", 660),
        edges=(("a", "llm"), ("b", "llm"), ("llm", "gate"), ("gate", "out")),
    )
    messages = {(e["id"], e["message"]) for e in client.agents.save(name="G", graph=g, version=0)["errors"]}
    assert messages == {
        ("llm", "A block takes at most one input"),
        ("gate", "path must name a YOLO or Deployment block, not 'llm'"),
        ("gate", "between needs an upper number"),
    }


def test_what_is_not_a_graph_is_400_and_saves_nothing(client: Platform) -> None:
    bad_edge = graph(block("a", "Output"), edges=(("a", "ghost"),))
    assert "unknown blocks" in refused(lambda: client.agents.save(name="X", graph=bad_edge, version=0), 400)["error"]
    refused(lambda: client.agents.save(name="X", graph={"nodes": "no"}, version=0), 400)
    refused(lambda: client.agents.save(name="X", graph=graph(block("a", "Teleport")), version=0), 400)
    refused(lambda: client.agents.save(name="X", graph=count_people(), version=3), 400)  # a new agent is version 0
    refused(lambda: client.agents.save(name="", graph=count_people(), version=0), 400)
    refused(lambda: client.agents.save(id="f" * 24, name="X", graph=count_people(), version=1), 404)
    assert client.agents.list() == {"workflows": []}


def test_another_workspace_reads_as_missing(client: Platform, stranger: Platform) -> None:
    saved = client.agents.save(name="Mine", graph=count_people(), version=0)
    assert stranger.agents.list() == {"workflows": []}
    assert refused(lambda: stranger.agents.list(id=saved["id"]), 404) == {"error": "Agent not found"}
    refused(lambda: stranger.agents.delete(id=saved["id"]), 404)
    refused(lambda: stranger.agents.save(id=saved["id"], name="Theirs", graph=count_people(), version=1), 404)
    refused(lambda: client.agents.list(owner="stranger"), 404)
    refused(lambda: client.agents.list(id="not-hex"), 400)
    assert client.agents.list()["workflows"][0]["name"] == "Mine"
