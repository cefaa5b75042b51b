"""Results: counts, medians, spread, gaps, and the role split with small groups held back."""

import pytest

from sessions import (
    Distribution,
    Participant,
    Role,
    RoleGroup,
    Tally,
    TemplateLibrary,
    Vote,
    activity_results,
    grid_item,
    presence,
)


@pytest.fixture(scope="module")
def template():
    return TemplateLibrary().find("where-are-we")


def activity(template, kind):
    return next(a for a in template.activities if a.kind == kind)


def people(roles):
    return {f"p{i}": Participant(f"p{i}", role=role) for i, role in enumerate(roles)}


def test_distribution_median_quartiles_and_spread():
    dist = Distribution({1: 1, 2: 2, 4: 1}, (1, 2, 3, 4, 5))
    assert dist.n == 4
    assert dist.median == 2.0
    assert dist.lower_quartile == 1.75
    assert dist.upper_quartile == 2.5
    assert dist.spread == pytest.approx(0.75)
    assert (dist.lowest, dist.highest) == (1, 4)


def test_empty_distribution_has_no_median():
    dist = Distribution({}, (1, 2, 3))
    assert dist.n == 0 and dist.median is None and dist.spread is None and dist.lowest is None


def test_grid_medians_and_gap(template):
    grid = activity(template, "grid")
    participants = people([Role.STAFF] * 3)
    votes = [
        Vote("grid", grid_item("individual", "now"), "p0", 2),
        Vote("grid", grid_item("individual", "now"), "p1", 2),
        Vote("grid", grid_item("individual", "now"), "p2", 3),
        Vote("grid", grid_item("individual", "target"), "p0", 4),
        Vote("grid", grid_item("individual", "target"), "p1", 5),
        Vote("grid", grid_item("individual", "target"), "p2", 4),
    ]
    results = activity_results(grid, votes, [], participants)
    area = results.overall.area("individual")
    assert area.now.median == 2
    assert area.target.median == 4
    assert area.gap == 2
    assert area.now.counts == {2: 2, 3: 1}
    assert results.overall.area("policy").gap is None
    assert results.respondents == 3


def test_tallies_merge_with_device_votes(template):
    spectrum = activity(template, "spectrum")
    # Three on phones: with fewer, beside hands, the phone answers are held back (tests/unit/test_disclosure.py).
    votes = [Vote("spectrum", "place", "p0", 3), Vote("spectrum", "place", "p1", 3), Vote("spectrum", "place", "p2", 7)]
    tallies = [Tally("spectrum", "place", 3, 4), Tally("spectrum", "place", 7, 5)]
    results = activity_results(spectrum, votes, tallies, people([None, None, None]))
    assert results.overall.positions.counts == {3: 6, 7: 6}
    assert results.overall.positions.n == 12
    assert results.tallied == 9
    assert results.respondents == 3 and results.phones_held == 0


def test_votes_for_other_activities_and_out_of_scale_values_are_ignored(template):
    spectrum = activity(template, "spectrum")
    votes = [Vote("grid", "place", "p0", 3), Vote("spectrum", "place", "p1", 99)]
    results = activity_results(spectrum, votes, [], people([None, None]))
    assert results.overall.positions.n == 0


def test_role_split_holds_back_groups_under_three(template):
    spectrum = activity(template, "spectrum")
    roles = [Role.SERVICE_USER, Role.CARER, Role.SERVICE_USER, Role.STAFF, Role.STAFF, None]
    participants = people(roles)
    votes = [Vote("spectrum", "place", pid, i + 1) for i, pid in enumerate(participants)]
    results = activity_results(spectrum, votes, [], participants)
    groups = {group.group: group for group in results.groups}
    lived = groups[RoleGroup.LIVED]
    assert lived.size == 3 and not lived.suppressed
    assert lived.result.positions.counts == {1: 1, 2: 1, 3: 1}
    staff = groups[RoleGroup.STAFF]
    assert staff.size == 2 and staff.suppressed and staff.result is None
    assert groups[RoleGroup.OTHER].size == 1 and groups[RoleGroup.OTHER].suppressed
    assert results.overall.positions.n == 6


def test_tallies_with_a_role_count_towards_that_group(template):
    spectrum = activity(template, "spectrum")
    tallies = [Tally("spectrum", "place", 2, 3, Role.STAFF), Tally("spectrum", "place", 8, 2)]
    results = activity_results(spectrum, [], tallies, {})
    groups = {group.group: group for group in results.groups}
    assert groups[RoleGroup.STAFF].size == 3
    assert groups[RoleGroup.STAFF].result.positions.counts == {2: 3}
    assert results.overall.positions.counts == {2: 3, 8: 2}


def test_indicator_counts(template):
    indicators = activity(template, "indicators")
    votes = [
        Vote("indicators", "valuing", "p0", "met"),
        Vote("indicators", "valuing", "p1", "partly"),
        Vote("indicators", "valuing", "p2", "met"),
        Vote("indicators", "listening", "p0", "not_met"),
    ]
    tallies = [Tally("indicators", "valuing", "met", 6)]
    results = activity_results(indicators, votes, tallies, people([None, None, None]))
    assert results.overall.statement("valuing").counts == {"met": 8, "partly": 1}
    assert results.overall.statement("listening").n == 1
    assert results.overall.statement("involving").n == 0


def test_presence_check():
    assert presence(people([Role.STAFF, Role.SERVICE_USER]).values()) == (1, "below")
    assert presence(people([Role.CARER, Role.SERVICE_USER]).values()) == (2, "minimum")
    assert presence(people([Role.CARER]).values(), extra_lived=2) == (3, "ideal")
