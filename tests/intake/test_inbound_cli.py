"""`switchdesk inbound list --outcome` and `inbound show ID [--json]` after a real `ingest`."""

import hashlib
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from desk.bootstrap import App
from desk.cli.main import cli
from tests.conftest import cli_env

DESK = "servicedesk@switchdesk.example"
PRIYA = "priya.raman@brightwater-energy.example"
GARETH = "g.pryce@kestrel-pg.example"


def _mail(sender: str, subject: str, body: str, message_id: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, DESK, subject
    message["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes(policy=policy.SMTP)


def _with_attachment(raw: bytes) -> bytes:
    from email import message_from_bytes

    message = message_from_bytes(raw, policy=policy.default)
    message.add_attachment(b"MPAN,status\n1906293768104,pending\n", maintype="text",
                           subtype="csv", filename="stuck-switches.csv")  # fmt: skip
    return message.as_bytes(policy=policy.SMTP)


def _bounce() -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.kestrel-pg.example>\r\n"
        f"To: {DESK}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.kestrel-pg.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "Your message could not be delivered to old.contact@kestrel-pg.example.\r\n"
        "--b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.kestrel-pg.example\r\n\r\n"
        "Final-Recipient: rfc822; old.contact@kestrel-pg.example\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "--b1--\r\n"
    ).encode()


@pytest.fixture
def ingested(demo_app: App, tmp_path: Path):
    """Four messages ingested from a directory, then one of them again: id by file name."""
    mail = tmp_path / "mail"
    mail.mkdir()
    files = {
        "1-new.eml": _with_attachment(_mail(
            PRIYA, "Switches stuck in Pending", "MPAN 1906293768104 has been pending since "
            "Tuesday. C:\\new\\table attached.", "stuck-1@brightwater-energy.example")),
        "2-second.eml": _mail(GARETH, "Gas transfer rejected", "MPRN 1234567 rejected by UK Link",
                              "gas-1@kestrel-pg.example"),
        "3-ooo.eml": _mail(PRIYA, "Out of office: Switches stuck in Pending",
                           "I am out of the office until Monday.",
                           "ooo-1@brightwater-energy.example",
                           Auto_Submitted="auto-replied",
                           In_Reply_To="<stuck-1@brightwater-energy.example>"),
        "4-bounce.eml": _bounce(),
    }  # fmt: skip
    for name, raw in files.items():
        (mail / name).write_bytes(raw)
    env = cli_env(demo_app)
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", str(mail), "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["ingest", str(mail / "2-second.eml"), "--json"], env=env)
    assert again.exit_code == 0, again.output
    lines = [json.loads(line) for line in (result.stdout + again.stdout).splitlines()]
    ids = {Path(line["source"]).name: line["inbound_id"] for line in lines[:4]}
    ids["2-again"] = lines[4]["inbound_id"]

    def invoke(*args: str, ok: bool = True) -> str:
        out = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert (out.exit_code == 0) is ok, out.stdout + out.stderr
        return out.stdout if ok else out.stderr

    return ids, files, invoke


def test_ingest_outcomes_as_the_fixture_expects(ingested) -> None:
    ids, _, invoke = ingested
    listed = json.loads(invoke("inbound", "list", "--json"))
    outcomes = {r["id"]: (r["outcome"], r["ticket_ref"]) for r in listed}
    assert outcomes == {
        ids["1-new.eml"]: ("ticket_created", "SD-000001"),
        ids["2-second.eml"]: ("ticket_created", "SD-000002"),
        ids["3-ooo.eml"]: ("auto_reply", "SD-000001"),  # kept on the ticket it answers
        ids["4-bounce.eml"]: ("bounce", None),
        ids["2-again"]: ("duplicate", None),
    }
    assert [r["id"] for r in listed] == sorted(ids.values(), reverse=True)  # newest first


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("ticket_created", ["2-second.eml", "1-new.eml"]),
        ("auto_reply", ["3-ooo.eml"]),
        ("bounce", ["4-bounce.eml"]),
        ("duplicate", ["2-again"]),
        ("quarantined", []),
        ("pending", []),
    ],
)
def test_inbound_list_filters_by_outcome(ingested, outcome: str, expected: list[str]) -> None:
    ids, _, invoke = ingested
    listed = json.loads(invoke("inbound", "list", "--outcome", outcome, "--json"))
    assert [r["id"] for r in listed] == [ids[name] for name in expected]
    assert all(r["outcome"] == outcome for r in listed)
    text = invoke("inbound", "list", "--outcome", outcome)
    if not expected:
        assert text.strip() == "no messages"
        return
    header, *rows = text.splitlines()
    assert header.split()[:5] == ["ID", "VIA", "RECEIVED", "OUTCOME", "TICKET"]
    assert [int(row.split()[0]) for row in rows] == [ids[name] for name in expected]
    assert all(row.split()[5] == outcome for row in rows)  # after the date, time and zone


