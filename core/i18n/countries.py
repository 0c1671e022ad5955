"""Country names as staff type them (臺灣's usual Chinese forms) and as partner cities read them.

Records keep the Chinese name staff enter; English output shows `country_name(name, "en")`.
A name not in the list is shown as typed, never guessed: add it here when a new country
appears (tests/core/test_briefing_facts.py checks every country in the demo data has one).
"""

from __future__ import annotations

# fmt: off
EN: dict[str, str] = {
    "美國": "United States", "日本": "Japan", "韓國": "South Korea", "澳洲": "Australia",
    "紐西蘭": "New Zealand", "英國": "United Kingdom", "德國": "Germany", "法國": "France",
    "荷蘭": "Netherlands", "奧地利": "Austria", "芬蘭": "Finland", "立陶宛": "Lithuania",
    "捷克": "Czech Republic", "斯洛伐克": "Slovakia", "加拿大": "Canada", "歐盟": "European Union",
    "越南": "Vietnam", "菲律賓": "Philippines", "印尼": "Indonesia", "泰國": "Thailand",
    "印度": "India", "南非": "South Africa", "奈及利亞": "Nigeria", "索馬利蘭": "Somaliland",
    "臺灣": "Taiwan", "台灣": "Taiwan",
    # Diplomatic allies and former allies
    "貝里斯": "Belize", "瓜地馬拉": "Guatemala", "海地": "Haiti", "巴拉圭": "Paraguay",
    "聖克里斯多福及尼維斯": "Saint Kitts and Nevis", "聖露西亞": "Saint Lucia",
    "聖文森及格瑞那丁": "Saint Vincent and the Grenadines",
    "聖文森及格瑞納丁": "Saint Vincent and the Grenadines",
    "馬紹爾群島": "Marshall Islands", "帛琉": "Palau", "吐瓦魯": "Tuvalu", "史瓦帝尼": "Eswatini",
    "教廷": "Holy See", "諾魯": "Nauru", "巴布亞紐幾內亞": "Papua New Guinea",
    "巴拿馬": "Panama", "多明尼加": "Dominican Republic", "布吉納法索": "Burkina Faso",
    "薩爾瓦多": "El Salvador", "索羅門群島": "Solomon Islands", "吉里巴斯": "Kiribati",
    "尼加拉瓜": "Nicaragua", "宏都拉斯": "Honduras",
}
# fmt: on


def country_name(name: str, lang: str) -> str:
    """The country as the language writes it; an unlisted or empty name as it is."""
    if lang == "zh-TW" or not name:
        return name
    return EN.get(name.strip(), name)
