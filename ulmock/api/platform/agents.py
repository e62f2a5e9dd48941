"""Agents (workflows): list, save with the canvas's block errors, delete."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import by_public_id, check_owner
from ulmock.api.platform.ids import HEX_ID, public_id
from ulmock.api.platform.routes import ACTION, PlatformRoutes, ok
from ulmock.domain.clock import iso
from ulmock.domain.connections import Workflow
from ulmock.domain.errors import NotFound, ValidationError

routes = PlatformRoutes("Agents")
BlockType = Literal["Dataset", "Image", "YOLO", "LLM", "Gate", "Export", "Deployment", "Output", "Slack", "Webhook"]


class Position(TypedDict):
    x: float
    y: float


class BlockData(TypedDict):
    label: str
    type: BlockType
    config: dict[str, str | float]


class Block(TypedDict):
    id: str
    type: Literal["agent"]
    position: Position
    data: BlockData


class Edge(TypedDict):
    id: str
    source: str
    target: str


class Graph(TypedDict):
    nodes: list[Block]
    edges: list[Edge]
    templateId: str


class AgentView(TypedDict):
    id: str
    username: str
    name: str
    version: int
    graph: NotRequired[Graph]
    createdAt: str
    updatedAt: str


class AgentList(TypedDict):
    workflows: list[AgentView]


class BlockErrorView(TypedDict):
    id: str
    label: str
    message: str


class AgentSaved(TypedDict):
    id: str
    version: int
    errors: list[BlockErrorView]


class AgentDeleted(TypedDict):
    success: Literal[True]


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")
    owner: str | None = Field(None, max_length=64, description="Workspace username; defaults to yours")


class ListQuery(Query):
    id: str | None = Field(None, max_length=64, description="Agent ID: that agent, with its graph")
    search: str | None = Field(None, max_length=200, description="Part of the agent's name")


class DeleteQuery(Query):
    id: str = Field(max_length=64, description="Agent ID")


class SaveBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str | None = Field(None, max_length=64, description="The agent to replace; none creates one")
    name: str = Field(min_length=1, max_length=100)
    graph: dict[str, Any] = Field(
        description="{nodes: [{id, type: agent, position, data: {label, type, config}}], "
        "edges: [{id, source, target}], templateId}"
    )
    version: int = Field(ge=0, description="Version being replaced; 0 creates the agent")


def _check_workspace(call: Call, owner: str | None) -> None:
    """Agents live in the caller's workspace; another workspace reads as one that does not exist."""
    if owner is not None and check_owner(owner) != call.account.username:
        raise NotFound("Workspace not found")


def _agent(call: Call, ident: str) -> Workflow:
    if not HEX_ID.match(ident):
        raise ValidationError("Invalid agent ID", {"id": ident[:64]})
    found = by_public_id(call, "workflow", ident)
    if found is None:
        raise NotFound("Agent not found")
    return found


def view(call: Call, workflow: Workflow, with_graph: bool) -> AgentView:
    out = AgentView(
        id=public_id(workflow.id),
        username=call.account.username,
        name=workflow.name,
        version=workflow.version,
        createdAt=iso(workflow.created_at),
        updatedAt=iso(workflow.updated_at),
    )
    if with_graph:
        out["graph"] = Graph(
            nodes=workflow.graph["nodes"],
            edges=workflow.graph["edges"],
            templateId=workflow.graph.get("templateId", ""),
        )
    return out


@routes.get("/api/workflows", query=ListQuery, response=AgentList)
def list_agents(call: Call) -> Response:
    """Up to 100 agents, most recently updated first; with `id`, that agent and its graph."""
    q: ListQuery = call.query
    _check_workspace(call, q.owner)
    if q.id is not None:
        return ok(AgentList(workflows=[view(call, _agent(call, q.id), True)]))
    return ok(AgentList(workflows=[view(call, w, False) for w in call.platform.workflows.find(call.account, q.search)]))


@routes.put("/api/workflows", query=Query, body=SaveBody, response=AgentSaved, errors=ACTION)
def save_agent(call: Call) -> Response:
    """Create an agent (no id, version 0) or replace the graph at `version`; the block errors come back."""
    b: SaveBody = call.body
    _check_workspace(call, call.query.owner)
    domain_id = _agent(call, b.id).id if b.id is not None else None
    graph = {**b.graph, "templateId": b.graph.get("templateId", "")}
    workflow, errors = call.platform.workflows.save(call.account, domain_id, b.name, graph, b.version)
    return ok(
        AgentSaved(
            id=public_id(workflow.id),
            version=workflow.version,
            errors=[BlockErrorView(id=e.id, label=e.label, message=e.message) for e in errors],
        )
    )


@routes.delete("/api/workflows", query=DeleteQuery, response=AgentDeleted)
def delete_agent(call: Call) -> Response:
    """Delete an agent."""
    q: DeleteQuery = call.query
    _check_workspace(call, q.owner)
    call.platform.workflows.delete(call.account, _agent(call, q.id).id)
    return ok(AgentDeleted(success=True))
