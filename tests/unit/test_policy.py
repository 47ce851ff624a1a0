"""engine.app.policy on its own: the rules pages and API ask, without a request."""
from __future__ import annotations

from engine.app import policy
from engine.app.accounts import Membership, Principal


def _user(name: str, *memberships: tuple[str, str, str]) -> Principal:
    return Principal(1, name, name, [Membership(o, r, lane) for o, r, lane in memberships])


KEES = _user("kees", ("stad", "consultant", "inkomen"))
TINEKE = _user("tineke", ("stad", "teamleider", ""))
ANNE = _user("anne", ("stad", "auditor", ""))
LOS = _user("los", ("stad", "consultant", ""))


def test_work_and_release_follow_lane_and_role():
    assert policy.may_work_task(KEES, "stad", "inkomen") and not policy.may_work_task(KEES, "stad", "werk")
    assert policy.may_work_task(TINEKE, "stad", "werk") and not policy.may_work_task(ANNE, "stad", None)
    assert not policy.may_work_task(KEES, "dorp", "inkomen")
    assert policy.may_release_task(KEES, "stad", "kees") and not policy.may_release_task(KEES, "stad", "piet")
    assert policy.may_release_task(TINEKE, "stad", "piet")


def test_teamleider_rules():
    for rule in (policy.may_assign, policy.may_repair_case):
        assert rule(TINEKE, "stad") and not rule(KEES, "stad") and not rule(TINEKE, "dorp")
    assert policy.overview_organisations(TINEKE) == ["stad"] and policy.overview_organisations(KEES) == []


def test_messages_reading_and_views():
    assert policy.may_send_message(KEES, "stad") and policy.may_send_message(TINEKE, "stad")
    assert not policy.may_send_message(LOS, "stad") and not policy.may_send_message(ANNE, "stad")
    assert all(policy.may_read_case(u, "stad") for u in (KEES, TINEKE, ANNE)) and not policy.may_read_case(KEES, "dorp")
    assert policy.may_view_all(TINEKE) and policy.may_view_all(ANNE) and not policy.may_view_all(KEES)
    assert policy.may_view_access_log(ANNE) and not policy.may_view_access_log(TINEKE)
    assert policy.may_start_case(KEES) and not policy.may_start_case(ANNE)
