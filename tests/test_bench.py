import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.load import Session, SliderSpec, _page_and_query, _rerun_message, steady_latencies


@pytest.mark.parametrize(("path", "expected"), [("chapter-2", ("chapter-2", "lang=en")),
                                                ("exercise?id=3.7.1", ("exercise", "id=3.7.1&lang=en"))])
def test_load_client_splits_page_and_query(path, expected):
    assert _page_and_query(path) == expected


def test_steady_latencies_start_once_every_page_has_rendered():
    early = Session("chapter-2", latencies=[900.0, 40.0], sent=[1.0, 6.0], loaded_at=0.5)
    late = Session("chapter-4", latencies=[50.0], sent=[7.0], loaded_at=5.0)
    never = Session("chapter-3", failed="load: TimeoutError")
    assert steady_latencies([early, late, never]) == [40.0, 50.0]


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


def _choices(spec_kwargs: dict):
    from streamlit.testing.v1 import AppTest

    def script(kind: str, options: list, index: int):
        import streamlit as st

        fmt = {"radio": st.radio, "select_slider": st.select_slider, "multiselect": st.multiselect}[kind]
        extra = {"index": index} if kind == "radio" else {"value": options[index]} if kind == "select_slider" else \
            {"default": [options[index]]}
        st.session_state["seen"] = fmt("x", options, key="w", format_func=lambda v: f"<{v}>", **extra)

    return AppTest.from_function(script, kwargs=spec_kwargs).run()


@pytest.mark.parametrize(("kind", "index", "expected"), [
    ("radio", 0, "b"), ("radio", 2, "a"),                         # next option, wrapping round
    ("select_slider", 0, "c"), ("select_slider", 2, "a"),         # to the last option, or from it to the first
    ("multiselect", 1, ["b", "a"]),                               # one chosen: add the first option not chosen
])
def test_page_bench_moves_choice_controls_by_their_labels(kind, index, expected):
    """The Python values behind formatted labels come back: the bench sends labels, as the browser does."""
    from bench.pages import _move

    at = _choices({"kind": kind, "options": ["a", "b", "c"], "index": index})
    assert _move(at, kind, "w")
    assert at.run().session_state["seen"] == expected


@pytest.mark.parametrize(("name", "expected"), [("3.7.2", True), ("11.3.5", False), ("demo 4.2", True),
                                                ("demo 2.3", False)])
def test_page_bench_tells_training_demos_from_analytic_ones(name, expected):
    from bench.pages import trains

    assert trains(name) is expected
