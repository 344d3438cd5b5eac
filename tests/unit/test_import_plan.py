"""The counting rules of an import, and which returning student gets their account back."""

from datetime import date

from domain.students.import_students import plan_import, plan_kept_accounts, plan_returning_accounts
from domain.students.ports import AccountElsewhere, StoredStudent, imported_fields
from domain.students.siecle import StudentRecord


def record(ine: str, division: str = "2NDE1", last_name: str = "TURING") -> StudentRecord:
    return StudentRecord(
        line=1,
        national_student_id=ine,
        last_name=last_name,
        preferred_last_name=None,
        first_name="Alan",
        middle_name=None,
        third_name=None,
        birthdate=date(2002, 6, 23),
        birth_country_code="100",
        birth_department_code="075",
        birth_city_code="75056",
        birth_city="PARIS",
        mef_code=None,
        status="ST",
        division=division,
    )


def stored(
    student_id: int, rec: StudentRecord, *, disabled: bool = False, user_id: int | None = None
) -> StoredStudent:
    return StoredStudent(
        student_id, rec.national_student_id, imported_fields(rec), rec.birthdate, user_id, disabled
    )


def test_each_kept_entry_counts_once():
    existing = {
        "A": stored(1, record("A")),
        "B": stored(2, record("B", division="1ERE2")),  # class changed → updated
        "C": stored(3, record("C", division="OLD"), disabled=True),  # disabled and changed → reactivated only
        "D": stored(4, record("D")),  # absent from the file → disabled
        "E": stored(5, record("E"), disabled=True),  # absent and already disabled → untouched
    }
    plan = plan_import([record("A"), record("B"), record("C"), record("N")], existing, skipped=3)
    assert plan.counts.as_dict() == {
        "created": 1,
        "updated": 1,
        "reactivated": 1,
        "unchanged": 1,
        "disabled": 1,
        "skipped": 3,
    }
    assert [r.national_student_id for r in plan.creates] == ["N"]
    assert sorted(sid for sid, _ in plan.updates) == [2, 3]
    assert plan.disables == [4]
    assert plan.active_before == 3
    assert sorted(r.national_student_id for r in plan.arrivals) == ["C", "N"]


def test_a_name_change_is_an_update():
    plan = plan_import([record("A", last_name="TURING-MOORE")], {"A": stored(1, record("A"))}, skipped=0)
    assert plan.counts.updated == 1
    assert plan.counts.unchanged == 0


def test_a_student_back_with_an_account_still_attached_keeps_it():
    existing = {
        "A": stored(1, record("A"), disabled=True, user_id=7),
        "B": stored(2, record("B"), disabled=True),
    }
    plan = plan_import([record("A"), record("B")], existing, skipped=0)
    assert plan.counts.reactivated == 2
    assert [r.national_student_id for r in plan.arrivals] == ["B"]
    assert [(r.national_student_id, sid, uid) for r, sid, uid in plan.returning] == [("A", 1, 7)]


HERE, OTHER, THIRD = 1, 2, 3


def account(ine: str, user_id: int, *, birthdate: date = date(2002, 6, 23)) -> AccountElsewhere:
    return AccountElsewhere(ine, birthdate, user_id)


def test_a_student_who_changed_school_gets_back_an_account_none_of_whose_students_is_active():
    links, warnings = plan_returning_accounts(HERE, [record("A")], [account("A", 7)], {})
    assert (links, warnings) == ([("A", 7)], [])


def test_an_account_active_at_another_school_is_never_handed_over_even_through_a_disabled_record():
    # Left school 2 (disabled there, listed first), now active at school 3 with the same account.
    elsewhere = [account("A", 7), account("A", 7)]
    links, warnings = plan_returning_accounts(HERE, [record("A")], elsewhere, {7: frozenset({THIRD})})
    assert links == []
    assert [(w.code, w.national_student_id) for w in warnings] == [("ACCOUNT_KEPT_ELSEWHERE", "A")]
    assert warnings[0].meta == {"last_name": "TURING", "first_name": "Alan"}


def test_an_account_already_used_here_or_given_to_another_entry_is_not_attached_again():
    elsewhere = [account("A", 7), account("B", 8), account("C", 8)]
    links, warnings = plan_returning_accounts(
        HERE, [record("A"), record("B"), record("C")], elsewhere, {7: frozenset({HERE})}
    )
    assert (links, warnings) == ([("B", 8)], [])


def test_an_account_of_another_birthdate_is_ignored():
    links, warnings = plan_returning_accounts(
        HERE, [record("A")], [account("A", 7, birthdate=date(2003, 1, 1))], {7: frozenset({OTHER})}
    )
    assert (links, warnings) == ([], [])


def test_a_returning_student_whose_account_is_active_at_another_school_is_detached_here():
    returning = [(record("A"), 1, 7), (record("B"), 2, 8), (record("C"), 3, 9)]
    in_use = {7: frozenset({OTHER}), 8: frozenset({HERE}), 9: frozenset({HERE, THIRD})}
    detached, warnings = plan_kept_accounts(HERE, returning, in_use)
    assert detached == [(1, 7), (3, 9)]
    assert [(w.code, w.national_student_id) for w in warnings] == [
        ("ACCOUNT_KEPT_ELSEWHERE", "A"),
        ("ACCOUNT_KEPT_ELSEWHERE", "C"),
    ]
