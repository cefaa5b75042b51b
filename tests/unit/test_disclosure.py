"""Disclosure control: no withheld role group can be worked out from the figures that are shown.

The property test builds random rooms (each role group 0-8 people, some on
phones and some counted by hand, any answers) for every kind of activity and
plays the attacker: the room's figure minus the shown groups, and the same
for phones alone. Hand counts are public (the room watched the hands go up),
so the attacker can always take them away, whether or not the phone/hand
split is published. A withheld group's answers must never follow from what
is left, and which groups need that protection is decided from what people
really answered, not from the sizes the code worked out.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions import (
    SMALL_GROUP,
    Answer,
    Area,
    GridActivity,
    IndicatorsActivity,
    Level,
    Participant,
    Role,
    RoleGroup,
    SpectrumActivity,
    Stage,
    Statement,
    Tally,
    Vote,
    Withheld,
    activity_results,
    grid_item,
    item_counts,
    phones_held_note,
    role_group,
)

SPECTRUM = SpectrumActivity(
    "spectrum", "Spectrum", stages=(Stage("a", "A"), Stage("b", "B"), Stage("c", "C")), positions=5
)
GRID = GridActivity(
    "grid",
    "Grid",
    levels=tuple(Level(n, f"Level {n}") for n in (1, 2, 3)),
    areas=(Area("care", "Care"), Area("policy", "Policy")),
)
INDICATORS = IndicatorsActivity("indicators", "Indicators", statements=(Statement("s1", "One"), Statement("s2", "Two")))
ACTIVITIES = (SPECTRUM, GRID, INDICATORS)

GROUP_ROLES = {
    RoleGroup.LIVED: (Role.SERVICE_USER, Role.CARER),
    RoleGroup.STAFF: (Role.STAFF,),
    RoleGroup.OTHER: (Role.OTHER, Role.PREFER_NOT, None),
}


def options(activity, item: str) -> list:
    if isinstance(activity, SpectrumActivity):
        return list(range(1, activity.positions + 1))
    if isinstance(activity, GridActivity):
        return [level.number for level in activity.levels]
    return [answer.value for answer in Answer]


# -- random rooms ---------------------------------------------------------------------


@st.composite
def rooms(draw, activity):
    """People in each group, on a phone or counted by hand, each answering any of the questions."""
    participants: dict[str, Participant] = {}
    votes: list[Vote] = []
    hands: Counter = Counter()  # (item, value, role) -> count
    truth = {group: {item: Counter() for item in activity.items} for group in RoleGroup}
    device = {group: {item: Counter() for item in activity.items} for group in RoleGroup}
    unassigned = {item: Counter() for item in activity.items}
    # How many people in each group really answered something, on phones and in all (hands given a role of the group).
    people = {group: Counter() for group in RoleGroup}

    # Each room leans towards a few answers, so rooms that agree (the hard case) turn up often.
    palettes = {item: draw(st.lists(st.sampled_from(options(activity, item)), min_size=1, max_size=3)) for item in activity.items}

    def answers() -> dict:
        chosen = {}
        for item in activity.items:
            if len(activity.items) == 1 or draw(st.booleans()):
                chosen[item] = draw(st.sampled_from(palettes[item]))
        return chosen

    for group, roles in GROUP_ROLES.items():
        size = draw(st.integers(0, 8))
        on_phones = draw(st.integers(0, size))
        for index in range(size):
            role = draw(st.sampled_from(roles))
            given_answers = answers()
            if given_answers and (index < on_phones or role is not None):
                people[group]["phones" if index < on_phones else "hands"] += 1
            if index < on_phones:
                pid = f"{group.value}{index}"
                participants[pid] = Participant(pid, role=role)
                for item, value in given_answers.items():
                    votes.append(Vote(activity.id, item, pid, value))
                    device[group][item][value] += 1
                    truth[group][item][value] += 1
            else:
                # Hands counted by group: the tally carries a role of the group (or none for "other").
                for item, value in given_answers.items():
                    hands[(item, value, role)] += 1
                    if role is None:
                        unassigned[item][value] += 1
                    else:
                        truth[group][item][value] += 1
    # A few hands counted for everyone together, with no role.
    for _ in range(draw(st.integers(0, 3))):
        for item, value in answers().items():
            hands[(item, value, None)] += 1
            unassigned[item][value] += 1
    tallies = [Tally(activity.id, item, value, count, role) for (item, value, role), count in hands.items()]
    return participants, votes, tallies, truth, device, unassigned, people


def determined(remainder: Counter, answered: int) -> bool:
    """Would a group's answers follow from the remainder, given how many of them answered?

    Any sub-collection of the remainder of the right size is possible, so the
    group's answers are pinned down only when it gave all of them or all of
    them are the same.
    """
    return answered == sum(remainder.values()) or len(+remainder) == 1


def subtract(total: Counter, *parts: Counter) -> Counter:
    left = Counter(total)
    for part in parts:
        left.subtract(part)
    assert all(count >= 0 for count in left.values()), "shown figures add up to more than the room"
    return +left


def attack(remainders: dict[str, Counter], hidden_truth: dict[RoleGroup, dict[str, Counter]]) -> None:
    for item, remainder in remainders.items():
        # One of the withheld people who takes their own answer away still faces at least two others'.
        assert not remainder or sum(remainder.values()) >= SMALL_GROUP, (item, dict(remainder))
    for group, items in hidden_truth.items():
        for item, counts in items.items():
            answered = sum(counts.values())
            if answered:
                assert not determined(remainders[item], answered), (group, item, dict(counts), dict(remainders[item]))


@pytest.mark.parametrize("activity", ACTIVITIES, ids=lambda a: a.kind)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_withheld_group_can_be_worked_out_by_subtraction(activity, data):
    participants, votes, tallies, truth, device, unassigned, people = data.draw(rooms(activity))
    results = activity_results(activity, votes, tallies, participants)
    whole = item_counts(results.overall)
    shown = [group for group in results.groups if group.result is not None]
    # Every group someone in it really answered for needs protecting, whatever size the code gave it.
    hidden = [group for group in results.groups if group.result is None and sum(people[group.group].values())]
    # Hands counted with a role of the group: the room saw them.
    hands = {group: {item: subtract(truth[group][item], device[group][item]) for item in activity.items} for group in RoleGroup}

    for group in results.groups:
        if group.result is None:
            assert group.note, "a withheld group says why"
            if sum(people[group.group].values()):
                assert group.withheld is not Withheld.NO_ANSWERS, "a group that answered is not called silent"
        else:
            # What is shown is true.
            assert {item: +counts for item, counts in item_counts(group.result).items()} == {
                item: +counts for item, counts in truth[group.group].items()
            }
            # A shown group is big enough, and so are its phones: its column minus its own (public) hands is its phones.
            assert sum(people[group.group].values()) >= SMALL_GROUP, (group.group, people[group.group])
            phones = people[group.group]["phones"]
            assert phones == 0 or phones >= SMALL_GROUP, (group.group, people[group.group])
    # The room's figure minus every hand the room watched go up is what the phones said, all together; the room
    # knows who is on a phone, so 1 or 2 phone answers must not be left in it.
    on_phones = sum(people[group]["phones"] for group in RoleGroup)
    if tallies and 0 < on_phones < SMALL_GROUP:
        room_phones = {
            item: subtract(whole[item], unassigned[item], *(hands[group][item] for group in RoleGroup)) for item in activity.items
        }
        assert not any(room_phones.values()), ("phone answers beside public hands", on_phones, room_phones)
        assert results.phones_held == on_phones and results.held_note
    else:
        assert results.phones_held == 0 and results.held_note == ""
    if not shown or not hidden:
        return
    hidden_truth = {group.group: truth[group.group] for group in hidden}
    # The room minus the shown groups, even for someone who knows the hands counted for nobody in particular.
    remainders = {
        item: subtract(whole[item], unassigned[item], *(item_counts(g.result)[item] for g in shown))
        for item in activity.items
    }
    assert remainders == {item: +sum((t[item] for t in hidden_truth.values()), Counter()) for item in activity.items}
    attack(remainders, hidden_truth)

    # Phones alone. The room's phones are the room minus every hand (published apart or not); a shown group's
    # phones are its column minus its own hands; what is left is the withheld groups' phones.
    if results.by_channel and results.respondents and results.tallied:
        phones = item_counts(activity_results(activity, votes, (), participants).overall)
    else:
        phones = {
            item: subtract(whole[item], unassigned[item], *(hands[group][item] for group in RoleGroup)) for item in activity.items
        }
    shown_phones = {g.group: {item: subtract(item_counts(g.result)[item], hands[g.group][item]) for item in activity.items} for g in shown}
    assert shown_phones == {g.group: {item: +device[g.group][item] for item in activity.items} for g in shown}
    phone_remainders = {
        item: subtract(phones[item], *(counts[item] for counts in shown_phones.values())) for item in activity.items
    }
    attack(phone_remainders, {group.group: device[group.group] for group in hidden})


# -- the named cases --------------------------------------------------------------------


def room(*people: tuple[Role | None, int]) -> tuple[dict[str, Participant], list[Vote]]:
    participants = {f"p{i}": Participant(f"p{i}", role=role) for i, (role, _) in enumerate(people)}
    votes = [Vote("spectrum", "place", f"p{i}", value) for i, (_, value) in enumerate(people)]
    return participants, votes


def withheld(results) -> dict[RoleGroup, Withheld | None]:
    return {group.group: group.withheld for group in results.groups}


SPECTRUM9 = SpectrumActivity("spectrum", "Spectrum", stages=(Stage("a", "A"), Stage("b", "B")), positions=9)


def test_five_staff_and_one_service_user_show_no_split():
    participants, votes = room((Role.SERVICE_USER, 8), *[(Role.STAFF, v) for v in (3, 4, 3, 4, 3)])
    results = activity_results(SPECTRUM9, votes, [], participants)
    assert withheld(results) == {
        RoleGroup.LIVED: Withheld.SMALL,
        RoleGroup.STAFF: Withheld.SUBTRACTION,
        RoleGroup.OTHER: Withheld.NO_ANSWERS,
    }
    assert not results.split_shown
    assert results.split_warning() == "Splitting by role would single out 1 service user or carer."
    assert results.overall.positions.counts[8] == 1, "the room's own figure is still shown"


def test_two_small_groups_together_under_three_hide_the_large_one():
    participants, votes = room((Role.SERVICE_USER, 8), (None, 2), *[(Role.STAFF, 4)] * 5)
    results = activity_results(SPECTRUM9, votes, [], participants)
    assert withheld(results)[RoleGroup.STAFF] is Withheld.SUBTRACTION
    assert results.singled_out == "1 service user or carer and 1 person of another or unstated role"


def test_small_groups_that_together_make_three_mixed_answers_leave_the_large_one_shown():
    participants, votes = room((Role.SERVICE_USER, 8), (None, 2), (Role.OTHER, 5), *[(Role.STAFF, 4)] * 5)
    results = activity_results(SPECTRUM9, votes, [], participants)
    assert withheld(results)[RoleGroup.STAFF] is None
    assert results.split_shown and results.split_warning() == ""


def test_a_remainder_where_everyone_agrees_is_not_left_to_subtract():
    # Staff minus the room would say "all three of the others chose 8", the service user included.
    participants, votes = room((Role.SERVICE_USER, 8), (None, 8), (Role.OTHER, 8), *[(Role.STAFF, 4)] * 5)
    results = activity_results(SPECTRUM9, votes, [], participants)
    assert withheld(results)[RoleGroup.STAFF] is Withheld.SUBTRACTION


def test_secondary_suppression_hides_the_smallest_shown_group():
    people = [(Role.SERVICE_USER, 8), *[(Role.STAFF, v) for v in (3, 4, 3, 4, 3, 2)], *[(Role.OTHER, v) for v in (5, 6, 5)]]
    participants, votes = room(*people)
    results = activity_results(SPECTRUM9, votes, [], participants)
    assert withheld(results) == {RoleGroup.LIVED: Withheld.SMALL, RoleGroup.STAFF: None, RoleGroup.OTHER: Withheld.SUBTRACTION}


def test_a_lone_service_user_counted_by_hand_is_protected_like_one_on_a_phone():
    participants, votes = room(*[(Role.STAFF, v) for v in (3, 4, 3, 4, 3)])
    tallies = [Tally("spectrum", "place", 8, 1, Role.SERVICE_USER)]
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert withheld(results)[RoleGroup.LIVED] is Withheld.SMALL
    assert withheld(results)[RoleGroup.STAFF] is Withheld.SUBTRACTION
    assert not results.by_channel, "'by hand: 8' would name the service user's answer"


def test_phones_and_hands_apart_are_withheld_when_either_side_is_small():
    # The service user on a phone, two others by hand: phones minus staff would be the service user.
    participants, votes = room((Role.SERVICE_USER, 8), *[(Role.STAFF, 4)] * 5)
    tallies = [Tally("spectrum", "place", 2, 1, Role.OTHER), Tally("spectrum", "place", 6, 1, Role.OTHER)]
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert not results.by_channel


def test_a_lone_phone_answer_is_not_left_in_a_shown_group_beside_public_hands():
    # The room watched the three carers' hands go up: the service users and carers' column minus them is the one phone.
    participants, votes = room((Role.SERVICE_USER, 8), *[(Role.STAFF, v) for v in (3, 4, 3, 4, 3)])
    tallies = [Tally("spectrum", "place", 6, 2, Role.CARER), Tally("spectrum", "place", 7, 1, Role.CARER)]
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert withheld(results) == {
        RoleGroup.LIVED: Withheld.SMALL,
        RoleGroup.STAFF: Withheld.SUBTRACTION,
        RoleGroup.OTHER: Withheld.NO_ANSWERS,
    }
    assert not results.split_shown and not results.by_channel
    assert results.split_warning() == "Splitting by role would single out 1 service user or carer."
    assert [group.note for group in results.groups][:2] == [Withheld.SMALL.words, Withheld.SUBTRACTION.words]


def test_phones_hidden_together_protect_each_other_beside_public_hands():
    # Three service users and carers on phones and three by hand; five staff on phones: every column may be shown.
    participants, votes = room(*[(Role.SERVICE_USER, v) for v in (7, 8, 6)], *[(Role.STAFF, v) for v in (3, 4, 3, 4, 3)])
    tallies = [Tally("spectrum", "place", 6, 2, Role.CARER), Tally("spectrum", "place", 7, 1, Role.CARER)]
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert results.split_shown and results.split_warning() == ""
    assert withheld(results)[RoleGroup.LIVED] is None and withheld(results)[RoleGroup.STAFF] is None


def test_large_groups_on_phones_and_by_hand_are_shown_in_full():
    people = [*[(Role.SERVICE_USER, v) for v in (7, 8, 6)], *[(Role.STAFF, v) for v in (3, 4, 3)]]
    participants, votes = room(*people)
    tallies = [Tally("spectrum", "place", 5, 3, Role.CARER)]
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert all(group.withheld in (None, Withheld.NO_ANSWERS) for group in results.groups)
    assert results.by_channel and results.split_shown


def test_a_question_only_one_small_group_answered_is_protected_question_by_question():
    # Grid: the "other" pair skip Policy, so on Policy the remainder would be the service user alone.
    participants = {"su": Participant("su", role=Role.SERVICE_USER)}
    participants |= {f"o{i}": Participant(f"o{i}", role=Role.OTHER) for i in range(2)}
    participants |= {f"s{i}": Participant(f"s{i}", role=Role.STAFF) for i in range(5)}
    votes = [Vote("grid", grid_item("care", "now"), pid, 1 + i % 3) for i, pid in enumerate(participants)]
    votes += [Vote("grid", grid_item("policy", "now"), pid, 2) for pid in participants if not pid.startswith("o")]
    results = activity_results(GRID, votes, [], participants)
    assert withheld(results)[RoleGroup.STAFF] is Withheld.SUBTRACTION


def test_nobody_answering_yet_is_not_a_reason_to_refuse_the_split():
    results = activity_results(SPECTRUM9, [], [], {})
    assert results.split_warning() == ""
    assert {group.note for group in results.groups} == {"no answers"}


def test_withheld_groups_say_why_in_the_same_words_everywhere():
    assert Withheld.SMALL.words == "fewer than 3 — not shown separately"
    assert "smaller group" in Withheld.SUBTRACTION.words
    assert role_group(Role.PREFER_NOT) is RoleGroup.OTHER


# -- phones beside public hands ----------------------------------------------------------


def test_a_lone_phone_answer_beside_hands_is_held_back_from_the_room_figure():
    # 1 service user says Met on a phone; 4 hands counted for everyone: 2 Met, 2 Not met. "Met 3" would give it away.
    participants = {"su": Participant("su", role=Role.SERVICE_USER)}
    votes = [Vote("indicators", "s1", "su", Answer.MET.value)]
    tallies = [Tally("indicators", "s1", Answer.MET.value, 2), Tally("indicators", "s1", Answer.NOT_MET.value, 2)]
    results = activity_results(INDICATORS, votes, tallies, participants)
    assert dict(results.overall.statement("s1").counts) == {Answer.MET.value: 2, Answer.NOT_MET.value: 2}
    assert results.phones_held == 1 and results.respondents == 1 and results.tallied == 4
    assert results.held_note == (
        "1 answer from a phone is not shown: with fewer than 3 on phones, it could be told apart from the hands counted."
    )
    assert not results.by_channel, "no '(N by hand)' beside a figure that is all hands"
    assert withheld(results)[RoleGroup.LIVED] is Withheld.SMALL


def test_two_phone_answers_beside_hands_on_the_spectrum_are_held_back_and_groups_show_their_hands_only():
    participants, votes = room((Role.SERVICE_USER, 8), (Role.STAFF, 2))
    tallies = [Tally("spectrum", "place", 3, 4, Role.STAFF), Tally("spectrum", "place", 4, 1, Role.STAFF)]
    tallies += [Tally("spectrum", "place", 6, 3, Role.CARER)]
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert dict(results.overall.positions.counts) == {3: 4, 4: 1, 6: 3}, "the hands alone"
    assert results.phones_held == 2
    assert results.held_note == phones_held_note(2) == (
        "2 answers from phones are not shown: with fewer than 3 on phones, they could be told apart from the hands counted."
    )
    # Each group with a phone in it is withheld as small; whatever is shown is hands only.
    assert withheld(results)[RoleGroup.LIVED] is Withheld.SMALL and withheld(results)[RoleGroup.STAFF] is Withheld.SMALL
    for group in results.groups:
        if group.result is not None:
            assert group.phones == 0


def test_a_lone_phone_answer_beside_hands_on_the_grid_is_held_back_in_every_area():
    participants = {"su": Participant("su", role=Role.SERVICE_USER)}
    votes = [Vote("grid", grid_item("care", "now"), "su", 3), Vote("grid", grid_item("policy", "target"), "su", 1)]
    tallies = [Tally("grid", grid_item("care", "now"), 1, 5, Role.STAFF), Tally("grid", grid_item("policy", "target"), 2, 5, Role.STAFF)]
    results = activity_results(GRID, votes, tallies, participants)
    assert dict(results.overall.area("care").now.counts) == {1: 5}
    assert dict(results.overall.area("policy").target.counts) == {2: 5}
    assert results.phones_held == 1
    assert withheld(results)[RoleGroup.LIVED] is Withheld.SMALL and not results.split_shown


def test_a_third_phone_answer_or_no_hands_shows_everything_again():
    participants, votes = room((Role.SERVICE_USER, 8), (Role.STAFF, 2))
    tallies = [Tally("spectrum", "place", 3, 4)]
    assert activity_results(SPECTRUM9, votes, tallies, participants).phones_held == 2
    participants, votes = room((Role.SERVICE_USER, 8), (Role.STAFF, 2), (Role.OTHER, 5))
    results = activity_results(SPECTRUM9, votes, tallies, participants)
    assert results.phones_held == 0 and results.held_note == ""
    assert dict(results.overall.positions.counts) == {3: 4, 8: 1, 2: 1, 5: 1}
    results = activity_results(SPECTRUM9, votes[:1], [], participants)
    assert results.phones_held == 0 and dict(results.overall.positions.counts) == {8: 1}, "no hands: nothing to subtract"
