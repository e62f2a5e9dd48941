"""Agents (workflows): graphs of blocks saved by the Agents canvas, with the canvas's checks.

A save always keeps the graph; what the canvas would flag on a block (a missing
dataset, a second input, a chain that does not end) comes back as block errors, read
against the workspace's own datasets, models and deployments. Only a graph that is not
a graph at all (wrong types, edges to nowhere) is refused. Saves are versioned: a save
names the version it replaces, so two editors cannot silently overwrite each other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ulmock.domain.catalogue import EXPORT_FORMATS
from ulmock.domain.connections import Workflow
from ulmock.domain.entities import Account
from ulmock.domain.errors import Conflict, NotFound, ValidationError
from ulmock.domain.world import World

LIST_MAX = 100
NAME_MAX = 100
NODES_MAX = 200
BLOCK_TYPES = ("Dataset", "Image", "YOLO", "LLM", "Gate", "Export", "Deployment", "Output", "Slack", "Webhook")
STARTS = ("Dataset", "Image")  # take no input (a Dataset given one collects instead)
ENDS = ("Export", "Output", "Slack", "Webhook")  # give no output
OFFICIAL_MODEL = re.compile(r"^ul://ultralytics/yolo26/yolo26[nsmlx](?:-(?:seg|pose|obb|cls))?$")
UL_MODEL = re.compile(r"^ul://([^/]+)/([^/]+)/([^/]+)$")
GATE_PATH = re.compile(r"^([^.]+)\.(counts|confidence)\.(.+)$")
GATE_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "between")


@dataclass(frozen=True)
class BlockError:
    id: str
    label: str
    message: str


class Workflows:
    def __init__(self, world: World):
        self.world = world

    def find(self, account: Account, search: str | None = None) -> list[Workflow]:
        rows = self.world.workflows(account.id).values()
        needle = (search or "").strip().lower()
        found = [w for w in rows if needle in w.name.lower()]
        return sorted(found, key=lambda w: -w.updated_at)[:LIST_MAX]

    def get(self, account: Account, workflow_id: str) -> Workflow:
        workflow: Workflow | None = self.world.workflows(account.id).get(workflow_id)
        if workflow is None:
            raise NotFound("Agent not found", {"id": workflow_id})
        return workflow

    def save(
        self, account: Account, workflow_id: str | None, name: str, graph: dict[str, Any], version: int
    ) -> tuple[Workflow, list[BlockError]]:
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise ValidationError(f"Invalid name: 1 to {NAME_MAX} characters", {"name": name[:NAME_MAX]})
        check_graph(graph)
        w = self.world
        now = w.now()
        if workflow_id is None:
            if version != 0:
                raise ValidationError("A new agent is saved with version 0", {"version": version})
            workflow = w.create(w.workflows, account.id, name=name, version=1, graph=graph, created_at=now)
        else:
            workflow = self.get(account, workflow_id)
            if version != workflow.version:
                raise Conflict(
                    f"The agent was saved since version {version}: it is at version {workflow.version}",
                    {"version": workflow.version},
                )
            workflow.name, workflow.graph = name, graph
            workflow.version += 1
            workflow.updated_at = now
        return workflow, self.block_errors(account, graph)

    def delete(self, account: Account, workflow_id: str) -> None:
        self.get(account, workflow_id)
        self.world.workflows(account.id).remove(workflow_id)

    # -- the canvas's checks -------------------------------------------------------------
    def block_errors(self, account: Account, graph: dict[str, Any]) -> list[BlockError]:
        nodes = {n["id"]: n for n in graph["nodes"]}
        inputs: dict[str, list[str]] = {i: [] for i in nodes}
        outputs: dict[str, list[str]] = {i: [] for i in nodes}
        for edge in graph["edges"]:
            inputs[edge["target"]].append(edge["source"])
            outputs[edge["source"]].append(edge["target"])
        errors: list[BlockError] = []
        for node_id, node in nodes.items():
            data = node["data"]
            kind, label, config = data["type"], data["label"], data["config"]

            def flag(message: str, node_id: str = node_id, label: str = label) -> None:
                errors.append(BlockError(node_id, label, message))

            if len(inputs[node_id]) > 1:
                flag("A block takes at most one input")
            if kind == "Image" and inputs[node_id]:
                flag("Image blocks start a chain and take no input")
            if kind == "Export" and (inputs[node_id] or outputs[node_id]):
                flag("Export blocks stand alone")
            elif kind in ENDS and outputs[node_id]:
                flag(f"{kind} blocks end a chain and have no output")
            if kind not in STARTS and kind != "Export" and not inputs[node_id]:
                flag(f"{kind} blocks need an input")
            for message in self._config_errors(account, kind, config, nodes):
                flag(message)
        return errors

    def _config_errors(self, account: Account, kind: str, config: dict[str, Any], nodes: dict[str, Any]) -> list[str]:
        def text(key: str) -> str:
            value = config.get(key)
            return value.strip() if isinstance(value, str) else ""

        out: list[str] = []
        if kind in ("Dataset", "Image"):
            slug = text("dataset")
            if not slug:
                out.append("Choose a dataset")
            elif not (kind == "Dataset" and slug.startswith("official:")) and not self._has("dataset", account, slug):
                out.append(f"Dataset '{slug}' not found")
            if kind == "Dataset" and "split" in config and config["split"] not in ("train", "val", "test"):
                out.append("Split must be train, val or test")
            if kind == "Image" and not re.fullmatch(r"[0-9a-f]{24}", text("image")):
                out.append("Choose an image")
        elif kind == "YOLO":
            out.extend(self._model_errors(account, text("model")))
            conf = config.get("conf")
            if conf is not None and not (isinstance(conf, (int, float)) and 0 < conf <= 1):
                out.append("conf must be a number in (0, 1]")
        elif kind == "LLM":
            if not text("model"):
                out.append("Choose a model")
            if not text("prompt"):
                out.append("Write a prompt")
        elif kind == "Gate":
            out.extend(_gate_errors(config, nodes))
        elif kind == "Deployment":
            slug = text("deployment")
            if not slug:
                out.append("Choose a deployment")
            elif not self._has("deployment", account, slug):
                out.append(f"Deployment '{slug}' not found")
        elif kind == "Export":
            out.extend(self._model_errors(account, text("model")))
            if text("format") not in EXPORT_FORMATS:
                out.append("Choose an export format")
        elif kind == "Slack":
            if not text("message"):
                out.append("Write a message")
        elif kind == "Webhook":
            if not text("url").startswith("https://"):
                out.append("Webhook URL must be HTTPS")
            body = text("body")
            if body:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                if not isinstance(parsed, dict):
                    out.append("Webhook body must be a JSON object")
        return out

    def _has(self, kind: str, account: Account, slug: str) -> bool:
        return self.world.kind(kind)(account.id).newest_first(slug=slug)[1] > 0

    def _model_errors(self, account: Account, ref: str) -> list[str]:
        if not ref:
            return ["Choose a model"]
        if OFFICIAL_MODEL.match(ref):
            return []
        m = UL_MODEL.match(ref)
        if m is None:
            return ["Models are ul://owner/project/model"]
        owner, project_slug, model_slug = m.groups()
        if owner != account.username:
            return [f"Model '{ref}' not found"]
        projects, _ = self.world.projects(account.id).newest_first(slug=project_slug)
        project = next(projects, None)
        if project is None or not self.world.models(account.id).newest_first(slug=model_slug, project_id=project.id)[1]:
            return [f"Model '{ref}' not found"]
        return []


def _gate_errors(config: dict[str, Any], nodes: dict[str, Any]) -> list[str]:
    kind = config.get("kind")
    value = config.get("value")
    if kind == "every":
        out = [] if config.get("unit") in ("frames", "seconds") else ["unit must be frames or seconds"]
        if not (isinstance(value, (int, float)) and value > 0):
            out.append("value must be a positive number")
        return out
    if kind != "condition":
        return ["kind must be condition or every"]
    out = []
    m = GATE_PATH.match(str(config.get("path", "")))
    if m is None:
        out.append("path must be <block id>.counts.<class> or <block id>.confidence.<class or *>")
    elif m.group(1) not in nodes or nodes[m.group(1)]["data"]["type"] not in ("YOLO", "Deployment"):
        out.append(f"path must name a YOLO or Deployment block, not '{m.group(1)}'")
    op = config.get("op")
    if op not in GATE_OPS:
        out.append(f"op must be one of {', '.join(GATE_OPS)}")
    if not isinstance(value, (int, float)):
        out.append("value must be a number")
    if op == "between" and not isinstance(config.get("upper"), (int, float)):
        out.append("between needs an upper number")
    return out


def check_graph(graph: Any) -> None:
    """A graph at all: nodes and edges of the documented shape, edges between known nodes."""

    def bad(message: str) -> ValidationError:
        return ValidationError(f"Invalid graph: {message}", {"graph": message})

    if (
        not isinstance(graph, dict)
        or not isinstance(graph.get("nodes"), list)
        or not isinstance(graph.get("edges"), list)
    ):
        raise bad("expected {nodes: [], edges: [], templateId}")
    if not isinstance(graph.get("templateId", ""), str):
        raise bad("templateId must be a string")
    if len(graph["nodes"]) > NODES_MAX:
        raise bad(f"at most {NODES_MAX} blocks")
    ids: set[str] = set()
    for node in graph["nodes"]:
        data = node.get("data") if isinstance(node, dict) else None
        position = node.get("position") if isinstance(node, dict) else None
        if not isinstance(data, dict) or not isinstance(node.get("id"), str) or node.get("type") != "agent":
            raise bad("each node is {id, type: 'agent', position, data}")
        if not isinstance(position, dict) or not all(
            isinstance(position.get(a), (int, float)) and not isinstance(position.get(a), bool) for a in "xy"
        ):
            raise bad(f"node '{node['id'][:64]}' needs a position {{x, y}}")
        if data.get("type") not in BLOCK_TYPES or not isinstance(data.get("label"), str):
            raise bad(f"node '{node['id'][:64]}': data.type is one of {', '.join(BLOCK_TYPES)}, with a label")
        config = data.get("config")
        if not isinstance(config, dict) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in config.values()
        ):
            raise bad(f"node '{node['id'][:64]}': config values are strings or numbers")
        if node["id"] in ids:
            raise bad(f"two nodes have the id '{node['id'][:64]}'")
        ids.add(node["id"])
    for edge in graph["edges"]:
        if not isinstance(edge, dict) or not all(isinstance(edge.get(k), str) for k in ("id", "source", "target")):
            raise bad("each edge is {id, source, target}")
        if edge["source"] not in ids or edge["target"] not in ids:
            raise bad(f"edge '{edge['id'][:64]}' joins unknown blocks")
