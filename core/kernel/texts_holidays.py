"""Label texts for the holidays area (zh-TW and English); keys must match."""

# ruff: noqa: E501
ZH: dict[str, str] = {
    "cal.kind.holiday": "國定假日",
    "hol.closed": "{date} 是國定假日（{name}），預設不開放預約。",
    "hol.show_slots": "仍顯示當日可預約時段",
    "hol.show_slots_help": "國定假日預設不提供時段；確有需要（例如國慶活動）時勾選，即列出當日空檔並可預約。",
    "hol.sched.day_mark": "{day}・{name}",
    "hol.sched.notice": "國定假日：{days}",
    "hol.util.exclude": "國定假日不計入可用時數",
    "hol.util.exclude_help": "勾選（預設）：可用時數只算上班日（星期一至五扣除國定假日，加上補行上班日）。取消勾選：每個星期一至五都算，國定假日也算。",
    "hol.util.definition": "使用率＝使用時數 ÷ 可用時數。可用時數：每個上班日的標準時段 08–12、13–17、18–22（每日 12 小時）；本期 {weekdays} 個星期一至五，扣除 {holidays} 天國定假日、加上 {make_up} 天補行上班日，共 {days} 個上班日、每個場地 {hours:,} 小時。使用時數：核准預約落在本期內的時數（跨越期間起迄者只計期間內部分），含午間、夜間、週末與國定假日的使用，故可能超過 100%。",
}

EN: dict[str, str] = {
    "cal.kind.holiday": "Public holiday",
    "hol.closed": "{date} is a public holiday ({name}); no slots are offered by default.",
    "hol.show_slots": "Show the day's free slots anyway",
    "hol.show_slots_help": "Public holidays offer no slots by default; tick this when a booking is really needed (say, a National Day event) to list the day's free times and book one.",
    "hol.sched.day_mark": "{day} · {name}",
    "hol.sched.notice": "Public holidays: {days}",
    "hol.util.exclude": "Leave public holidays out of the hours available",
    "hol.util.exclude_help": "Ticked (the default): hours available count working days only (Monday to Friday without public holidays, plus make-up workdays). Unticked: every Monday to Friday counts, public holidays included.",
    "hol.util.definition": "Utilisation = hours booked ÷ hours available. Hours available: the standard slots 08–12, 13–17 and 18–22 (12 hours a day) on each working day: the period's {weekdays} Mondays to Fridays, less {holidays} public holidays, plus {make_up} make-up workdays, are {days} working days, {hours:,} hours per venue. Hours booked: approved bookings' hours inside the period (cut at its first and last day), including use at lunchtime, in the evening, at weekends and on holidays, so a venue can pass 100%.",
}
