"""Templates: the shipped ones load, and every mistake names file, line and field."""

from pathlib import Path
from textwrap import dedent

import pytest

from sessions import (
    GridActivity,
    IndicatorsActivity,
    SpectrumActivity,
    TemplateError,
    TemplateLibrary,
    load_template_file,
    parse_template,
)
from sessions._templates import builtin_template_dir

GOOD = dedent(
    '''\
    [template]
    name = "mine"
    title = "My session"

    [[activities]]
    kind = "info"
    id = "hello"
    title = "Hello"
    body = "Welcome"

    [[activities]]
    kind = "grid"
    id = "grid"
    title = "Grid"

    [[activities.areas]]
    id = "individual"
    name = "Individual care"
    '''
)


def write(tmp_path: Path, text: str, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["where-are-we", "seven-indicators", "user-group-health-check"])
def test_builtin_templates_load_and_credit_their_sources(name):
    template = load_template_file(builtin_template_dir() / f"{name}.toml", builtin=True)
    assert template.name == name
    assert template.sources, "every built-in template credits its framework"
    assert all(source.title and source.publisher for source in template.sources)


def test_half_day_template_has_the_workshop_flow():
    template = TemplateLibrary().find("where-are-we")
    kinds = [activity.kind for activity in template.activities]
    assert kinds == ["info", "info", "spectrum", "grid", "indicators", "targets"]
    spectrum = next(a for a in template.activities if isinstance(a, SpectrumActivity))
    assert [stage.name for stage in spectrum.stages] == ["Beginnings of involvement", "Good involvement", "Service-user led"]
    assert spectrum.positions == 9
    assert spectrum.position_label(1) == "Beginnings of involvement"
    assert spectrum.position_label(5) == "Good involvement"
    assert spectrum.position_label(2) == "Just past Beginnings of involvement"
    assert spectrum.position_label(3) == "Halfway between Beginnings of involvement and Good involvement"
    assert spectrum.position_label(4) == "Nearly Good involvement"
    assert spectrum.position_label(6) == "Just past Good involvement"
    assert spectrum.position_label(8) == "Nearly Service-user led"
    labels = [spectrum.position_label(n) for n in range(1, spectrum.positions + 1)]
    assert len(set(labels)) == len(labels), "a phone would show two positions with the same words"
    grid = next(a for a in template.activities if isinstance(a, GridActivity))
    assert [level.number for level in grid.levels] == [1, 2, 3, 4, 5]
    assert grid.levels[0].name == "No involvement" and grid.levels[-1].name == "Partnership"
    assert [area.name for area in grid.areas] == ["Individual care", "Care setting", "Policy"]
    indicators = next(a for a in template.activities if isinstance(a, IndicatorsActivity))
    assert [s.name for s in indicators.statements] == [
        "Valuing", "Listening", "Learning", "Engaging", "Working with", "Connecting", "Involving",
    ]


def test_health_check_asks_fourteen_questions():
    template = TemplateLibrary().find("user-group-health-check")
    questions = [q for a in template.activities if a.kind == "questions" for q in a.questions]
    assert len(questions) == 14


def test_good_template_parses_with_default_levels(tmp_path):
    template = load_template_file(write(tmp_path, GOOD, "mine.toml"))
    grid = template.activities[1]
    assert isinstance(grid, GridActivity)
    assert len(grid.levels) == 5
    assert template.family_name == "mine"


def test_bad_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, '[template]\ntitle = "x"\nname = \n')
    with pytest.raises(TemplateError) as caught:
        load_template_file(path)
    assert caught.value.path == path
    assert caught.value.line == 3
    assert "broken.toml, line 3" in str(caught.value)


def test_unknown_kind_names_line_and_field(tmp_path):
    text = GOOD.replace('kind = "grid"', 'kind = "poll"')
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    error = caught.value
    assert error.field == "activities[2].kind"
    assert error.line == text.splitlines().index('kind = "poll"') + 1
    assert "poll" in error.message and "spectrum" in error.message


def test_missing_title_names_the_activity(tmp_path):
    text = GOOD.replace('title = "Hello"\n', "")
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[1].title"
    assert caught.value.line == 5  # the [[activities]] header of that activity
    assert "required" in caught.value.message


def test_grid_without_areas(tmp_path):
    text = GOOD.split("[[activities.areas]]")[0]
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[2].areas"
    assert caught.value.line == 11
    assert "area" in caught.value.message


def test_missing_template_section(tmp_path):
    text = GOOD.replace("[template]\n", "[templat]\n")
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert "templat" in str(caught.value)
    assert caught.value.line == 1


def test_missing_kind(tmp_path):
    text = GOOD.replace('kind = "info"\n', "")
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[1].kind"
    assert caught.value.line == 5


def test_wrong_type_and_range(tmp_path):
    text = GOOD.replace('body = "Welcome"', 'body = "Welcome"\nminutes = "ten"')
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[1].minutes"
    assert caught.value.line == 10
    assert "whole number" in caught.value.message


