"""Scripted behaviour a scenario declares: what fails, when, and how.

The lifecycles consult these rules; they change nothing by themselves.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TrainingFailure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_id: str
    at_epoch: int
    error: str


class ExportFailure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: str
    error: str
    account_id: str | None = None


class StuckDeployment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str | None = None
    account_id: str | None = None
    error: str | None = None


class Scripts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trainings: list[TrainingFailure] = []
    exports: list[ExportFailure] = []
    deployments: list[StuckDeployment] = []

    def training_failure(self, model_id: str) -> TrainingFailure | None:
        return next((t for t in self.trainings if t.model_id == model_id), None)

    def export_failure(self, account_id: str, fmt: str) -> str | None:
        for rule in self.exports:
            if rule.format == fmt and rule.account_id in (None, account_id):
                return rule.error
        return None

    def deployment_stuck(self, account_id: str, region: str) -> StuckDeployment | None:
        for rule in self.deployments:
            if rule.region in (None, region) and rule.account_id in (None, account_id):
                return rule
        return None
