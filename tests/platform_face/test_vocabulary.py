"""The live face's shared words agree with the domain's lists they mirror."""

from __future__ import annotations

from typing import get_args

from ulmock.api.platform.vocabulary import NewTask, Plan
from ulmock.domain.catalogue import PLANS, TASKS


def test_the_tasks_a_new_dataset_or_model_takes_are_the_catalogues() -> None:
    assert get_args(NewTask) == TASKS


def test_the_plans_are_the_catalogues() -> None:
    assert get_args(Plan) == PLANS
