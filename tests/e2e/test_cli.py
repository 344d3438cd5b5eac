"""The operators' command line, against the test database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.support.api import db_execute, log_in
from tests.support.roster_samples import write_samples as write_roster_samples

runner = CliRunner()


@pytest.fixture
def cli(server, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", server.settings.database_url)

    def invoke(*args: str, stdin: str | None = None):
        return runner.invoke(app, list(args), input=stdin)

    return invoke


def test_support_user_organization_invitation_and_import(cli, client, server, siecle_samples):
    created = cli(
        "users",
        "create-support",
        "--email",
        "Sam@Pix.fr",
        "--first-name",
        "Sam",
        "--last-name",
        "Support",
        "--password-stdin",
        stdin="Support2026!\n",
    )
    assert created.exit_code == 0, created.output
    assert "Support2026!" not in created.output
    assert log_in(client, "sam@pix.fr", "Support2026!")["access_token"]

    org = cli(
        "organizations",
        "create",
        "--name",
        "Lycée Pix",
        "--type",
        "SCO",
        "--uai",
        "0751234a",
        "--email",
        "ce.0751234a@ac-paris.fr",
        "--managing-students",
    )
    assert org.exit_code == 0, org.output
    org_id = org.output.strip().rsplit(" ", 1)[-1]
    invited = cli("organizations", "invite", org_id)
    assert invited.exit_code == 0, invited.output
    assert db_execute(server.settings.database_url, "SELECT email, role FROM invitations") == [
        ("ce.0751234a@ac-paris.fr", "ADMIN")
    ]

    sample = str(siecle_samples / "ElevesSansAdresses.xml")
    preview = cli("students", "import", org_id, sample, "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "created 30" in preview.output
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM students") == [(0,)]
    imported = cli("students", "import", org_id, sample)
    assert imported.exit_code == 0, imported.output
    assert "COMPLETED" in imported.output
    assert db_execute(server.settings.database_url, "SELECT actor_label FROM student_imports") == [("cli",)]


def test_failures_exit_non_zero_with_one_line(cli, siecle_samples):
    weak = cli(
        "users",
        "create-support",
        "--email",
        "a@pix.fr",
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--password-stdin",
        stdin="weak\n",
    )
    assert weak.exit_code == 1
    assert "INVALID_PASSWORD" in weak.output
    missing = cli("organizations", "invite", "999")
    assert missing.exit_code == 1
    assert "ORGANIZATION_NOT_FOUND" in missing.output
    assert cli("organizations", "create", "--name", "X", "--type", "SCO").exit_code == 1
    refused = cli("students", "import", "999", str(siecle_samples / "ElevesSansAdresses.xml"))
    assert refused.exit_code == 1
    assert "ORGANIZATION_NOT_FOUND" in refused.output


def test_help_is_there(cli):
    for command in ([], ["db"], ["users"], ["organizations"], ["students"]):
        result = cli(*command, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.output


def test_an_operator_imports_a_csv_or_json_roster(cli, server, tmp_path):
    org = cli(
        "organizations",
        "create",
        "--name",
        "Lycée agricole Pix",
        "--type",
        "SCO",
        "--uai",
        "0451234k",
        "--managing-students",
    )
    assert org.exit_code == 0, org.output
    org_id = org.output.strip().rsplit(" ", 1)[-1]
    directory = write_roster_samples(tmp_path)

    preview = cli("students", "import", org_id, str(directory / "eleves-lycee-agricole.csv"), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "dry run (nothing written) (CSV): created 14" in preview.output
    imported = cli("students", "import", org_id, str(directory / "eleves-lycee-agricole.json"))
    assert imported.exit_code == 0, imported.output
    assert "COMPLETED (JSON): created 14" in imported.output
    refused = cli("students", "import", org_id, str(directory / "erreur-eleves.csv"))
    assert refused.exit_code == 1
    assert "INVALID_STUDENT_FILE" in refused.output
    assert "Line 7: the pupil GUILLETTE Marie (identifier AGRI000006) has no class" in refused.output
    assert db_execute(
        server.settings.database_url, "SELECT format, status FROM student_imports ORDER BY id"
    ) == [("JSON", "COMPLETED"), ("CSV", "FAILED")]
