import re
from pathlib import Path

import pytest

from tui import ConfigError, load_config


def test_defaults_never_point_into_the_source_tree(tmp_path):
    config = load_config({}, dotenv_path=tmp_path / "missing.env")
    root = Path(__file__).resolve().parents[2]
    assert root not in config.data_dir.resolve().parents
    assert config.hold_comments is True
    assert config.show_results is False
    assert config.theme == "projector"
    assert config.intake_port == 8765
    assert config.export_dir == config.data_dir / "exports"


def test_environment_beats_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("INVOLVE_PORT=9000\nINVOLVE_THEME=projector-light\n")
    config = load_config({"INVOLVE_PORT": "9100", "INVOLVE_DATA_DIR": str(tmp_path)}, dotenv_path=dotenv)
    assert config.intake_port == 9100
    assert config.theme == "projector-light"
    assert config.sessions_dir == tmp_path / "sessions"
    assert config.templates_dir == tmp_path / "templates"


@pytest.mark.parametrize(
    "env, name",
    [
        ({"INVOLVE_PORT": "eighty"}, "INVOLVE_PORT"),
        ({"INVOLVE_PORT": "70000"}, "INVOLVE_PORT"),
        ({"INVOLVE_THEME": "neon"}, "INVOLVE_THEME"),
        ({"INVOLVE_HOLD_COMMENTS": "maybe"}, "INVOLVE_HOLD_COMMENTS"),
        ({"INVOLVE_ROOM_VIEW": "sometimes"}, "INVOLVE_ROOM_VIEW"),
    ],
)
def test_bad_values_name_the_setting(tmp_path, env, name):
    with pytest.raises(ConfigError, match=name):
        load_config(env, dotenv_path=tmp_path / "none")


def test_config_is_frozen(tmp_path):
    config = load_config({}, dotenv_path=tmp_path / "none")
    with pytest.raises(AttributeError):
        config.theme = "x"  # type: ignore[misc]


@pytest.mark.parametrize("value, room_view", [("", "auto"), ("auto", "auto"), ("On", "on"), (" off ", "off")])
def test_room_view_is_auto_unless_set(tmp_path, value, room_view):
    env = {"INVOLVE_ROOM_VIEW": value} if value else {}
    assert load_config(env, dotenv_path=tmp_path / "none").room_view == room_view


def test_every_setting_is_in_the_example_file_and_the_readme():
    """A setting nobody can find is a setting nobody sets: each name tui/_config.py reads is documented twice."""
    root = Path(__file__).resolve().parents[2]
    read = set(re.findall(r'"(INVOLVE_[A-Z_]+)"', (root / "tui" / "_config.py").read_text(encoding="utf-8")))
    assert {"INVOLVE_SUPPORT_TEXT", "INVOLVE_SAFEGUARDING_REMINDER"} <= read
    example = (root / ".env.example").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8").split("## Settings", 1)[1]
    assert sorted(name for name in read if f"# {name}=" not in example) == []
    assert sorted(name for name in read if f"| `{name}` |" not in readme) == []
