"""The roster a kiosk receives in its retained config: names, pages, schedule; never templates."""

from __future__ import annotations

from pathlib import Path

from kiosk.roster import parse_directory
from server.db import connect
from server.db.models import Employee, Kiosk, Office
from server.db.models_templates import EmployeeTemplate
from server.roster import RosterConfig, pack_schedule


def test_the_config_carries_the_offices_active_employees_and_the_pack_schedule(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path}/r.sqlite3")
    db.migrate()
    with db.session() as session:
        session.add_all(
            [Office(id="A", name="Kantor Camat Plaju", tz="Asia/Jakarta"), Office(id="B", name="B")]
        )
        session.flush()
        session.add_all(
            [
                Kiosk(id="a1", office_id="A", key="00"),
                Employee(id="E1", name="Siti Aminah", office_id="A"),
                Employee(id="E2", name="Budi", office_id="A", active=False),
                Employee(id="X1", name="Elsewhere", office_id="B"),
            ]
        )
        session.flush()
        session.add(EmployeeTemplate(employee_id="E1", office_id="A", page=4, sealed="x", source_kiosk="a1"))
    source = RosterConfig(db)
    config = source("a1")
    assert config["settings"]["roster"] == [{"employee": "E1", "name": "Siti Aminah", "page": 4}]
    assert "sealed" not in str(config)
    directory = parse_directory(config)
    assert directory.office == "Kantor Camat Plaju"
    assert directory.pages == {4: "E1"}
    schedule = directory.employees["E1"].schedule
    assert schedule is not None and set(schedule.shifts) == {0, 1, 2, 3, 4}
    assert source("a1")["roster_version"] == config["roster_version"]
    assert source("nobody") == {}
    assert pack_schedule()["friday"] == ["07:30", "16:30"]
    db.close()