def test_inbound_list_as_text_says_why(ingested) -> None:
    ids, _, invoke = ingested
    rows = {int(row.split()[0]): row for row in invoke("inbound", "list").splitlines()[1:]}
    assert rows.keys() == set(ids.values())
    assert rows[ids["2-again"]].rstrip().endswith(f"duplicate of inbound {ids['2-second.eml']}")
    assert rows[ids["4-bounce.eml"]].rstrip().endswith("old.contact@kestrel-pg.example")
    assert "auto-submitted: auto-replied" in rows[ids["3-ooo.eml"]]
    assert PRIYA in rows[ids["1-new.eml"]] and "SD-000001" in rows[ids["1-new.eml"]]


def test_inbound_list_refuses_an_unknown_outcome(ingested) -> None:
    _, _, invoke = ingested
    error = invoke("inbound", "list", "--outcome", "eaten", ok=False)
    assert "Invalid value for '--outcome'" in error and "ticket_created" in error


def test_inbound_show_json_of_a_new_ticket(ingested) -> None:
    ids, files, invoke = ingested
    view = json.loads(invoke("inbound", "show", str(ids["1-new.eml"]), "--json"))
    assert {
        "id", "received_via", "received_at", "source", "mail_from", "rcpt_to", "size", "state",
        "outcome", "ticket_ref", "duplicate_of", "detail", "error", "processed_at", "parsed",
        "traceback", "sha256",
    } <= view.keys()  # fmt: skip
    raw = files["1-new.eml"]
    assert (view["id"], view["received_via"], view["outcome"], view["ticket_ref"]) == (
        ids["1-new.eml"], "file", "ticket_created", "SD-000001")  # fmt: skip
    assert view["source"].endswith("1-new.eml")
    assert (view["size"], view["sha256"]) == (len(raw), hashlib.sha256(raw).hexdigest())
    assert view["error"] is None and view["traceback"] is None and view["duplicate_of"] is None
    assert view["received_at"] and view["processed_at"]
    parsed = view["parsed"]
    assert parsed["from_addr"] == PRIYA and parsed["subject"] == "Switches stuck in Pending"
    assert parsed["message_id"] == "stuck-1@brightwater-energy.example"
    assert parsed["attachment_names"] == ["stuck-switches.csv"]
    assert (parsed["is_auto_reply"], parsed["is_bounce"]) == (False, False)
    assert "C:\\new\\table" in parsed["body_text"]  # backslashes survive, byte for byte


def test_inbound_show_json_of_noise_and_a_duplicate(ingested) -> None:
    ids, _, invoke = ingested
    ooo = json.loads(invoke("inbound", "show", str(ids["3-ooo.eml"]), "--json"))
    assert ooo["outcome"] == "auto_reply" and ooo["parsed"]["is_auto_reply"] is True
    assert ooo["parsed"]["in_reply_to"] == "stuck-1@brightwater-energy.example"
    bounce = json.loads(invoke("inbound", "show", str(ids["4-bounce.eml"]), "--json"))
    assert bounce["outcome"] == "bounce" and bounce["parsed"]["is_bounce"] is True
    assert bounce["ticket_ref"] is None
    duplicate = json.loads(invoke("inbound", "show", str(ids["2-again"]), "--json"))
    assert duplicate["outcome"] == "duplicate"
    assert duplicate["duplicate_of"] == ids["2-second.eml"]
    assert duplicate["parsed"]["subject"] == "Gas transfer rejected"  # parsed for display


def test_inbound_show_as_text(ingested) -> None:
    ids, _, invoke = ingested
    text = invoke("inbound", "show", str(ids["1-new.eml"]))
    fields = dict(
        (line.split(":", 1)[0], line.split(":", 1)[1].strip())
        for line in text.splitlines()
        if ":" in line and not line.startswith(" ") and line.split(":", 1)[0].isidentifier()
    )
    assert fields["id"] == str(ids["1-new.eml"])
    assert (fields["outcome"], fields["ticket_ref"], fields["received_via"]) == (
        "ticket_created", "SD-000001", "file")  # fmt: skip
    assert fields["from_addr"] == PRIYA and fields["subject"] == "Switches stuck in Pending"
    assert fields["error"] == "-" and fields["attachment_names"] == "['stuck-switches.csv']"
    assert "MPAN 1906293768104 has been pending" in text


def test_inbound_show_of_an_unknown_id_is_one_clear_line(ingested) -> None:
    _, _, invoke = ingested
    error = invoke("inbound", "show", "999999", ok=False)
    assert error == "switchdesk: error: no inbound message 999999\n"
    assert "Invalid value" in invoke("inbound", "show", "abc", ok=False)
