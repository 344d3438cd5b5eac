"""The counting rules of an import (domain-rules.md, "Writing")."""

from datetime import date

from domain.students.import_students import plan_import
from domain.students.ports import StoredStudent, imported_fields
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


def stored(student_id: int, rec: StudentRecord, *, disabled: bool = False) -> StoredStudent:
    return StoredStudent(
        student_id, rec.national_student_id, imported_fields(rec), rec.birthdate, None, disabled
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
