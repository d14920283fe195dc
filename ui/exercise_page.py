"""The deep-link page `/exercise?id=2.6.2&lang=zh&seed=3&p=…`: one exercise card, or help to find one."""

from __future__ import annotations

import streamlit as st

from exercises import outline, registry
from exercises.links import decode_params, parse_seed
from ui.card import exercise_card
from ui.i18n import lang, pick, t
from ui.shell import chapter_page_path


def _seed_to_url(seed: int) -> None:
    if seed:
        st.query_params["seed"] = str(seed)
    else:
        st.query_params.pop("seed", None)


def exercise_from_url() -> None:
    requested = (st.query_params.get("id") or "").strip()[:40]
    live = registry.all()
    ids = [ex.id for ex in live]
    labels = {f"{ex.id} · {pick(ex.title)}": ex.id for ex in live}
    current = next((label for label, i in labels.items() if i == requested), None)
    label = st.selectbox(t("pick_exercise"), list(labels), index=list(labels).index(current) if current else None,
                         key=f"exercise-pick-{lang()}", placeholder=t("pick_placeholder"))
    chosen = labels.get(label)
    if chosen and chosen != requested:  # another exercise: its link starts from its own defaults
        for stale in ("seed", "p"):
            st.query_params.pop(stale, None)
        st.query_params["id"] = chosen
        requested = chosen
    if not requested:
        return
    if requested in ids:
        seed = parse_seed(st.query_params.get("seed"))
        params = decode_params(st.query_params.get("p"))
        ex = registry.get(requested)
        st.page_link(chapter_page_path(ex.chapter), label=t("back_to_chapter", n=ex.chapter), icon="⬅️")
        exercise_card(ex, seed=seed, params=params, base_url=st.session_state.get("app_base", ""),
                      on_seed_change=_seed_to_url)
    elif requested in outline.catalog():
        ch = int(requested.split(".")[0])
        st.info(t("exercise_coming", id=requested), icon="🚧")
        st.page_link(chapter_page_path(ch), label=t("back_to_chapter", n=ch), icon="📖")
    else:
        st.warning(t("exercise_unknown", id=requested), icon="🔎")
        for near in registry.close_matches(requested):
            st.page_link("pages/exercise.py", label=near, query_params={"id": near, "lang": lang()})
