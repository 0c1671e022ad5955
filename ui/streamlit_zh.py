"""Streamlit's own English words in a zh-TW office: what no option of the installed Streamlit
(1.67) can change, put in Traditional Chinese in the browser.

Options come first: placeholders, labels and `placeholder=""` on tables (no "None") are set
where each widget is made. What is left is text Streamlit's frontend writes itself: the file
uploader's "Upload" button, "Drag and drop a file here" and "200MB per file • CSV, XLSX", and
the table editor's "⚠️ Please fill out this cell." and "Select..." in a choice cell, and the
"Choose an option" of a box with nothing chosen. A small script, drawn by the frame on every
run, watches the page and replaces exactly those texts (README lists what stays English).
English mode leaves them as they are.

The same script names the page's language: Streamlit serves `<html lang="en">` whatever the
app speaks, and a screen reader reads the page in the language it names (WCAG 3.1.1), so the
script sets it to the sidebar's language (zh-TW or en) on every run.
"""

from __future__ import annotations

import json
import re

import streamlit as st

# Whole texts as Streamlit writes them → zh-TW.
TEXTS: dict[str, str] = {
    "Upload": "選擇檔案",
    "Upload directories": "選擇資料夾",
    "Drag and drop a file here": "將檔案拖放到這裡",
    "Drag and drop files here": "將檔案拖放到這裡",
    "⚠️ Please fill out this cell.": "⚠️ 此欄必填，請填寫。",
    "Select...": "請選擇…",
    "Choose an option": "請選擇",
    "Choose options": "請選擇",
    "No results": "沒有符合的選項",
    "Clear all": "全部清除",
}
# "200MB per file • CSV, XLSX" → "每個檔案 200MB 以內 • CSV、XLSX"
PER_FILE = re.compile(r"^(\d+(?:\.\d+)?\s?[KMG]?B) per file(?: • (.*))?$")


def translate(text: str) -> str:
    """What the script shows for one of Streamlit's texts (the same rules, for tests)."""
    if text in TEXTS:
        return TEXTS[text]
    found = PER_FILE.match(text)
    if found:
        size, kinds = found.group(1), found.group(2)
        return f"每個檔案 {size} 以內" + (f" • {kinds.replace(', ', '、')}" if kinds else "")
    return text


_SCRIPT = """<script>
(() => {
  document.documentElement.lang = %(lang)s;
  const on = %(on)s;
  window.__wsStreamlitZh = on;
  if (window.__wsStreamlitZhObserver || !on) return;
  const texts = %(texts)s;
  const perFile = /^(\\d+(?:\\.\\d+)?\\s?[KMG]?B) per file(?: • (.*))?$/;
  const shown = (text) => {
    if (Object.prototype.hasOwnProperty.call(texts, text)) return texts[text];
    const m = perFile.exec(text);
    if (!m) return null;
    return "每個檔案 " + m[1] + " 以內" + (m[2] ? " • " + m[2].split(", ").join("、") : "");
  };
  const fix = (root) => {
    if (!window.__wsStreamlitZh) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.trim();
      const zh = text && text.length < 80 ? shown(text) : null;
      if (zh !== null && zh !== text) node.nodeValue = zh;
    }
    const fields = root.querySelectorAll ? root.querySelectorAll("input[placeholder]") : [];
    for (const field of fields) {
      const zh = shown(field.placeholder);
      if (zh !== null) field.placeholder = zh;
    }
  };
  const observer = new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "characterData") fix(change.target.parentNode || change.target);
      for (const node of change.addedNodes) {
        fix(node.nodeType === Node.TEXT_NODE ? node.parentNode || node : node);
      }
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  window.__wsStreamlitZhObserver = observer;
  fix(document.body);
})();
</script>"""


def script(lang: str) -> str:
    """The page script for `lang`: on in zh-TW, off (and left off) in English; either way it
    names the page's language."""
    values = {
        "lang": json.dumps(lang),
        "on": json.dumps(lang == "zh-TW"),
        "texts": json.dumps(TEXTS, ensure_ascii=False),
    }
    return _SCRIPT % values


def apply(lang: str) -> None:
    """Draw the script (the frame calls this on every run, in the sidebar, out of sight)."""
    st.sidebar.html(script(lang), unsafe_allow_javascript=True)
