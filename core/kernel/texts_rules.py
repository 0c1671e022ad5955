"""Label texts of the business rules on bookings and trips (zh-TW and English); keys match."""

# ruff: noqa: E501
ZH: dict[str, str] = {
    "rule.venue.clash": "{row}：與「{venue}」已有的預約 #{id}（{title}，{when}）時段重疊。同一場地的有效預約不可重疊（前一場結束時間可與下一場開始時間相同），請改換時段或場地。",
    "rule.venue.clash_batch": "{row}：與本次{other}同在「{venue}」且時段重疊（{when}），請改換時段或場地。",
    "rule.venue.capacity": "{row}：出席人數 {attendees} 人超過「{venue}」可容納的 {capacity} 人，請改用較大場地或調整人數。",
    "rule.trip.clash_vehicle": "{row}：車輛 {name} 在此時段已有行程 #{id}（{destination}，{when}），同一輛車不可同時出勤。",
    "rule.trip.clash_vehicle_batch": "{row}：車輛 {name} 與本次{other}的行程時段重疊（{when}），同一輛車不可同時出勤。",
    "rule.trip.clash_driver": "{row}：駕駛 {name} 在此時段已有行程 #{id}（{destination}，{when}），同一位駕駛不可同時出勤。",
    "rule.trip.clash_driver_batch": "{row}：駕駛 {name} 與本次{other}的行程時段重疊（{when}），同一位駕駛不可同時出勤。",
    "rule.trip.km": "{row}：里程 {km} 公里超過單趟上限 {limit} 公里，請確認里程數（上限可由管理者設定 TRIP_KM_MAX）。",
    "rule.db_overlap": "儲存失敗：與另一筆剛存入的資料時段重疊（可能有其他同仁同時登錄），請重新整理後再試。",
}

EN: dict[str, str] = {
    "rule.venue.clash": "{row}: overlaps booking #{id} of {venue} ({title}, {when}). Active bookings of one venue must not overlap (one may end when the next starts); choose another time or venue.",
    "rule.venue.clash_batch": "{row}: overlaps {other} of this save at {venue} ({when}); choose another time or venue.",
    "rule.venue.capacity": "{row}: {attendees} attendees exceed the {capacity} that {venue} holds; choose a larger venue or fewer attendees.",
    "rule.trip.clash_vehicle": "{row}: vehicle {name} already has trip #{id} ({destination}, {when}) then; a car cannot be in two trips at once.",
    "rule.trip.clash_vehicle_batch": "{row}: vehicle {name} overlaps {other} of this save ({when}); a car cannot be in two trips at once.",
    "rule.trip.clash_driver": "{row}: driver {name} already has trip #{id} ({destination}, {when}) then; a driver cannot be in two trips at once.",
    "rule.trip.clash_driver_batch": "{row}: driver {name} overlaps {other} of this save ({when}); a driver cannot be in two trips at once.",
    "rule.trip.km": "{row}: {km} km is above the {limit} km per-trip maximum; check the distance (administrators set TRIP_KM_MAX).",
    "rule.db_overlap": "Not saved: the times overlap a record someone has just saved (perhaps a colleague at the same moment); reload and try again.",
}
