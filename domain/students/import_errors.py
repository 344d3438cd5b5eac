from domain.errors import Conflict, Forbidden


class ImportInProgress(Conflict):
    code = "IMPORT_IN_PROGRESS"


class TooManyStudentsDisabled(Conflict):
    code = "TOO_MANY_STUDENTS_DISABLED"


class NotManagingStudents(Forbidden):
    code = "FORBIDDEN"
