"""Shared fixtures: one understander per test session, built into a temporary model cache."""
from __future__ import annotations

import os
from pathlib import Path

import pytest



@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models")
    previous = os.environ.get("AFTERSALES_MODEL_DIR")
    os.environ["AFTERSALES_MODEL_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("AFTERSALES_MODEL_DIR", None)
    else:
        os.environ["AFTERSALES_MODEL_DIR"] = previous


@pytest.fixture(scope="session")
def understander(model_cache: Path):
    from nlp import load_understander

    return load_understander()
