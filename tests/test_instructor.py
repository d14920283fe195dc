"""The instructor page and the sidebar's progress import, driven through their real widgets (AppTest)."""

import csv
import io

import pytest
from streamlit.testing.v1 import AppTest

from exercises import progress as prog
from exercises import registry
from solutions import solve
from tests.apptest import all_text, open_app

GRADED = [ex for ex in registry.all() if any(f.kind != "text" for f in ex.fields)]


def test_template_builder_offers_a_sheet_for_the_roster():
    at = open_app("pages/instructor.py", lang="zh")
    at.multiselect(key="inst-exercises").select(at.multiselect(key="inst-exercises").options[0]).run()
    at.text_area(key="inst-roster").input("ana\n李雷\n").run()
    assert not at.exception and "2 名学生" in all_text(at)


@pytest.mark.skipif(not GRADED, reason="needs an exercise with answer fields")
def test_uploaded_class_is_graded_and_bad_rows_listed():
    ex = GRADED[0]
    f = ex.fields[0]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "exercise", "field", "answer"])
    w.writerow(["ana", ex.id, f.name, str(solve(ex.id).answer.get(f.name, ""))])
    w.writerow(["bo", "99.9.9", f.name, "1"])
    at = open_app("pages/instructor.py")
    at.get("file_uploader")[0].upload("class.csv", buf.getvalue().encode(), "text/csv").run()
    assert not at.exception and "1 rows skipped" in all_text(at)
    assert len(at.dataframe) == 2  # scores, skipped rows


def test_unreadable_upload_says_why():
    at = open_app("pages/instructor.py")
    at.get("file_uploader")[0].upload("class.csv", b"\x00\x01binary", "text/csv").run()
    assert not at.exception and "binary" in at.error[0].value


def sidebar_only() -> AppTest:
    """The sidebar on its own: AppTest drops the sidebar of an st.navigation app after its first run."""

    def script():
        from ui import i18n, shell

        i18n.sync_language()
        shell.sidebar()

    return AppTest.from_function(script, default_timeout=60).run()


def test_sidebar_import_of_a_bad_file_keeps_progress():
    at = sidebar_only()
    at.session_state["progress"] = prog.record_answers(prog.new_progress(), "1.9.1", {"text": "kept"})
    at.get("file_uploader")[0].upload("p.json", b'{"format": "something else"}', "application/json").run()
    at.button(key="import-button").click().run()
    assert at.error and "not a progress export" in at.error[0].value
    assert at.session_state["progress"]["exercises"]["1.9.1"]["answers"]["text"] == "kept"


def test_sidebar_import_of_an_export_restores_progress_and_language():
    exported = prog.to_json(prog.record_result(prog.new_progress("zh"), "1.9.2", None, self_check=True))
    at = sidebar_only()
    at.get("file_uploader")[0].upload("p.json", exported.encode(), "application/json").run()
    at.button(key="import-button").click().run()
    assert prog.solved_ids(at.session_state["progress"]) == ["1.9.2"] and at.session_state["lang"] == "zh"
    assert "已导入进度" in at.success[0].value