def test_unknown_field_is_a_typo_not_silence(tmp_path):
    text = GOOD.replace('body = "Welcome"', 'bdy = "Welcome"')
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[1].bdy"
    assert caught.value.line == 9


def test_nested_field_line(tmp_path):
    text = GOOD.replace('id = "individual"', 'id = "Individual Care!"')
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[2].areas[1].id"
    assert caught.value.line == 17


def test_duplicate_ids(tmp_path):
    text = GOOD.replace('id = "grid"', 'id = "hello"')
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text))
    assert caught.value.field == "activities[2].id"
    assert "twice" in caught.value.message


def test_spectrum_needs_two_stages(tmp_path):
    text = dedent(
        '''\
        [template]
        title = "S"

        [[activities]]
        kind = "spectrum"
        title = "Where?"

        [[activities.stages]]
        name = "Only one"
        '''
    )
    with pytest.raises(TemplateError) as caught:
        load_template_file(write(tmp_path, text, "spec.toml"))
    assert caught.value.field == "activities[1].stages"


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[template]\ntitle = "caf\xe9"\n')
    with pytest.raises(TemplateError) as caught:
        load_template_file(path)
    assert caught.value.line == 2
    with pytest.raises(TemplateError, match="no such file"):
        load_template_file(tmp_path / "nope.toml")


def test_template_text_is_cleaned():
    template = parse_template(GOOD.replace('body = "Welcome"', 'body = "Wel\\u001b[2Jcome"'), "x.toml")
    assert template.activities[0].body == "Wel[2Jcome"


def test_library_lists_builtin_and_user_templates_and_flags_broken_ones(tmp_path):
    write(tmp_path, GOOD, "mine.toml")
    write(tmp_path, "not toml [", "broken.toml")
    library = TemplateLibrary(tmp_path)
    entries = {entry.name: entry for entry in library.entries()}
    assert entries["where-are-we"].builtin
    assert not entries["mine"].builtin and entries["mine"].template is not None
    assert entries["broken"].error is not None
    assert library.find("mine").title == "My session"
    with pytest.raises(TemplateError):
        library.find("broken")
    with pytest.raises(TemplateError, match="no template"):
        library.find("missing-one")


def test_copy_into_user_folder_renames_and_stays_valid(tmp_path):
    library = TemplateLibrary(tmp_path / "templates")
    path = library.copy("where-are-we", "our-team")
    assert path == tmp_path / "templates" / "our-team.toml"
    copied = load_template_file(path)
    assert copied.name == "our-team"
    assert copied.title == library.find("where-are-we").title
    assert "# A half-day workshop" in path.read_text()  # comments kept for the trainer
    with pytest.raises(TemplateError, match="already"):
        library.copy("where-are-we", "our-team")
    assert {entry.name for entry in library.entries()} >= {"where-are-we", "our-team"}


def test_dots_in_strings_comments_and_quoted_keys_never_count_as_depth():
    """The depth check before tomllib reads the text skips strings and comments whole, and counts quoted keys as one part."""
    dots = "a." * 40
    text = GOOD.replace('body = "Welcome"', f'body = "{dots}"') + dedent(
        f"""\
        # {dots}
        [[activities]]
        kind = "questions"
        id = "q"
        title = 'Literal {dots}'
        prompt = \"\"\"
        {dots}\\\"\"\"{dots}
        \"\"\"
        [[activities."questions"]]
        "id" = "one"
        'name' = "i.e. {dots}"
        """
    )
    template = parse_template(text, "dots.toml")
    assert template.activities[0].body == dots
    assert template.activities[-1].title == f"Literal {dots}"
    assert template.activities[-1].questions[0].name == f"i.e. {dots}"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("a" + ".a" * 16 + " = 1\n", "a.a.a.…"),
        ('"x"' + ' . "y"' * 16 + " = 1\n", "x.y.y.…"),
        ("[template" + ".t" * 16 + "]\n", "template.t.t.…"),
    ],
)
def test_a_key_of_more_than_sixteen_parts_is_refused_with_line_and_field(text, field):
    with pytest.raises(TemplateError, match="17 parts separated by dots") as refused:
        parse_template(GOOD + text, "deep.toml")
    assert refused.value.line == GOOD.count("\n") + 1
    assert refused.value.field == field


def test_brackets_nested_more_than_sixteen_deep_are_refused_with_their_line():
    with pytest.raises(TemplateError, match="nested too deeply") as refused:
        parse_template(GOOD + "x = " + "[" * 17 + "]" * 17 + "\n", "deep.toml")
    assert refused.value.line == GOOD.count("\n") + 1


def test_running_out_of_memory_is_said_as_such_not_as_deep_nesting(monkeypatch):
    import sessions._templates as templates

    def no_memory(_text):
        raise MemoryError

    monkeypatch.setattr(templates.tomllib, "loads", no_memory)
    with pytest.raises(TemplateError) as refused:
        parse_template(GOOD, "big.toml")
    assert str(refused.value) == "big.toml: there is not enough memory to read this template"
