"""The README's examples are real files that the suite runs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_quotes_the_pytest_example_verbatim():
    example = (ROOT / "tests" / "examples" / "test_quickstart.py").read_text()
    assert example in (ROOT / "README.md").read_text()
