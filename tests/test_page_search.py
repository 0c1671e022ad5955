"""The sidebar search box: results open in a dialog of links to their records; refusals and no
results are said in the sidebar (AppTest)."""

from tests.apptest import as_shown, open_page, signed_in

PAGE = "pages/venue_usage.py"


def _search(at, text: str):
    at.sidebar.text_input(key="search.text").input(text).run()
    assert not at.exception, at.exception
    return at


def _links(at) -> list[tuple[str, str]]:
    """(label, address) of the results' record links (the navigation's links left out)."""
    links = [e for e in at.get("page_link") if e.proto.query_string]
    return [(as_shown(e.proto.label), f"{e.proto.page}?{e.proto.query_string}") for e in links]


def test_results_are_links_to_their_records_grouped_by_kind(anonymous, accounts):
    at = _search(open_page(signed_in(anonymous, accounts, "t.viewer"), PAGE), "Oudkirk")
    links = dict(_links(at))
    label = "孫曉雅（Sandra Oudkirk）"
    assert links[label].startswith("visitor_log?table=reception&id=")
    headers = [as_shown(m.value) for m in at.markdown]
    assert "**外賓**" in headers
    assert "111/09/23・處長・美國" in [c.value for c in at.caption]
    assert at.sidebar.button(key="search.show").label == "顯示「Oudkirk」的 1 筆結果"
    # Once per search: a rerun (another click on the page) does not open it again ...
    at.run()
    assert _links(at) == []
    # ... the sidebar's button does.
    at.sidebar.button(key="search.show").click().run()
    assert dict(_links(at))[label] == links[label]


def test_an_english_city_name_finds_its_visits_events_and_gifts(app):
    at = _search(open_page(app, PAGE), "Brisbane")
    sidebar = {m.value for m in at.sidebar.markdown}  # the signed-in user's name, in bold
    kinds = [as_shown(m.value) for m in at.markdown if m.value.startswith("**")]
    kinds = [k for k in kinds if k not in sidebar]
    assert kinds[:4] == ["**姊妹市及友好城市**", "**交流活動**", "**外賓**", "**受贈禮品**"]
    events = [label for label, url in _links(at) if "table=exchange_event" in url]
    # Found through the cities an event is with, not its title.
    assert "姊妹市城市攝影展" in events


def test_many_hits_show_five_per_kind_and_count_the_rest(app):
    at = _search(open_page(app, PAGE), "高雄")
    receptions = [u for _, u in _links(at) if "table=reception" in u]
    assert len(receptions) == 5
    assert any(c.value.startswith("還有 ") for c in at.caption)


def test_no_result_and_a_refused_text_are_explained(app):
    at = _search(open_page(app, PAGE), "查無此字串zz")
    assert "找不到符合「查無此字串zz」的資料。" in [i.value for i in at.sidebar.info]
    at = _search(at, "\u3000 ")
    assert [w.value for w in at.sidebar.warning] == ["請輸入要搜尋的文字（至少一個看得見的字）。"]
    assert _links(at) == []
