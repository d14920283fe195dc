import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.load import SliderSpec, _page_and_query, _rerun_message


@pytest.mark.parametrize(("path", "expected"), [("chapter-2", ("chapter-2", "lang=en")),
                                                ("exercise?id=3.7.1", ("exercise", "id=3.7.1&lang=en"))])
def test_load_client_splits_page_and_query(path, expected):
    assert _page_and_query(path) == expected


def _state(slider: SliderSpec):
    msg = BackMsg()
    msg.ParseFromString(_rerun_message("chapter-3", "lang=en", slider))
    return msg.rerun_script, msg.rerun_script.widget_states.widgets[0]


def test_load_client_sends_a_slider_value_in_its_fragment():
    rerun, state = _state(SliderSpec("w1", 0.0, 10.0, 1.0, 4.0, "frag"))
    assert (rerun.page_name, rerun.fragment_id, state.id, list(state.double_array_value.data)) == \
        ("chapter-3", "frag", "w1", [4.0])


def test_load_client_sends_a_select_slider_as_its_option_string():
    _, state = _state(SliderSpec("w2", 0.0, 2.0, 1.0, 1.0, "", ["0.01", "0.03", "0.1"]))
    assert list(state.string_array_value.data) == ["0.03"] and not state.double_array_value.data
