"""The words ui.streamlit_zh puts in zh-TW, and that English mode leaves them alone."""

from ui import streamlit_zh


def test_streamlits_words_in_traditional_chinese():
    assert streamlit_zh.translate("Upload") == "選擇檔案"
    assert streamlit_zh.translate("200MB per file • CSV, XLSX") == "每個檔案 200MB 以內 • CSV、XLSX"
    assert streamlit_zh.translate("5MB per file") == "每個檔案 5MB 以內"
    assert streamlit_zh.translate("⚠️ Please fill out this cell.") == "⚠️ 此欄必填，請填寫。"
    assert streamlit_zh.translate("Choose an option") == "請選擇"
    assert streamlit_zh.translate("高雄熊抱枕") == "高雄熊抱枕"  # anything else as it is


def test_the_script_is_on_in_chinese_and_off_in_english():
    zh, en = streamlit_zh.script("zh-TW"), streamlit_zh.script("en")
    assert "const on = true;" in zh and "const on = false;" in en
    assert '"Upload": "選擇檔案"' in zh


def test_the_script_names_the_pages_language():
    zh, en = streamlit_zh.script("zh-TW"), streamlit_zh.script("en")
    assert 'document.documentElement.lang = "zh-TW";' in zh
    assert 'document.documentElement.lang = "en";' in en
