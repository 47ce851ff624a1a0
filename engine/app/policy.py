"""Who may do what: the one access policy, pure functions over a :class:`Principal`
and the organisation (and lane) of the case or task at hand.

Pages and API ask these functions; neither codes a rule of its own. Which cases
a user can *find* at all is the inbox's scope (:class:`engine.app.inbox.Scope`),
built from :meth:`Principal.case_organisations` — the same rule as
:func:`may_read_case`.
"""
from __future__ import annotations

from .accounts import CASE_READERS, Principal

TEAMLEIDER = "teamleider"
AUDITOR = "auditor"
CONSULTANT = "consultant"
SEES_ALL = frozenset({TEAMLEIDER, AUDITOR})


def may_read_case(principal: Principal, organisation: str) -> bool:
    return bool(principal.roles(organisation) & CASE_READERS)


def may_work_task(principal: Principal, organisation: str, lane: str | None) -> bool:
    """Claim and complete a task of ``lane`` (any lane when None) in ``organisation``:
    a teamleider always, a consultant for the lanes of their team."""
    roles = principal.roles(organisation)
    if TEAMLEIDER in roles:
        return True
    if CONSULTANT not in roles:
        return False
    return not lane or lane in principal.lanes(organisation)


def may_release_task(principal: Principal, organisation: str, claimed_by: str | None) -> bool:
    """Give a claimed task back: whoever holds it, or a teamleider."""
    return claimed_by == principal.username or principal.has_role(TEAMLEIDER, organisation)


def may_assign(principal: Principal, organisation: str) -> bool:
    return principal.has_role(TEAMLEIDER, organisation)


def may_send_message(principal: Principal, organisation: str) -> bool:
    """Record a message (or a note) on a case: a teamleider, or a consultant with a lane there."""
    return principal.has_role(TEAMLEIDER, organisation) or bool(principal.lanes(organisation))


may_add_note = may_send_message


def may_repair_case(principal: Principal, organisation: str) -> bool:
    """Retry or close a case in error."""
    return principal.has_role(TEAMLEIDER, organisation)


def may_view_all(principal: Principal) -> bool:
    """The inbox's 'alle' view: every open task of one's organisations."""
    return bool(principal.roles() & SEES_ALL)


def may_start_case(principal: Principal) -> bool:
    return bool(principal.work_organisations())


def may_start_case_in(principal: Principal, organisation: str) -> bool:
    """A melding for a process of ``organisation``: whoever works cases there."""
    return organisation in principal.work_organisations()


def overview_organisations(principal: Principal) -> list[str]:
    """The organisations whose team overview the user may see (as teamleider)."""
    return sorted({m.organisation for m in principal.memberships if m.role == TEAMLEIDER})


def access_log_organisations(principal: Principal) -> list[str]:
    """The organisations whose access log the user may read (as auditor)."""
    return sorted({m.organisation for m in principal.memberships if m.role == AUDITOR})


def may_view_access_log(principal: Principal) -> bool:
    return bool(access_log_organisations(principal))


# ---------------------------------------------------------------------- process design
DESIGNER = "process_designer"
ADMINISTRATOR = "administrator"
DESIGN_VIEWERS = frozenset({DESIGNER, ADMINISTRATOR, CONSULTANT, TEAMLEIDER, AUDITOR})


def design_organisations(principal: Principal) -> list[str]:
    """The organisations whose processes, drafts and versions the user may see: a designer
    or administrator, and (read-only) its consultants, teamleiders and auditors."""
    return sorted({m.organisation for m in principal.memberships if m.role in DESIGN_VIEWERS})


def may_view_design(principal: Principal, organisation: str) -> bool:
    return bool(principal.roles(organisation) & DESIGN_VIEWERS)


def may_edit_design(principal: Principal, organisation: str) -> bool:
    """Save drafts, offer, approve (when someone else made it) and publish, move cases: a designer there."""
    return principal.has_role(DESIGNER, organisation)


def lands_on_designer(principal: Principal) -> bool:
    """After login a designer or administrator without case work starts on the designer's home page."""
    return bool(principal.roles() & {DESIGNER, ADMINISTRATOR}) and not principal.work_organisations()


# ---------------------------------------------------------------------- retention (Archiefwet)
RETENTION_APPROVERS = frozenset({AUDITOR, ADMINISTRATOR})
RETENTION_DESTROYERS = frozenset({ADMINISTRATOR})


def retention_approve_organisations(principal: Principal) -> list[str]:
    """The organisations whose list of cases due for destruction the user may approve: an
    auditor (who checks the list against the selectielijst) or an administrator there."""
    return sorted({m.organisation for m in principal.memberships if m.role in RETENTION_APPROVERS})


def may_destroy_cases(principal: Principal, organisation: str, approved_by: str) -> bool:
    """Carry out an approved destruction of ``organisation``'s cases: an administrator there
    (the application's keeper), and never the person who approved the list — four eyes."""
    return (bool(principal.roles(organisation) & RETENTION_DESTROYERS)
            and principal.username != approved_by)
