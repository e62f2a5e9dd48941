"""The README's examples are real files that the suite runs."""

from tests.helpers import ROOT


def test_the_readme_quotes_the_pytest_example_verbatim():
    example = (ROOT / "tests" / "examples" / "test_quickstart.py").read_text()
    assert example in (ROOT / "README.md").read_text()


def test_the_readme_scenario_example_is_a_valid_scenario():
    import re

    from ulmock.scenarios import build_emulator, parse_scenario_text

    block = re.search(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None
    world = parse_scenario_text(block.group(1), "readme")
    assert build_emulator(world).platform.world.scripts.trainings[0].at_epoch == 3
